package io.cxt.agent;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.net.BindException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import io.cxt.agent.config.AgentConfig;
import io.cxt.agent.config.AgentConfigParser;
import io.cxt.agent.config.ConfigException;
import io.cxt.agent.metrics.OpenMetricsParser;
import io.cxt.agent.metrics.OpenMetricsText;

/**
 * {@code [agent] metrics-listen}: the daemon serves the agent's metrics over HTTP in OpenMetrics
 * text (scraped here as Prometheus would), refuses a bad address in the configuration, and a port
 * it cannot bind fails the start with the address and port named and nothing left running.
 */
class MetricsListenerTest {

    @TempDir
    Path dir;

    private AgentConfig config(String metricsListen) throws IOException, ConfigException {
        Path key = dir.resolve("nar.key");
        Files.writeString(key, "00112233445566778899aabbccddeeff00112233445566778899aabbccddeeff\n");
        Files.setPosixFilePermissions(key, java.nio.file.attribute.PosixFilePermissions.fromString("rw-------"));
        Path conf = dir.resolve("cxagent.conf");
        Files.writeString(conf, """
                [agent]
                role = "access-router"
                name = "par-test"
                control-socket = "%s"
                state-directory = "%s"
                metrics-listen = "%s"
                [router]
                address = "2001:db8:1::1"
                mobile-prefix = "2001:db8:1::/64"
                sender-id = 1
                [[peer]]
                name = "nar"
                address = "2001:db8:2::1"
                sender-id = 2
                key-file = "nar.key"
                """.formatted(dir.resolve("cx.sock"), dir, metricsListen));
        return AgentConfigParser.parse(conf);
    }

    private static int freePort() throws IOException {
        try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            return s.getLocalPort();
        }
    }

    @Test
    void aScrapeGetsOpenMetricsText() throws Exception {
        int port = freePort();
        AgentConfig c = config("127.0.0.1:" + port);
        assertEquals(new InetSocketAddress("127.0.0.1", port), c.agent().metricsListen().orElseThrow());
        try (AgentDaemon d = AgentDaemon.start(c, new TestAgentFactory(), (k, m, x) -> { }, new SystemdNotifier(null, null))) {
            HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(10)).build();
            HttpResponse<String> r = http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/metrics"))
                    .header("Accept", "application/openmetrics-text; version=1.0.0").timeout(Duration.ofSeconds(20)).build(),
                    HttpResponse.BodyHandlers.ofString());
            assertEquals(200, r.statusCode());
            assertEquals(OpenMetricsText.CONTENT_TYPE, r.headers().firstValue("Content-Type").orElse(""));
            Map<String, OpenMetricsParser.Family> f = OpenMetricsParser.parse(r.body());
            assertEquals(5.0, OpenMetricsParser.value(f, "cxt_ctar_received_total", Map.of()), r.body());
            assertEquals(1.0, OpenMetricsParser.value(f, "cxt_ctar_to_ctaa_seconds_bucket", Map.of("mode", "predictive", "le", "0.0005")));
            assertEquals(2.0, OpenMetricsParser.value(f, "cxt_ctar_to_ctaa_seconds_count", Map.of("mode", "predictive")));
            assertEquals(0.0015, OpenMetricsParser.value(f, "cxt_ctar_to_ctaa_seconds_sum", Map.of("mode", "predictive")), 1e-12);

            HttpResponse<String> other = http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/"))
                    .timeout(Duration.ofSeconds(20)).build(), HttpResponse.BodyHandlers.ofString());
            assertEquals(404, other.statusCode());
            HttpResponse<String> post = http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/metrics"))
                    .POST(HttpRequest.BodyPublishers.ofString("x")).timeout(Duration.ofSeconds(20)).build(),
                    HttpResponse.BodyHandlers.ofString());
            assertEquals(405, post.statusCode());
            assertEquals(port, d.metricsAddress().orElseThrow().getPort());
        }
        try (ServerSocket again = new ServerSocket(port, 1, InetAddress.getByName("127.0.0.1"))) {
            assertTrue(again.isBound(), "the listener is gone after the daemon stopped");
        }
    }

    @Test
    void aPortInUseFailsTheStartNamingAddressAndPort() throws Exception {
        try (ServerSocket taken = new ServerSocket(0, 1, InetAddress.getByName("127.0.0.1"))) {
            int port = taken.getLocalPort();
            AgentConfig c = config("127.0.0.1:" + port);
            BindException e = assertThrows(BindException.class,
                    () -> AgentDaemon.start(c, new TestAgentFactory(), (k, m, x) -> { }, new SystemdNotifier(null, null)));
            assertEquals("cannot bind TCP (metrics) 127.0.0.1:" + port + ": Address already in use", e.getMessage());
            assertFalse(Files.exists(dir.resolve("cx.sock"), LinkOption.NOFOLLOW_LINKS), "control socket removed again");
        }
    }

    @Test
    void badAddressesAreRefusedByTheParser() {
        for (String bad : new String[] {"9464", "localhost:9464", "::1:9464", "127.0.0.1:0", "127.0.0.1:70000", "[::1]"}) {
            ConfigException e = assertThrows(ConfigException.class, () -> config(bad), bad);
            assertTrue(e.getMessage().contains("metrics-listen"), e.getMessage());
            assertTrue(e.getMessage().contains("expected ADDRESS:PORT"), e.getMessage());
        }
    }

    @Test
    void ipv6InBrackets() throws Exception {
        assertEquals(new InetSocketAddress("::1", 9464), config("[::1]:9464").agent().metricsListen().orElseThrow());
    }
}
