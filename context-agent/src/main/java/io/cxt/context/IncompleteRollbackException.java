package io.cxt.context;

/**
 * An install failed and undoing what it had put in failed too: the target may hold leftovers. A
 * caller that journals its kernel changes must keep the journal entry open (not mark it done), so
 * that a restart removes them (issue 12 item 6).
 */
public final class IncompleteRollbackException extends ContextException {
    private static final long serialVersionUID = 1L;

    public IncompleteRollbackException(String message, Throwable cause) {
        super(message, cause);
    }
}
