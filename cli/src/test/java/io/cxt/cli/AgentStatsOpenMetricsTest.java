package io.cxt.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import io.cxt.agent.control.ControlServer;
import io.cxt.agent.metrics.LatencyHistogram;
import io.cxt.agent.view.MetricsView;

/**
 * {@code cxctl agent stats --openmetrics} against a real control socket: the agent's counters and
 * histograms come back through JSON and are printed as OpenMetrics text, read back here line by
 * line (the format itself is checked strictly in context-agent's OpenMetricsTextTest).
 */
class AgentStatsOpenMetricsTest {

    @TempDir
    Path dir;

    private static final Pattern SAMPLE = Pattern.compile("([a-z_]+)(\\{[^}]*\\})? (\\S+)");

    @Test
    void countersAndHistogramsAsOpenMetrics() throws Exception {
        LatencyHistogram install = new LatencyHistogram("cxt_install_seconds", "nAR: install batch", Map.of());
        install.record(180_000);
        install.record(2_000_000);
        LatencyHistogram total = new LatencyHistogram("cxt_ctar_to_ctaa_seconds", "nAR: CTAR to CTAA", Map.of("mode", "predictive"));
        total.record(900_000);
        Path socket = dir.resolve("cx.sock");
        try (ControlServer s = ControlServer.start(socket, Optional.empty(), (c, a) -> switch (c) {
            case "metrics" -> new MetricsView(new TreeMap<>(Map.of("activations", 1L, "contexts.active", 1L,
                    "router.udp.ctar-received", 3L)), List.of(total.snapshot(), install.snapshot()));
            default -> throw new io.cxt.agent.control.ControlException("unsupported");
        })) {
            CliRun r = CliRun.cxctl("agent", "stats", "--openmetrics", "--socket", socket.toString()).ok();
            String[] lines = r.out().split("\n");
            assertEquals("# EOF", lines[lines.length - 1]);
            Map<String, String> samples = new LinkedHashMap<>();
            Map<String, String> types = new LinkedHashMap<>();
            for (String l : lines) {
                if (l.startsWith("# TYPE ")) {
                    String[] w = l.split(" ");
                    types.put(w[2], w[3]);
                } else if (!l.startsWith("#")) {
                    Matcher m = SAMPLE.matcher(l);
                    assertTrue(m.matches(), "a sample line: " + l);
                    samples.put(m.group(1) + (m.group(2) == null ? "" : m.group(2)), m.group(3));
                }
            }
            assertEquals(Map.of("cxt_activations", "counter", "cxt_contexts_active", "gauge",
                    "cxt_router_udp_ctar_received", "counter", "cxt_ctar_to_ctaa_seconds", "histogram",
                    "cxt_install_seconds", "histogram"), types);
            assertEquals("1", samples.get("cxt_activations_total"));
            assertEquals("1", samples.get("cxt_contexts_active"));
            assertEquals("3", samples.get("cxt_router_udp_ctar_received_total"));
            assertEquals("0", samples.get("cxt_install_seconds_bucket{le=\"0.0001\"}"));
            assertEquals("1", samples.get("cxt_install_seconds_bucket{le=\"0.00025\"}"));
            assertEquals("2", samples.get("cxt_install_seconds_bucket{le=\"0.0025\"}"));
            assertEquals("2", samples.get("cxt_install_seconds_count"));
            assertEquals("0.00218", samples.get("cxt_install_seconds_sum"));
            assertEquals("1", samples.get("cxt_ctar_to_ctaa_seconds_bucket{mode=\"predictive\",le=\"0.001\"}"));
            assertEquals("1", samples.get("cxt_ctar_to_ctaa_seconds_bucket{mode=\"predictive\",le=\"+Inf\"}"));
            assertTrue(r.out().contains("# UNIT cxt_install_seconds seconds\n"), r.out());

            CliRun both = CliRun.cxctl("--json", "agent", "stats", "--openmetrics", "--socket", socket.toString());
            assertEquals(ExitCodes.USAGE, both.exit());
            assertEquals("cxctl: --openmetrics and --json are two formats; choose one\n", both.err());
        }
    }

    @Test
    void anAgentWithoutMetricsIsAOneLineError() throws Exception {
        Path socket = dir.resolve("old.sock");
        try (ControlServer s = ControlServer.start(socket, Optional.empty(), (c, a) -> {
            throw new io.cxt.agent.control.ControlException("unknown command '" + c + "'");
        })) {
            CliRun r = CliRun.cxctl("agent", "stats", "--openmetrics", "--socket", socket.toString());
            assertEquals(ExitCodes.FAILURE, r.exit());
            assertEquals("cxctl: unknown command 'metrics'\n", r.err());
        }
    }
}
