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
}
