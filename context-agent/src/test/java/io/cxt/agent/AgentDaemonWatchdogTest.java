package io.cxt.agent;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;

import org.junit.jupiter.api.Test;

import io.cxt.health.ReceiveLoops;
import jnr.unixsocket.UnixDatagramChannel;
import jnr.unixsocket.UnixSocketAddress;

/** The watchdog's health question: the agent's own answer and its receive loops. */
class AgentDaemonWatchdogTest {

    private static RunningAgent agent(boolean healthy) {
        return new RunningAgent() {
            @Override
            public Object handle(String command, Map<String, String> arguments) {
                return null;
            }

            @Override
            public boolean healthy() {
                return healthy;
            }

            @Override
            public void close() {
            }
        };
    }

    @Test
    void healthyWhenTheAgentIsAndNoLoopIsStuckOrDead() {
        ReceiveLoops loops = new ReceiveLoops();
        loops.enter("live-loop"); // this thread: alive and idle
        assertTrue(AgentDaemon.healthy(agent(true), loops, new SystemdNotifier(null, null)));
        assertFalse(AgentDaemon.healthy(agent(false), loops, new SystemdNotifier(null, null)));
    }

    @Test
    void aDeadReceiveLoopStopsThePingsAndSaysWhyInSystemdsStatus() throws Exception {
        ReceiveLoops loops = new ReceiveLoops();
        Thread t = new Thread(() -> loops.enter("cxtp-udp-5091-receive"));
        t.start();
        t.join(5000);
        Path dir = Files.createTempDirectory("cxt-notify-");
        Path socket = dir.resolve("notify");
        try (UnixDatagramChannel systemd = UnixDatagramChannel.open()) {
            systemd.bind(new UnixSocketAddress(socket.toFile()));
            try (SystemdNotifier notifier = new SystemdNotifier(socket.toString(), Duration.ofSeconds(10))) {

                assertFalse(AgentDaemon.healthy(agent(true), loops, notifier));

                String status = receive(systemd);
                assertTrue(status.startsWith("STATUS=unhealthy: cxtp-udp-5091-receive: its thread ended"), status);
            }
        } finally {
            Files.deleteIfExists(socket);
            Files.deleteIfExists(dir);
        }
    }

    private static String receive(UnixDatagramChannel ch) throws IOException {
        ByteBuffer b = ByteBuffer.allocate(4096);
        ch.receive(b);
        b.flip();
        return StandardCharsets.UTF_8.decode(b).toString();
    }
}
