package io.cxt.cdb;

/** Context Data Blocks that do not form a valid context. The only exception the CDB decoder throws. */
public class ContextDecodeException extends IllegalArgumentException {
    private static final long serialVersionUID = 1L;

    public ContextDecodeException(String message) {
        super(message);
    }

    static void check(boolean ok, String message) {
        if (!ok) {
            throw new ContextDecodeException(message);
        }
    }
}
