package io.cxt.ike;

/** IKEv2 payload type numbers (RFC 7296 section 3.2) that cxt refers to. */
public final class PayloadType {
    public static final int NONE = 0;
    public static final int SECURITY_ASSOCIATION = 33;
    public static final int NOTIFY = 41;
    public static final int DELETE = 42;
    public static final int VENDOR_ID = 43;
    public static final int ENCRYPTED = 46;
    public static final int EXTENSIBLE_AUTHENTICATION = 48;

    private PayloadType() {
    }

    /**
     * Whether an IKEv2 implementation understands this type, so that its critical bit is to be
     * ignored: RFC 7296 requires every implementation to understand its payload types 33-48.
     */
    public static boolean isDefinedByRfc7296(int type) {
        return type >= SECURITY_ASSOCIATION && type <= EXTENSIBLE_AUTHENTICATION;
    }
}
