package io.cxt.agent;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import com.fasterxml.jackson.databind.JsonNode;

import io.cxt.agent.control.ControlClient;
import io.cxt.agent.control.ControlException;

/** cxagent end to end as a child process, with a notification socket standing in for systemd. */
@Timeout(180)
class CxAgentMainTest {

    static final String KEY = "00112233445566778899aabbccddeeff00112233445566778899aabbccddeeff";

    @TempDir
    Path dir;

    private Path config(Path socket) throws IOException {
        Path key = dir.resolve("nar.key");
        Files.writeString(key, KEY + "\n");
        Files.setPosixFilePermissions(key, PosixFilePermissions.fromString("rw-r--r--")); // to see the warning
        Path conf = dir.resolve("cxagent.conf");
        Files.writeString(conf, """
                [agent]
                role = "access-router"
                name = "par-test"
                control-socket = "%s"
                state-directory = "%s"
                [router]
                address = "2001:db8:1::1"
                mobile-prefix = "2001:db8:1::/64"
                sender-id = 1
                [[peer]]
                name = "nar"
                address = "2001:db8:2::1"
                sender-id = 2
                key-file = "nar.key"
                """.formatted(socket, dir));
        return conf;
    }

    private static String classPath() {
        String cp = System.getProperty("surefire.test.class.path");
        return cp != null && !cp.isBlank() ? cp : System.getProperty("java.class.path");
    }

    private Process start(Path conf, Path notify, boolean withFactory, Path stderr) throws IOException {
        return start(conf, notify, withFactory, stderr, null);
    }

    private Process start(Path conf, Path notify, boolean withFactory, Path stderr, String journalStream) throws IOException {
        List<String> cmd = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-XX:+UseSerialGC", "-XX:TieredStopAtLevel=1"));
        // Without the test factory: a class that does not exist (the real DefaultAgentFactory is a
        // ServiceLoader provider on this class path, and must not start here).
        cmd.add("-D" + AgentFactories.PROPERTY + "=" + (withFactory ? TestAgentFactory.class.getName() : "io.cxt.NoSuchFactory"));
        cmd.addAll(List.of("-cp", classPath(), CxAgentMain.class.getName(), "--config", conf.toString(), "--foreground"));
        ProcessBuilder pb = new ProcessBuilder(io.cxt.testing.Commands.withDefaultSignals(cmd)).redirectError(stderr.toFile()).redirectOutput(ProcessBuilder.Redirect.DISCARD);
        pb.environment().put("NOTIFY_SOCKET", notify.toString());
        pb.environment().put("WATCHDOG_USEC", "1000000");
        pb.environment().remove("WATCHDOG_PID");
        pb.environment().remove("JOURNAL_STREAM");
        if (journalStream != null) {
            pb.environment().put("JOURNAL_STREAM", journalStream);
        }
        return pb.start();
    }

