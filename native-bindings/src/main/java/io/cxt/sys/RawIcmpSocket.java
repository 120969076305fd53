package io.cxt.sys;

import java.io.Closeable;
import java.io.IOException;
import java.net.Inet4Address;
import java.net.Inet6Address;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.time.Duration;
import java.util.Arrays;

import jnr.ffi.byref.IntByReference;

/**
 * A raw ICMP (AF_INET, IPPROTO_ICMP) or ICMPv6 (AF_INET6, IPPROTO_ICMPV6) socket, for protocols
 * that define their own ICMP types (CXTP's MN-AR messages use the Experimental Mobility types).
 * Needs CAP_NET_RAW.
 *
 * <p>What the kernel does for us and what it does not: on an ICMPv6 raw socket it always fills in
 * the checksum (RFC 3542 section 3.1) and delivers the message without the IPv6 header; the hop
 * limit it arrived with comes as ancillary data (IPV6_RECVHOPLIMIT, enabled at open, read with
 * recvmsg), so protocols that require 255 (on-link senders only) can check it: {@link
 * Datagram#hopLimit()} is -1 only if the kernel did not supply it. On an IPv4 raw socket the caller
 * computes the ICMP checksum, and received packets include the IPv4 header, which this class
 * strips after reading the TTL. Either socket receives every ICMP message of its family that
 * reaches the host; filter by type ({@link #passOnlyIcmpv6Types} does it in the kernel for
 * ICMPv6).
 *
 * <p>The socket is opened in a given network namespace by {@link #open(int, NetNamespace)} and
 * stays there. One thread may {@link #receive} while others {@link #send}; {@link #close} must not
 * race a receive (stop the receiving thread first: it returns at least every receive timeout).
 */
public final class RawIcmpSocket implements Closeable {

    public static final int IPPROTO_IP = 0;
    public static final int IPPROTO_ICMP = 1;
    public static final int IPPROTO_IPV6 = 41;
    public static final int IPPROTO_ICMPV6 = 58;

    static final int IP_TTL = 2;
    static final int IPV6_UNICAST_HOPS = 16;
    static final int ICMP6_FILTER = 1;
    static final int IPV6_RECVHOPLIMIT = 51;
    static final int IPV6_HOPLIMIT = 52;
    /** x86_64/aarch64 LP64 layout: struct msghdr is 56 octets, struct iovec 16, struct cmsghdr 16 before its data. */
    private static final int MSGHDR_LENGTH = 56;
    private static final int IOVEC_LENGTH = 16;
    private static final int CMSG_HEADER = 16;
    private static final int CONTROL_LENGTH = 64;
    static final int EINTR = 4;
    static final int EAGAIN = 11;

    private static final int MAX_PACKET = 65536;
    private static final int SOCKADDR_IN_LENGTH = 16;
    private static final int SOCKADDR_IN6_LENGTH = 28;

    /** A received ICMP message: its source, the ICMP octets (header first) and the IP hop limit or TTL. */
    public record Datagram(InetAddress source, byte[] icmp, int hopLimit) {
        public Datagram {
            icmp = icmp.clone();
        }

        @Override
        public byte[] icmp() {
            return icmp.clone();
        }

        @Override
        public boolean equals(Object o) {
            return o instanceof Datagram d && d.source.equals(source) && Arrays.equals(d.icmp, icmp)
                    && d.hopLimit == hopLimit;
        }

        @Override
        public int hashCode() {
            return source.hashCode() * 31 + Arrays.hashCode(icmp) + hopLimit;
        }

        @Override
        public String toString() {
            return "Datagram[from " + source.getHostAddress() + ", " + icmp.length + " octets, hop limit " + hopLimit + "]";
        }
    }

