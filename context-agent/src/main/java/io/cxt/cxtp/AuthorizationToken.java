package io.cxt.cxtp;

import java.net.InetAddress;
import java.security.MessageDigest;
import java.util.Arrays;
import java.util.List;

import org.bouncycastle.crypto.digests.SHA1Digest;
import org.bouncycastle.crypto.macs.HMac;
import org.bouncycastle.crypto.params.KeyParameter;

import io.cxt.xfrm.KeyBytes;

/**
 * The MN authorization token of RFC 4067 section 2.5.1:
 * {@code First(32, HMAC_SHA1(Key, (Previous IP address | Sequence Number | CDBs)))}.
 *
 * <p>Decided input encoding (the RFC does not spell it out):
 * <ul>
 *   <li>Previous IP address: its 4 (V = 1) or 16 (V = 0) octets as in the message;</li>
 *   <li>Sequence Number: 4 octets, network order;</li>
 *   <li>CDBs: the request blocks exactly as encoded in the CTAR, concatenated in message order,
 *       each with its header, presence vector and zero padding to 8 octets, reserved bits zero;
 *       nothing when no blocks are listed;</li>
 *   <li>no further padding or length prefix of the HMAC input.</li>
 * </ul>
 * {@code First(32, x)} is the leftmost 32 bits of the 20-octet HMAC, read as a network-order
 * integer.
 *
 * <p>A token of zero is the null token of CT-Req (section 2.5.6) and never verifies; an MN whose
 * token computes to zero picks another sequence number ({@link #isUsable}).
 *
 * <p>The key is passed as {@link KeyBytes} so it never prints; local copies are wiped after use.
 */
public final class AuthorizationToken {
    private AuthorizationToken() {
    }

    /** The null token: "nAR has not received the CTAR yet". */
    public static final int NULL_TOKEN = 0;

    /** The HMAC input octets (exposed for tests and diagnostics; contains no key). */
    public static byte[] input(InetAddress previousAddress, long sequenceNumber, List<ContextDataBlock> blocks) {
        byte[] addr = Addresses.normalize(previousAddress, "MN previous address").getAddress();
        Addresses.u32(sequenceNumber, "sequence number");
        byte[] cdbs = CxtpCodec.encodeBlocks(blocks == null ? List.of() : blocks);
        byte[] in = new byte[addr.length + 4 + cdbs.length];
        System.arraycopy(addr, 0, in, 0, addr.length);
        in[addr.length] = (byte) (sequenceNumber >>> 24);
        in[addr.length + 1] = (byte) (sequenceNumber >>> 16);
        in[addr.length + 2] = (byte) (sequenceNumber >>> 8);
        in[addr.length + 3] = (byte) sequenceNumber;
        System.arraycopy(cdbs, 0, in, addr.length + 4, cdbs.length);
        return in;
    }

    /** The token for these fields under {@code key}. */
    public static int compute(KeyBytes key, InetAddress previousAddress, long sequenceNumber,
                              List<ContextDataBlock> blocks) {
        byte[] mac = hmacSha1(key, input(previousAddress, sequenceNumber, blocks));
        int token = ((mac[0] & 0xff) << 24) | ((mac[1] & 0xff) << 16) | ((mac[2] & 0xff) << 8) | (mac[3] & 0xff);
        Arrays.fill(mac, (byte) 0);
        return token;
    }

    /** The token a CTAR with these fields must carry (the CTAR's own token field is ignored). */
    public static int compute(KeyBytes key, ContextTransferActivateRequest ctar) {
        return compute(key, ctar.previousAddress(), ctar.sequenceNumber(), ctar.requestedContexts());
    }

    /**
     * Whether {@code token} is the token for these fields, compared in constant time. The null
     * token never verifies.
     */
    public static boolean verify(KeyBytes key, InetAddress previousAddress, long sequenceNumber,
                                 List<ContextDataBlock> blocks, int token) {
        int expected = compute(key, previousAddress, sequenceNumber, blocks);
        boolean equal = MessageDigest.isEqual(toBytes(expected), toBytes(token));
        return equal & token != NULL_TOKEN;
    }

    /** Verifies a CTAR's token (at nAR after a PCTD, or at pAR for a predictive CTAR). */
    public static boolean verify(KeyBytes key, ContextTransferActivateRequest ctar) {
        return verify(key, ctar.previousAddress(), ctar.sequenceNumber(), ctar.requestedContexts(),
                ctar.authorizationToken());
    }

    /** Verifies the token nAR copied into a CT-Req (at pAR). */
    public static boolean verify(KeyBytes key, ContextTransferRequest request) {
        return verify(key, request.previousAddress(), request.sequenceNumber(), request.requestedContexts(),
                request.authorizationToken());
    }

    /** Verifies with the key material a PCTD carried. Only HMAC_SHA1 is defined; others fail. */
    public static boolean verify(TokenKeyMaterial material, ContextTransferActivateRequest ctar) {
        return material.algorithm() == CxtpConstants.ALGORITHM_HMAC_SHA1 && verify(material.key(), ctar);
    }

    /** False for the null token, which an MN must not send as a real token. */
    public static boolean isUsable(int token) {
        return token != NULL_TOKEN;
    }

    private static byte[] hmacSha1(KeyBytes key, byte[] input) {
        byte[] k = key.bytes();
        try {
            HMac mac = new HMac(new SHA1Digest());
            mac.init(new KeyParameter(k));
            mac.update(input, 0, input.length);
            byte[] out = new byte[mac.getMacSize()];
            mac.doFinal(out, 0);
            mac.reset();
            return out;
        } finally {
            Arrays.fill(k, (byte) 0);
        }
    }

    private static byte[] toBytes(int v) {
        return new byte[] {(byte) (v >>> 24), (byte) (v >>> 16), (byte) (v >>> 8), (byte) v};
    }
}
