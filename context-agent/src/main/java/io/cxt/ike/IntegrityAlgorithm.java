package io.cxt.ike;

import org.bouncycastle.crypto.Digest;
import org.bouncycastle.crypto.digests.SHA256Digest;
import org.bouncycastle.crypto.digests.SHA512Digest;

/** IKEv2 integrity transforms (transform type 3), RFC 4868. */
public enum IntegrityAlgorithm {
    /** NONE: only with an AEAD encryption transform. */
    NONE(0, 0, 0),
    /** AUTH_HMAC_SHA2_256_128: 32-octet key, ICV truncated to 16 octets. */
    HMAC_SHA2_256_128(12, 32, 16),
    /** AUTH_HMAC_SHA2_512_256: 64-octet key, ICV truncated to 32 octets. */
    HMAC_SHA2_512_256(14, 64, 32);

    private final int transformId;
    private final int keyLength;
    private final int icvLength;

    IntegrityAlgorithm(int transformId, int keyLength, int icvLength) {
        this.transformId = transformId;
        this.keyLength = keyLength;
        this.icvLength = icvLength;
    }

    public int transformId() {
        return transformId;
    }

    public int keyLength() {
        return keyLength;
    }

    public int icvLength() {
        return icvLength;
    }

    Digest newDigest() {
        return switch (this) {
            case HMAC_SHA2_256_128 -> new SHA256Digest();
            case HMAC_SHA2_512_256 -> new SHA512Digest();
            case NONE -> throw new IllegalStateException("integrity transform NONE has no digest");
        };
    }

    public static IntegrityAlgorithm fromTransformId(int id) {
        for (IntegrityAlgorithm a : values()) {
            if (a.transformId == id) {
                return a;
            }
        }
        throw new IllegalArgumentException("integrity transform " + id
                + " is not supported (0 NONE, 12 HMAC-SHA2-256-128, 14 HMAC-SHA2-512-256)");
    }
}
