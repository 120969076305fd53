package io.cxt.ike;

/**
 * IKEv2 encryption transforms (transform type 1) that cxt can protect SK payloads with.
 */
public enum EncryptionAlgorithm {
    /** ENCR_AES_CBC (RFC 3602 for ESP, RFC 7296 section 3.14 for IKE): random 16-octet IV. */
    AES_CBC(12, 16, 16, 0, 0),
    /**
     * ENCR_AES_GCM_16 (RFC 5282): AEAD with a 16-octet ICV, 8-octet explicit IV, and a 4-octet salt
     * taken from the end of SK_ei / SK_er. No alignment is needed, so the sender adds no padding.
     */
    AES_GCM_16(20, 1, 8, 4, 16);

    private final int transformId;
    private final int blockSize;
    private final int ivLength;
    private final int saltLength;
    private final int aeadIcvLength;

    EncryptionAlgorithm(int transformId, int blockSize, int ivLength, int saltLength, int aeadIcvLength) {
        this.transformId = transformId;
        this.blockSize = blockSize;
        this.ivLength = ivLength;
        this.saltLength = saltLength;
        this.aeadIcvLength = aeadIcvLength;
    }

    public int transformId() {
        return transformId;
    }

    /** The alignment that payloads + padding + pad length must have. */
    public int blockSize() {
        return blockSize;
    }

    public int ivLength() {
        return ivLength;
    }

    /** Octets of salt appended to the cipher key in SK_e (RFC 5282 section 7.1). */
    public int saltLength() {
        return saltLength;
    }

    public boolean isAead() {
        return aeadIcvLength > 0;
    }

    public int aeadIcvLength() {
        return aeadIcvLength;
    }

    public static boolean isValidKeyBits(int bits) {
        return bits == 128 || bits == 192 || bits == 256;
    }

    public static EncryptionAlgorithm fromTransformId(int id) {
        for (EncryptionAlgorithm a : values()) {
            if (a.transformId == id) {
                return a;
            }
        }
        throw new IllegalArgumentException("encryption transform " + id + " is not supported (12 AES-CBC, 20 AES-GCM-16)");
    }
}
