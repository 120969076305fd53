package io.cxt.nl;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Consumer;
import java.util.function.Function;

import io.cxt.sys.ErrnoException;
import io.cxt.sys.LibC;
import io.cxt.sys.NetNamespace;
import jnr.ffi.Pointer;
import jnr.ffi.byref.IntByReference;

/**
 * A netlink socket to the kernel: sequence numbers, request/ACK with the kernel's extended-ACK
 * text in errors, multi-part dumps restarted on NLM_F_DUMP_INTR, batches of many requests in one
 * {@code send}, and multicast membership for monitors.
 *
 * <p>Not thread-safe by design (one socket per thread or per client); the public methods are
 * {@code synchronized} only so that misuse is serialised rather than corrupting replies.
 *
 * <p>Buffers are allocated once per socket, direct, so steady-state requests do not allocate
 * native memory.
 */
public final class NetlinkSocket implements AutoCloseable {

    /** Default user-space buffers: a dump datagram or a batch chunk fits with room to spare. */
    public static final int DEFAULT_BUFFER = 1 << 20;
    private static final int WANTED_SO_RCVBUF = 8 << 20;
    private static final int WANTED_SO_SNDBUF = 4 << 20;
    private static final int MAX_DUMP_RESTARTS = 16;
    private static final int MAX_BATCH_CHUNK = 64 << 10;
    private static final int EAGAIN = 11;
    private static final int EINTR = 4;

    private final LibC libc = LibC.INSTANCE;
    private final int protocol;
    private final String where;
    private int fd;
    private final int portId;
    private int seq;
    private final int recvCapacity;
    private final ByteBuffer recvBuf;
    private final Pointer recvPtr;
    private final ByteBuffer sendBuf;
    private final Pointer sendPtr;
    private int sendLimit;

    private NetlinkSocket(int fd, int protocol, String where, int recvBytes, int sendBytes) throws ErrnoException {
        this.fd = fd;
        this.protocol = protocol;
        this.where = where;
        this.recvCapacity = recvBytes;
        this.recvBuf = ByteBuffer.allocateDirect(recvBytes).order(ByteOrder.nativeOrder());
        this.recvPtr = Pointer.wrap(LibC.runtime(), recvBuf);
        this.sendBuf = ByteBuffer.allocateDirect(sendBytes).order(ByteOrder.nativeOrder());
        this.sendPtr = Pointer.wrap(LibC.runtime(), sendBuf);
        // The kernel seeds nothing; start from a time-based value so that replies to an
        // earlier process's requests on a recycled port id are never mistaken for ours.
        this.seq = (int) (System.nanoTime() & 0x3fffffff);
        this.portId = bindAndGetPortId();
        setIntOption(LibC.SOL_NETLINK, LibC.NETLINK_EXT_ACK, 1, "NETLINK_EXT_ACK");
        // Capped ACKs do not echo our whole request back; errors stay small even for big batches.
        setIntOption(LibC.SOL_NETLINK, LibC.NETLINK_CAP_ACK, 1, "NETLINK_CAP_ACK");
        setReceiveBufferSize(WANTED_SO_RCVBUF);
        setSendBufferSize(WANTED_SO_SNDBUF);
    }

    /** Opens a netlink socket of {@code protocol} (e.g. {@link Netlink#NETLINK_XFRM}) in this process's namespace. */
    public static NetlinkSocket open(int protocol) throws IOException {
        return open(protocol, null);
    }

    /**
     * Opens a netlink socket in {@code ns} (or in the current namespace when null). The socket
     * lives in that namespace for its whole life; no thread stays there.
     */
    public static NetlinkSocket open(int protocol, NetNamespace ns) throws IOException {
        return open(protocol, ns, DEFAULT_BUFFER, DEFAULT_BUFFER);
    }

