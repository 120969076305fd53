package io.cxt.agent.config;

import java.net.InetSocketAddress;
import java.nio.file.Path;
import java.util.Objects;
import java.util.Optional;

/**
 * The {@code [agent]} table.
 *
 * @param role {@code role} (required)
 * @param name {@code name} (required): how logs, status and peers call this agent
 * @param controlSocket {@code control-socket}, default /run/cxt/cxagent.sock
 * @param controlGroup {@code control-group}: members (primary or supplementary) may use the control socket
 *                     besides root; empty = root only
 * @param stateDirectory {@code state-directory}, default /run/cxt (runtime journal; tmpfs)
 * @param logLevel {@code log-level}: error, warn, info (default), debug or trace
 * @param metricsListen {@code metrics-listen}: where to serve OpenMetrics over HTTP for Prometheus
 *                      ("127.0.0.1:9464", "[::1]:9464"); empty (default) = no listener
 * @param realtimePriority {@code realtime-priority}: SCHED_FIFO priority of the threads on a handover's path
 *                         (receive loops, movement detection, the MN's activation), 1..99; 0 (default) = off
 */
public record AgentSection(AgentRole role, String name, Path controlSocket, Optional<String> controlGroup,
        Path stateDirectory, String logLevel, Optional<InetSocketAddress> metricsListen, int realtimePriority) {

    public static final Path DEFAULT_CONTROL_SOCKET = Path.of("/run/cxt/cxagent.sock");
    public static final Path DEFAULT_STATE_DIRECTORY = Path.of("/run/cxt");
    public static final String DEFAULT_LOG_LEVEL = "info";

    /** The same section with another log level (what SIGHUP may change without a restart). */
    public AgentSection withLogLevel(String level) {
        return new AgentSection(role, name, controlSocket, controlGroup, stateDirectory, level, metricsListen,
                realtimePriority);
    }

    public AgentSection {
        Objects.requireNonNull(role, "role");
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(controlSocket, "controlSocket");
        Objects.requireNonNull(controlGroup, "controlGroup");
        Objects.requireNonNull(stateDirectory, "stateDirectory");
        Objects.requireNonNull(logLevel, "logLevel");
        Objects.requireNonNull(metricsListen, "metricsListen");
        if (realtimePriority < 0 || realtimePriority > 99) {
            throw new IllegalArgumentException("realtimePriority " + realtimePriority + " not in 0..99");
        }
    }
}
