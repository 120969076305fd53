package io.cxt.ike;

/**
 * A received message that was refused: nothing of it may be used. {@link #reason()} says why, the
 * message text gives the detail (never key material or decrypted content).
 */
public final class IkeRejectedException extends Exception {
    private static final long serialVersionUID = 1L;

    /** Why a message was refused. */
    public enum Reason {
        /** Not a well-formed IKEv2 message (before or after decryption). */
        MALFORMED,
        /** The SPIs in the header are not those of this IKE SA. */
        UNKNOWN_IKE_SA,
        /** The exchange type is not the one expected. */
        WRONG_EXCHANGE_TYPE,
        /** The I or R flag contradicts who may send this message. */
        WRONG_FLAGS,
        /** The message ID was already processed (a replay or retransmission). */
        REPLAYED_MESSAGE_ID,
        /** The message ID is not the one expected next (outside the window of one). */
        UNEXPECTED_MESSAGE_ID,
        /** The message carries no Encrypted payload although it must be protected. */
        NOT_PROTECTED,
        /** The integrity checksum or AEAD tag does not verify. */
        INTEGRITY_CHECK_FAILED,
        /** A payload we do not understand has the critical bit set (RFC 7296 section 2.5). */
        UNSUPPORTED_CRITICAL_PAYLOAD
    }

    private final Reason reason;

    public IkeRejectedException(Reason reason, String detail) {
        super(reason + ": " + detail);
        this.reason = reason;
    }

    public IkeRejectedException(Reason reason, String detail, Throwable cause) {
        super(reason + ": " + detail, cause);
        this.reason = reason;
    }

    public Reason reason() {
        return reason;
    }
}
