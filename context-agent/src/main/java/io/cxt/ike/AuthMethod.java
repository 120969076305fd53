package io.cxt.ike;

/** IKEv2 authentication methods (RFC 7296 section 3.8, RFC 4754, RFC 7427). */
public enum AuthMethod {
    RSA_DIGITAL_SIGNATURE(1),
    SHARED_KEY_MIC(2),
    DSS_DIGITAL_SIGNATURE(3),
    ECDSA_SHA256_P256(9),
    ECDSA_SHA384_P384(10),
    ECDSA_SHA512_P521(11),
    DIGITAL_SIGNATURE(14);

    private final int id;

    AuthMethod(int id) {
        this.id = id;
    }

    public int id() {
        return id;
    }

    public boolean usesSharedKey() {
        return this == SHARED_KEY_MIC;
    }
}
