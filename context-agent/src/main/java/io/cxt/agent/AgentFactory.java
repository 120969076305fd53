package io.cxt.agent;

import io.cxt.agent.config.AgentConfig;

/**
 * Makes the running agent from the configuration (the glue between io.cxt.agent.config and the
 * roles in io.cxt.agent.role). {@link CxAgentMain} finds it with {@link AgentFactories#find()}:
 * a factory set with {@link AgentFactories#set(AgentFactory)}, else the class named by the system
 * property {@value AgentFactories#PROPERTY}, else the only provider of this interface found by
 * {@link java.util.ServiceLoader} (META-INF/services/io.cxt.agent.AgentFactory).
 */
@FunctionalInterface
public interface AgentFactory {

    /**
     * Starts the agent: opens its sockets, reconciles with the kernel, starts its loops, and returns
     * when it is ready to serve (cxagent then tells systemd READY=1).
     *
     * @param config the validated configuration
     * @param events where the agent reports what happened (cxagent's logging sink); the agent may wrap it
     * @throws Exception when it cannot start (cxagent logs the message and exits 1)
     */
    RunningAgent start(AgentConfig config, EventSink events) throws Exception;
}
