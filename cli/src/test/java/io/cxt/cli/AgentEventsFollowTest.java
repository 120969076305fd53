package io.cxt.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.BooleanSupplier;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import io.cxt.agent.control.ControlServer;
import io.cxt.agent.view.AgentEvent;

/**
 * {@code cxctl agent events --follow} against a real control socket whose agent gains events while
 * cxctl runs: new events appear as they happen, a gap is named, an interrupt ends it with 0, and an
 * agent that goes away ends it with 1.
 */
class AgentEventsFollowTest {

    @TempDir
    Path dir;

    private final List<AgentEvent> events = new CopyOnWriteArrayList<>();
    private final AtomicInteger polls = new AtomicInteger();
    private ControlServer server;
    private Path socket;

    @BeforeEach
    void start() throws Exception {
        socket = dir.resolve("cxagent.sock");
        events.add(new AgentEvent(1, "2026-12-02T21:00:00Z", "agent-started", "", "par"));
        server = ControlServer.start(socket, Optional.empty(), (command, a) -> {
            polls.incrementAndGet();
            long since = Long.parseLong(a.getOrDefault("since", "0"));
            return events.stream().filter(e -> e.id() > since).toList();
        });
    }

    @AfterEach
    void stop() {
        server.close();
    }

    /** cxctl in a thread of this JVM; its output readable while it runs. */
    private static final class Following {
        final StringWriter out = new StringWriter();
        final StringWriter err = new StringWriter();
        final AtomicInteger exit = new AtomicInteger(-1);
        final Thread thread;

        Following(String... args) {
            thread = new Thread(() -> exit.set(Cxctl.execute(new PrintWriter(out), new PrintWriter(err), args)), "follow");
            thread.start();
        }
    }

    private static void await(BooleanSupplier condition, String what) throws InterruptedException {
        long end = System.nanoTime() + 20_000_000_000L;
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() > end) {
                throw new AssertionError("timed out waiting for " + what);
            }
            Thread.sleep(20);
        }
    }

    @Test
    void printsNewEventsAsTheyHappenUntilInterrupted() throws Exception {
        Following f = new Following("agent", "events", "--follow", "--socket", socket.toString());
        await(() -> f.out.toString().contains("agent-started"), "the buffered event");
        events.add(new AgentEvent(2, "2026-12-02T21:00:01Z", "context-received", "2001:db8:1::10", "predictive context from par"));
        await(() -> f.out.toString().contains("context-received"), "a new event");
        // ids 3 and 4 fell out of the agent's buffer before cxctl asked again
        events.add(new AgentEvent(5, "2026-12-02T21:00:02Z", "context-activated", "2001:db8:1::10", "at nar"));
        await(() -> f.out.toString().contains("context-activated"), "the event after a gap");
        int before = polls.get();
        await(() -> polls.get() >= before + 2, "more polls");
        assertTrue(f.thread.isAlive(), "follows until interrupted");
        f.thread.interrupt();
        f.thread.join(10_000);
        assertFalse(f.thread.isAlive());
        assertEquals(0, f.exit.get(), f.err.toString());
        assertEquals("""
                1 2026-12-02T21:00:00Z agent-started par
                2 2026-12-02T21:00:01Z context-received mn 2001:db8:1::10 predictive context from par
                # 2 events not shown (the agent's buffer dropped them)
                5 2026-12-02T21:00:02Z context-activated mn 2001:db8:1::10 at nar
                """, f.out.toString());
    }

    @Test
    void jsonLinesFromSinceAndExit1WhenTheAgentGoesAway() throws Exception {
        events.add(new AgentEvent(2, "2026-12-02T21:00:01Z", "context-received", "2001:db8:1::10", "from par"));
        Following f = new Following("--json", "agent", "events", "-f", "--since", "1", "--socket", socket.toString());
        await(() -> f.out.toString().contains("context-received"), "the event after --since");
        server.close();
        f.thread.join(20_000);
        assertFalse(f.thread.isAlive(), "ends when the agent closes the connection");
        assertEquals(ExitCodes.FAILURE, f.exit.get());
        assertTrue(f.err.toString().startsWith("cxctl: cxagent at " + socket), f.err.toString());
        assertEquals("{\"id\":2,\"time\":\"2026-12-02T21:00:01Z\",\"kind\":\"context-received\",\"mobileNode\":\"2001:db8:1::10\","
                + "\"detail\":\"from par\"}\n", f.out.toString());
    }

    @Test
    void followIsRefusedWithNetns() {
        CliRun r = CliRun.cxctl("-n", "x", "agent", "events", "--follow", "--socket", socket.toString());
        assertEquals(ExitCodes.USAGE, r.exit());
        assertTrue(r.err().contains("-n does not apply to agent"), r.err());
    }
}