    private final LibC libc = LibC.INSTANCE;
    private final int family;
    private final String where;
    private volatile int fd;
    private final ByteBuffer recvBuf = ByteBuffer.allocateDirect(MAX_PACKET);
    /** IPv6 receive: msghdr | iovec | sockaddr_in6 | control, and the packet buffer (one receiving thread). */
    private jnr.ffi.Pointer msg;
    private jnr.ffi.Pointer packetBuf;

    private RawIcmpSocket(int fd, int family, String where) {
        this.fd = fd;
        this.family = family;
        this.where = where;
    }

    /** Opens a raw ICMP socket of {@code family} ({@link LibC#AF_INET} or {@link LibC#AF_INET6}) here. */
    public static RawIcmpSocket open(int family) throws IOException {
        return open(family, null);
    }

    /** Opens a raw ICMP socket of {@code family} inside {@code ns} (here when null). */
    public static RawIcmpSocket open(int family, NetNamespace ns) throws IOException {
        int protocol;
        if (family == LibC.AF_INET) {
            protocol = IPPROTO_ICMP;
        } else if (family == LibC.AF_INET6) {
            protocol = IPPROTO_ICMPV6;
        } else {
            throw new IllegalArgumentException("family must be AF_INET or AF_INET6: " + family);
        }
        LibC libc = LibC.INSTANCE;
        int type = LibC.SOCK_RAW | LibC.SOCK_CLOEXEC;
        int fd = ns == null ? libc.socket(family, type, protocol) : ns.runInside(() -> {
            int f = libc.socket(family, type, protocol);
            if (f < 0) {
                throw ErrnoException.last("raw ICMP socket in " + ns);
            }
            return f;
        });
        if (fd < 0) {
            throw new ErrnoException("raw ICMP socket", LibC.errno(), "needs CAP_NET_RAW");
        }
        RawIcmpSocket s = new RawIcmpSocket(fd, family, ns == null ? "" : " (" + ns + ")");
        if (family == LibC.AF_INET6) {
            try {
                s.setIntOption(IPPROTO_IPV6, IPV6_RECVHOPLIMIT, 1, "IPV6_RECVHOPLIMIT");
            } catch (ErrnoException e) {
                s.close();
                throw e;
            }
        }
        return s;
    }

    public int family() {
        return family;
    }

    /** The IP TTL (IPv4) or unicast hop limit (IPv6) of sent packets. */
    public void setHopLimit(int hops) throws IOException {
        if (family == LibC.AF_INET) {
            setIntOption(IPPROTO_IP, IP_TTL, hops, "IP_TTL");
        } else {
            setIntOption(IPPROTO_IPV6, IPV6_UNICAST_HOPS, hops, "IPV6_UNICAST_HOPS");
        }
    }

    /** ICMPv6 only: the kernel delivers only these types to this socket (ICMP6_FILTER). */
    public void passOnlyIcmpv6Types(int... types) throws IOException {
        if (family != LibC.AF_INET6) {
            throw new IllegalStateException("ICMP6_FILTER applies to ICMPv6 sockets only");
        }
        // struct icmp6_filter: 256 bits, a set bit blocks that type.
        int[] words = new int[8];
        Arrays.fill(words, -1);
        for (int t : types) {
            words[t >>> 5] &= ~(1 << (t & 31));
        }
        ByteBuffer f = ByteBuffer.allocate(32).order(ByteOrder.nativeOrder());
        for (int i = 0; i < 8; i++) {
            f.putInt(i * 4, words[i]);
        }
        if (libc.setsockopt(checkedFd(), IPPROTO_ICMPV6, ICMP6_FILTER, f, 32) < 0) {
            throw ErrnoException.last("setsockopt ICMP6_FILTER" + where);
        }
    }

    /** {@link #receive} returns null after this long without a packet (zero: wait forever). */
    public void setReceiveTimeout(Duration timeout) throws IOException {
        long micros = timeout.toNanos() / 1000;
        ByteBuffer tv = ByteBuffer.allocate(16).order(ByteOrder.nativeOrder());
        tv.putLong(0, micros / 1_000_000).putLong(8, micros % 1_000_000);
        if (libc.setsockopt(checkedFd(), LibC.SOL_SOCKET, LibC.SO_RCVTIMEO, tv, 16) < 0) {
            throw ErrnoException.last("setsockopt SO_RCVTIMEO" + where);
        }
    }

