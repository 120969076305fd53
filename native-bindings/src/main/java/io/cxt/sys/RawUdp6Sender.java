package io.cxt.sys;

import java.io.Closeable;
import java.io.IOException;
import java.net.Inet6Address;
import java.net.InetAddress;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;

/**
 * Sends UDP datagrams over IPv6 from a given source address and <em>any</em> source port, including one another
 * process has bound (cxt sends a copy of charon's IKE response from charon's port 4500): a raw IPv6 socket of
 * protocol UDP, bound to the source address, on which the caller's octets follow an 8-octet UDP header this class
 * writes and the kernel completes with the checksum (IPV6_CHECKSUM at offset 6, RFC 3542 section 3.1; the kernel
 * sends a zero sum as 0xffff). Needs CAP_NET_RAW.
 *
 * <p>It receives nothing: a raw UDP socket would get a copy of every UDP packet reaching the host, so a filter that
 * keeps nothing is attached before the bind. Any thread may send; sends are serialised.
 */
public final class RawUdp6Sender implements Closeable {
    static final int IPPROTO_IPV6 = 41;
    static final int IPPROTO_UDP = 17;
    static final int IPV6_CHECKSUM = 7;
    static final int IPV6_XFRM_POLICY = 35;
    /** struct xfrm_userpolicy_info on LP64: selector 56, lifetime cfg 64, cur 32, priority, index, dir, action, flags, share. */
    private static final int USERPOLICY_INFO_LENGTH = 168;
    private static final int UDP_CHECKSUM_OFFSET = 6;
    private static final int SOCKADDR_IN6_LENGTH = 28;
    private static final int MAX_DATAGRAM = 65_535 - 8;
    private static final int EINTR = 4;

    private final LibC libc = LibC.INSTANCE;
    private final Inet6Address source;
    private volatile int fd;

    private RawUdp6Sender(int fd, Inet6Address source) {
        this.fd = fd;
        this.source = source;
    }

    /** Opens the sender in {@code ns} (here when null), sending from {@code source}, an address of that namespace. */
    public static RawUdp6Sender open(NetNamespace ns, InetAddress source) throws IOException {
        if (!(source instanceof Inet6Address s6)) {
            throw new IllegalArgumentException("an IPv6 source address is needed: " + source.getHostAddress());
        }
        int type = LibC.SOCK_RAW | LibC.SOCK_CLOEXEC;
        int fd = NativeSockets.openRaw(ns, LibC.AF_INET6, type, IPPROTO_UDP, "raw UDP socket");
        RawUdp6Sender r = new RawUdp6Sender(fd, s6);
        try {
            NativeSockets.attachFilter(fd, SocketFilter.dropAll());
            NativeSockets.setInt(fd, IPPROTO_IPV6, IPV6_CHECKSUM, UDP_CHECKSUM_OFFSET, "IPV6_CHECKSUM");
            bypassIpsec(fd);
            ByteBuffer sa = sockaddr(s6);
            if (LibC.INSTANCE.bind(fd, sa, SOCKADDR_IN6_LENGTH) < 0) {
                throw ErrnoException.last("bind raw UDP socket to " + s6.getHostAddress());
            }
            return r;
        } catch (IOException | RuntimeException e) {
            r.close();
            throw e;
        }
    }

    public InetAddress source() {
        return source;
    }

    /** Sends {@code payload} from {@code source():sourcePort} to {@code to:destinationPort}. */
    public synchronized void send(int sourcePort, InetAddress to, int destinationPort, byte[] payload) throws IOException {
        if (!(to instanceof Inet6Address t6)) {
            throw new IllegalArgumentException("an IPv6 destination is needed: " + to.getHostAddress());
        }
        if (payload.length > MAX_DATAGRAM || sourcePort < 1 || sourcePort > 0xffff || destinationPort < 1
                || destinationPort > 0xffff) {
            throw new IllegalArgumentException("bad UDP datagram: ports " + sourcePort + "/" + destinationPort + ", "
                    + payload.length + " octets");
        }
        int f = fd;
        if (f < 0) {
            throw new java.nio.channels.ClosedChannelException();
        }
        int length = 8 + payload.length;
        ByteBuffer data = ByteBuffer.allocate(length); // big-endian: the UDP header's order
        data.putShort((short) sourcePort).putShort((short) destinationPort).putShort((short) length).putShort((short) 0)
                .put(payload).flip();
        ByteBuffer sa = sockaddr(t6);
        while (true) {
            long n = libc.sendto(f, data, length, 0, sa, SOCKADDR_IN6_LENGTH);
            if (n == length) {
                return;
            }
            if (n >= 0) {
                throw new IOException("raw UDP send to " + t6.getHostAddress() + " sent " + n + " of " + length + " octets");
            }
            int errno = LibC.errno();
            if (errno != EINTR) {
                throw new ErrnoException("sendto (raw UDP) " + t6.getHostAddress() + " port " + destinationPort, errno);
            }
        }
    }

    /**
     * A per-socket policy that lets what this socket sends leave unprotected, whatever IPsec policy covers the
     * destination: the copy must travel as charon's own IKE datagrams do, which charon sends through sockets with
     * the same bypass (kernel_netlink_ipsec.c add_socket_bypass). It belongs to the socket and goes with it; the
     * kernel's policy database is not touched. Needs CAP_NET_ADMIN.
     */
    private static void bypassIpsec(int fd) throws ErrnoException {
        ByteBuffer p = ByteBuffer.allocate(USERPOLICY_INFO_LENGTH).order(ByteOrder.nativeOrder());
        p.putShort(40, (short) LibC.AF_INET6); // selector family; the rest of the selector 0: any
        for (int i = 0; i < 4; i++) {
            p.putLong(56 + 8 * i, -1L); // byte and packet limits XFRM_INF, as charon sets them; expiry times 0: none
        }
        p.put(160, (byte) 1);                 // dir XFRM_POLICY_OUT
        p.put(161, (byte) 0);                 // action XFRM_POLICY_ALLOW
        if (LibC.INSTANCE.setsockopt(fd, IPPROTO_IPV6, IPV6_XFRM_POLICY, p, USERPOLICY_INFO_LENGTH) < 0) {
            throw ErrnoException.last("setsockopt IPV6_XFRM_POLICY (IPsec bypass for the IKE response copy; needs CAP_NET_ADMIN)");
        }
    }

    /** sockaddr_in6 with port 0 (a raw socket takes the protocol, not a port, there). */
    private static ByteBuffer sockaddr(Inet6Address a) {
        ByteBuffer sa = ByteBuffer.allocate(SOCKADDR_IN6_LENGTH).order(ByteOrder.nativeOrder());
        sa.putShort(0, (short) LibC.AF_INET6);
        sa.put(8, a.getAddress());
        sa.putInt(24, a.getScopeId());
        return sa;
    }

    @Override
    public synchronized void close() {
        int f = fd;
        if (f >= 0) {
            fd = -1;
            libc.close(f);
        }
    }
}
