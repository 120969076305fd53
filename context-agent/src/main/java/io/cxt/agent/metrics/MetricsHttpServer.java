package io.cxt.agent.metrics;

import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.function.Supplier;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;

import io.cxt.sys.BindFailure;

/**
 * The optional Prometheus endpoint ({@code [agent] metrics-listen}): HTTP GET {@code /metrics}
 * answers the agent's metrics in OpenMetrics text ({@link OpenMetricsText}); anything else is 404
 * (405 for other methods). One thread: a scrape is a few kB, and a slow client only delays other
 * scrapes, never the agent (the text is made from counters that the activation path keeps anyway).
 * It reads nothing from the request beyond its first line, so what a client sends is bounded by the
 * JDK's server.
 */
public final class MetricsHttpServer implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(MetricsHttpServer.class);
    public static final String PATH = "/metrics";

    private final HttpServer server;
    private final ExecutorService executor;

    private MetricsHttpServer(HttpServer server, ExecutorService executor) {
        this.server = server;
        this.executor = executor;
    }

    /**
     * Listens on {@code address} (port 0 picks one, for tests).
     *
     * @param metrics makes the text of one scrape
     * @throws java.net.BindException "cannot bind TCP (metrics) ADDRESS:PORT: REASON"
     */
    public static MetricsHttpServer start(InetSocketAddress address, Supplier<String> metrics) throws IOException {
        HttpServer s;
        try {
            s = HttpServer.create(address, 8);
        } catch (IOException e) {
            throw BindFailure.of("TCP (metrics)", address, e);
        }
        ExecutorService ex = Executors.newSingleThreadExecutor(r -> {
            Thread t = new Thread(r, "cxagent-metrics");
            t.setDaemon(true);
            return t;
        });
        s.setExecutor(ex);
        s.createContext("/", exchange -> answer(exchange, metrics));
        s.start();
        LOG.info("metrics on http://{}{}", BindFailure.format(s.getAddress()), PATH);
        return new MetricsHttpServer(s, ex);
    }

    private static void answer(HttpExchange x, Supplier<String> metrics) throws IOException {
        try (x) {
            int status;
            byte[] body;
            String method = x.getRequestMethod();
            if (!PATH.equals(x.getRequestURI().getPath())) {
                status = 404;
                body = ("not found; metrics are at " + PATH + "\n").getBytes(StandardCharsets.UTF_8);
            } else if (!"GET".equals(method) && !"HEAD".equals(method)) {
                status = 405;
                x.getResponseHeaders().set("Allow", "GET, HEAD");
                body = "GET or HEAD only\n".getBytes(StandardCharsets.UTF_8);
            } else {
                String text;
                try {
                    text = metrics.get();
                } catch (RuntimeException e) {
                    LOG.warn("metrics scrape failed: {}", e.toString());
                    status = 500;
                    body = "metrics unavailable\n".getBytes(StandardCharsets.UTF_8);
                    x.sendResponseHeaders(status, body.length);
                    x.getResponseBody().write(body);
                    return;
                }
                status = 200;
                x.getResponseHeaders().set("Content-Type", OpenMetricsText.CONTENT_TYPE);
                body = text.getBytes(StandardCharsets.UTF_8);
                if ("HEAD".equals(method)) {
                    x.sendResponseHeaders(status, -1);
                    return;
                }
            }
            if (status != 200) {
                x.getResponseHeaders().set("Content-Type", "text/plain; charset=utf-8");
            }
            x.sendResponseHeaders(status, body.length);
            try (OutputStream o = x.getResponseBody()) {
                o.write(body);
            }
        }
    }

    /** The address actually bound (the port chosen when 0 was asked). */
    public InetSocketAddress address() {
        return server.getAddress();
    }

    @Override
    public void close() {
        server.stop(0);
        executor.shutdownNow();
    }
}