    /** Sends one ICMP message (header first; for IPv4 with its checksum already set). */
    public void send(InetAddress destination, byte[] icmpMessage) throws IOException {
        ByteBuffer addr = sockaddr(destination);
        ByteBuffer data = ByteBuffer.allocateDirect(Math.max(1, icmpMessage.length));
        data.put(icmpMessage).flip();
        while (true) {
            long n = libc.sendto(checkedFd(), data, icmpMessage.length, 0, addr, addr.capacity());
            if (n >= 0) {
                if (n != icmpMessage.length) {
                    throw new ErrnoException("sendto " + destination.getHostAddress() + where + " (short write)", 5);
                }
                return;
            }
            int errno = LibC.errno();
            if (errno != EINTR) {
                throw new ErrnoException("sendto " + destination.getHostAddress() + where, errno);
            }
        }
    }

    /**
     * The next ICMP message, or null when the receive timeout passed without one. IPv4 packets
     * come without their IP header.
     */
    public Datagram receive() throws IOException {
        if (family == LibC.AF_INET6) {
            return receive6();
        }
        ByteBuffer addr = ByteBuffer.allocate(SOCKADDR_IN6_LENGTH).order(ByteOrder.nativeOrder());
        while (true) {
            IntByReference addrLen = new IntByReference(SOCKADDR_IN6_LENGTH);
            recvBuf.clear();
            long n = libc.recvfrom(checkedFd(), recvBuf, MAX_PACKET, 0, addr, addrLen);
            if (n < 0) {
                int errno = LibC.errno();
                if (errno == EINTR) {
                    continue;
                }
                if (errno == EAGAIN) {
                    return null;
                }
                throw new ErrnoException("recvfrom" + where, errno);
            }
            byte[] packet = new byte[(int) n];
            recvBuf.get(0, packet);
            InetAddress source = sourceOf(addr);
            if (family == LibC.AF_INET6) {
                return new Datagram(source, packet, -1);
            }
            if (packet.length < 20 || (packet[0] >>> 4 & 0xf) != 4) {
                continue; // not an IPv4 packet: nothing we can parse
            }
            int headerLength = (packet[0] & 0xf) * 4;
            if (headerLength < 20 || headerLength > packet.length) {
                continue;
            }
            int ttl = packet[8] & 0xff;
            return new Datagram(source, Arrays.copyOfRange(packet, headerLength, packet.length), ttl);
        }
    }

    /** recvmsg with the IPV6_HOPLIMIT control message. */
    private Datagram receive6() throws IOException {
        if (msg == null) {
            jnr.ffi.Runtime rt = LibC.runtime();
            msg = jnr.ffi.Memory.allocateDirect(rt, MSGHDR_LENGTH + IOVEC_LENGTH + SOCKADDR_IN6_LENGTH + CONTROL_LENGTH, true);
            packetBuf = jnr.ffi.Memory.allocateDirect(rt, MAX_PACKET);
        }
        long base = msg.address();
        long iov = base + MSGHDR_LENGTH;
        long name = iov + IOVEC_LENGTH;
        long control = name + SOCKADDR_IN6_LENGTH;
        while (true) {
            msg.putLong(0, name);                         // msg_name
            msg.putInt(8, SOCKADDR_IN6_LENGTH);           // msg_namelen
            msg.putLong(16, iov);                         // msg_iov
            msg.putLong(24, 1);                           // msg_iovlen
            msg.putLong(32, control);                     // msg_control
            msg.putLong(40, CONTROL_LENGTH);              // msg_controllen
            msg.putInt(48, 0);                            // msg_flags
            msg.putLong(MSGHDR_LENGTH, packetBuf.address()); // iov_base
            msg.putLong(MSGHDR_LENGTH + 8, MAX_PACKET);   // iov_len
            long n = libc.recvmsg(checkedFd(), msg, 0);
            if (n < 0) {
                int errno = LibC.errno();
                if (errno == EINTR) {
                    continue;
                }
                if (errno == EAGAIN) {
                    return null;
                }
                throw new ErrnoException("recvmsg" + where, errno);
            }
            byte[] packet = new byte[(int) n];
            packetBuf.get(0, packet, 0, packet.length);
            ByteBuffer addr = ByteBuffer.allocate(SOCKADDR_IN6_LENGTH).order(ByteOrder.nativeOrder());
            byte[] sa = new byte[SOCKADDR_IN6_LENGTH];
            msg.get(name - base, sa, 0, sa.length);
            addr.put(0, sa);
            return new Datagram(sourceOf(addr), packet, hopLimitOf(msg, control - base, msg.getLong(40)));
        }
    }

