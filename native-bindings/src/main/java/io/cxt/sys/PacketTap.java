package io.cxt.sys;

import java.io.Closeable;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.time.Duration;

import jnr.ffi.Memory;
import jnr.ffi.Pointer;

/**
 * A read-only packet tap: an AF_PACKET socket (SOCK_DGRAM, all protocols, all interfaces of its network namespace)
 * that sees the packets this host sends as well as those it receives, the way tcpdump does, with a classic BPF
 * program deciding in the kernel which ones reach user space. Needs CAP_NET_RAW. It changes nothing: no interface
 * goes promiscuous, no packet is held back or altered.
 *
 * <p>Why AF_PACKET: the only Linux socket that sees another process's outgoing datagrams (raw IP sockets see
 * incoming ones only). Outgoing packets reach it after the egress qdisc, as the device transmits them.
 *
 * <p>The filter is attached before the socket is bound to a protocol, so not one unfiltered packet is queued. Each
 * {@link #receive} returns one packet from its network header on (the link-layer header is removed by SOCK_DGRAM).
 * One thread receives; {@link #close} from another wakes it within the receive timeout.
 */
public final class PacketTap implements Closeable {
    static final int AF_PACKET = 17;
    /** ETH_P_ALL in network order: outgoing packets are delivered to ETH_P_ALL taps only. */
    static final int ETH_P_ALL_BE = 0x0300;
    private static final int SOCKADDR_LL_LENGTH = 20;
    private static final int EINTR = 4;
    private static final int EAGAIN = 11;

    private final LibC libc = LibC.INSTANCE;
    private final int snapLength;
    private final Pointer buffer;
    private volatile int fd;

    private PacketTap(int fd, int snapLength) {
        this.fd = fd;
        this.snapLength = snapLength;
        this.buffer = Memory.allocateDirect(LibC.runtime(), snapLength, true);
    }

    /**
     * Opens the tap in {@code ns} (here when null) with {@code filter}, keeping at most {@code snapLength} octets of
     * a packet, and at most {@code receiveBuffer} octets queued (0: the system default).
     */
    public static PacketTap open(NetNamespace ns, SocketFilter filter, int snapLength, int receiveBuffer,
            Duration receiveTimeout) throws IOException {
        if (snapLength < 64 || snapLength > 65_536) {
            throw new IllegalArgumentException("snap length 64-65536: " + snapLength);
        }
        int type = LibC.SOCK_DGRAM | LibC.SOCK_CLOEXEC;
        // protocol 0: receives nothing until bound with ETH_P_ALL below, after the filter is in place
        int fd = NativeSockets.openRaw(ns, AF_PACKET, type, 0, "AF_PACKET socket");
        PacketTap t = new PacketTap(fd, snapLength);
        try {
            NativeSockets.attachFilter(fd, filter);
            if (receiveBuffer > 0) {
                NativeSockets.setInt(fd, LibC.SOL_SOCKET, LibC.SO_RCVBUF, receiveBuffer, "SO_RCVBUF");
            }
            NativeSockets.setReceiveTimeout(fd, receiveTimeout);
            ByteBuffer ll = ByteBuffer.allocate(SOCKADDR_LL_LENGTH).order(ByteOrder.nativeOrder());
            ll.putShort(0, (short) AF_PACKET).putShort(2, (short) ETH_P_ALL_BE).putInt(4, 0); // ifindex 0: all
            if (LibC.INSTANCE.bind(fd, ll, SOCKADDR_LL_LENGTH) < 0) {
                throw ErrnoException.last("bind AF_PACKET (all interfaces)");
            }
            return t;
        } catch (IOException | RuntimeException e) {
            t.close();
            throw e;
        }
    }

    /**
     * Copies the next packet (from its network header, at most the snap length) into {@code into}, blocking up to the
     * receive timeout. Returns its length, 0 on timeout, -1 once the tap is closed.
     */
    public int receive(byte[] into) throws IOException {
        while (true) {
            int f = fd;
            if (f < 0) {
                return -1;
            }
            long n = libc.recv(f, buffer, snapLength, 0);
            if (n >= 0) {
                int len = (int) Math.min(n, Math.min(snapLength, into.length));
                buffer.get(0, into, 0, len);
                return len;
            }
            int errno = LibC.errno();
            if (errno == EINTR) {
                continue;
            }
            if (errno == EAGAIN) {
                return fd < 0 ? -1 : 0;
            }
            if (fd < 0) {
                return -1;
            }
            throw new ErrnoException("recv AF_PACKET", errno);
        }
    }

    /** Packets the kernel dropped for this tap (full buffer), from SO_MEMINFO; -1 if unknown. */
    public long drops() {
        return NativeSockets.drops(fd);
    }

    /** Releases the socket; a blocked {@link #receive} returns -1 within its timeout. */
    @Override
    public synchronized void close() {
        int f = fd;
        if (f >= 0) {
            fd = -1;
            libc.close(f);
        }
    }
}
