package io.cxt.agent.control;

/** A control request that was refused or failed; the message is the one line shown to the operator. */
public class ControlException extends Exception {

    private static final long serialVersionUID = 1L;

    public ControlException(String message) {
        super(message);
    }

    public ControlException(String message, Throwable cause) {
        super(message, cause);
    }
}