    /**
     * SIGHUP re-reads the file instead of killing the agent (it used to exit 129): the new log level
     * applies, a changed peer list is reported as needing a restart, the control socket keeps
     * answering. With JOURNAL_STREAM naming stderr, lines carry sd-daemon priorities and no time.
     */
    @Test
    void sighupReloadsAndJournalLinesCarryPriorities() throws Exception {
        Path socket = dir.resolve("run/cxagent.sock");
        Path notify = dir.resolve("notify");
        Path log = dir.resolve("stderr.log");
        Files.createFile(log);
        String journal = Files.getAttribute(log, "unix:dev") + ":" + Files.getAttribute(log, "unix:ino");
        Path conf = config(socket);
        try (NotifySocket sd = new NotifySocket(notify.toString())) {
            Process p = start(conf, notify, true, log, journal);
            try {
                assertTrue(sd.await("READY=1", 60_000), "READY=1 within 60 s; log:\n" + read(log));
                String good = Files.readString(conf);
                // peers (one changed, one added) and the log level: applied, the agent keeps running
                Files.writeString(conf, good.replace("name = \"par-test\"\n", "name = \"par-test\"\nlog-level = \"debug\"\n")
                        .replace("sender-id = 2\n", "sender-id = 3\n") + """
                        [[peer]]
                        name = "nar2"
                        address = "2001:db8:3::1"
                        sender-id = 4
                        key-file = "nar.key"
                        """);
                hangUp(p, log, 1);
                assertTrue(p.isAlive(), "SIGHUP does not stop the agent; log:\n" + read(log));
                assertEquals("par-test", ControlClient.request(socket, "status", Map.of()).get("name").asText());
                assertEquals("[nar 3, nar2 4]", peers(socket));
                String applied = Files.readString(conf);
                // a file that does not parse: one error line, nothing changes
                Files.writeString(conf, applied.replace("sender-id = 4", "sender-id = "));
                hangUp(p, log, 2);
                // a change that takes a restart: refused whole (the peer change with it is not applied)
                Files.writeString(conf, applied.replace("address = \"2001:db8:1::1\"", "address = \"2001:db8:1::2\"")
                        .replace("sender-id = 4", "sender-id = 5"));
                hangUp(p, log, 3);
                // the agent refuses the new peers: refused whole
                Files.writeString(conf, applied.replace("name = \"nar2\"", "name = \"refuse-me\""));
                hangUp(p, log, 4);
                assertEquals("[nar 3, nar2 4]", peers(socket), "the running configuration stayed");
                p.destroy();
                assertTrue(p.waitFor(30, TimeUnit.SECONDS));
                assertEquals(0, p.exitValue(), read(log));
            } finally {
                p.destroyForcibly();
            }
        }
        String text = read(log);
        assertTrue(text.contains("<6>INFO  io.cxt.agent.CxAgentMain: SIGHUP: " + conf + " applied: log level debug; [[peer]] (2)"
                + " replaced, contexts kept"), text);
        assertTrue(text.contains("<3>ERROR io.cxt.agent.CxAgentMain: SIGHUP: not applied: " + conf + ":"), text);
        assertTrue(text.contains("<3>ERROR io.cxt.agent.CxAgentMain: SIGHUP: " + conf + " not applied: [router] changed, which"
                + " takes a restart (systemctl restart cxagent); the running configuration stays"), text);
        assertTrue(text.contains("<3>ERROR io.cxt.agent.CxAgentMain: SIGHUP: " + conf + " not applied: peer refuse-me: refused by"
                + " the test agent; the running configuration stays"), text);
        assertEquals(3, text.lines().filter(l -> l.contains("SIGHUP:") && l.contains("not applied")).count(),
                "one line per refusal:\n" + text);
        assertTrue(text.lines().anyMatch(l -> l.equals("<6>INFO  io.cxt.agent.AgentDaemon: cxagent par-test (access-router) ready")),
                text);
        assertTrue(text.contains("<4>WARN  io.cxt.agent.CxAgentMain: key file "), text);
        assertTrue(text.lines().filter(l -> !l.isBlank() && !l.startsWith("\t") && !l.startsWith("at "))
                .allMatch(l -> l.matches("<[3467]>.*")), "every line has a priority:\n" + text);
    }

    /** Sends SIGHUP and waits for the n-th "SIGHUP:" log line. */
    private void hangUp(Process p, Path log, int n) throws Exception {
        assertEquals(0, new ProcessBuilder("kill", "-HUP", Long.toString(p.pid())).start().waitFor());
        long until = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        while (read(log).lines().filter(l -> l.contains("SIGHUP:")).count() < n && System.nanoTime() < until) {
            Thread.sleep(100);
        }
        assertEquals(n, read(log).lines().filter(l -> l.contains("SIGHUP:")).count(), read(log));
    }

    /** "[name senderId, ...]" as the agent's peers command lists them. */
    private static String peers(Path socket) throws Exception {
        List<String> out = new java.util.ArrayList<>();
        ControlClient.request(socket, "peers", Map.of()).forEach(n -> out.add(n.get("name").asText() + " " + n.get("senderId").asText()));
        return out.toString();
    }

    @Test
    void readyServesStopsOnSigterm() throws Exception {
        Path socket = dir.resolve("run/cxagent.sock");
        Path notify = dir.resolve("notify");
        Path log = dir.resolve("stderr.log");
        try (NotifySocket sd = new NotifySocket(notify.toString())) {
            Process p = start(config(socket), notify, true, log);
            try {
                assertTrue(sd.await("READY=1", 60_000), "READY=1 within 60 s; log:\n" + read(log));
                assertTrue(Files.exists(socket, LinkOption.NOFOLLOW_LINKS));
                JsonNode status = ControlClient.request(socket, "status", Map.of());
                assertEquals("par-test", status.get("name").asText());
                assertEquals("access-router", status.get("role").asText());
                assertEquals(p.pid(), status.get("pid").asLong());
                JsonNode peers = ControlClient.request(socket, "peers", Map.of());
                assertEquals("nar", peers.get(0).get("name").asText());
                JsonNode r = ControlClient.request(socket, "transfer", Map.of("mn", "2001:db8:1::10", "to", "nar"));
                assertTrue(r.get("ok").asBoolean());
                try {
                    ControlClient.request(socket, "transfer", Map.of("mn", "2001:db8:1::10", "to", "elsewhere"));
                    throw new AssertionError("expected a refusal");
                } catch (ControlException e) {
                    assertEquals("unknown peer 'elsewhere'", e.getMessage());
                }
                assertTrue(sd.await("WATCHDOG=1", 5_000), "watchdog pings");

                p.destroy(); // SIGTERM
                assertTrue(sd.await("STOPPING=1", 20_000), "STOPPING=1 after SIGTERM");
                assertTrue(p.waitFor(30, TimeUnit.SECONDS), "exits after SIGTERM");
                assertEquals(0, p.exitValue(), read(log));
                assertFalse(Files.exists(socket, LinkOption.NOFOLLOW_LINKS), "control socket removed");
            } finally {
                p.destroyForcibly();
            }
        }
        String text = read(log);
        // time, level, logger, message
        assertTrue(text.lines().anyMatch(l -> l.matches("\\d{4}-\\d\\d-\\d\\dT\\d\\d:\\d\\d:\\d\\d\\.\\d{3}\\S+ INFO  "
                + "io\\.cxt\\.agent\\.AgentDaemon: cxagent par-test \\(access-router\\) ready")), text);
        assertTrue(text.contains("WARN  io.cxt.agent.CxAgentMain: key file " + dir.resolve("nar.key")
                + " is readable by others (mode rw-r--r--); chmod 0600 recommended"), text);
        assertTrue(text.contains("io.cxt.agent.events: transfer-requested mn 2001:db8:1::10 to nar"), text);
        assertFalse(text.contains("00112233"), "no key bytes in the log");
    }

