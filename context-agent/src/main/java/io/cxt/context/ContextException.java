package io.cxt.context;

/**
 * A context cannot be snapshot, rewritten or installed as asked (for example an outbound SA with no
 * sequence state, or a target that already holds a conflicting policy). The message names the MN
 * and the SA or policy concerned, and never contains key material.
 */
public class ContextException extends Exception {
    private static final long serialVersionUID = 1L;

    public ContextException(String message) {
        super(message);
    }

    public ContextException(String message, Throwable cause) {
        super(message, cause);
    }
}
