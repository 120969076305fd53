package io.cxt.cxtp;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.util.Collection;
import java.util.concurrent.CompletableFuture;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import io.cxt.sys.NativeUdpSocket;
import io.cxt.sys.SocketFilter;

/**
 * CXTP over UDP: one message per datagram. RFC 4067 allows this for experiments between routers
 * (section 3.1, "direct deployment on top of a transport protocol ... using retransmits with
 * exponential backoff") and between MN and AR (section 3.2, "definition of a UDP protocol instead
 * of ICMP"). Retransmission, acknowledgement matching, repeat suppression and CT_REQUEST_RATE are
 * {@link ReliableDelivery}'s; with {@link TransportOptions#protection()} set, every datagram is a
 * {@link RouterChannelProtection} envelope and anything that does not open is dropped and counted
 * ({@link TransportCounter#PROTECTION_REJECTED}).
 *
 * <p>The socket is cxt's own ({@link NativeUdpSocket}), so that what cannot be wanted is shed in
 * the kernel before it takes a place in the receive buffer (issue 12: a flood of forged datagrams
 * filled the nAR's buffers and the legitimate MN's CTAR was dropped with them):
 * <ul>
 *   <li>{@link #admitOnlyFrom}: the router channel keeps only datagrams from its configured peers'
 *       address and port (what the envelope check would refuse anyway);</li>
 *   <li>{@link #openWithPriorityLane}: the MN-facing port is two sockets in a reuseport group, and
 *       {@link #steerCtarsFor} sends the CTARs of the MNs whose contexts are held here to the first,
 *       with its own buffer and receive thread, so forged CTARs for unknown MNs, however many, queue
 *       only behind each other.</li>
 * </ul>
 * Each socket is read in batches ({@code recvmmsg}); the only per-datagram allocation is the copy
 * handed on (and the source address).
 */
public final class UdpTransport implements CxtpTransport {

    private static final Logger LOG = LoggerFactory.getLogger(UdpTransport.class);
    /** Router channel: any datagram (a PCTD of many SAs); 8 per batch. */
    private static final NativeUdpSocket.Options ANY_DATAGRAM = NativeUdpSocket.Options.defaults().withBatch(8, 65_536);
    /** MN-facing port: CTARs and CTAAs are short ({@link ReliableDelivery} screens CTARs above 1 KiB). */
    private static final NativeUdpSocket.Options SHORT_DATAGRAMS = NativeUdpSocket.Options.defaults().withBatch(32, 4096);

    /** How much nicer than the process a laned port's shared-queue reader runs (10: weight 110 against 1024). */
    static final int SHARED_QUEUE_NICE_STEPS = 10;

    private final NativeUdpSocket socket;
    /** The priority lane's socket (index 0 of the reuseport group), or null. */
    private final NativeUdpSocket priority;
    private final InetSocketAddress localAddress;
    private final RouterChannelProtection protection;
    private final TransportCounters counters = new TransportCounters();
    private final ReliableDelivery delivery;
    private final InboundEnvelopes inbound;
    private final Thread receiveThread;
    private final Thread priorityThread;
    private volatile boolean closed;

    /** Told about every envelope {@link RouterChannelProtection} refused (on the receive thread; must not block). */
    @FunctionalInterface
    public interface RejectionListener {
        void rejected(InetSocketAddress from, RouterChannelProtection.RejectionReason reason);
    }

    private UdpTransport(NativeUdpSocket socket, NativeUdpSocket priority, CxtpReceiver receiver, TransportOptions options,
                         RejectionListener rejectionListener) {
        this.socket = socket;
        this.priority = priority;
        this.localAddress = socket.localAddress();
        this.protection = options.protection();
        this.delivery = new ReliableDelivery("udp-" + localAddress.getPort(), this::transmit, receiver, options, counters);
        this.inbound = new InboundEnvelopes("udp " + localAddress, protection, counters, rejectionListener, delivery);
        this.receiveThread = new Thread(() -> receiveLoop(socket), "cxtp-udp-" + localAddress.getPort() + "-receive");
        this.receiveThread.setDaemon(true);
        this.priorityThread = priority == null ? null
                : new Thread(() -> receiveLoop(priority), "cxtp-udp-" + localAddress.getPort() + "-priority");
        if (priorityThread != null) {
            priorityThread.setDaemon(true);
        }
    }

