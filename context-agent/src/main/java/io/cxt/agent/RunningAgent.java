package io.cxt.agent;

import io.cxt.agent.control.ControlHandler;

/**
 * A started agent (router or mobile node): answers control requests and stops on {@link #close()}.
 * Made by an {@link AgentFactory}; {@link CxAgentMain} owns its life cycle.
 */
public interface RunningAgent extends ControlHandler, AutoCloseable {

    /**
     * Whether the agent is working (its receive loops alive). The systemd watchdog ping is sent only
     * while this is true, so that a wedged agent gets restarted. Default: always healthy.
     */
    default boolean healthy() {
        return true;
    }

    /** One line for systemd's STATUS= (shown by {@code systemctl status}); default empty = none. */
    default String statusLine() {
        return "";
    }

    /**
     * SIGHUP: applies a new configuration's peers, mobile nodes and keys without dropping contexts.
     * {@link CxAgentMain} calls it only when those changed and everything that needs a restart did not.
     *
     * @throws IllegalArgumentException the new settings cannot be applied (one line); nothing changed
     */
    default void reload(io.cxt.agent.config.AgentConfig fresh) {
        throw new IllegalArgumentException("this agent cannot change peers, mobile nodes or keys while running");
    }

    /** Stops the agent: receive loops, timers, sockets. Must not throw for an already closed agent. */
    @Override
    void close() throws Exception;
}
