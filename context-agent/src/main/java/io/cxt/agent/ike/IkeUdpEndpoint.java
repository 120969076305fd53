package io.cxt.agent.ike;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.StandardProtocolFamily;
import java.nio.ByteBuffer;
import java.nio.channels.DatagramChannel;
import java.util.Arrays;
import java.util.concurrent.atomic.AtomicLong;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import io.cxt.sys.NetNamespace;

/**
 * A UDP socket for IKEv2 messages on port 500 or 4500, optionally created inside a network namespace,
 * with a receive thread that hands every IKE message to a {@link Handler}.
 *
 * <p>Port 4500 framing (RFC 3948 section 2.2, RFC 7296 section 2.23): on the NAT-T port, IKE
 * messages are preceded by the four-octet non-ESP marker (zero), which distinguishes them from
 * UDP-encapsulated ESP (whose first four octets are a non-zero SPI). With {@code nonEspMarker}
 * the endpoint adds the marker on send and requires it on receipt; datagrams without it (ESP in
 * UDP, NAT keepalives of one octet 0xFF) are not IKE and are dropped and counted. On port 500 there
 * is no marker. The marker follows the port chosen unless set explicitly.
 */
public final class IkeUdpEndpoint implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(IkeUdpEndpoint.class);

    public static final int IKE_PORT = 500;
    public static final int NAT_T_PORT = 4500;
    /** Octets of the non-ESP marker. */
    public static final int NON_ESP_MARKER_LENGTH = 4;
    /** The smallest IKE message: its header. */
    static final int IKE_HEADER_LENGTH = 28;
    private static final int MAX_DATAGRAM = 65535;

    /** Receives IKE messages (without the non-ESP marker). Called on the receive thread; must not block long. */
    @FunctionalInterface
    public interface Handler {
        void received(InetSocketAddress from, byte[] ikeMessage, IkeUdpEndpoint via);
    }

    private final DatagramChannel channel;
    private final boolean nonEspMarker;
    private final String name;
    private final Thread receiveThread;
    private final AtomicLong received = new AtomicLong();
    private final AtomicLong dropped = new AtomicLong();
    private volatile Handler handler;
    private volatile boolean closed;
    /** The receive thread's own (see RealtimeThreads: a flood puts it back in the normal class). */
    private io.cxt.sys.RealtimeThreads.Budget realtime = io.cxt.sys.RealtimeThreads.Budget.NONE;

    private IkeUdpEndpoint(DatagramChannel channel, boolean nonEspMarker, String name, Handler handler) {
        this.channel = channel;
        this.nonEspMarker = nonEspMarker;
        this.name = name;
        this.handler = handler;
        this.receiveThread = new Thread(this::receiveLoop, "ike-" + name);
        this.receiveThread.setDaemon(true);
    }

    /** Opens on {@code port} of the wildcard address (IPv6 socket, IPv4 too where the host allows). */
    public static IkeUdpEndpoint open(int port, NetNamespace namespace, Handler handler) throws IOException {
        return open(new InetSocketAddress(java.net.Inet6Address.getByAddress(null, new byte[16], null), port), namespace,
                port == NAT_T_PORT, handler);
    }

    /**
     * Opens the socket (inside {@code namespace} when not null: the socket stays in the namespace it
     * was created in) and starts the receive thread.
     *
     * @param bind          local address and port (port 0 picks one, for tests)
     * @param nonEspMarker  whether messages carry the four-octet non-ESP marker (port 4500 framing)
     * @param handler       where received messages go (may be set later with {@link #setHandler})
     */
    public static IkeUdpEndpoint open(InetSocketAddress bind, NetNamespace namespace, boolean nonEspMarker,
            Handler handler) throws IOException {
        DatagramChannel[] made = new DatagramChannel[1];
        NetNamespace.IntAction create = () -> {
            InetAddress a = bind.getAddress();
            boolean v4Only = a instanceof java.net.Inet4Address && !a.isAnyLocalAddress();
            DatagramChannel ch = v4Only ? DatagramChannel.open(StandardProtocolFamily.INET)
                    : DatagramChannel.open(StandardProtocolFamily.INET6);
            InetSocketAddress local = a == null || a.isAnyLocalAddress()
                    ? new InetSocketAddress(java.net.Inet6Address.getByAddress(null, new byte[16], null), bind.getPort())
                    : bind;
            try {
                ch.bind(v4Only ? bind : local);
            } catch (IOException e) {
                ch.close();
                throw io.cxt.sys.BindFailure.of("UDP (IKE)", v4Only ? bind : local, e);
            } catch (RuntimeException e) {
                ch.close();
                throw e;
            }
            made[0] = ch;
            return 0;
        };
        if (namespace == null) {
            create.run();
        } else {
            namespace.runInside(create);
        }
        DatagramChannel ch = made[0];
        ch.configureBlocking(true);
        String name = ((InetSocketAddress) ch.getLocalAddress()).getPort() + (namespace == null ? "" : "@" + namespace.name());
        IkeUdpEndpoint e = new IkeUdpEndpoint(ch, nonEspMarker, name, handler);
        e.receiveThread.start();
        return e;
    }

    public void setHandler(Handler h) {
        this.handler = h;
    }

    /**
     * A handler that sends requests (R flag clear) to {@code requests} and responses to
     * {@code responses}: one endpoint can serve the responder and the initiator of an agent.
     */
    public static Handler byDirection(Handler requests, Handler responses) {
        return (from, msg, via) -> {
            boolean response = msg.length >= IKE_HEADER_LENGTH && (msg[19] & 0x20) != 0;
            Handler h = response ? responses : requests;
            if (h != null) {
                h.received(from, msg, via);
            }
        };
    }

    /** Sends one IKE message (the marker is added on port 4500 framing). */
    public void send(InetSocketAddress to, byte[] ikeMessage) throws IOException {
        ByteBuffer b = ByteBuffer.allocate(ikeMessage.length + (nonEspMarker ? NON_ESP_MARKER_LENGTH : 0));
        if (nonEspMarker) {
            b.putInt(0);
        }
        b.put(ikeMessage).flip();
        channel.send(b, to);
        sent.incrementAndGet();
        sentOctets.addAndGet(b.limit());
    }

    private final AtomicLong sent = new AtomicLong();
    private final AtomicLong sentOctets = new AtomicLong();
    private final AtomicLong receivedOctets = new AtomicLong();

    /**
     * Counters for the agent's {@code stats}: {@code ike.sent.messages}, {@code ike.sent.octets},
     * {@code ike.received.messages}, {@code ike.received.octets} (UDP payload octets, the non-ESP
     * marker included on port 4500), {@code ike.dropped}.
     */
    public java.util.Map<String, Long> counters() {
        return new java.util.TreeMap<>(java.util.Map.of("ike.sent.messages", sent.get(), "ike.sent.octets", sentOctets.get(),
                "ike.received.messages", received.get(), "ike.received.octets", receivedOctets.get(),
                "ike.dropped", dropped.get()));
    }

    /** The framing applied to a message on the wire (the marker and the message). */
    public static byte[] frame(byte[] ikeMessage, boolean nonEspMarker) {
        if (!nonEspMarker) {
            return ikeMessage.clone();
        }
        byte[] out = new byte[ikeMessage.length + NON_ESP_MARKER_LENGTH];
        System.arraycopy(ikeMessage, 0, out, NON_ESP_MARKER_LENGTH, ikeMessage.length);
        return out;
    }

    /** The IKE message in a datagram, or null if the datagram is not IKE under this framing. */
    public static byte[] unframe(byte[] datagram, boolean nonEspMarker) {
        int off = 0;
        if (nonEspMarker) {
            if (datagram.length < NON_ESP_MARKER_LENGTH + IKE_HEADER_LENGTH || datagram[0] != 0 || datagram[1] != 0
                    || datagram[2] != 0 || datagram[3] != 0) {
                return null;
            }
            off = NON_ESP_MARKER_LENGTH;
        } else if (datagram.length < IKE_HEADER_LENGTH) {
            return null;
        }
        return Arrays.copyOfRange(datagram, off, datagram.length);
    }

    public InetSocketAddress localAddress() throws IOException {
        return (InetSocketAddress) channel.getLocalAddress();
    }

    public boolean nonEspMarker() {
        return nonEspMarker;
    }

    /** IKE messages handed to the handler. */
    public long receivedCount() {
        return received.get();
    }

    /** Datagrams that were not IKE under this framing (ESP in UDP, keepalives, runts). */
    public long droppedCount() {
        return dropped.get();
    }

    private void receiveLoop() {
        realtime = io.cxt.sys.RealtimeThreads.enterCurrentThread(Thread.currentThread().getName());
        io.cxt.agent.DatagramReceiveLoop.run(channel, MAX_DATAGRAM, () -> closed, "IKE endpoint " + name, this::received);
    }

    private void received(InetSocketAddress from, byte[] datagram) {
        realtime.received();
        byte[] msg = unframe(datagram, nonEspMarker);
        if (msg == null) {
            dropped.incrementAndGet();
            return;
        }
        received.incrementAndGet();
        receivedOctets.addAndGet(datagram.length);
        Handler h = handler;
        if (h == null) {
            return;
        }
        try {
            h.received(from, msg, this);
        } catch (RuntimeException e) {
            LOG.error("IKE endpoint {}: handler failed on a message from {}", name, from, e);
        }
    }

    @Override
    public void close() throws IOException {
        closed = true;
        channel.close();
        try {
            receiveThread.join(2000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    @Override
    public String toString() {
        return "IkeUdpEndpoint[" + name + (nonEspMarker ? ", non-ESP marker" : "") + "]";
    }
}