    /**
     * Binds a UDP socket (port 0 for an ephemeral one, {@link CxtpConstants#PORT} for the CXTP
     * port) and starts receiving.
     */
    public static UdpTransport open(InetSocketAddress bindAddress, CxtpReceiver receiver, TransportOptions options)
            throws IOException {
        return open(bindAddress, receiver, options, null);
    }

    /** As {@link #open(InetSocketAddress, CxtpReceiver, TransportOptions)}, telling {@code rejections} about refused envelopes. */
    public static UdpTransport open(InetSocketAddress bindAddress, CxtpReceiver receiver, TransportOptions options,
                                    RejectionListener rejections) throws IOException {
        NativeUdpSocket s = bind(bindAddress, ANY_DATAGRAM);
        return start(s, null, receiver, options, rejections);
    }

    /**
     * The MN-facing port with a priority lane: two sockets on {@code bindAddress} in a reuseport
     * group, the first read by its own thread and fed, by {@link #steerCtarsFor}, only the CTARs of
     * MNs whose contexts are held here. Until then every datagram goes to the second. Where the
     * kernel refuses the group's selector, one socket serves alone (logged once).
     */
    public static UdpTransport openWithPriorityLane(InetSocketAddress bindAddress, CxtpReceiver receiver, TransportOptions options)
            throws IOException {
        // SO_REUSEPORT would let a second agent (same user) join this port silently and take half
        // its datagrams: a plain bind first fails, as without the lane, if anything holds the port,
        // and picks the port when 0 is asked for.
        InetSocketAddress at;
        try (NativeUdpSocket probe = bind(bindAddress, SHORT_DATAGRAMS.withBatch(1, 1))) {
            at = probe.localAddress();
        }
        NativeUdpSocket.Options o = SHORT_DATAGRAMS.withReusePort(true);
        NativeUdpSocket first = bind(at, o);
        NativeUdpSocket second;
        try {
            second = bind(first.localAddress(), o);
        } catch (IOException | RuntimeException e) {
            first.close();
            throw e;
        }
        try {
            first.attachReusePortSelector(SocketFilter.steerCtarsFor(java.util.List.of(), first.ipv6()));
        } catch (IOException e) {
            LOG.warn("udp {}: no priority lane for expected CTARs ({}); one socket serves all", first.localAddress(), e.getMessage());
            first.close();
            return start(second, null, receiver, options, null);
        }
        return start(second, first, receiver, options, null);
    }

    private static NativeUdpSocket bind(InetSocketAddress bindAddress, NativeUdpSocket.Options o) throws IOException {
        try {
            return NativeUdpSocket.open(bindAddress, o);
        } catch (io.cxt.sys.ErrnoException e) {
            // the same text as the JDK's sockets gave ("...: Address already in use")
            throw io.cxt.sys.BindFailure.of("UDP", bindAddress, new IOException(io.cxt.sys.ErrnoException.describe(e.errno()), e));
        }
    }

    private static UdpTransport start(NativeUdpSocket s, NativeUdpSocket priority, CxtpReceiver receiver, TransportOptions options,
                                      RejectionListener rejections) {
        UdpTransport t = new UdpTransport(s, priority, receiver, options, rejections);
        t.receiveThread.start();
        if (t.priorityThread != null) {
            t.priorityThread.start();
        }
        return t;
    }

    public InetSocketAddress localAddress() {
        return localAddress;
    }

    /**
     * Keeps only datagrams from these sources (address and port) from now on: others are dropped
     * by the kernel, uncounted here (the socket's drop count has them: {@link #kernelDrops()}).
     * Called again, it replaces the list.
     */
    public void admitOnlyFrom(Collection<InetSocketAddress> sources) throws IOException {
        socket.attachFilter(SocketFilter.admitOnlySources(sources, socket.ipv6()));
    }

