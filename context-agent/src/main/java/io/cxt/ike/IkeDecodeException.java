package io.cxt.ike;

/**
 * Bytes that are not a well-formed IKEv2 message, payload chain or payload. The only exception the
 * codec throws on malformed input.
 */
public final class IkeDecodeException extends Exception {
    private static final long serialVersionUID = 1L;

    public IkeDecodeException(String message) {
        super(message);
    }
}
