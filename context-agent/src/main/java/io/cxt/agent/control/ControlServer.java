package io.cxt.agent.control;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.GroupPrincipal;
import java.nio.file.attribute.PosixFileAttributeView;
import java.nio.file.attribute.PosixFileAttributes;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;

import jnr.unixsocket.Credentials;
import jnr.unixsocket.UnixServerSocketChannel;
import jnr.unixsocket.UnixSocketAddress;
import jnr.unixsocket.UnixSocketChannel;
import jnr.unixsocket.UnixSocketOptions;

/**
 * cxagent's control socket: a unix stream socket (jnr-unixsocket) speaking one JSON object per line
 * each way (docs/agent.md, "Control protocol").
 *
 * <pre>
 * request  {"command":"status","arguments":{"mn":"2001:db8:1::10"}}
 * reply    {"ok":true,"result":...}   or   {"ok":false,"error":"one line"}
 * </pre>
 *
 * <p>A connection may carry any number of requests; each is answered before the next is read. The
 * peer is authorised once per connection by SO_PEERCRED ({@link ControlAuthorizer}); a refused peer
 * gets one error reply and the connection is closed. Bad JSON, an unknown command or a failing
 * handler produce an error reply, never a dead server. Each connection has its own daemon thread
 * (Java 17: no virtual threads).
 *
 * <p>Limits ({@link Limits}): the peer is identified and authorised in the accepting thread, before
 * a thread is made for it; each uid may hold {@link Limits#perUser} connections; all non-root
 * users together may hold {@link Limits#connections} minus {@link Limits#rootReserve}, so idle
 * connections of a control-group member never lock root out; a connection idle (no request
 * line, or a reply not read) for {@link Limits#idleTimeout} is closed.
 *
 * <p>Start-up creates the socket's directory (0755) if missing, removes a stale socket file left by a
 * dead agent (but refuses to start if another agent still answers on it), binds, and sets the socket
 * to mode 0660 with the control group as its group. {@link #close()} stops accepting, ends the open
 * connections and removes the socket file.
 */
public final class ControlServer implements AutoCloseable {

    /** Commands the control protocol knows (see {@link ControlHandler}). */
    public static final Set<String> COMMANDS = Set.of("status", "contexts", "peers", "stats", "metrics", "events", "transfer",
            "activate", "cancel", "ike-import", "ike-list", "ike-show");
    /** Commands that change something: logged at INFO with the peer's uid. */
    private static final Set<String> MUTATING = Set.of("transfer", "activate", "cancel", "ike-import");

    public static final int MAX_CONNECTIONS = 64;

    /**
     * How many connections, and for how long.
     *
     * @param connections connections at once (all users)
     * @param perUser connections at once for one uid (root included)
     * @param rootReserve of {@code connections}, how many only root may use
     * @param idleTimeout an open connection without a complete request line (or a reply not read) for this long is closed
     */
    public record Limits(int connections, int perUser, int rootReserve, java.time.Duration idleTimeout) {
        public static final Limits DEFAULT = new Limits(MAX_CONNECTIONS, 16, 8, java.time.Duration.ofSeconds(60));

        public Limits {
            if (connections < 1 || perUser < 1 || rootReserve < 0 || rootReserve >= connections || idleTimeout.isNegative()
                    || idleTimeout.isZero()) {
                throw new IllegalArgumentException("bad control connection limits");
            }
        }
    }
    /** Longest request line accepted (an ike-import document is a few kB). */
    public static final int MAX_LINE = 1 << 20;

    private static final Logger LOG = LoggerFactory.getLogger(ControlServer.class);

    private final Path path;
    private final ControlHandler handler;
    private final ControlAuthorizer authorizer;
    private final UnixServerSocketChannel channel;
    private final Thread acceptor;
    private final Set<UnixSocketChannel> connections = ConcurrentHashMap.newKeySet();
    private final AtomicInteger connectionCount = new AtomicInteger();
    /** Open connections per uid (only uids that passed authorisation; removed at zero). */
    private final Map<Integer, Integer> perUser = new java.util.HashMap<>();
    private final Limits limits;
    private final ObjectMapper json = ControlJson.mapper();
    private volatile boolean closed;