    /**
     * Sends the CTARs naming these MN previous addresses to the priority lane from now on (the
     * first {@link SocketFilter#MAX_STEERED}); replaces the earlier list. No-op without a lane.
     */
    public void steerCtarsFor(Collection<InetAddress> previousAddresses) throws IOException {
        if (priority != null) {
            priority.attachReusePortSelector(SocketFilter.steerCtarsFor(previousAddresses, priority.ipv6()));
        }
    }

    /** Whether CTARs of held MNs have a socket of their own. */
    public boolean hasPriorityLane() {
        return priority != null;
    }

    /** Datagrams the kernel dropped at this transport's sockets (full buffers, filters), or -1 if unknown. */
    public long kernelDrops() {
        long d = socket.drops();
        if (priority != null && d >= 0) {
            long p = priority.drops();
            d = p < 0 ? -1 : d + p;
        }
        return d;
    }

    /** Datagrams the kernel dropped at the priority lane's socket (its buffer full), or -1 without a lane. */
    public long priorityLaneDrops() {
        return priority == null ? -1 : priority.drops();
    }

    @Override
    public CompletableFuture<SendResult> send(InetSocketAddress peer, byte[] message) throws IOException {
        return delivery.send(peer, message);
    }

    private void transmit(InetSocketAddress peer, byte[] message) throws IOException {
        byte[] datagram = protection == null ? message : protection.sealFor(peer, message);
        socket.send(peer, datagram);
    }

    private void receiveLoop(NativeUdpSocket from) {
        if (priority != null && from == socket) {
            // the shared queue of a laned port is where a flood lands: its reader yields the CPU to
            // the priority lane and the activation under contention (and runs as before without)
            io.cxt.sys.RealtimeThreads.yieldToHandoverThreads(SHARED_QUEUE_NICE_STEPS);
        }
        io.cxt.sys.RealtimeThreads.Budget realtime = from == socket && priority != null ? io.cxt.sys.RealtimeThreads.Budget.NONE
                : io.cxt.sys.RealtimeThreads.enterCurrentThread(Thread.currentThread().getName());
        io.cxt.health.ReceiveLoops.process().watch(Thread.currentThread().getName(), () -> closed,
                beat -> receive(from, realtime, beat));
    }

    private void receive(NativeUdpSocket from, io.cxt.sys.RealtimeThreads.Budget realtime, io.cxt.health.ReceiveLoops.Loop beat) {
        while (!closed) {
            try {
                NativeUdpSocket.Batch batch = from.receive();
                if (batch == null) {
                    return;
                }
                for (int i = 0; i < batch.count(); i++) {
                    realtime.received();
                    if (batch.truncated(i)) {
                        counters.increment(TransportCounter.MALFORMED);
                        batch.wipe(i);
                        continue;
                    }
                    if (from == priority) {
                        counters.increment(TransportCounter.PRIORITY_LANE);
                    }
                    beat.busy();
                    try {
                        byte[] datagram = batch.copy(i);
                        batch.wipe(i);
                        inbound.deliver(batch.source(i), datagram);
                    } finally {
                        beat.idle();
                    }
                }
            } catch (IOException | RuntimeException e) {
                if (!closed) {
                    LOG.warn("udp {}: receive failed", localAddress, e);
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
        socket.shutdown();
        if (priority != null) {
            priority.shutdown();
        }
        for (Thread t : priorityThread == null ? new Thread[] {receiveThread} : new Thread[] {receiveThread, priorityThread}) {
            try {
                t.join(2000);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
        socket.close();
        if (priority != null) {
            priority.close();
        }
    }

    @Override
    public String toString() {
        return "UdpTransport[" + localAddress + (protection != null ? ", protected" : "") + (priority != null ? ", priority lane" : "") + "]";
    }
}
