package io.cxt.agent.control;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFileAttributes;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import com.fasterxml.jackson.databind.JsonNode;

import jnr.unixsocket.UnixServerSocketChannel;
import jnr.unixsocket.UnixSocketAddress;
import jnr.unixsocket.UnixSocketChannel;

import io.cxt.agent.view.OperationResult;

/** The control socket over a real unix socket: protocol, errors, life cycle. */
class ControlServerTest {

    private Path dir;
    private Path socket;

    @BeforeEach
    void setUp() throws IOException {
        dir = Files.createTempDirectory("cxt-control");
        socket = dir.resolve("run/cxagent.sock");
    }

    @AfterEach
    void tearDown() throws IOException {
        try (var s = Files.walk(dir)) {
            s.sorted(java.util.Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        }
    }

    static final ControlHandler HANDLER = (command, args) -> switch (command) {
        case "status" -> Map.of("name", "t1", "args", args);
        case "transfer" -> {
            if (!args.containsKey("mn")) {
                throw new ControlException("missing argument 'mn'");
            }
            yield new OperationResult(true, "sent " + args.get("mn"), Map.of("octets", 106));
        }
        case "stats" -> throw new IllegalStateException("boom");
        case "peers" -> null;
        default -> throw new ControlException("not here: " + command);
    };

    @Test
    void answersRequestsAndCreatesTheSocketWithItsDirectory() throws Exception {
        try (ControlServer server = ControlServer.start(socket, Optional.empty(), HANDLER)) {
            PosixFileAttributes dirAttrs = Files.readAttributes(socket.getParent(), PosixFileAttributes.class);
            assertEquals("rwxr-xr-x", PosixFilePermissions.toString(dirAttrs.permissions()));
            PosixFileAttributes sockAttrs = Files.readAttributes(socket, PosixFileAttributes.class, LinkOption.NOFOLLOW_LINKS);
            assertTrue(sockAttrs.isOther(), "a socket");
            assertEquals("rw-rw----", PosixFilePermissions.toString(sockAttrs.permissions()));

            try (ControlClient c = ControlClient.connect(socket)) {
                JsonNode status = c.request("status", Map.of("mn", "2001:db8::1"));
                assertEquals("t1", status.get("name").asText());
                assertEquals("2001:db8::1", status.get("args").get("mn").asText());
                // several requests on one connection
                JsonNode t = c.request("transfer", Map.of("mn", "2001:db8::10", "to", "nar"));
                assertTrue(t.get("ok").asBoolean());
                assertEquals("sent 2001:db8::10", t.get("summary").asText());
                assertEquals(106, t.get("details").get("octets").asInt());
                ControlException e = assertThrows(ControlException.class, () -> c.request("transfer", Map.of()));
                assertEquals("missing argument 'mn'", e.getMessage());
                assertTrue(c.request("peers", Map.of()).isNull());
                // the connection survives errors
                assertEquals("t1", c.request("status", Map.of()).get("name").asText());
            }
        }
        assertFalse(Files.exists(socket, LinkOption.NOFOLLOW_LINKS), "socket removed on close");
    }

    @Test
    void badRequestsGetOneLineErrorsAndTheServerKeepsServing() throws Exception {
        try (ControlServer server = ControlServer.start(socket, Optional.empty(), HANDLER);
                UnixSocketChannel raw = UnixSocketChannel.open(new UnixSocketAddress(socket.toFile()))) {
            ControlServer.LineReader in = new ControlServer.LineReader(raw);
            assertEquals("{\"ok\":false,\"error\":\"bad request: not JSON (send one JSON object per line)\"}",
                    roundTrip(raw, in, "this is not json"));
            assertTrue(roundTrip(raw, in, "[1,2]").contains("bad request: expected a JSON object"));
            assertTrue(roundTrip(raw, in, "{\"arguments\":{}}").contains("\\\"command\\\" must be a string"));
            String unknown = roundTrip(raw, in, "{\"command\":\"reboot\"}");
            assertTrue(unknown.startsWith("{\"ok\":false,\"error\":\"unknown command 'reboot' (known: activate, cancel,"), unknown);
            assertTrue(roundTrip(raw, in, "{\"command\":\"status\",\"arguments\":[1]}").contains("\\\"arguments\\\" must be an object"));
            assertTrue(roundTrip(raw, in, "{\"command\":\"status\",\"arguments\":{\"mn\":{\"x\":1}}}")
                    .contains("argument \\\"mn\\\" must be a string"));
            // a handler that throws a RuntimeException: an error reply, not a dead connection
            String crash = roundTrip(raw, in, "{\"command\":\"stats\"}");
            assertEquals("{\"ok\":false,\"error\":\"internal error: java.lang.IllegalStateException: boom\"}", crash);
            // numbers as arguments are taken as text; a blank line is ignored
            send(raw, "\n");
            assertEquals("{\"ok\":true,\"result\":{\"name\":\"t1\",\"args\":{\"since\":\"7\"}}}".length(),
                    roundTrip(raw, in, "{\"command\":\"status\",\"arguments\":{\"since\":7}}").length());
        }
    }

    @Test
    void overlongLineIsRefused() throws Exception {
        try (ControlServer server = ControlServer.start(socket, Optional.empty(), HANDLER);
                UnixSocketChannel raw = UnixSocketChannel.open(new UnixSocketAddress(socket.toFile()))) {
            ControlServer.LineReader in = new ControlServer.LineReader(raw);
            byte[] big = new byte[ControlServer.MAX_LINE + 10];
            java.util.Arrays.fill(big, (byte) 'x');
            ExecutorService ex = Executors.newSingleThreadExecutor();
            try {
                ex.submit(() -> {
                    try {
                        send(raw, new String(big, StandardCharsets.US_ASCII) + "\n");
                    } catch (IOException e) {
                        // the server may close before everything is written
                    }
                });
                assertEquals("{\"ok\":false,\"error\":\"bad request: line longer than 1048576 bytes\"}", in.readLine());
            } finally {
                ex.shutdownNow();
            }
        }
    }

    @Test
    void clientsAreServedConcurrently() throws Exception {
        ControlHandler slow = (command, args) -> {
            if (args.containsKey("sleep")) {
                try {
                    Thread.sleep(Long.parseLong(args.get("sleep")));
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            }
            return Map.of("who", args.getOrDefault("who", ""));
        };
        try (ControlServer server = ControlServer.start(socket, Optional.empty(), slow)) {
            ExecutorService ex = Executors.newFixedThreadPool(8);
            try {
                List<Future<String>> fs = new ArrayList<>();
                long t0 = System.nanoTime();
                for (int i = 0; i < 8; i++) {
                    String who = "c" + i;
                    Callable<String> call = () -> ControlClient.request(socket, "status", Map.of("who", who, "sleep", "300"))
                            .get("who").asText();
                    fs.add(ex.submit(call));
                }
                for (int i = 0; i < 8; i++) {
                    assertEquals("c" + i, fs.get(i).get());
                }
                long ms = (System.nanoTime() - t0) / 1_000_000;
                assertTrue(ms < 8 * 300, "8 slow requests overlapped: " + ms + " ms");
            } finally {
                ex.shutdownNow();
            }
        }
    }

    @Test
    void staleSocketIsReplacedButALiveOneIsNot() throws Exception {
        Files.createDirectories(socket.getParent());
        // a socket file left by a dead process: bound, closed, file still there
        UnixServerSocketChannel dead = UnixServerSocketChannel.open();
        dead.socket().bind(new UnixSocketAddress(socket.toFile()));
        dead.close();
        assertTrue(Files.exists(socket, LinkOption.NOFOLLOW_LINKS));
        try (ControlServer server = ControlServer.start(socket, Optional.empty(), HANDLER)) {
            assertEquals("t1", ControlClient.request(socket, "status", Map.of()).get("name").asText());
            IOException e = assertThrows(IOException.class, () -> ControlServer.start(socket, Optional.empty(), HANDLER));
            assertEquals("another cxagent is listening on " + socket.toAbsolutePath(), e.getMessage());
            // and the first one still works
            assertEquals("t1", ControlClient.request(socket, "status", Map.of()).get("name").asText());
        }
    }

    @Test
    void aRegularFileInTheWayIsNotRemoved() throws Exception {
        Files.createDirectories(socket.getParent());
        Files.writeString(socket, "precious");
        IOException e = assertThrows(IOException.class, () -> ControlServer.start(socket, Optional.empty(), HANDLER));
        assertTrue(e.getMessage().endsWith("exists and is not a socket; not removing it"), e.getMessage());
        assertEquals("precious", Files.readString(socket));
    }

    @Test
    void unknownControlGroupIsAStartError() {
        IOException e = assertThrows(IOException.class,
                () -> ControlServer.start(socket, Optional.of("no-such-group-cxt"), HANDLER));
        assertEquals("control-group 'no-such-group-cxt' does not exist", e.getMessage());
    }

    @Test
    void clientSaysWhenTheAgentIsNotThere() {
        IOException e = assertThrows(IOException.class, () -> ControlClient.connect(socket));
        assertEquals("cannot reach cxagent at " + socket + ": No such file or directory (is cxagent running?)", e.getMessage());
    }

    @Test
    void clientSaysWhenNobodyListens() throws Exception {
        Files.createDirectories(socket.getParent());
        UnixServerSocketChannel dead = UnixServerSocketChannel.open();
        dead.socket().bind(new UnixSocketAddress(socket.toFile()));
        dead.close();
        IOException e = assertThrows(IOException.class, () -> ControlClient.request(socket, "status", Map.of()));
        assertEquals("cannot reach cxagent at " + socket + ": Connection refused (is cxagent running?)", e.getMessage());
    }

    @Test
    void clientGivesUpOnASilentAgent() throws Exception {
        ControlHandler wedged = (command, args) -> {
            try {
                Thread.sleep(3000);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            return "late";
        };
        try (ControlServer server = ControlServer.start(socket, Optional.empty(), wedged);
                ControlClient c = ControlClient.connect(socket, java.time.Duration.ofMillis(300))) {
            long t0 = System.nanoTime();
            IOException e = assertThrows(IOException.class, () -> c.request("status", Map.of()));
            long ms = (System.nanoTime() - t0) / 1_000_000;
            assertEquals("cxagent at " + socket + " did not answer within 300 ms", e.getMessage());
            assertTrue(ms >= 250 && ms < 2500, ms + " ms");
        }
    }

    @Test
    void closeEndsOpenConnections() throws Exception {
        ControlServer server = ControlServer.start(socket, Optional.empty(), HANDLER);
        try (ControlClient c = ControlClient.connect(socket)) {
            assertEquals("t1", c.request("status", Map.of()).get("name").asText());
            server.close();
            IOException e = assertThrows(IOException.class, () -> c.request("status", Map.of()));
            assertTrue(e.getMessage().contains("closed the connection without answering"), e.getMessage());
        }
        assertFalse(Files.exists(socket, LinkOption.NOFOLLOW_LINKS));
        server.close(); // idempotent
    }

    /** Issue 12 item 9: an idle connection is closed, so idle clients cannot hold the slots. */
    @Test
    void idleConnectionsAreClosed() throws Exception {
        ControlServer.Limits l = new ControlServer.Limits(64, 8, 8, java.time.Duration.ofMillis(400));
        try (ControlServer server = ControlServer.start(socket, new ControlAuthorizer(Optional.empty()), HANDLER, l);
                UnixSocketChannel raw = UnixSocketChannel.open(new jnr.unixsocket.UnixSocketAddress(socket.toFile()))) {
            raw.setOption(jnr.unixsocket.UnixSocketOptions.SO_RCVTIMEO, 5000);
            send(raw, "{\"command\":\"sta"); // half a request, then nothing
            long t0 = System.nanoTime();
            int n = raw.read(ByteBuffer.allocate(16));
            long ms = (System.nanoTime() - t0) / 1_000_000;
            assertEquals(-1, n, "the server closed the idle connection");
            assertTrue(ms < 4000, ms + " ms");
        }
    }

    /** Issue 12 item 9: one user cannot take every connection (root included, which has its own reserve). */
    @Test
    void oneUserCannotHoldMoreThanItsShareOfConnections() throws Exception {
        ControlServer.Limits l = new ControlServer.Limits(64, 3, 8, java.time.Duration.ofSeconds(60));
        List<UnixSocketChannel> idle = new java.util.ArrayList<>();
        try (ControlServer server = ControlServer.start(socket, new ControlAuthorizer(Optional.empty()), HANDLER, l)) {
            for (int i = 0; i < 3; i++) {
                UnixSocketChannel raw = UnixSocketChannel.open(new jnr.unixsocket.UnixSocketAddress(socket.toFile()));
                idle.add(raw);
                ControlServer.LineReader in = new ControlServer.LineReader(raw);
                raw.setOption(jnr.unixsocket.UnixSocketOptions.SO_RCVTIMEO, 5000);
                assertTrue(roundTrip(raw, in, "{\"command\":\"status\"}").contains("\"ok\":true"));
            }
            try (UnixSocketChannel fourth = UnixSocketChannel.open(new jnr.unixsocket.UnixSocketAddress(socket.toFile()))) {
                fourth.setOption(jnr.unixsocket.UnixSocketOptions.SO_RCVTIMEO, 5000);
                String refusal = new ControlServer.LineReader(fourth).readLine();
                assertTrue(refusal.contains("too many control connections for uid 0"), refusal);
            }
            idle.remove(0).close();
            long end = System.nanoTime() + 5_000_000_000L;
            String got = null;
            while (System.nanoTime() < end) {
                try (ControlClient c = ControlClient.connect(socket)) {
                    got = c.request("status", Map.of()).get("name").asText();
                    break;
                } catch (IOException | ControlException e) {
                    Thread.sleep(50); // the server has not seen the close yet
                }
            }
            assertEquals("t1", got, "a slot is free again once a connection closes");
        } finally {
            for (UnixSocketChannel c : idle) {
                c.close();
            }
        }
    }

    static String roundTrip(UnixSocketChannel raw, ControlServer.LineReader in, String line) throws IOException {
        send(raw, line + "\n");
        return in.readLine();
    }

    static void send(UnixSocketChannel raw, String s) throws IOException {
        ByteBuffer b = ByteBuffer.wrap(s.getBytes(StandardCharsets.UTF_8));
        while (b.hasRemaining()) {
            raw.write(b);
        }
    }
}
