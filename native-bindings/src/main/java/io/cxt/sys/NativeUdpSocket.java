package io.cxt.sys;

import java.io.Closeable;
import java.io.IOException;
import java.net.Inet4Address;
import java.net.Inet6Address;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.UnknownHostException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.time.Duration;

import jnr.ffi.Memory;
import jnr.ffi.Pointer;
import jnr.ffi.byref.IntByReference;

/**
 * A UDP socket on its own file descriptor, for what the JDK's DatagramChannel does not offer: a
 * classic BPF filter in the kernel ({@link #attachFilter}), membership of a reuseport group with a
 * selector program ({@link #attachReusePortSelector}), and a batched receive ({@code recvmmsg(2)},
 * up to {@link Options#batch()} datagrams per system call into memory allocated once), so a
 * receive loop under a flood spends one system call per batch and allocates only for datagrams it
 * keeps.
 *
 * <p>Opened in the calling thread's network namespace. One thread receives ({@link #receive}); any
 * thread may {@link #send}. {@link #close} wakes a blocked receive (shutdown) and then releases the
 * descriptor once the receiving thread has returned ({@link #receive} also returns at least every
 * {@link Options#receiveTimeout()}).
 */
public final class NativeUdpSocket implements Closeable {

    /**
     * @param reusePort       SO_REUSEPORT before bind (join the group of sockets on the same address and port)
     * @param batch           datagrams read per receive call (1-1024)
     * @param slotSize        octets per datagram slot; of a longer datagram only these are kept ({@link Batch#truncated})
     * @param receiveBuffer   SO_RCVBUF(FORCE) in octets, or 0 for the system default
     * @param receiveTimeout  the longest a receive blocks before returning no datagram
     */
    public record Options(boolean reusePort, int batch, int slotSize, int receiveBuffer, Duration receiveTimeout) {
        public Options {
            if (batch < 1 || batch > 1024 || slotSize < 1 || slotSize > 65_536 || receiveBuffer < 0
                    || receiveTimeout.isNegative() || receiveTimeout.isZero()) {
                throw new IllegalArgumentException("bad UDP socket options: batch " + batch + ", slot " + slotSize
                        + ", receive buffer " + receiveBuffer + ", timeout " + receiveTimeout);
            }
        }

        /** 16 slots of 64 KiB (any datagram), system buffer, 500 ms timeout, no reuseport. */
        public static Options defaults() {
            return new Options(false, 16, 65_536, 0, Duration.ofMillis(500));
        }

        public Options withReusePort(boolean on) {
            return new Options(on, batch, slotSize, receiveBuffer, receiveTimeout);
        }

        public Options withBatch(int datagrams, int octetsEach) {
            return new Options(reusePort, datagrams, octetsEach, receiveBuffer, receiveTimeout);
        }

        public Options withReceiveBuffer(int octets) {
            return new Options(reusePort, batch, slotSize, octets, receiveTimeout);
        }
    }

    /**
     * What one {@link #receive} read: {@link #count()} datagrams, each readable until the next
     * receive. Reading a source or copying octets is the caller's choice, so a datagram rejected
     * by its length or first octets costs no allocation.
     */
    public final class Batch {
        private int count;

        public int count() {
            return count;
        }

        /** The octets kept of the datagram (at most a slot; see {@link #truncated}). */
        public int length(int i) {
            return (int) Integer.toUnsignedLong(vec.getInt(64L * index(i) + 56));
        }

        /** Whether the datagram was longer than a slot (only its first {@link Options#slotSize()} octets are kept). */
        public boolean truncated(int i) {
            return (vec.getInt(64L * index(i) + 48) & LibC.MSG_TRUNC) != 0;
        }

        /** Octet {@code at} of datagram {@code i} (0-255). */
        public int octet(int i, int at) {
            return data.getByte((long) index(i) * options.slotSize() + at) & 0xff;
        }

        /** A copy of the datagram's octets (at most a slot). */
        public byte[] copy(int i) {
            byte[] b = new byte[Math.min(length(i), options.slotSize())];
            data.get((long) index(i) * options.slotSize(), b, 0, b.length);
            return b;
        }

        /** Zeroes the datagram's slot (it may have carried keys). */
        public void wipe(int i) {
            data.setMemory((long) index(i) * options.slotSize(), Math.min(length(i), options.slotSize()), (byte) 0);
        }