    /**
     * As {@link #open(int, NetNamespace)} with user-space buffers of the given sizes. A socket that
     * only listens to notifications (one small message per datagram) does well with 64 KiB and
     * 4 KiB: opening one per operation (a snapshot's event fence) then costs no 2 MiB of zeroed
     * direct memory, which dominated the snapshot's tail latency (tests/bench/README-context.md).
     */
    public static NetlinkSocket open(int protocol, NetNamespace ns, int recvBufferBytes, int sendBufferBytes)
            throws IOException {
        if (recvBufferBytes < 16 << 10 || sendBufferBytes < 4 << 10) {
            throw new IllegalArgumentException("netlink buffers must be at least 16 KiB (receive) and 4 KiB (send)");
        }
        LibC libc = LibC.INSTANCE;
        int fd;
        if (ns == null) {
            fd = libc.socket(LibC.AF_NETLINK, LibC.SOCK_RAW | LibC.SOCK_CLOEXEC, protocol);
        } else {
            fd = ns.runInside(() -> libc.socket(LibC.AF_NETLINK, LibC.SOCK_RAW | LibC.SOCK_CLOEXEC, protocol));
        }
        if (fd < 0) {
            throw ErrnoException.last("netlink socket" + (ns == null ? "" : " in " + ns));
        }
        try {
            return new NetlinkSocket(fd, protocol, ns == null ? "" : " (" + ns + ")", recvBufferBytes, sendBufferBytes);
        } catch (ErrnoException | RuntimeException e) {
            libc.close(fd);
            throw e;
        }
    }

    private int bindAndGetPortId() throws ErrnoException {
        ByteBuffer sa = sockaddrNl(0, 0);
        if (libc.bind(fd, sa, sa.capacity()) < 0) {
            throw ErrnoException.last("bind netlink socket");
        }
        ByteBuffer out = ByteBuffer.allocate(12).order(ByteOrder.nativeOrder());
        IntByReference len = new IntByReference(12);
        if (libc.getsockname(fd, out, len) < 0) {
            throw ErrnoException.last("getsockname netlink socket");
        }
        return out.getInt(4);
    }

    private static ByteBuffer sockaddrNl(int pid, int groups) {
        ByteBuffer sa = ByteBuffer.allocate(12).order(ByteOrder.nativeOrder());
        sa.putShort((short) LibC.AF_NETLINK).putShort((short) 0).putInt(pid).putInt(groups);
        sa.flip();
        return sa;
    }

    private void setIntOption(int level, int name, int value, String what) throws ErrnoException {
        ByteBuffer v = ByteBuffer.allocate(4).order(ByteOrder.nativeOrder()).putInt(0, value);
        if (libc.setsockopt(fd, level, name, v, 4) < 0) {
            throw ErrnoException.last("setsockopt " + what);
        }
    }

    private int getIntOption(int level, int name, String what) throws ErrnoException {
        ByteBuffer v = ByteBuffer.allocate(4).order(ByteOrder.nativeOrder());
        IntByReference len = new IntByReference(4);
        if (libc.getsockopt(fd, level, name, v, len) < 0) {
            throw ErrnoException.last("getsockopt " + what);
        }
        return v.getInt(0);
    }

    /**
     * Asks for a receive buffer of {@code bytes}: SO_RCVBUFFORCE first (needs CAP_NET_ADMIN,
     * ignores rmem_max), SO_RCVBUF otherwise. Returns what the kernel granted.
     */
    public synchronized int setReceiveBufferSize(int bytes) throws ErrnoException {
        ensureOpen();
        try {
            setIntOption(LibC.SOL_SOCKET, LibC.SO_RCVBUFFORCE, bytes, "SO_RCVBUFFORCE");
        } catch (ErrnoException e) {
            setIntOption(LibC.SOL_SOCKET, LibC.SO_RCVBUF, bytes, "SO_RCVBUF");
        }
        return getIntOption(LibC.SOL_SOCKET, LibC.SO_RCVBUF, "SO_RCVBUF");
    }

