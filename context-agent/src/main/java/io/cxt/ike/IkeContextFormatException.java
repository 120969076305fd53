package io.cxt.ike;

/**
 * An IKE SA context file that cannot be imported. The message names the offending field (as a
 * JSON path) and never contains key material.
 */
public final class IkeContextFormatException extends Exception {
    private static final long serialVersionUID = 1L;

    public IkeContextFormatException(String message) {
        super(message);
    }
}