        /** Where the datagram came from. */
        public InetSocketAddress source(int i) throws UnknownHostException {
            long at = (long) index(i) * SOCKADDR_LENGTH;
            int port = (names.getByte(at + 2) & 0xff) << 8 | (names.getByte(at + 3) & 0xff);
            if (ipv6) {
                byte[] raw = new byte[16];
                names.get(at + 8, raw, 0, 16);
                int scope = names.getInt(at + 24);
                return new InetSocketAddress(Inet6Address.getByAddress(null, raw, scope == 0 ? -1 : scope), port);
            }
            byte[] raw = new byte[4];
            names.get(at + 4, raw, 0, 4);
            return new InetSocketAddress(InetAddress.getByAddress(raw), port);
        }

        private int index(int i) {
            if (i < 0 || i >= count) {
                throw new IndexOutOfBoundsException(i + " of " + count);
            }
            return i;
        }
    }

    private static final int MMSGHDR_LENGTH = 64;
    private static final int IOVEC_LENGTH = 16;
    private static final int SOCKADDR_LENGTH = 28;
    private static final int EINTR = 4;
    private static final int EAGAIN = 11;

    private final LibC libc = LibC.INSTANCE;
    private final boolean ipv6;
    private final Options options;
    private final InetSocketAddress localAddress;
    private final Batch batch = new Batch();
    private volatile int fd;
    private volatile boolean closing;
    /** recvmmsg's vector, the iovecs, the source addresses and the datagram slots: allocated once. */
    private final Pointer vec;
    private final Pointer iovs;
    private final Pointer names;
    private final Pointer data;

    private NativeUdpSocket(int fd, boolean ipv6, Options options, InetSocketAddress localAddress) {
        this.fd = fd;
        this.ipv6 = ipv6;
        this.options = options;
        this.localAddress = localAddress;
        jnr.ffi.Runtime rt = LibC.runtime();
        int n = options.batch();
        vec = Memory.allocateDirect(rt, n * MMSGHDR_LENGTH, true);
        iovs = Memory.allocateDirect(rt, n * IOVEC_LENGTH, true);
        names = Memory.allocateDirect(rt, n * SOCKADDR_LENGTH, true);
        data = Memory.allocateDirect(rt, (long) n * options.slotSize(), true);
        for (int i = 0; i < n; i++) {
            long m = (long) i * MMSGHDR_LENGTH;
            vec.putLong(m, names.address() + (long) i * SOCKADDR_LENGTH); // msg_name
            vec.putLong(m + 16, iovs.address() + (long) i * IOVEC_LENGTH); // msg_iov
            vec.putLong(m + 24, 1);                                        // msg_iovlen
            iovs.putLong((long) i * IOVEC_LENGTH, data.address() + (long) i * options.slotSize());
            iovs.putLong((long) i * IOVEC_LENGTH + 8, options.slotSize());
        }
    }

    /**
     * Opens a UDP socket of {@code bind}'s family in the calling thread's namespace and binds it
     * (port 0: an ephemeral port).
     */
    public static NativeUdpSocket open(InetSocketAddress bind, Options options) throws IOException {
        boolean ipv6 = bind.getAddress() instanceof Inet6Address;
        LibC libc = LibC.INSTANCE;
        int fd = libc.socket(ipv6 ? LibC.AF_INET6 : LibC.AF_INET, LibC.SOCK_DGRAM | LibC.SOCK_CLOEXEC, 0);
        if (fd < 0) {
            throw ErrnoException.last("UDP socket");
        }
        try {
            if (options.reusePort()) {
                setInt(fd, LibC.SOL_SOCKET, LibC.SO_REUSEPORT, 1, "SO_REUSEPORT");
            }
            if (options.receiveBuffer() > 0 && !trySetInt(fd, LibC.SOL_SOCKET, LibC.SO_RCVBUFFORCE, options.receiveBuffer())) {
                setInt(fd, LibC.SOL_SOCKET, LibC.SO_RCVBUF, options.receiveBuffer(), "SO_RCVBUF");
            }
            ByteBuffer sa = sockaddr(bind, ipv6);
            if (libc.bind(fd, sa, sa.capacity()) < 0) {
                throw ErrnoException.last("bind");
            }
            ByteBuffer out = ByteBuffer.allocate(SOCKADDR_LENGTH).order(ByteOrder.nativeOrder());
            IntByReference len = new IntByReference(SOCKADDR_LENGTH);
            if (libc.getsockname(fd, out, len) < 0) {
                throw ErrnoException.last("getsockname");
            }
            int port = (out.get(2) & 0xff) << 8 | (out.get(3) & 0xff);
            NativeUdpSocket s = new NativeUdpSocket(fd, ipv6, options, new InetSocketAddress(bind.getAddress(), port));
            s.setReceiveTimeout(options.receiveTimeout());
            return s;
        } catch (IOException | RuntimeException e) {
            libc.close(fd);
            throw e;
        }
    }

