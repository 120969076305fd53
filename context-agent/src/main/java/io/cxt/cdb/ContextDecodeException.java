package io.cxt.cdb;

/**
 * Context Data Blocks that do not form a valid context: the only exception {@link ContextBlocks#decode}
 * throws. Checked, like {@link io.cxt.cxtp.CxtpDecodeException}, {@link io.cxt.ike.IkeDecodeException}
 * and {@link io.cxt.ha.HaDecodeException}: every decoder of bytes a remote sender controls says so in
 * its signature.
 */
public class ContextDecodeException extends Exception {
    private static final long serialVersionUID = 1L;

    public ContextDecodeException(String message) {
        super(message);
    }
}
