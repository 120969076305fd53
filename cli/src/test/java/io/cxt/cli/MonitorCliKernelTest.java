package io.cxt.cli;

import static io.cxt.cli.CliRun.normalised;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.BufferedReader;
import java.io.File;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import io.cxt.testing.NetnsExtension;
import io.cxt.testing.TestNamespace;

/**
 * {@code cxctl xfrm monitor} against the kernel, next to {@code ip xfrm monitor} watching the same
 * namespace: both must print the same lines for the same changes.
 */
@ExtendWith(NetnsExtension.class)
class MonitorCliKernelTest {

    /** The changes, made with iproute2; each makes exactly one notification. */
    private static void changes(TestNamespace ns) {
        ns.ip("xfrm", "policy", "add", "src", "10.0.0.0/24", "dst", "10.1.0.0/24", "dir", "out", "priority", "100",
                "mark", "7", "if_id", "3", "tmpl", "src", "192.0.2.1", "dst", "192.0.2.2", "proto", "esp", "reqid", "5",
                "mode", "tunnel");
        ns.ip("xfrm", "policy", "update", "src", "10.0.0.0/24", "dst", "10.1.0.0/24", "dir", "out", "priority", "101",
                "mark", "7", "if_id", "3", "tmpl", "src", "192.0.2.1", "dst", "192.0.2.2", "proto", "esp", "reqid", "5",
                "mode", "tunnel");
        ns.ip("xfrm", "policy", "delete", "src", "10.0.0.0/24", "dst", "10.1.0.0/24", "dir", "out", "mark", "7",
                "if_id", "3");
        ns.ip("xfrm", "policy", "add", "src", "2001:db8::/64", "dst", "2001:db8:1::/64", "proto", "tcp", "dport", "443",
                "dir", "in", "ptype", "sub", "action", "block");
        ns.ip("xfrm", "policy", "flush", "ptype", "sub");
        ns.ip("xfrm", "state", "allocspi", "src", "192.0.2.1", "dst", "192.0.2.2", "proto", "esp", "mode", "tunnel",
                "reqid", "9", "min", "0x1000", "max", "0x1000"); // no notification
        ns.ip("xfrm", "state", "delete", "src", "192.0.2.1", "dst", "192.0.2.2", "proto", "esp", "spi", "0x1000");
        ns.ip("xfrm", "state", "allocspi", "src", "2001:db8::1", "dst", "2001:db8::2", "proto", "esp");
        ns.ip("xfrm", "state", "flush");
        ns.ip("xfrm", "policy", "setdefault", "out", "block");
    }

    private static final int EVENTS = 8;

    /** Blocking work (a monitor, a pipe) gets threads of its own, not the common pool's one or two. */
    private final ExecutorService threads = Executors.newCachedThreadPool();

    @AfterEach
    void stopThreads() {
        threads.shutdownNow();
    }

    private static void waitUntilSubscribed() throws InterruptedException {
        // both monitors join their groups right after start; there is nothing to wait on but time
        Thread.sleep(1500);
    }

