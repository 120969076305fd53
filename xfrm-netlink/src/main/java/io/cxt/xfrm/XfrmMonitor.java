package io.cxt.xfrm;

import java.io.IOException;
import java.util.Arrays;
import java.util.Objects;
import java.util.function.Consumer;

import io.cxt.nl.MalformedNetlinkException;
import io.cxt.nl.NetlinkMessage;
import io.cxt.nl.NetlinkOverrunException;
import io.cxt.nl.NetlinkSocket;
import io.cxt.sys.ErrnoException;

/**
 * Watches the kernel's XFRM notifications in one network namespace and turns them into
 * {@link XfrmEvent}s: like {@code ip xfrm monitor}, typed.
 *
 * <p>The socket has a receive timeout ({@link #pollMillis()}), so {@link #run} notices
 * {@link #stop()} from another thread (or a signal handler) within that time. A message that does
 * not decode is handed on as {@link XfrmEvent.Unknown} with the reason; a receive-buffer overrun
 * (ENOBUFS: the kernel dropped notifications) as {@link XfrmEvent.Overrun}, after which watching
 * goes on. Any other socket error ends {@link #run} with its exception.
 *
 * <p>One thread receives; {@link #stop()} may be called from any thread.
 */
public final class XfrmMonitor implements AutoCloseable {

    /** How long one receive waits before {@link #run} looks at the stop flag again. */
    public static final int DEFAULT_POLL_MILLIS = 200;

    private final NetlinkSocket socket;
    private final int[] groups;
    private final int pollMillis;
    private volatile boolean stopped;

    private XfrmMonitor(NetlinkSocket socket, int[] groups, int pollMillis) {
        this.socket = socket;
        this.groups = groups;
        this.pollMillis = pollMillis;
    }

    /** Every XFRM group, 1..{@link XfrmMsgType#GRP_MAX}. */
    public static int[] allGroups() {
        int[] g = new int[XfrmMsgType.GRP_MAX];
        for (int i = 0; i < g.length; i++) {
            g[i] = i + 1;
        }
        return g;
    }

    /** A monitor of every XFRM group in the client's namespace. */
    public static XfrmMonitor open(XfrmClient client) throws IOException {
        return open(client, allGroups());
    }

    /** A monitor of some groups (XfrmMsgType.GRP_*) in the client's namespace. */
    public static XfrmMonitor open(XfrmClient client, int... groups) throws IOException {
        return openPolling(client, DEFAULT_POLL_MILLIS, groups);
    }

    /** As {@link #open(XfrmClient, int...)}, waking up every {@code pollMillis} to check for {@link #stop()}. */
    public static XfrmMonitor openPolling(XfrmClient client, int pollMillis, int... groups) throws IOException {
        Objects.requireNonNull(client, "client");
        if (pollMillis <= 0) {
            throw new IllegalArgumentException("poll interval must be positive: " + pollMillis);
        }
        int[] g = groups.clone();
        for (int group : g) {
            if (group < 1 || group > XfrmMsgType.GRP_MAX) {
                throw new IllegalArgumentException("no XFRM multicast group " + group);
            }
        }
        NetlinkSocket s = client.openEventSocket(g);
        try {
            s.setReceiveTimeoutMillis(pollMillis);
            return new XfrmMonitor(s, g, pollMillis);
        } catch (ErrnoException | RuntimeException e) {
            s.close();
            throw e;
        }
    }

    /** The pure decoder: see {@link XfrmEvent#decode}. */
    public static XfrmEvent decode(NetlinkMessage m) {
        return XfrmEvent.decode(m);
    }

    /** Like {@link #decode}, but a message that does not decode becomes {@link XfrmEvent.Unknown}. */
    public static XfrmEvent decodeOrUnknown(NetlinkMessage m) {
        try {
            return XfrmEvent.decode(m);
        } catch (MalformedNetlinkException e) {
            return new XfrmEvent.Unknown(m, e.getMessage());
        }
    }

    /**
     * Waits up to {@link #pollMillis()} for one datagram and hands its events to {@code sink}.
     * Returns false if nothing arrived in that time.
     */
    public boolean poll(Consumer<? super XfrmEvent> sink) throws IOException {
        Objects.requireNonNull(sink, "sink");
        try {
            return socket.receive(m -> sink.accept(decodeOrUnknown(m)));
        } catch (NetlinkOverrunException e) {
            sink.accept(new XfrmEvent.Overrun());
            return true;
        } catch (MalformedNetlinkException e) {
            // the datagram did not split into messages; nothing of it can be kept
            sink.accept(new XfrmEvent.Unknown(new NetlinkMessage(0, 0, 0, 0, new byte[0]), e.getMessage()));
            return true;
        }
    }

    /** Hands events to {@code sink} until {@link #stop()} is called (or the sink throws). */
    public void run(Consumer<? super XfrmEvent> sink) throws IOException {
        while (!stopped) {
            poll(sink);
        }
    }

    /** Makes {@link #run} return within {@link #pollMillis()}; safe from any thread. */
    public void stop() {
        stopped = true;
    }

    public boolean isStopped() {
        return stopped;
    }

    public int pollMillis() {
        return pollMillis;
    }

    /** The groups joined. */
    public int[] groups() {
        return groups.clone();
    }

    @Override
    public void close() {
        stopped = true;
        socket.close();
    }

    @Override
    public String toString() {
        return "XfrmMonitor[groups=" + Arrays.toString(groups) + "]";
    }
}
