package io.cxt.ha;

/**
 * Bytes that are not a strongSwan HA message this codec speaks. The only exception the decoder
 * throws, so it can be fuzzed; {@link #reason()} lets a receiver count rejections by kind.
 */
public final class HaDecodeException extends Exception {
    private static final long serialVersionUID = 1L;

    /** Why a datagram was refused; receivers count and rate-limit their log lines per reason. */
    public enum Reason {
        /** fewer than the two header octets */
        SHORT,
        /** a protocol version other than {@link HaMessage#VERSION} (strongSwan 6.x sends 5) */
        VERSION,
        /** a message type outside 1..12 */
        UNKNOWN_TYPE,
        /** an attribute tag outside 1..41 (charon stops parsing there too) */
        UNKNOWN_ATTRIBUTE,
        /** an attribute runs past the end of the datagram */
        TRUNCATED,
        /** a value that cannot be what it claims (address family, selector type, no NUL) */
        BAD_VALUE,
        /** over the codec's bounds (datagram size, attribute count) */
        TOO_LARGE
    }

    private final Reason reason;

    public HaDecodeException(Reason reason, String message) {
        super(message);
        this.reason = reason;
    }

    public Reason reason() {
        return reason;
    }
}