    @Test
    void printsWhatIpXfrmMonitorPrints(TestNamespace ns) throws Exception {
        long t0 = System.nanoTime();
        Process ip = new ProcessBuilder("ip", "-n", ns.name(), "xfrm", "monitor").redirectErrorStream(true).start();
        CompletableFuture<String> ipOutput = CompletableFuture.supplyAsync(() -> {
            try {
                return new String(ip.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            } catch (IOException e) {
                throw new java.io.UncheckedIOException(e);
            }
        }, threads);
        CompletableFuture<CliRun> cx = CompletableFuture.supplyAsync(() -> CliRun.in(ns.name(), "xfrm", "monitor",
                "-c", Integer.toString(EVENTS), "--timeout", "30"), threads);
        try {
            waitUntilSubscribed();
            changes(ns);
            CliRun r = cx.get(30, TimeUnit.SECONDS);
            assertEquals(0, r.exit(), r.err());
            assertTrue(System.nanoTime() - t0 < TimeUnit.SECONDS.toNanos(20), "-c ended it, not the timeout");
            Thread.sleep(300);
            ip.destroy();
            assertTrue(ip.waitFor(5, TimeUnit.SECONDS));
            String ipOut = ipOutput.get(5, TimeUnit.SECONDS);
            List<String> ours = normalised(r.out());
            List<String> theirs = normalised(ipOut);
            assertEquals(theirs, ours);
            // what they are, by their first lines
            assertTrue(ours.contains("src 10.0.0.0/24 dst 10.1.0.0/24"), r.out());
            assertTrue(ours.contains("Updated src 10.0.0.0/24 dst 10.1.0.0/24"), r.out());
            assertTrue(ours.contains("Deleted src 10.0.0.0/24 dst 10.1.0.0/24"), r.out());
            assertTrue(ours.contains("Flushed policy ptype sub"), r.out());
            assertTrue(ours.contains("Deleted src 192.0.2.1 dst 192.0.2.2"), r.out());
            assertTrue(ours.stream().anyMatch(l -> l.startsWith("Flushed state proto")), r.out());
            assertTrue(ours.contains(" out: block"), r.out());
        } finally {
            ip.destroyForcibly();
        }
    }

    @Test
    void jsonIsOneObjectPerLine(TestNamespace ns) throws Exception {
        long t0 = System.nanoTime();
        CompletableFuture<CliRun> cx = CompletableFuture.supplyAsync(() -> CliRun.in(ns.name(), "--json", "xfrm",
                "monitor", "-c", Integer.toString(EVENTS), "--timeout", "30"), threads);
        waitUntilSubscribed();
        changes(ns);
        CliRun r = cx.get(30, TimeUnit.SECONDS);
        assertEquals(0, r.exit(), r.err());
        List<String> lines = r.out().lines().toList();
        assertTrue(System.nanoTime() - t0 < TimeUnit.SECONDS.toNanos(20), "-c ended it, not the timeout");
        assertEquals(EVENTS, lines.size(), r.out());
        List<String> kinds = new ArrayList<>();
        ObjectMapper json = new ObjectMapper();
        for (String l : lines) {
            JsonNode n = json.readTree(l);
            kinds.add(n.path("event").asText());
        }
        assertEquals(List.of("policy-added", "policy-updated", "policy-deleted", "policy-added", "policy-flushed",
                "sa-deleted", "sa-flushed", "policy-default"), kinds);
        JsonNode deleted = json.readTree(lines.get(5));
        assertEquals(0x1000, deleted.path("sa").path("spi").asLong());
        assertEquals(9, deleted.path("sa").path("reqid").asLong());
        assertEquals("192.0.2.2", deleted.path("sa").path("dst").asText());
        assertEquals(101, json.readTree(lines.get(1)).path("policy").path("priority").asLong());
        assertEquals("sub", json.readTree(lines.get(4)).path("ptype").asText());
    }

    @Test
    void onlyTheNamedObjects(TestNamespace ns) throws Exception {
        CompletableFuture<CliRun> cx = CompletableFuture.supplyAsync(() -> CliRun.in(ns.name(), "xfrm", "monitor",
                "SA", "-c", "1", "--timeout", "30"), threads);
        waitUntilSubscribed();
        changes(ns);
        CliRun r = cx.get(30, TimeUnit.SECONDS);
        assertEquals(0, r.exit(), r.err());
        assertTrue(r.out().startsWith("Deleted src 192.0.2.1 dst 192.0.2.2\n"), r.out());
    }

    @Test
    void timeoutEndsQuietly(TestNamespace ns) {
        long t0 = System.nanoTime();
        CliRun r = CliRun.in(ns.name(), "xfrm", "monitor", "--timeout", "0.5");
        assertEquals(0, r.exit(), r.err());
        assertEquals("", r.out());
        assertTrue(System.nanoTime() - t0 < TimeUnit.SECONDS.toNanos(5));
    }

    // ------------------------------------------------------------------ signals, in a process of its own

    private static Process cxctlProcess(String... args) throws IOException {
        return cxctlProcess(false, args);
    }

    /**
     * @param parentIgnoresSigint start it the way a nohup'ed or background test run would: from a
     *        shell that ignores SIGINT (which the child inherits unless reset)
     */
    private static Process cxctlProcess(boolean parentIgnoresSigint, String... args) throws IOException {
        List<String> cmd = new ArrayList<>();
        cmd.add(System.getProperty("java.home") + File.separator + "bin" + File.separator + "java");
        cmd.add("-cp");
        cmd.add(System.getProperty("java.class.path"));
        cmd.add(Cxctl.class.getName());
        cmd.addAll(List.of(args));
        List<String> run = io.cxt.testing.Commands.withDefaultSignals(cmd);
        if (parentIgnoresSigint) {
            List<String> sh = new ArrayList<>(List.of("sh", "-c", "trap '' INT; exec \"$@\"", "sh"));
            sh.addAll(run);
            run = sh;
        }
        return new ProcessBuilder(run).redirectErrorStream(true).start();
    }

    private static void endsWithStatusZeroOn(String signal, TestNamespace ns) throws Exception {
        endsWithStatusZeroOn(signal, ns, false);
    }

    private static void endsWithStatusZeroOn(String signal, TestNamespace ns, boolean parentIgnoresSigint) throws Exception {
        Process p = cxctlProcess(parentIgnoresSigint, "-n", ns.name(), "xfrm", "monitor", "policy");
        try {
            BufferedReader out = new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8));
            // wait until it prints an event: then it is running and subscribed
            String first = null;
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
            int n = 0;
            while (first == null && System.nanoTime() < deadline) {
                ns.ip("xfrm", "policy", "add", "src", "10.0." + n + ".0/24", "dst", "10.1.0.0/24", "dir", "out");
                n++;
                Thread.sleep(300);
                if (p.getInputStream().available() > 0) {
                    first = out.readLine();
                }
            }
            assertTrue(first != null && first.startsWith("src 10.0."), "monitor printed: " + first);
            new ProcessBuilder("kill", "-" + signal, Long.toString(p.pid())).start().waitFor();
            assertTrue(p.waitFor(10, TimeUnit.SECONDS), "exits after SIG" + signal);
            assertEquals(0, p.exitValue(), "exit status after SIG" + signal);
        } finally {
            p.destroyForcibly();
        }
    }

    @Test
    void sigintEndsTheMonitorWithStatusZero(TestNamespace ns) throws Exception {
        endsWithStatusZeroOn("INT", ns);
    }

    /** Issue 12 item 11: the result must not depend on the signal state the test run inherited. */
    @Test
    void sigintEndsTheMonitorEvenWhenTheTestRunIgnoresSigint(TestNamespace ns) throws Exception {
        endsWithStatusZeroOn("INT", ns, true);
    }

    @Test
    void sigtermEndsTheMonitorWithStatusZero(TestNamespace ns) throws Exception {
        endsWithStatusZeroOn("TERM", ns);
    }
}