    private ControlServer(Path path, ControlHandler handler, ControlAuthorizer authorizer, UnixServerSocketChannel channel,
                          Limits limits) {
        this.limits = limits;
        this.path = path;
        this.handler = handler;
        this.authorizer = authorizer;
        this.channel = channel;
        this.acceptor = new Thread(this::acceptLoop, "cxagent-control-accept");
        this.acceptor.setDaemon(true);
    }

    /**
     * Creates the socket and starts serving.
     *
     * @param socket the socket path (e.g. /run/cxt/cxagent.sock)
     * @param controlGroup the group whose members may connect besides root; empty = root only
     * @param handler answers the requests
     * @throws IOException when the directory or socket cannot be made, the group does not exist, or another
     *         agent is listening on the path (one-line messages)
     */
    public static ControlServer start(Path socket, Optional<String> controlGroup, ControlHandler handler) throws IOException {
        return start(socket, new ControlAuthorizer(controlGroup), handler);
    }

    /** As {@link #start(Path, Optional, ControlHandler)} with a given authoriser (tests). */
    public static ControlServer start(Path socket, ControlAuthorizer authorizer, ControlHandler handler) throws IOException {
        return start(socket, authorizer, handler, Limits.DEFAULT);
    }

    /** As {@link #start(Path, ControlAuthorizer, ControlHandler)} with given limits (tests). */
    public static ControlServer start(Path socket, ControlAuthorizer authorizer, ControlHandler handler, Limits limits)
            throws IOException {
        Path abs = socket.toAbsolutePath();
        GroupPrincipal group = null;
        if (authorizer.group().isPresent()) {
            String g = authorizer.group().get();
            try {
                group = abs.getFileSystem().getUserPrincipalLookupService().lookupPrincipalByGroupName(g);
            } catch (java.nio.file.attribute.UserPrincipalNotFoundException e) {
                throw new IOException("control-group '" + g + "' does not exist");
            }
        }
        Path dir = abs.getParent();
        if (dir != null && !Files.isDirectory(dir)) {
            Files.createDirectories(dir);
            Files.setPosixFilePermissions(dir, PosixFilePermissions.fromString("rwxr-xr-x"));
        }
        removeStale(abs);
        UnixServerSocketChannel ch = UnixServerSocketChannel.open();
        try {
            ch.socket().bind(new UnixSocketAddress(abs.toFile()), 16);
            // The socket exists with the umask's mode until here; the SO_PEERCRED check covers that instant.
            Files.setPosixFilePermissions(abs, PosixFilePermissions.fromString("rw-rw----"));
            if (group != null) {
                Files.getFileAttributeView(abs, PosixFileAttributeView.class, LinkOption.NOFOLLOW_LINKS).setGroup(group);
            }
        } catch (IOException e) {
            ch.close();
            Files.deleteIfExists(abs);
            throw new IOException("cannot create control socket " + abs + ": " + e.getMessage(), e);
        }
        ControlServer s = new ControlServer(abs, handler, authorizer, ch, limits);
        s.acceptor.start();
        LOG.info("control socket {} ready (root{})", abs,
                authorizer.group().map(g -> " and group " + g).orElse(" only"));
        return s;
    }

    /** Removes a socket file nobody listens on; refuses when someone does or when it is not a socket. */
    private static void removeStale(Path socket) throws IOException {
        if (!Files.exists(socket, LinkOption.NOFOLLOW_LINKS)) {
            return;
        }
        PosixFileAttributes a = Files.readAttributes(socket, PosixFileAttributes.class, LinkOption.NOFOLLOW_LINKS);
        if (!a.isOther()) {
            throw new IOException(socket + " exists and is not a socket; not removing it");
        }
        try (UnixSocketChannel probe = UnixSocketChannel.open(new UnixSocketAddress(socket.toFile()))) {
            throw new IOException("another cxagent is listening on " + socket);
        } catch (IOException e) {
            String m = e.getMessage() == null ? "" : e.getMessage();
            if (m.startsWith("another cxagent")) {
                throw e;
            }
            // Only a refused connection proves nobody listens; anything else (EACCES, ...) is not ours to judge.
            if (!m.contains("Connection refused")) {
                throw new IOException("cannot tell whether " + socket + " is in use (" + m + "); remove it by hand");
            }
            LOG.info("removing stale control socket {} ({})", socket, m);
            Files.deleteIfExists(socket);
        }
    }

