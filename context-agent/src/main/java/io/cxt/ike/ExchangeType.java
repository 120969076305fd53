package io.cxt.ike;

/** IKEv2 exchange types (RFC 7296 section 3.1). */
public final class ExchangeType {
    public static final int IKE_SA_INIT = 34;
    public static final int IKE_AUTH = 35;
    public static final int CREATE_CHILD_SA = 36;
    public static final int INFORMATIONAL = 37;

    private ExchangeType() {
    }
}
