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
        notifier.startWatchdog(() -> healthy(agent, io.cxt.health.ReceiveLoops.process(), notifier));
        LOG.info("cxagent {} ({}) ready", config.agent().name(), config.role().spelling());
        return d;
    }

    /**
     * How long one datagram's handler may hold a receive loop before the watchdog calls the loop
     * stuck. Longer than the longest legitimate wait on a receive thread: an IKE message on the MN
     * waits for an activation in progress (CTAR retransmissions give up after 15 s, plus 2 s).
     */
    static final java.time.Duration STUCK_AFTER = java.time.Duration.ofSeconds(30);

    /**
     * The watchdog's question: the agent says it is healthy and no receive loop is stuck or dead
     * ({@link io.cxt.health.ReceiveLoops}). Each failed check logs why (at most one line per
     * watchdog period) and puts it in systemd's STATUS=, so {@code systemctl status} shows what
     * the restart was for.
     */
    static boolean healthy(RunningAgent agent, io.cxt.health.ReceiveLoops loops, SystemdNotifier notifier) {
        java.util.List<String> problems = new java.util.ArrayList<>(loops.problems(STUCK_AFTER));
        try {
            if (!agent.healthy()) {
                problems.add("the agent reports itself unhealthy (a receive or movement thread ended)");
            }
        } catch (RuntimeException e) {
            problems.add("the agent's health check failed: " + e);
        }
        if (problems.isEmpty()) {
            return true;
        }
        String why = String.join("; ", problems);
        LOG.error("watchdog: not pinging systemd: {}", why);
        notifier.status("unhealthy: " + why);
        return false;
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