    public Path socketPath() {
        return path;
    }

    private void acceptLoop() {
        int n = 0;
        while (!closed) {
            UnixSocketChannel c;
            try {
                c = channel.accept();
            } catch (IOException e) {
                if (!closed) {
                    LOG.warn("control socket accept failed: {}", e.getMessage());
                    sleepQuietly();
                }
                continue;
            }
            if (c == null) {
                continue;
            }
            closeExpiredLingering();
            if (closed) {
                closeQuietly(c);
                break;
            }
            PeerCredentials peer = credentials(c);
            String refusal = peer == null ? "permission denied: peer credentials unavailable" : authorizer.refusal(peer);
            if (refusal != null) {
                LOG.warn("control connection refused: {}{}", refusal, peer == null ? "" : " (pid " + peer.pid() + ")");
                replyAndClose(c, error(refusal));
                continue;
            }
            String full = admit(peer.uid());
            if (full != null) {
                replyAndClose(c, error(full));
                continue;
            }
            try {
                int ms = (int) Math.min(Integer.MAX_VALUE, limits.idleTimeout().toMillis());
                c.setOption(UnixSocketOptions.SO_RCVTIMEO, ms);
                c.setOption(UnixSocketOptions.SO_SNDTIMEO, ms);
            } catch (IOException | RuntimeException e) {
                LOG.warn("control connection: cannot set its idle timeout: {}", e.toString());
                release(peer.uid());
                closeQuietly(c);
                continue;
            }
            connections.add(c);
            Thread t = new Thread(() -> serve(c, peer), "cxagent-control-" + (++n));
            t.setDaemon(true);
            t.start();
        }
        while (!lingering.isEmpty()) {
            closeQuietly(lingering.pollFirst().channel());
        }
    }

    /** Counts a connection for {@code uid}; null when admitted, else why not. */
    private String admit(int uid) {
        synchronized (perUser) {
            int mine = perUser.getOrDefault(uid, 0);
            int all = connectionCount.get();
            if (mine >= limits.perUser()) {
                return "too many control connections for uid " + uid + " (" + limits.perUser() + "); close one and try again";
            }
            int cap = uid == 0 ? limits.connections() : limits.connections() - limits.rootReserve();
            if (all >= cap) {
                return "too many control connections (" + all + "); try again";
            }
            perUser.put(uid, mine + 1);
            connectionCount.incrementAndGet();
            return null;
        }
    }

    private void release(int uid) {
        synchronized (perUser) {
            connectionCount.decrementAndGet();
            perUser.computeIfPresent(uid, (k, v) -> v <= 1 ? null : v - 1);
        }
    }

    private void replyAndClose(UnixSocketChannel c, ObjectNode reply) {
        try {
            c.setOption(UnixSocketOptions.SO_SNDTIMEO, 1000); // the acceptor must not wait on a peer that does not read
        } catch (IOException | RuntimeException e) {
            // reply anyway: a small reply fits in the socket buffer
        }
        reply(c, reply);
        // Half-close and keep the socket a moment: a client that sends its request after our refusal
        // must still read the refusal, not die of EPIPE. Bounded: at most LINGERING sockets, each
        // closed at the next accept after LINGER_MS, or when the server closes.
        try {
            c.shutdownOutput();
        } catch (IOException e) {
            closeQuietly(c);
            return;
        }
        closeExpiredLingering();
        if (lingering.size() >= LINGERING) {
            closeQuietly(lingering.pollFirst().channel());
        }
        lingering.addLast(new Lingering(c, System.nanoTime() + LINGER_MS * 1_000_000L));
    }

    /** Refused connections still open for the client to send and read (acceptor thread only). */
    private record Lingering(UnixSocketChannel channel, long closeAtNanos) {
    }

    private static final int LINGERING = 32;
    private static final long LINGER_MS = 1000;
    private final java.util.ArrayDeque<Lingering> lingering = new java.util.ArrayDeque<>();

