package io.cxt.agent.role;

/**
 * Status codes the roles put in CTAA and CTDR FPT/status pairs (RFC 4067 leaves them
 * "context-specific": zero for success, nonzero for failure). The FPT reported is
 * {@link io.cxt.cdb.ContextBlocks#FPT_HEADER}, standing for the whole IPsec context.
 */
public final class StatusCodes {
    private StatusCodes() {
    }

    /** The authorization token did not verify (same value as FeatureStatus.BAD_CHECKSUM). */
    public static final int BAD_TOKEN = 0x01;
    /** No context for this MN could be obtained (no pAR answer in time, or the pAR had none). */
    public static final int NO_CONTEXT = 0x02;
    /** The kernel refused the install; nothing was left installed. */
    public static final int INSTALL_FAILED = 0x03;
    /** The CTAR names a previous router that is not a configured peer. */
    public static final int UNKNOWN_ROUTER = 0x04;
    /** The context data could not be decoded. */
    public static final int MALFORMED_CONTEXT = 0x05;

    public static String describe(int code) {
        return switch (code) {
            case 0 -> "success";
            case BAD_TOKEN -> "bad authorization token";
            case NO_CONTEXT -> "no context";
            case INSTALL_FAILED -> "install failed";
            case UNKNOWN_ROUTER -> "unknown previous router";
            case MALFORMED_CONTEXT -> "malformed context";
            default -> "status " + code;
        };
    }
}
