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
 */
public record AgentSection(AgentRole role, String name, Path controlSocket, Optional<String> controlGroup,
        Path stateDirectory, String logLevel, Optional<InetSocketAddress> metricsListen) {

    public static final Path DEFAULT_CONTROL_SOCKET = Path.of("/run/cxt/cxagent.sock");
    public static final Path DEFAULT_STATE_DIRECTORY = Path.of("/run/cxt");
    public static final String DEFAULT_LOG_LEVEL = "info";

    public AgentSection {
        Objects.requireNonNull(role, "role");
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(controlSocket, "controlSocket");
        Objects.requireNonNull(controlGroup, "controlGroup");
        Objects.requireNonNull(stateDirectory, "stateDirectory");
        Objects.requireNonNull(logLevel, "logLevel");
        Objects.requireNonNull(metricsListen, "metricsListen");
    }
}
