package io.cxt.ike;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;

import io.cxt.xfrm.KeyBytes;

/**
 * Derives the mobile node's CXTP authorization-token key (RFC 4067 section 6.3, HMAC-SHA1, 20
 * octets) from the IKE SA that the MN and its access router share ({@code token-key-source = "ike"}),
 * so that no separate token key has to be configured:
 *
 * <pre>
 * token key = first 20 octets of prf+(SK_d, "cxt CXTP token key v1" | SPIi | SPIr)
 * </pre>
 *
 * with the SA's negotiated PRF and its current SPIs (8 octets each, network order). SK_d is the key
 * IKEv2 itself derives further keys from (RFC 7296 section 2.17), so the token key is independent
 * of the keys protecting IKE messages; the label keeps it apart from any Child SA keying material
 * (whose seed starts with a nonce, never with this ASCII text). Both ends hold the same SA, so both
 * compute the same key; a different SA (other SPIs or SK_d) gives an unrelated key.
 */
public final class TokenKeyDerivation {
    /** The label prefixed to the SPIs. */
    public static final String LABEL = "cxt CXTP token key v1";
    /** Octets of an HMAC-SHA1 token key. */
    public static final int KEY_LENGTH = 20;

    private TokenKeyDerivation() {
    }

    public static KeyBytes fromIkeSa(IkeSaContext sa) {
        byte[] label = LABEL.getBytes(StandardCharsets.US_ASCII);
        byte[] seed = IkeCrypto.concat(label, IkeCrypto.concat(Octets.u64(sa.initiatorSpi()), Octets.u64(sa.responderSpi())));
        byte[] skD = sa.keys().skD().bytes();
        byte[] out = IkeCrypto.prfPlus(sa.algorithms().prf(), skD, seed, KEY_LENGTH);
        Arrays.fill(skD, (byte) 0);
        try {
            return KeyBytes.of(out);
        } finally {
            Arrays.fill(out, (byte) 0);
        }
    }
}
