package io.cxt.cxtp;

import io.cxt.xfrm.KeyBytes;

/**
 * The "Algorithm | Key Length | Key" fields a PCTD carries so that nAR can verify the MN's
 * authorization token itself (RFC 4067 section 2.5.3). The key never prints (KeyBytes).
 *
 * @param algorithm 16-bit algorithm number; only {@link CxtpConstants#ALGORITHM_HMAC_SHA1} is defined
 * @param key the MN-AR shared key, at most 65535 octets
 */
public record TokenKeyMaterial(int algorithm, KeyBytes key) {

    public TokenKeyMaterial {
        if (algorithm < 0 || algorithm > 0xffff) {
            throw new IllegalArgumentException("algorithm must be 0..65535: " + algorithm);
        }
        if (key == null) {
            key = KeyBytes.EMPTY;
        }
        if (key.length() > 0xffff) {
            throw new IllegalArgumentException("key longer than 65535 octets");
        }
    }

    /** HMAC_SHA1 key material. */
    public static TokenKeyMaterial hmacSha1(KeyBytes key) {
        return new TokenKeyMaterial(CxtpConstants.ALGORITHM_HMAC_SHA1, key);
    }

    /** Encoded size: 4 octets of algorithm and length, the key, zero padding to 4 octets. */
    public int encodedLength() {
        return 4 + ((key.length() + 3) & ~3);
    }
}
