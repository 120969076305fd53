package io.cxt.nl;

/**
 * Bytes that do not form the netlink message or structure they should. Every codec in the project
 * throws this, and only this, on bad input, so a fuzzer or a caller can rely on it.
 */
public class MalformedNetlinkException extends IllegalArgumentException {
    private static final long serialVersionUID = 1L;

    public MalformedNetlinkException(String message) {
        super(message);
    }

    /** Throws unless {@code condition} holds. */
    public static void check(boolean condition, String message) {
        if (!condition) {
            throw new MalformedNetlinkException(message);
        }
    }
}
