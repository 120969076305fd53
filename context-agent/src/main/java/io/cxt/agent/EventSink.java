package io.cxt.agent;

/**
 * Where agent components report what happened (the agent's event log: logged, kept in a ring
 * buffer for {@code cxctl agent events}, and counted). Implementations must be thread-safe and must
 * never block the caller.
 */
@FunctionalInterface
public interface EventSink {

    /** Discards everything (tests, tools). */
    EventSink NONE = (kind, mobileNode, detail) -> { };

    /**
     * @param kind event kind, see {@link io.cxt.agent.view.AgentEvent#kind()}
     * @param mobileNode the MN's address text, or "" if none
     * @param detail one line for humans; never key bytes
     */
    void emit(String kind, String mobileNode, String detail);

    /**
     * As {@link #emit}, for an event that happened at {@code nanoTime} (a {@link System#nanoTime}
     * reading the caller already has): a sink may timestamp it from that instead of reading the
     * clock again (the activation path; a clock reading is a system call on some kernels). The
     * default ignores the time.
     */
    default void emitAt(long nanoTime, String kind, String mobileNode, String detail) {
        emit(kind, mobileNode, detail);
    }
}