    /** The longest a {@link #receive} now blocks before returning an empty batch (at least 1 ms). */
    public void setReceiveTimeout(Duration timeout) throws IOException {
        NativeSockets.setReceiveTimeout(checkedFd(), timeout);
    }

    public InetSocketAddress localAddress() {
        return localAddress;
    }

    public boolean ipv6() {
        return ipv6;
    }

    /** Replaces the socket's filter ({@code SO_ATTACH_FILTER}): datagrams it returns 0 for are dropped in the kernel. */
    public void attachFilter(SocketFilter program) throws IOException {
        attach(LibC.SO_ATTACH_FILTER, program, "SO_ATTACH_FILTER");
    }

    /**
     * Replaces the selector of the reuseport group this socket is in ({@code
     * SO_ATTACH_REUSEPORT_CBPF}): the program's result is the index, in joining order, of the socket
     * that gets the datagram (an index past the group falls back to the kernel's hash).
     */
    public void attachReusePortSelector(SocketFilter program) throws IOException {
        attach(LibC.SO_ATTACH_REUSEPORT_CBPF, program, "SO_ATTACH_REUSEPORT_CBPF");
    }

    private void attach(int option, SocketFilter program, String what) throws IOException {
        NativeSockets.attach(checkedFd(), option, program, what);
    }

    /** Datagrams the kernel dropped for this socket (full buffer, filter), from SO_MEMINFO; -1 if unknown. */
    public long drops() {
        return NativeSockets.drops(fd);
    }

    /** Sends one datagram to {@code to}. */
    public void send(InetSocketAddress to, byte[] datagram) throws IOException {
        ByteBuffer sa = sockaddr(to, ipv6);
        ByteBuffer buf = ByteBuffer.wrap(datagram);
        while (true) {
            long n = libc.sendto(checkedFd(), buf, datagram.length, 0, sa, sa.capacity());
            if (n >= 0) {
                if (n != datagram.length) {
                    throw new IOException("UDP send to " + BindFailure.format(to) + " queued " + n + " of " + datagram.length + " octets");
                }
                return;
            }
            int errno = LibC.errno();
            if (errno != EINTR) {
                throw new ErrnoException("sendto " + BindFailure.format(to), errno);
            }
        }
    }

    /**
     * Datagrams prepared once for {@link #send(Burst)}: one {@code sendmmsg(2)} sends them all to one
     * destination. For load generators (tests/bench/hostile-load): a burst costs one system call.
     */
    public final class Burst {
        private final Pointer vector;
        private final Pointer payload;
        private final int count;

        private Burst(InetSocketAddress to, java.util.List<byte[]> datagrams) {
            jnr.ffi.Runtime rt = LibC.runtime();
            count = datagrams.size();
            ByteBuffer sa = sockaddr(to, ipv6);
            int total = 0;
            for (byte[] d : datagrams) {
                total += d.length;
            }
            vector = Memory.allocateDirect(rt, (long) count * (MMSGHDR_LENGTH + IOVEC_LENGTH) + SOCKADDR_LENGTH, true);
            payload = Memory.allocateDirect(rt, Math.max(1, total), true);
            long name = vector.address() + (long) count * (MMSGHDR_LENGTH + IOVEC_LENGTH);
            byte[] raw = new byte[sa.capacity()];
            sa.get(0, raw);
            vector.put((long) count * (MMSGHDR_LENGTH + IOVEC_LENGTH), raw, 0, raw.length);
            long at = 0;
            for (int i = 0; i < count; i++) {
                byte[] d = datagrams.get(i);
                payload.put(at, d, 0, d.length);
                long m = (long) i * MMSGHDR_LENGTH;
                long iov = (long) count * MMSGHDR_LENGTH + (long) i * IOVEC_LENGTH;
                vector.putLong(m, name);
                vector.putInt(m + 8, raw.length);
                vector.putLong(m + 16, vector.address() + iov);
                vector.putLong(m + 24, 1);
                vector.putLong(iov, payload.address() + at);
                vector.putLong(iov + 8, d.length);
                at += d.length;
            }
        }

        public int count() {
            return count;
        }
    }

    /** Prepares {@code datagrams} (at most 1024) for {@link #send(Burst)} to {@code to}. */
    public Burst prepareBurst(InetSocketAddress to, java.util.List<byte[]> datagrams) {
        if (datagrams.isEmpty() || datagrams.size() > 1024) {
            throw new IllegalArgumentException("a burst has 1 to 1024 datagrams: " + datagrams.size());
        }
        return new Burst(to, datagrams);
    }