    private void closeExpiredLingering() {
        long now = System.nanoTime();
        while (!lingering.isEmpty() && now - lingering.peekFirst().closeAtNanos() >= 0) {
            closeQuietly(lingering.pollFirst().channel());
        }
    }

    private void serve(UnixSocketChannel c, PeerCredentials peer) {
        try {
            LineReader in = new LineReader(c);
            while (!closed) {
                String line;
                try {
                    line = in.readLine();
                } catch (LineTooLongException e) {
                    reply(c, error("bad request: line longer than " + MAX_LINE + " bytes"));
                    return;
                } catch (java.net.SocketTimeoutException e) {
                    LOG.debug("control connection of uid {} idle for {}; closed", peer.uid(), limits.idleTimeout());
                    return;
                }
                if (line == null) {
                    return;
                }
                if (line.isBlank()) {
                    continue;
                }
                if (!reply(c, answer(line, peer))) {
                    return;
                }
            }
        } catch (IOException e) {
            LOG.debug("control connection ended: {}", e.getMessage());
        } finally {
            connections.remove(c);
            release(peer.uid());
            closeQuietly(c);
        }
    }

    private static PeerCredentials credentials(UnixSocketChannel c) {
        try {
            Credentials cr = c.getOption(UnixSocketOptions.SO_PEERCRED);
            return cr == null ? null : new PeerCredentials(cr.getPid(), cr.getUid(), cr.getGid());
        } catch (IOException | RuntimeException e) {
            LOG.warn("SO_PEERCRED failed: {}", e.toString());
            return null;
        }
    }

    /** The reply object for one request line. */
    ObjectNode answer(String line, PeerCredentials peer) {
        JsonNode req;
        try {
            req = json.readTree(line);
        } catch (IOException e) {
            return error("bad request: not JSON (send one JSON object per line)");
        }
        if (req == null || !req.isObject()) {
            return error("bad request: expected a JSON object like {\"command\":\"status\",\"arguments\":{}}");
        }
        JsonNode cmd = req.get("command");
        if (cmd == null || !cmd.isTextual()) {
            return error("bad request: \"command\" must be a string");
        }
        String command = cmd.asText();
        if (!COMMANDS.contains(command)) {
            return error("unknown command '" + command + "' (known: " + String.join(", ", new java.util.TreeSet<>(COMMANDS)) + ")");
        }
        Map<String, String> args = new LinkedHashMap<>();
        JsonNode a = req.get("arguments");
        if (a != null && !a.isNull()) {
            if (!a.isObject()) {
                return error("bad request: \"arguments\" must be an object of strings");
            }
            for (Iterator<Map.Entry<String, JsonNode>> it = a.fields(); it.hasNext();) {
                Map.Entry<String, JsonNode> e = it.next();
                if (!e.getValue().isValueNode() || e.getValue().isNull()) {
                    return error("bad request: argument \"" + e.getKey() + "\" must be a string");
                }
                args.put(e.getKey(), e.getValue().asText());
            }
        }
        if (MUTATING.contains(command)) {
            LOG.info("control: {} {} (uid {}, pid {})", command, describe(command, args), peer.uid(), peer.pid());
        } else {
            LOG.debug("control: {} {} (uid {}, pid {})", command, describe(command, args), peer.uid(), peer.pid());
        }
        Object result;
        try {
            result = handler.handle(command, Map.copyOf(args));
        } catch (ControlException e) {
            LOG.debug("control: {} failed: {}", command, e.getMessage());
            return error(e.getMessage());
        } catch (RuntimeException e) {
            LOG.error("control: {} failed", command, e);
            return error("internal error: " + e);
        }
        ObjectNode ok = json.createObjectNode();
        ok.put("ok", true);
        try {
            ok.set("result", json.valueToTree(result));
        } catch (IllegalArgumentException e) {
            LOG.error("control: cannot serialise the result of {}", command, e);
            return error("internal error: cannot serialise the result: " + e.getMessage());
        }
        return ok;
    }