    /** The IPV6_HOPLIMIT value among the control messages, or -1. */
    private static int hopLimitOf(jnr.ffi.Pointer m, long offset, long length) {
        long at = 0;
        while (at + CMSG_HEADER <= length) {
            long len = m.getLong(offset + at);
            int level = m.getInt(offset + at + 8);
            int type = m.getInt(offset + at + 12);
            if (len < CMSG_HEADER || at + len > length) {
                return -1;
            }
            if (level == IPPROTO_IPV6 && type == IPV6_HOPLIMIT && len >= CMSG_HEADER + 4) {
                return m.getInt(offset + at + CMSG_HEADER);
            }
            at += (len + 7) & ~7L;
        }
        return -1;
    }

    private ByteBuffer sockaddr(InetAddress a) {
        if (family == LibC.AF_INET) {
            if (!(a instanceof Inet4Address)) {
                throw new IllegalArgumentException("IPv4 socket cannot send to " + a.getHostAddress());
            }
            ByteBuffer sa = ByteBuffer.allocate(SOCKADDR_IN_LENGTH).order(ByteOrder.nativeOrder());
            sa.putShort(0, (short) LibC.AF_INET); // sin_family, host order; sin_port 0 for raw
            sa.put(4, a.getAddress());
            return sa;
        }
        if (!(a instanceof Inet6Address a6)) {
            throw new IllegalArgumentException("IPv6 socket cannot send to " + a.getHostAddress());
        }
        ByteBuffer sa = ByteBuffer.allocate(SOCKADDR_IN6_LENGTH).order(ByteOrder.nativeOrder());
        sa.putShort(0, (short) LibC.AF_INET6); // sin6_family; port and flowinfo 0
        sa.put(8, a6.getAddress());
        sa.putInt(24, a6.getScopeId()); // sin6_scope_id, for link-local destinations
        return sa;
    }

    private InetAddress sourceOf(ByteBuffer sa) throws UnknownHostException {
        byte[] raw;
        if (family == LibC.AF_INET) {
            raw = new byte[4];
            sa.get(4, raw);
            return InetAddress.getByAddress(raw);
        }
        raw = new byte[16];
        sa.get(8, raw);
        int scope = sa.getInt(24);
        return Inet6Address.getByAddress(null, raw, scope == 0 ? -1 : scope);
    }

    private void setIntOption(int level, int name, int value, String what) throws ErrnoException {
        ByteBuffer v = ByteBuffer.allocate(4).order(ByteOrder.nativeOrder()).putInt(0, value);
        if (libc.setsockopt(checkedFd(), level, name, v, 4) < 0) {
            throw ErrnoException.last("setsockopt " + what + where);
        }
    }

    private int checkedFd() {
        int f = fd;
        if (f < 0) {
            throw new IllegalStateException("raw ICMP socket is closed");
        }
        return f;
    }

    public boolean isOpen() {
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