    /** Like {@link #setReceiveBufferSize} for the send side; also bounds batch chunks. */
    public synchronized int setSendBufferSize(int bytes) throws ErrnoException {
        ensureOpen();
        try {
            setIntOption(LibC.SOL_SOCKET, LibC.SO_SNDBUFFORCE, bytes, "SO_SNDBUFFORCE");
        } catch (ErrnoException e) {
            setIntOption(LibC.SOL_SOCKET, LibC.SO_SNDBUF, bytes, "SO_SNDBUF");
        }
        int granted = getIntOption(LibC.SOL_SOCKET, LibC.SO_SNDBUF, "SO_SNDBUF");
        // netlink_sendmsg refuses a message longer than sk_sndbuf - 32. Batches are cut into chunks
        // of at most 64 KiB even when the buffer allows more: the kernel grows its XFRM hash tables
        // (xfrm_hash_resize) from a work item that runs after a send returns, so within one huge
        // chunk every insert walks the old, tiny table's chains. Measured (tests/bench/README.md):
        // 50,000 policies in 1 MiB chunks 1440 ms, in 64 KiB chunks 283 ms; 8-256 KiB all alike.
        this.sendLimit = Math.max(4096, Math.min(Math.min(MAX_BATCH_CHUNK, sendBuf.capacity()), granted - 64));
        return granted;
    }

    /** Joins a multicast group (1-based group number, as in the kernel's enums). */
    public synchronized void joinGroup(int group) throws ErrnoException {
        ensureOpen();
        setIntOption(LibC.SOL_NETLINK, LibC.NETLINK_ADD_MEMBERSHIP, group, "NETLINK_ADD_MEMBERSHIP " + group);
    }

    /** Sets a receive timeout so that a blocking {@link #receive} returns periodically. */
    public synchronized void setReceiveTimeoutMillis(int millis) throws ErrnoException {
        ensureOpen();
        ByteBuffer tv = ByteBuffer.allocate(16).order(ByteOrder.nativeOrder());
        tv.putLong(0, millis / 1000).putLong(8, (millis % 1000) * 1000L);
        if (libc.setsockopt(fd, LibC.SOL_SOCKET, LibC.SO_RCVTIMEO, tv, 16) < 0) {
            throw ErrnoException.last("setsockopt SO_RCVTIMEO");
        }
    }

    public int portId() {
        return portId;
    }

    public int protocol() {
        return protocol;
    }

    /** Allocates the next sequence number. */
    public synchronized int nextSeq() {
        seq = (seq + 1) & 0x7fffffff;
        if (seq == 0) {
            seq = 1;
        }
        return seq;
    }

    // ---------------------------------------------------------------- request / ACK

    /**
     * Sends one request with NLM_F_ACK and returns the kernel's replies before the ACK (empty
     * for a NEW/DEL request, one message for a GET).
     *
     * @throws NetlinkErrorException the kernel refused it (errno and extended-ACK text)
     */
    public synchronized List<NetlinkMessage> request(int type, int flags, byte[] payload) throws IOException {
        ensureOpen();
        int s = nextSeq();
        sendBuf.clear();
        writeMessage(sendBuf, type, flags | Netlink.NLM_F_REQUEST | Netlink.NLM_F_ACK, s, payload);
        transmit(sendBuf.position());
        List<NetlinkMessage> replies = new ArrayList<>(1);
        while (true) {
            for (NetlinkMessage m : receiveBatch()) {
                if (m.seq() != s) {
                    continue; // a stale reply to an earlier, abandoned request
                }
                if (m.type() == Netlink.NLMSG_ERROR) {
                    int errno = errorCode(m);
                    if (errno != 0) {
                        throw errorFor(m, errno, type);
                    }
                    return replies;
                }
                if (m.type() == Netlink.NLMSG_DONE) {
                    return replies;
                }
                replies.add(m);
            }
        }
    }

    /** Like {@link #request} for a GET that must answer exactly one message. */
    public NetlinkMessage requestOne(int type, int flags, byte[] payload) throws IOException {
        List<NetlinkMessage> r = request(type, flags, payload);
        if (r.size() != 1) {
            throw new MalformedNetlinkException("expected one reply to netlink request " + type + ", got " + r.size());
        }
        return r.get(0);
    }