    @Test
    void anUnusableAgentFactoryFailsWithExit1(@TempDir Path other) throws Exception {
        Path socket = dir.resolve("cx.sock");
        Path log = dir.resolve("stderr.log");
        Process p = start(config(socket), other.resolve("nobody-listens"), false, log);
        assertTrue(p.waitFor(60, TimeUnit.SECONDS));
        assertEquals(1, p.exitValue());
        assertTrue(read(log).contains("cxagent: cannot use agent factory io.cxt.NoSuchFactory"), read(log));
        assertFalse(Files.exists(socket));
    }

    @Test
    void anAgentThatCannotStartExits1AndLeavesNoSocket() throws Exception {
        Path socket = dir.resolve("run/cx.sock");
        Path conf = config(socket);
        Files.writeString(conf, Files.readString(conf).replace("name = \"par-test\"", "name = \"fail-start\""));
        Path notify = dir.resolve("notify");
        Path log = dir.resolve("stderr.log");
        try (NotifySocket sd = new NotifySocket(notify.toString())) {
            Process p = start(conf, notify, true, log);
            assertTrue(p.waitFor(60, TimeUnit.SECONDS));
            assertEquals(1, p.exitValue());
            assertEquals("STATUS=starting", sd.next(5000));
            assertEquals("STATUS=failed: cannot bind [2001:db8:1::1]:5091: Address not available", sd.next(5000));
        }
        assertTrue(read(log).contains("ERROR io.cxt.agent.CxAgentMain: cannot start: cannot bind [2001:db8:1::1]:5091"), read(log));
        assertFalse(Files.exists(socket, LinkOption.NOFOLLOW_LINKS));
    }

    @Test
    void checkConfig() throws Exception {
        Path conf = config(dir.resolve("cx.sock"));
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        assertEquals(0, CxAgentMain.run(new String[] {"--config", conf.toString(), "--check-config"}, ps(out), ps(err)));
        assertEquals(conf + ": ok (role access-router, name par-test, 1 peers, 0 mobile nodes)\n", out.toString());
        assertTrue(err.toString().startsWith("cxagent: warning: key file "), err.toString());

        Files.writeString(conf, Files.readString(conf).replace("sender-id = 2", "sender-id = 1"));
        out.reset();
        err.reset();
        assertEquals(2, CxAgentMain.run(new String[] {"--config", conf.toString(), "--check-config"}, ps(out), ps(err)));
        assertEquals("cxagent: " + conf + ":13: [[peer]] #1 sender-id: 1 is this router's own sender id ([router] sender-id)\n",
                err.toString());
        assertEquals("", out.toString());
    }

    @Test
    void badCommandLines() {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        assertEquals(2, CxAgentMain.run(new String[] {}, ps(out), ps(err)));
        assertEquals("cxagent: --config FILE is required; " + CxAgentMain.USAGE + "\n", err.toString());
        err.reset();
        assertEquals(2, CxAgentMain.run(new String[] {"--config", "x", "--daemon"}, ps(out), ps(err)));
        assertEquals("cxagent: unknown option '--daemon'; " + CxAgentMain.USAGE + "\n", err.toString());
        err.reset();
        assertEquals(2, CxAgentMain.run(new String[] {"--config", dir.resolve("missing.conf").toString()}, ps(out), ps(err)));
        assertEquals("cxagent: " + dir.resolve("missing.conf") + ": no such file\n", err.toString());
        assertEquals(0, CxAgentMain.run(new String[] {"--help"}, ps(out), ps(err)));
        assertTrue(out.toString().startsWith(CxAgentMain.USAGE));
    }

    private static PrintStream ps(ByteArrayOutputStream b) {
        return new PrintStream(b, true, StandardCharsets.UTF_8);
    }

    private static String read(Path p) throws IOException {
        return Files.exists(p) ? Files.readString(p) : "";
    }

}