    /** Sends a prepared burst with one {@code sendmmsg}; returns how many the kernel took (0 when its buffer was full). */
    public int send(Burst burst) throws IOException {
        while (true) {
            int n = libc.sendmmsg(checkedFd(), burst.vector, burst.count, LibC.MSG_DONTWAIT);
            java.lang.ref.Reference.reachabilityFence(burst); // its payload memory is only reachable through it
            if (n >= 0) {
                return n;
            }
            int errno = LibC.errno();
            if (errno == EAGAIN || errno == 105) { // ENOBUFS
                return 0;
            }
            if (errno != EINTR) {
                throw new ErrnoException("sendmmsg", errno);
            }
        }
    }

    /**
     * Reads up to a batch of datagrams, blocking until at least one arrives, the receive timeout
     * passes (then the batch is empty) or the socket is closed (then this returns null). The batch
     * is reused by the next call.
     */
    public Batch receive() throws IOException {
        int n = options.batch();
        for (int i = 0; i < n; i++) {
            long m = (long) i * MMSGHDR_LENGTH;
            vec.putInt(m + 8, SOCKADDR_LENGTH); // msg_namelen (the kernel writes the length it used)
            vec.putInt(m + 48, 0);              // msg_flags
        }
        while (true) {
            int f = fd;
            if (f < 0 || closing) {
                return null;
            }
            int got = libc.recvmmsg(f, vec, n, LibC.MSG_WAITFORONE, null);
            if (got >= 0) {
                if (closing) {
                    return null;
                }
                batch.count = got;
                return batch;
            }
            int errno = LibC.errno();
            if (errno == EINTR) {
                continue;
            }
            if (errno == EAGAIN) {
                batch.count = 0;
                return batch;
            }
            if (closing) {
                return null;
            }
            throw new ErrnoException("recvmmsg " + BindFailure.format(localAddress), errno);
        }
    }

    private int checkedFd() throws IOException {
        int f = fd;
        if (f < 0 || closing) {
            throw new java.nio.channels.ClosedChannelException();
        }
        return f;
    }

    public boolean isOpen() {
        return fd >= 0 && !closing;
    }

    /**
     * Stops receiving: shuts the socket down (a blocked receive returns) without releasing the
     * descriptor, which {@link #close} does once the receiving thread is gone.
     */
    public void shutdown() {
        closing = true;
        int f = fd;
        if (f >= 0) {
            libc.shutdown(f, LibC.SHUT_RDWR); // ENOTCONN on an unconnected socket, but it wakes the receiver
        }
    }

    /** Releases the descriptor. Call after the receiving thread has returned (or with none). */
    @Override
    public synchronized void close() {
        shutdown();
        int f = fd;
        if (f >= 0) {
            fd = -1;
            libc.close(f);
        }
    }

    private static ByteBuffer sockaddr(InetSocketAddress a, boolean ipv6) {
        InetAddress addr = a.getAddress();
        if (addr == null) {
            throw new IllegalArgumentException("unresolved address " + a.getHostString() + " (cxt never resolves names)");
        }
        if (ipv6) {
            if (!(addr instanceof Inet6Address a6)) {
                throw new IllegalArgumentException("IPv6 socket cannot reach " + addr.getHostAddress());
            }
            ByteBuffer sa = ByteBuffer.allocate(SOCKADDR_LENGTH).order(ByteOrder.nativeOrder());
            sa.putShort(0, (short) LibC.AF_INET6);
            sa.put(2, (byte) (a.getPort() >>> 8)).put(3, (byte) a.getPort());
            sa.put(8, a6.getAddress());
            sa.putInt(24, a6.getScopeId());
            return sa;
        }
        if (!(addr instanceof Inet4Address)) {
            throw new IllegalArgumentException("IPv4 socket cannot reach " + addr.getHostAddress());
        }
        ByteBuffer sa = ByteBuffer.allocate(16).order(ByteOrder.nativeOrder());
        sa.putShort(0, (short) LibC.AF_INET);
        sa.put(2, (byte) (a.getPort() >>> 8)).put(3, (byte) a.getPort());
        sa.put(4, addr.getAddress());
        return sa;
    }

    private static void setInt(int fd, int level, int name, int value, String what) throws ErrnoException {
        NativeSockets.setInt(fd, level, name, value, what);
    }

    private static boolean trySetInt(int fd, int level, int name, int value) {
        return NativeSockets.trySetInt(fd, level, name, value);
    }
}