    // ---------------------------------------------------------------- dump

    /**
     * Dumps: sends {@code type} with NLM_F_DUMP and decodes every reply message with
     * {@code decoder}. If the kernel flags the dump inconsistent (NLM_F_DUMP_INTR: the table
     * changed while it was being walked), the whole dump is restarted, so the result is always
     * one consistent view.
     */
    public synchronized <T> List<T> dump(int type, byte[] payload, Function<NetlinkMessage, T> decoder)
            throws IOException {
        ensureOpen();
        for (int attempt = 0; attempt < MAX_DUMP_RESTARTS; attempt++) {
            int s = nextSeq();
            sendBuf.clear();
            writeMessage(sendBuf, type, Netlink.NLM_F_REQUEST | Netlink.NLM_F_DUMP, s, payload);
            transmit(sendBuf.position());
            List<T> out = new ArrayList<>();
            boolean interrupted = false;
            boolean done = false;
            while (!done) {
                for (NetlinkMessage m : receiveBatch()) {
                    if (m.seq() != s) {
                        continue;
                    }
                    if (m.hasFlag(Netlink.NLM_F_DUMP_INTR)) {
                        interrupted = true;
                    }
                    if (m.type() == Netlink.NLMSG_DONE) {
                        if (m.payload().length >= 4) {
                            int err = m.payloadBuffer().getInt(0);
                            if (err < 0) {
                                throw errorFor(m, -err, type);
                            }
                        }
                        done = true;
                        break;
                    }
                    if (m.type() == Netlink.NLMSG_ERROR) {
                        int errno = errorCode(m);
                        if (errno != 0) {
                            throw errorFor(m, errno, type);
                        }
                        done = true;
                        break;
                    }
                    if (!interrupted) {
                        out.add(decoder.apply(m));
                    }
                }
            }
            if (!interrupted) {
                return out;
            }
        }
        throw new NetlinkDumpInterruptedException("dump of netlink type " + type + where
                + " was interrupted by concurrent changes " + MAX_DUMP_RESTARTS + " times");
    }

    // ---------------------------------------------------------------- batch

    /** One refused request of a batch: its index in the list given, and the kernel's error. */
    public record BatchFailure(int index, NetlinkErrorException error) {
    }

    /**
     * Sends many requests with as few {@code send} calls as the socket buffer allows. Only the
     * last request of each chunk asks for an ACK; the kernel reports every failed request anyway
     * (netlink_rcv_skb acks on error regardless of NLM_F_ACK) and keeps processing the rest of
     * the chunk. Returns the failures, in order; an empty list means every request succeeded.
     *
     * @param stopOnError stop sending further chunks after a chunk with a failure
     */
    public synchronized List<BatchFailure> batch(List<NetlinkRequest> requests, boolean stopOnError)
            throws IOException {
        ensureOpen();
        List<BatchFailure> failures = new ArrayList<>();
        int i = 0;
        while (i < requests.size()) {
            sendBuf.clear();
            int first = i;
            int firstSeq = -1;
            int lastSeq = -1;
            while (i < requests.size()) {
                NetlinkRequest r = requests.get(i);
                int len = Netlink.align(Netlink.HEADER_LENGTH + r.payload().length);
                if (len > sendLimit) {
                    throw new IllegalArgumentException("netlink request of " + len + " octets exceeds the socket's send limit");
                }
                if (sendBuf.position() + len > sendLimit) {
                    break;
                }
                int s = nextSeq();
                if (firstSeq < 0) {
                    firstSeq = s;
                }
                lastSeq = s;
                i++;
                int flags = r.flags() | Netlink.NLM_F_REQUEST | (i == requests.size() ? Netlink.NLM_F_ACK : 0);
                writeMessage(sendBuf, r.type(), flags, s, r.payload());
            }
            // Mark the chunk's last message for an ACK, the chunk terminator.
            int lastStart = lastMessageStart(sendBuf, sendBuf.position());
            sendBuf.putShort(lastStart + 6, (short) (sendBuf.getShort(lastStart + 6) | Netlink.NLM_F_ACK));
            transmit(sendBuf.position());
            boolean chunkFailed = false;
            boolean done = false;
            while (!done) {
                for (NetlinkMessage m : receiveBatch()) {
                    if (m.type() != Netlink.NLMSG_ERROR) {
                        continue;
                    }
                    int idx = first + (m.seq() - firstSeq);
                    if (idx < first || idx >= i) {
                        continue;
                    }
                    int errno = errorCode(m);
                    if (errno != 0) {
                        failures.add(new BatchFailure(idx, errorFor(m, errno, requests.get(idx).type())));
                        chunkFailed = true;
                    }
                    if (m.seq() == lastSeq) {
                        done = true;
                    }
                }
            }
            if (chunkFailed && stopOnError) {
                break;
            }
        }
        return failures;
    }