    /** Arguments for the log, without the ike-import document (it holds keys). */
    private static String describe(String command, Map<String, String> args) {
        if (command.equals("ike-import")) {
            return "(document of " + args.getOrDefault("json", "").length() + " chars)";
        }
        return args.toString();
    }

    private ObjectNode error(String message) {
        ObjectNode e = json.createObjectNode();
        e.put("ok", false);
        String m = message == null || message.isBlank() ? "failed" : message;
        e.put("error", m.strip().replace('\n', ' ').replace('\r', ' '));
        return e;
    }

    /** Writes one reply line; false when the peer is gone. */
    private boolean reply(UnixSocketChannel c, ObjectNode reply) {
        try {
            byte[] bytes = (json.writeValueAsString(reply) + "\n").getBytes(StandardCharsets.UTF_8);
            ByteBuffer b = ByteBuffer.wrap(bytes);
            while (b.hasRemaining()) {
                if (c.write(b) <= 0) {
                    // SO_SNDTIMEO expired: the peer does not read its replies
                    LOG.debug("control reply not read within the idle timeout; closing");
                    return false;
                }
            }
            return true;
        } catch (IOException e) {
            LOG.debug("control reply not delivered: {}", e.getMessage());
            return false;
        }
    }

    /** Stops accepting, ends open connections and removes the socket file. Idempotent. */
    @Override
    public void close() {
        if (closed) {
            return;
        }
        closed = true;
        // A blocked accept(2) does not return when another thread closes the descriptor on Linux: wake it
        // with a connection of our own, then close.
        try (UnixSocketChannel wake = UnixSocketChannel.open(new UnixSocketAddress(path.toFile()))) {
            // connected: the acceptor sees closed and stops
        } catch (IOException e) {
            // already not accepting
        }
        try {
            acceptor.join(2000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        closeQuietly(channel);
        for (UnixSocketChannel c : connections) {
            try {
                c.shutdownInput();
            } catch (IOException e) {
                // closing anyway
            }
            closeQuietly(c);
        }
        try {
            Files.deleteIfExists(path);
        } catch (IOException e) {
            LOG.warn("cannot remove control socket {}: {}", path, e.getMessage());
        }
        LOG.info("control socket {} closed", path);
    }

    private static void closeQuietly(java.nio.channels.Channel c) {
        try {
            c.close();
        } catch (IOException e) {
            // nothing more to do
        }
    }

    private static void sleepQuietly() {
        try {
            Thread.sleep(100);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private static final class LineTooLongException extends IOException {
        private static final long serialVersionUID = 1L;
    }

    /** Reads '\n'-terminated UTF-8 lines from a blocking channel, at most {@link #MAX_LINE} bytes each. */
    static final class LineReader {
        private final java.nio.channels.ReadableByteChannel ch;
        private final ByteBuffer buf = ByteBuffer.allocate(8192);
        private final ByteArrayOutputStream line = new ByteArrayOutputStream();
        private final int max;

        LineReader(java.nio.channels.ReadableByteChannel ch) {
            this(ch, MAX_LINE);
        }

        LineReader(java.nio.channels.ReadableByteChannel ch, int max) {
            this.ch = ch;
            this.max = max;
            buf.flip();
        }

        /** The next line without its terminator, or null at end of stream (a final unterminated line is returned). */
        String readLine() throws IOException {
            while (true) {
                while (buf.hasRemaining()) {
                    byte b = buf.get();
                    if (b == '\n') {
                        String s = line.toString(StandardCharsets.UTF_8);
                        line.reset();
                        return s.endsWith("\r") ? s.substring(0, s.length() - 1) : s;
                    }
                    if (line.size() >= max) {
                        throw new LineTooLongException();
                    }
                    line.write(b);
                }
                buf.clear();
                int n = ch.read(buf);
                buf.flip();
                if (n == 0) {
                    // a blocking read returns 0 only when SO_RCVTIMEO expired (the client sets one)
                    throw new java.net.SocketTimeoutException("receive timeout");
                }
                if (n < 0) {
                    if (line.size() > 0) {
                        String s = line.toString(StandardCharsets.UTF_8);
                        line.reset();
                        return s;
                    }
                    return null;
                }
            }
        }
    }
}
