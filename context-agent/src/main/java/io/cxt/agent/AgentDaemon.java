package io.cxt.agent;

import java.io.IOException;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import io.cxt.agent.config.AgentConfig;
import io.cxt.agent.control.ControlServer;
import io.cxt.agent.metrics.MetricsHttpServer;
import io.cxt.agent.metrics.OpenMetricsText;
import io.cxt.agent.view.MetricsView;

/**
 * A started cxagent: the agent from the factory, its control socket and the systemd notifier, in
 * the order they start and stop. {@link CxAgentMain} runs one; tests can run one in-process.
 *
 * <p>Start: factory -> control socket -> metrics listener (when {@code [agent] metrics-listen} is set)
 * -> READY=1 (+ STATUS, watchdog). Stop: STOPPING=1 -> metrics listener and control socket closed (no
 * request reaches a closing agent) -> agent closed -> notifier closed.
 */
public final class AgentDaemon implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(AgentDaemon.class);

    private final AgentConfig config;
    private final RunningAgent agent;
    private final ControlServer control;
    private final SystemdNotifier notifier;
    private final MetricsHttpServer metrics;
    private boolean closed;

    private AgentDaemon(AgentConfig config, RunningAgent agent, ControlServer control, MetricsHttpServer metrics,
                        SystemdNotifier notifier) {
        this.metrics = metrics;
        this.config = config;
        this.agent = agent;
        this.control = control;
        this.notifier = notifier;
    }

    /**
     * Starts the agent and its control socket, then tells systemd READY=1.
     *
     * @throws Exception what the factory threw, or the control socket's IOException; nothing is left running
     */
    public static AgentDaemon start(AgentConfig config, AgentFactory factory, EventSink events, SystemdNotifier notifier)
            throws Exception {
        notifier.status("starting");
        RunningAgent agent = factory.start(config, events);
        ControlServer control;
        try {
            control = ControlServer.start(config.agent().controlSocket(), config.agent().controlGroup(), agent);
        } catch (IOException | RuntimeException e) {
            closeQuietly(agent);
            throw e;
        }
        MetricsHttpServer metrics = null;
        if (config.agent().metricsListen().isPresent()) {
            try {
                metrics = MetricsHttpServer.start(config.agent().metricsListen().get(), () -> openMetrics(agent));
            } catch (IOException | RuntimeException e) {
                control.close();
                closeQuietly(agent);
                throw e;
            }
        }
        AgentDaemon d = new AgentDaemon(config, agent, control, metrics, notifier);
        notifier.ready();
        String status = agent.statusLine();
        notifier.status(status == null || status.isBlank()
                ? config.role().spelling() + " " + config.agent().name() + " running" : status);
        notifier.startWatchdog(() -> {
            try {
                return agent.healthy();
            } catch (RuntimeException e) {
                return false;
            }
        });
        LOG.info("cxagent {} ({}) ready", config.agent().name(), config.role().spelling());
        return d;
    }

    /** One scrape: the agent's {@code metrics} answer as OpenMetrics text. */
    static String openMetrics(RunningAgent agent) {
        try {
            return OpenMetricsText.format((MetricsView) agent.handle("metrics", java.util.Map.of()));
        } catch (io.cxt.agent.control.ControlException | ClassCastException e) {
            throw new IllegalStateException("the agent gave no metrics: " + e.getMessage(), e);
        }
    }

    /** The metrics listener's address, if one is configured. */
    public java.util.Optional<java.net.InetSocketAddress> metricsAddress() {
        return java.util.Optional.ofNullable(metrics).map(MetricsHttpServer::address);
    }

    public RunningAgent agent() {
        return agent;
    }

    public ControlServer control() {
        return control;
    }

    public AgentConfig config() {
        return config;
    }

    /** Stops everything (idempotent). */
    @Override
    public synchronized void close() {
        if (closed) {
            return;
        }
        closed = true;
        LOG.info("cxagent {} stopping", config.agent().name());
        notifier.stopping();
        if (metrics != null) {
            metrics.close();
        }
        control.close();
        closeQuietly(agent);
        notifier.close();
        LOG.info("cxagent {} stopped", config.agent().name());
    }

    private static void closeQuietly(RunningAgent agent) {
        try {
            agent.close();
        } catch (Exception e) {
            LOG.warn("agent did not close cleanly: {}", e.toString());
        }
    }
}