    private static int lastMessageStart(ByteBuffer b, int end) {
        int pos = 0;
        int last = 0;
        while (pos < end) {
            last = pos;
            pos += Netlink.align(b.getInt(pos));
        }
        return last;
    }

    // ---------------------------------------------------------------- raw send / receive

    /** Sends one message as is (for monitors or tests); returns its sequence number. */
    public synchronized int send(int type, int flags, byte[] payload) throws IOException {
        ensureOpen();
        int s = nextSeq();
        sendBuf.clear();
        writeMessage(sendBuf, type, flags, s, payload);
        transmit(sendBuf.position());
        return s;
    }

    /**
     * Receives one datagram's messages and hands each to {@code sink}. Returns false if the
     * receive timeout passed with nothing received.
     *
     * @throws NetlinkOverrunException if the kernel dropped messages (ENOBUFS)
     */
    public synchronized boolean receive(Consumer<NetlinkMessage> sink) throws IOException {
        ensureOpen();
        List<NetlinkMessage> ms;
        try {
            ms = receiveBatch();
        } catch (ErrnoException e) {
            if (e.errno() == EAGAIN) {
                return false;
            }
            throw e;
        }
        for (NetlinkMessage m : ms) {
            sink.accept(m);
        }
        return true;
    }

    /**
     * Hands every message already queued on the socket to {@code sink} without waiting; returns
     * how many there were. Used to check a monitor for events that arrived during a dump.
     *
     * @throws NetlinkOverrunException if the kernel dropped messages (ENOBUFS): the caller must
     *         assume it missed an event
     */
    public synchronized int drain(Consumer<NetlinkMessage> sink) throws IOException {
        ensureOpen();
        int n = 0;
        while (true) {
            long got = libc.recv(fd, recvPtr, recvCapacity, LibC.MSG_TRUNC | LibC.MSG_DONTWAIT);
            if (got < 0) {
                int errno = LibC.errno();
                if (errno == EAGAIN) {
                    return n;
                }
                if (errno == EINTR) {
                    continue;
                }
                if (errno == NetlinkOverrunException.ENOBUFS) {
                    throw new NetlinkOverrunException("netlink recv" + where);
                }
                throw new ErrnoException("netlink recv" + where, errno);
            }
            if (got > recvCapacity) {
                throw new MalformedNetlinkException("netlink datagram of " + got + " octets truncated to " + recvCapacity);
            }
            ByteBuffer view = recvBuf.duplicate().order(ByteOrder.nativeOrder());
            view.position(0).limit((int) got);
            for (NetlinkMessage m : NetlinkMessage.decodeAll(view)) {
                sink.accept(m);
                n++;
            }
        }
    }

    private void writeMessage(ByteBuffer b, int type, int flags, int s, byte[] payload) {
        int len = Netlink.HEADER_LENGTH + payload.length;
        if (b.position() + Netlink.align(len) > b.capacity()) {
            throw new IllegalArgumentException("netlink message of " + len + " octets is too large");
        }
        NetlinkMessage.writeHeader(b, len, type, flags, s, portId);
        b.put(payload);
        while ((b.position() & 3) != 0) {
            b.put((byte) 0);
        }
    }

