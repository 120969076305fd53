package io.cxt.agent;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicLong;

import io.cxt.agent.config.AgentConfig;
import io.cxt.agent.control.ControlException;
import io.cxt.agent.view.AgentEvent;
import io.cxt.agent.view.AgentStatus;
import io.cxt.agent.view.ContextView;
import io.cxt.agent.view.OperationResult;
import io.cxt.agent.view.PeerView;

/**
 * A trivial agent for tests of the daemon plumbing: answers every control command from the
 * configuration and fixed data, keeps "transfer" requests as events. No kernel, no CXTP.
 * Used by name: -Dcxagent.factory=io.cxt.agent.TestAgentFactory.
 */
public final class TestAgentFactory implements AgentFactory {

    @Override
    public RunningAgent start(AgentConfig config, EventSink events) throws java.io.IOException {
        if (config.agent().name().equals("fail-start")) {
            throw new java.io.IOException("cannot bind [2001:db8:1::1]:5091: Address not available");
        }
        return new Agent(config, events);
    }

    static final class Agent implements RunningAgent {
        private volatile AgentConfig config;
        private final EventSink sink;
        private final long started = System.currentTimeMillis();
        private final List<AgentEvent> events = new CopyOnWriteArrayList<>();
        private final AtomicLong ids = new AtomicLong();
        private volatile boolean closed;

        Agent(AgentConfig config, EventSink sink) {
            this.config = config;
            this.sink = sink;
            event("agent-started", "", config.agent().name());
        }

        private void event(String kind, String mn, String detail) {
            events.add(new AgentEvent(ids.incrementAndGet(), java.time.Instant.now().toString(), kind, mn, detail));
            sink.emit(kind, mn, detail);
        }

        /** SIGHUP: the peers it lists come from the new configuration (a peer named "refuse-me" is refused). */
        @Override
        public void reload(AgentConfig fresh) {
            if (fresh.peer("refuse-me").isPresent()) {
                throw new IllegalArgumentException("peer refuse-me: refused by the test agent");
            }
            config = fresh;
        }

        @Override
        public Object handle(String command, Map<String, String> a) throws ControlException {
            if (closed) {
                throw new ControlException("agent is stopping");
            }
            return switch (command) {
                case "status" -> new AgentStatus(config.role().spelling(), config.agent().name(),
                        ProcessHandle.current().pid(), "test", java.time.Instant.ofEpochMilli(started).toString(),
                        (System.currentTimeMillis() - started) / 1000,
                        config.router().map(r -> List.of(io.cxt.xfrm.AddressText.of(r.address()))).orElse(List.of()),
                        1, config.peers().size(), 0, "");
                case "contexts" -> List.of(new ContextView("2001:db8:aa::10", "2001:db8:1::10", "ACTIVE", "", "",
                        List.of("esp spi 0x00001000 2001:db8:1::10 -> 2001:db8:1::1"), 2, "", 1500, -1));
                case "peers" -> {
                    List<PeerView> out = new ArrayList<>();
                    config.peers().forEach(p -> out.add(new PeerView(p.name(),
                            io.cxt.xfrm.AddressText.of(p.address()) + " " + p.port(), p.transport().spelling(),
                            p.senderId(), 3, 2, 0, "")));
                    yield out;
                }
                case "stats" -> new TreeMap<>(Map.of("ctar-received", 5L, "ctd-sent", 2L));
                case "metrics" -> {
                    io.cxt.agent.metrics.LatencyHistogram h = new io.cxt.agent.metrics.LatencyHistogram(
                            "cxt_ctar_to_ctaa_seconds", "test: fixed observations", Map.of("mode", "predictive"));
                    h.record(300_000);
                    h.record(1_200_000);
                    yield new io.cxt.agent.view.MetricsView(new TreeMap<>(Map.of("ctar-received", 5L, "ctd-sent", 2L)),
                            List.of(h.snapshot()));
                }
                case "events" -> {
                    long since = Long.parseLong(a.getOrDefault("since", "0"));
                    yield events.stream().filter(e -> e.id() > since).toList();
                }
                case "transfer" -> {
                    String mn = require(a, "mn");
                    String to = require(a, "to");
                    if (config.peer(to).isEmpty()) {
                        throw new ControlException("unknown peer '" + to + "'");
                    }
                    event("transfer-requested", mn, "to " + to);
                    yield new OperationResult(true, "context of " + mn + " sent to " + to, Map.of("ctdOctets", 420));
                }
                case "activate" -> new OperationResult(false, "no CTAA from " + require(a, "nar"), Map.of());
                case "cancel" -> new OperationResult(true, "cancelled " + require(a, "mn"), Map.of());
                case "ike-list" -> List.of();
                case "crash" -> throw new IllegalStateException("boom");
                default -> throw new ControlException("command '" + command + "' not supported by the test agent");
            };
        }

        private static String require(Map<String, String> a, String key) throws ControlException {
            String v = a.get(key);
            if (v == null) {
                throw new ControlException("missing argument '" + key + "'");
            }
            return v;
        }

        @Override
        public String statusLine() {
            return "test agent " + config.agent().name();
        }

        @Override
        public void close() {
            closed = true;
        }
    }
}
