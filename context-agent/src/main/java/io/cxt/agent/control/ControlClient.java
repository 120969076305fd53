package io.cxt.agent.control;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;

import jnr.unixsocket.UnixSocketAddress;
import jnr.unixsocket.UnixSocketChannel;
import jnr.unixsocket.UnixSocketOptions;

/**
 * Client of cxagent's control socket (used by {@code cxctl agent} and {@code cxctl ike}). One
 * connection; requests are answered in order.
 */
public final class ControlClient implements AutoCloseable {

    /** Where cxagent listens unless configured otherwise. */
    public static final Path DEFAULT_SOCKET = Path.of("/run/cxt/cxagent.sock");
    /**
     * How long a reply may take by default: longer than an activation's worst case (CTAR retransmission
     * gives up after CT_RETRY_MAX, 15 s).
     */
    public static final Duration DEFAULT_TIMEOUT = Duration.ofSeconds(60);

    private final Path path;
    private final UnixSocketChannel channel;
    private final ControlServer.LineReader in;
    private final ObjectMapper json = ControlJson.mapper();
    private final Duration timeout;

    private ControlClient(Path path, UnixSocketChannel channel, Duration timeout) {
        this.path = path;
        this.channel = channel;
        this.timeout = timeout;
        this.in = new ControlServer.LineReader(channel, 64 << 20);
    }

    /**
     * Connects.
     *
     * @throws IOException "cannot reach cxagent at PATH: REASON (is cxagent running?)"
     */
    public static ControlClient connect(Path socket) throws IOException {
        return connect(socket, DEFAULT_TIMEOUT);
    }

    /**
     * Connects; each reply must arrive within {@code timeout} (SO_RCVTIMEO), so that a wedged agent
     * cannot hang cxctl.
     *
     * @throws IOException "cannot reach cxagent at PATH: REASON (is cxagent running?)"
     */
    public static ControlClient connect(Path socket, Duration timeout) throws IOException {
        UnixSocketChannel ch;
        try {
            ch = UnixSocketChannel.open(new UnixSocketAddress(socket.toFile()));
        } catch (IOException e) {
            String reason = e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage();
            String hint = reason.toLowerCase(java.util.Locale.ROOT).contains("permission denied")
                    ? "(root or a member of cxagent's control-group may use it)" : "(is cxagent running?)";
            throw new IOException("cannot reach cxagent at " + socket + ": " + reason + " " + hint, e);
        }
        long ms = Math.max(1, Math.min(Integer.MAX_VALUE, timeout.toMillis()));
        try {
            ch.setOption(UnixSocketOptions.SO_RCVTIMEO, (int) ms);
        } catch (IOException | RuntimeException e) {
            ch.close();
            throw new IOException("cannot set a receive timeout on the control socket: " + e.getMessage(), e);
        }
        return new ControlClient(socket, ch, timeout);
    }

    /** Connects, sends one request and closes. */
    public static JsonNode request(Path socket, String command, Map<String, String> arguments)
            throws IOException, ControlException {
        try (ControlClient c = connect(socket)) {
            return c.request(command, arguments);
        }
    }

    /**
     * Sends a request and waits for its reply.
     *
     * @return the reply's {@code result} (a JSON null node when the result is null)
     * @throws ControlException the agent's one-line error when it answered {@code ok:false}
     * @throws IOException the connection failed or the reply was not protocol
     */
    public JsonNode request(String command, Map<String, String> arguments) throws IOException, ControlException {
        ObjectNode req = json.createObjectNode();
        req.put("command", command);
        ObjectNode args = req.putObject("arguments");
        arguments.forEach(args::put);
        ByteBuffer b = ByteBuffer.wrap((json.writeValueAsString(req) + "\n").getBytes(StandardCharsets.UTF_8));
        try {
            while (b.hasRemaining()) {
                channel.write(b);
            }
        } catch (IOException e) {
            // a refused peer's connection may already be closed; its error line can still be read below
        }
        String line;
        try {
            line = in.readLine();
        } catch (java.net.SocketTimeoutException e) {
            throw new IOException("cxagent at " + path + " did not answer within " + timeout.toMillis() + " ms");
        }
        if (line == null) {
            throw new IOException("cxagent at " + path + " closed the connection without answering");
        }
        JsonNode reply;
        try {
            reply = json.readTree(line);
        } catch (IOException e) {
            throw new IOException("cxagent at " + path + " sent a reply that is not JSON");
        }
        if (reply == null || !reply.isObject() || !reply.path("ok").isBoolean()) {
            throw new IOException("cxagent at " + path + " sent a reply without \"ok\"");
        }
        if (!reply.get("ok").asBoolean()) {
            throw new ControlException(reply.path("error").asText("failed"));
        }
        JsonNode result = reply.get("result");
        return result == null ? json.nullNode() : result;
    }

    public Path socketPath() {
        return path;
    }

    @Override
    public void close() throws IOException {
        channel.close();
    }
}