    private void transmit(int len) throws ErrnoException {
        while (true) {
            long n = libc.send(fd, sendPtr, len, 0);
            if (n >= 0) {
                if (n != len) {
                    throw new ErrnoException("netlink send" + where + " (short write)", 5);
                }
                return;
            }
            int errno = LibC.errno();
            if (errno != EINTR) {
                throw new ErrnoException("netlink send" + where, errno);
            }
        }
    }

    private List<NetlinkMessage> receiveBatch() throws IOException {
        while (true) {
            long n = libc.recv(fd, recvPtr, recvCapacity, LibC.MSG_TRUNC);
            if (n < 0) {
                int errno = LibC.errno();
                if (errno == EINTR) {
                    continue;
                }
                if (errno == NetlinkOverrunException.ENOBUFS) {
                    throw new NetlinkOverrunException("netlink recv" + where);
                }
                throw new ErrnoException("netlink recv" + where, errno);
            }
            if (n > recvCapacity) {
                throw new MalformedNetlinkException("netlink datagram of " + n + " octets truncated to " + recvCapacity);
            }
            ByteBuffer view = recvBuf.duplicate().order(ByteOrder.nativeOrder());
            view.position(0).limit((int) n);
            return NetlinkMessage.decodeAll(view);
        }
    }

    // ---------------------------------------------------------------- errors

    /** The positive errno of an NLMSG_ERROR message (0 for an ACK). */
    public static int errorCode(NetlinkMessage m) {
        MalformedNetlinkException.check(m.payload().length >= 4, "NLMSG_ERROR without an error code");
        return -m.payloadBuffer().getInt(0);
    }

    /** Builds the exception for an error reply, pulling out the extended-ACK text. */
    static NetlinkErrorException errorFor(NetlinkMessage m, int errno, int requestType) {
        String msg = null;
        int offset = -1;
        ByteBuffer p = m.payloadBuffer();
        if (m.type() == Netlink.NLMSG_ERROR && m.hasFlag(Netlink.NLM_F_ACK_TLVS) && p.limit() >= 4 + Netlink.HEADER_LENGTH) {
            // The echoed request's length is the sender's word: unsigned, and possibly past the end.
            long origLen = Integer.toUnsignedLong(p.getInt(4));
            long skip = m.hasFlag(Netlink.NLM_F_CAPPED) ? Netlink.HEADER_LENGTH : (origLen + Netlink.ALIGNTO - 1) & -Netlink.ALIGNTO;
            long tlvStart = 4 + skip;
            if (tlvStart <= p.limit()) {
                try {
                    for (NlAttribute a : NlAttribute.parseAll(p.position((int) tlvStart))) {
                        if (a.kind() == Netlink.NLMSGERR_ATTR_MSG) {
                            msg = cString(a.value());
                        } else if (a.kind() == Netlink.NLMSGERR_ATTR_OFFS && a.value().length >= 4) {
                            offset = a.valueBuffer().getInt(0);
                        }
                    }
                } catch (MalformedNetlinkException ignored) {
                    // the error code is still right; just no text
                }
            }
        }
        return new NetlinkErrorException("netlink request " + requestType, errno, msg, requestType, offset);
    }

    private static String cString(byte[] v) {
        int n = 0;
        while (n < v.length && v[n] != 0) {
            n++;
        }
        return new String(v, 0, n, StandardCharsets.UTF_8);
    }

    private void ensureOpen() {
        if (fd < 0) {
            throw new IllegalStateException("netlink socket is closed");
        }
    }

    public synchronized boolean isOpen() {
        return fd >= 0;
    }

    @Override
    public synchronized void close() {
        if (fd >= 0) {
            libc.close(fd);
            fd = -1;
        }
    }
}
