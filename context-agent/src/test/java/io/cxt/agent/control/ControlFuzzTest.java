package io.cxt.agent.control;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.channels.Channels;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;

import com.code_intelligence.jazzer.junit.FuzzTest;
import com.fasterxml.jackson.databind.JsonNode;

/**
 * Jazzer targets for the control protocol: request lines as a local client may send them (any
 * octets, one JSON object per line expected) and the line framing itself. A request never makes
 * the server throw; the reply is an object with a boolean "ok" and, on failure, a one-line "error".
 * Seed corpus: {@code src/test/resources/io/cxt/agent/control/ControlFuzzTestInputs/<method>/}.
 */
class ControlFuzzTest {
    private static final PeerCredentials ROOT = new PeerCredentials(1, 0, 0);

    /** One server for the JVM: answer() is what a connection thread calls for each line. */
    private static final class Server {
        static final ControlServer INSTANCE = start();

        private static ControlServer start() {
            try {
                Path dir = Files.createTempDirectory("cxt-control-fuzz");
                dir.toFile().deleteOnExit();
                Path socket = dir.resolve("control.sock");
                socket.toFile().deleteOnExit();
                return ControlServer.start(socket, new ControlAuthorizer(Optional.empty()),
                        (command, args) -> args.containsKey("fail") ? fail(args.get("fail")) : args);
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }

        private static Object fail(String message) throws ControlException {
            throw new ControlException(message);
        }
    }

    @FuzzTest
    void requestLines(byte[] data) {
        String line = new String(data, StandardCharsets.UTF_8);
        JsonNode reply = Server.INSTANCE.answer(line, ROOT);
        assertTrue(reply.isObject());
        assertTrue(reply.get("ok").isBoolean(), reply.toString());
        if (!reply.get("ok").asBoolean()) {
            String error = reply.get("error").asText();
            assertFalse(error.isEmpty());
            assertFalse(error.contains("\n") || error.contains("\r"), error);
        }
    }

    /** The framing: lines of at most 64 octets here; only IOException (line too long) escapes. */
    @FuzzTest
    void lineFraming(byte[] data) {
        ControlServer.LineReader r = new ControlServer.LineReader(Channels.newChannel(new ByteArrayInputStream(data)), 64);
        int total = 0;
        try {
            for (String l = r.readLine(); l != null; l = r.readLine()) {
                assertFalse(l.contains("\n"));
                total += l.getBytes(StandardCharsets.UTF_8).length;
                assertTrue(total <= data.length * 3 + 3, "more text than input");
            }
        } catch (IOException tooLong) {
            assertEquals(ControlServer.class, tooLong.getClass().getEnclosingClass());
        }
    }
}
