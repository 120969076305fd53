package io.cxt.cxtp;

import java.io.IOException;
import java.net.Inet4Address;
import java.net.InetSocketAddress;
import java.net.ProtocolFamily;
import java.net.StandardProtocolFamily;
import java.nio.ByteBuffer;
import java.nio.channels.ClosedChannelException;
import java.nio.channels.DatagramChannel;
import java.util.Arrays;
import java.util.concurrent.CompletableFuture;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * CXTP over UDP: one message per datagram. RFC 4067 allows this for experiments between routers
 * (section 3.1, "direct deployment on top of a transport protocol ... using retransmits with
 * exponential backoff") and between MN and AR (section 3.2, "definition of a UDP protocol instead
 * of ICMP"). Retransmission, acknowledgement matching, repeat suppression and CT_REQUEST_RATE are
 * {@link ReliableDelivery}'s; with {@link TransportOptions#protection()} set, every datagram is a
 * {@link RouterChannelProtection} envelope and anything that does not open is dropped and counted
 * ({@link TransportCounter#PROTECTION_REJECTED}).
 */
public final class UdpTransport implements CxtpTransport {

    private static final Logger LOG = LoggerFactory.getLogger(UdpTransport.class);
    private static final int MAX_DATAGRAM = 65_535;

    private final DatagramChannel channel;
    private final InetSocketAddress localAddress;
    private final RouterChannelProtection protection;
    private final TransportCounters counters = new TransportCounters();
    private final ReliableDelivery delivery;
    private final InboundEnvelopes inbound;
    private final Thread receiveThread;
    private final RejectionListener rejectionListener;
    private volatile boolean closed;
    /** The receive thread's own (see RealtimeThreads: a flood puts it back in the normal class). */
    private io.cxt.sys.RealtimeThreads.Budget realtime = io.cxt.sys.RealtimeThreads.Budget.NONE;

    /** Told about every envelope {@link RouterChannelProtection} refused (on the receive thread; must not block). */
    @FunctionalInterface
    public interface RejectionListener {
        void rejected(InetSocketAddress from, RouterChannelProtection.RejectionReason reason);
    }

    private UdpTransport(DatagramChannel channel, CxtpReceiver receiver, TransportOptions options,
                         RejectionListener rejectionListener) throws IOException {
        this.rejectionListener = rejectionListener;
        this.channel = channel;
        this.localAddress = (InetSocketAddress) channel.getLocalAddress();
        this.protection = options.protection();
        this.delivery = new ReliableDelivery("udp-" + localAddress.getPort(), this::transmit, receiver, options, counters);
        this.inbound = new InboundEnvelopes("udp " + localAddress, protection, counters, rejectionListener, delivery);
        this.receiveThread = new Thread(this::receiveLoop, "cxtp-udp-" + localAddress.getPort() + "-receive");
        this.receiveThread.setDaemon(true);
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
        ProtocolFamily family = bindAddress.getAddress() instanceof Inet4Address
                ? StandardProtocolFamily.INET : StandardProtocolFamily.INET6;
        DatagramChannel ch = DatagramChannel.open(family);
        try {
            try {
                ch.bind(bindAddress);
            } catch (IOException e) {
                throw io.cxt.sys.BindFailure.of("UDP", bindAddress, e);
            }
            UdpTransport t = new UdpTransport(ch, receiver, options, rejections);
            t.receiveThread.start();
            return t;
        } catch (IOException | RuntimeException e) {
            ch.close();
            throw e;
        }
    }

    public InetSocketAddress localAddress() {
        return localAddress;
    }

    @Override
    public CompletableFuture<SendResult> send(InetSocketAddress peer, byte[] message) throws IOException {
        return delivery.send(peer, message);
    }

    private void transmit(InetSocketAddress peer, byte[] message) throws IOException {
        byte[] datagram = protection == null ? message : protection.sealFor(peer, message);
        int n = channel.send(ByteBuffer.wrap(datagram), peer);
        if (n != datagram.length) {
            throw new IOException("UDP send to " + peer + " queued " + n + " of " + datagram.length + " octets");
        }
    }

    private void receiveLoop() {
        realtime = io.cxt.sys.RealtimeThreads.enterCurrentThread(Thread.currentThread().getName());
        io.cxt.health.ReceiveLoops.process().watch(Thread.currentThread().getName(), () -> closed, this::receive);
    }

    private void receive(io.cxt.health.ReceiveLoops.Loop beat) {
        ByteBuffer buf = ByteBuffer.allocate(MAX_DATAGRAM + 1);
        while (!closed) {
            try {
                buf.clear();
                InetSocketAddress from = (InetSocketAddress) channel.receive(buf);
                if (from == null) {
                    continue;
                }
                realtime.received();
                beat.busy();
                try {
                    inbound.deliver(from, Arrays.copyOf(buf.array(), buf.position()));
                } finally {
                    beat.idle();
                }
            } catch (ClosedChannelException e) {
                return;
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
        try {
            channel.close();
        } catch (IOException e) {
            LOG.debug("udp {}: close: {}", localAddress, e.toString());
        }
        try {
            receiveThread.join(2000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    @Override
    public String toString() {
        return "UdpTransport[" + localAddress + (protection != null ? ", protected" : "") + "]";
    }
}
