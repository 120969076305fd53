package io.cxt.ike;

import org.bouncycastle.crypto.Digest;
import org.bouncycastle.crypto.digests.SHA256Digest;
import org.bouncycastle.crypto.digests.SHA512Digest;

/** IKEv2 pseudorandom functions (transform type 2), RFC 4868. */
public enum PrfAlgorithm {
    PRF_HMAC_SHA2_256(5, 32),
    PRF_HMAC_SHA2_512(7, 64);

    private final int transformId;
    private final int outputLength;

    PrfAlgorithm(int transformId, int outputLength) {
        this.transformId = transformId;
        this.outputLength = outputLength;
    }

    public int transformId() {
        return transformId;
    }

    /** Output length, which for HMAC PRFs is also the preferred key length (SK_d, SK_pi, SK_pr). */
    public int outputLength() {
        return outputLength;
    }

    Digest newDigest() {
        return this == PRF_HMAC_SHA2_256 ? new SHA256Digest() : new SHA512Digest();
    }

    public static PrfAlgorithm fromTransformId(int id) {
        for (PrfAlgorithm a : values()) {
            if (a.transformId == id) {
                return a;
            }
        }
        throw new IllegalArgumentException("PRF transform " + id + " is not supported (5 HMAC-SHA2-256, 7 HMAC-SHA2-512)");
    }
}
