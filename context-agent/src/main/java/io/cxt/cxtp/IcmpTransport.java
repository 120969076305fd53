package io.cxt.cxtp;

import java.io.IOException;
import java.net.Inet4Address;
import java.net.Inet6Address;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import io.cxt.sys.LibC;
import io.cxt.sys.NetNamespace;
import io.cxt.sys.RawIcmpSocket;

/**
 * CXTP between MN and AR over ICMP (RFC 4067 section 3.2): CTAR and CTAA in ICMPv6 type 150 or
 * ICMPv4 type 41, code 0, subtype 1 ({@link IcmpCxtpFraming}), sent with hop limit 255 from a raw
 * socket ({@link RawIcmpSocket}, needs CAP_NET_RAW) that may live in another network namespace.
 * CTAR retransmission, CTAA matching, repeat suppression and CT_REQUEST_RATE are
 * {@link ReliableDelivery}'s. Peers are addresses; the port of a peer is ignored (reported as 0).
 *
 * <p>Receive checks: only CTAR and CTAA are accepted ({@link TransportCounter#UNEXPECTED_TYPE}
 * otherwise); messages must arrive with TTL or hop limit 255, i.e. from the link
 * ({@link TransportCounter#WRONG_HOP_LIMIT}; the ICMPv6 hop limit comes from IPV6_RECVHOPLIMIT
 * ancillary data, and a message without it is refused too). Checked before anything is decoded
 * or charged to the CTAR rate. Other ICMP traffic the socket sees is ignored silently; ICMPv6 is
 * filtered to type 150 in the kernel.
 */
public final class IcmpTransport implements CxtpTransport {

    private static final Logger LOG = LoggerFactory.getLogger(IcmpTransport.class);

    /** How often the receive thread looks up from a blocking receive to notice close(). */
    static final Duration RECEIVE_POLL = Duration.ofMillis(200);

    private final RawIcmpSocket socket;
    private final boolean ipv6;
    private final String name;
    private final TransportCounters counters = new TransportCounters();
    private final ReliableDelivery delivery;
    private final Thread receiveThread;
    private volatile boolean closed;
    /** The receive thread's own (see RealtimeThreads: a flood puts it back in the normal class). */
    private io.cxt.sys.RealtimeThreads.Budget realtime = io.cxt.sys.RealtimeThreads.Budget.NONE;

    private IcmpTransport(RawIcmpSocket socket, String name, CxtpReceiver receiver, TransportOptions options) {
        this.socket = socket;
        this.ipv6 = socket.family() == LibC.AF_INET6;
        this.name = name;
        this.delivery = new ReliableDelivery(name, this::transmit, receiver, options, counters);
        this.receiveThread = new Thread(this::receiveLoop, "cxtp-" + name + "-receive");
        this.receiveThread.setDaemon(true);
    }

    /**
     * Opens the raw socket in {@code namespace} (here when null) and starts receiving.
     *
     * @param family {@link LibC#AF_INET6} (ICMPv6 type 150) or {@link LibC#AF_INET} (ICMP type 41)
     * @throws IllegalArgumentException if options ask for router channel protection (MN-AR has none)
     */
    public static IcmpTransport open(int family, NetNamespace namespace, CxtpReceiver receiver,
                                     TransportOptions options) throws IOException {
        if (options.protection() != null) {
            throw new IllegalArgumentException("router channel protection does not apply to the MN-AR ICMP transport");
        }
        RawIcmpSocket s = RawIcmpSocket.open(family, namespace);
        try {
            s.setHopLimit(CxtpConstants.ICMP_HOP_LIMIT);
            if (family == LibC.AF_INET6) {
                s.passOnlyIcmpv6Types(CxtpConstants.ICMPV6_TYPE);
            }
            s.setReceiveTimeout(RECEIVE_POLL);
            String name = (family == LibC.AF_INET6 ? "icmpv6" : "icmpv4") + (namespace == null ? "" : "@" + namespace.name());
            IcmpTransport t = new IcmpTransport(s, name, receiver, options);
            t.receiveThread.start();
            return t;
        } catch (IOException | RuntimeException e) {
            s.close();
            throw e;
        }
    }

    @Override
    public CompletableFuture<SendResult> send(InetSocketAddress peer, byte[] message) throws IOException {
        if (message == null || message.length < 1 || !carried(message)) {
            throw new IllegalArgumentException("the MN-AR ICMP transport carries CTAR and CTAA only");
        }
        boolean v6 = peer.getAddress() instanceof Inet6Address;
        if (v6 != ipv6 || !(v6 || peer.getAddress() instanceof Inet4Address)) {
            throw new IllegalArgumentException(name + " cannot send to " + peer.getAddress().getHostAddress());
        }
        return delivery.send(new InetSocketAddress(peer.getAddress(), 0), message);
    }

    private static boolean carried(byte[] message) {
        int type = message[0] & 0x1f;
        return type == MessageType.CTAR.code() || type == MessageType.CTAA.code();
    }

    private void transmit(InetSocketAddress peer, byte[] message) throws IOException {
        socket.send(peer.getAddress(), IcmpCxtpFraming.frame(ipv6, message));
    }

    private void receiveLoop() {
        realtime = io.cxt.sys.RealtimeThreads.enterCurrentThread(Thread.currentThread().getName());
        io.cxt.health.ReceiveLoops.process().watch(Thread.currentThread().getName(), () -> closed, this::receive);
    }

    private void receive(io.cxt.health.ReceiveLoops.Loop beat) {
        while (!closed) {
            try {
                RawIcmpSocket.Datagram d = socket.receive();
                if (d == null) {
                    continue;
                }
                realtime.received();
                byte[] message;
                try {
                    message = IcmpCxtpFraming.unframe(ipv6, d.icmp());
                } catch (CxtpDecodeException e) {
                    counters.increment(TransportCounter.MALFORMED);
                    continue;
                }
                if (message == null) {
                    continue; // other ICMP traffic
                }
                if (d.hopLimit() != CxtpConstants.ICMP_HOP_LIMIT) {
                    counters.increment(TransportCounter.WRONG_HOP_LIMIT);
                    LOG.debug("{}: CXTP from {} with hop limit {} ignored", name, d.source(), d.hopLimit());
                    continue;
                }
                if (message.length > 0 && !carried(message)) {
                    counters.increment(TransportCounter.UNEXPECTED_TYPE);
                    continue;
                }
                beat.busy();
                try {
                    delivery.inbound(new InetSocketAddress(d.source(), 0), message);
                } finally {
                    beat.idle();
                }
            } catch (IOException | RuntimeException e) {
                if (!closed) {
                    LOG.warn("{}: receive failed", name, e);
                    try {
                        Thread.sleep(50); // do not spin on a persistent error
                    } catch (InterruptedException ie) {
                        return;
                    }
                }
            }
        }
    }

    @Override
    public TransportCounters counters() {
        return counters;
    }

    @Override
    public void close() {
        closed = true;
        delivery.close();
        try {
            // The socket must outlive the receive thread: closing an fd under a blocked recvfrom
            // could let it read from a recycled descriptor.
            receiveThread.join(RECEIVE_POLL.toMillis() * 5);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        socket.close();
    }

    @Override
    public String toString() {
        return "IcmpTransport[" + name + "]";
    }
}
