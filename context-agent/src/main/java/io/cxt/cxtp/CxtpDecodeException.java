package io.cxt.cxtp;

/**
 * Bytes are not a well-formed CXTP message (or envelope field). The only exception the CXTP
 * decoders throw on bad input; {@link #offset()} is where in the input the problem was found.
 */
public final class CxtpDecodeException extends Exception {
    private static final long serialVersionUID = 1L;

    private final int offset;

    public CxtpDecodeException(String message, int offset) {
        super(message + " (at octet " + offset + ")");
        this.offset = offset;
    }

    /** Octet offset into the decoded input at which decoding failed. */
    public int offset() {
        return offset;
    }

    static void check(boolean condition, String message, int offset) throws CxtpDecodeException {
        if (!condition) {
            throw new CxtpDecodeException(message, offset);
        }
    }
}
