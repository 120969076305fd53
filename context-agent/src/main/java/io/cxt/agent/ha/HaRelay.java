package io.cxt.agent.ha;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.StandardProtocolFamily;
import java.nio.ByteBuffer;
import java.nio.channels.DatagramChannel;
import java.util.Arrays;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Consumer;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import io.cxt.agent.ha.HaRejections.Kind;
import io.cxt.ha.HaDecodeException;
import io.cxt.ha.HaMessage;
import io.cxt.ha.HaMessageCodec;
import io.cxt.sys.NetNamespace;

/**
 * cxagent's end of the local charon's HA channel: a UDP socket on {@code local:port} (inside the charon's
 * network namespace when given) that accepts datagrams only from charon's address and port, decodes them,
 * keeps {@link HaSaStore} current and sends HA messages to charon ({@link #send}). Refused input is counted
 * and logged through {@link HaRejections}; nothing refused changes the store.
 */
public final class HaRelay implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(HaRelay.class);

    /** Where the relay is and whom it talks to. */
    public record Endpoints(InetSocketAddress local, InetSocketAddress charon) {
    }

    private final DatagramChannel channel;
    private final InetSocketAddress charon;
    private final HaSaStore store;
    private final HaRejections rejections;
    private final Thread thread;
    private final AtomicLong received = new AtomicLong();
    private final AtomicLong sent = new AtomicLong();
    private final AtomicLong handled = new AtomicLong();
    private volatile Consumer<HaMessage> observer = m -> { };
    private volatile boolean closed;

    private HaRelay(DatagramChannel channel, InetSocketAddress charon, HaSaStore store, HaRejections rejections) {
        this.channel = channel;
        this.charon = charon;
        this.store = store;
        this.rejections = rejections;
        this.thread = new Thread(this::loop, "charon-ha");
        this.thread.setDaemon(true);
    }

    public static HaRelay open(Endpoints e, NetNamespace namespace, HaSaStore store, HaRejections rejections) throws IOException {
        DatagramChannel[] made = new DatagramChannel[1];
        NetNamespace.IntAction create = () -> {
            DatagramChannel ch = DatagramChannel.open(e.local().getAddress() instanceof java.net.Inet4Address
                    ? StandardProtocolFamily.INET : StandardProtocolFamily.INET6);
            try {
                ch.bind(e.local());
            } catch (IOException | RuntimeException x) {
                ch.close();
                throw x;
            }
            made[0] = ch;
            return 0;
        };
        if (namespace == null) {
            create.run();
        } else {
            namespace.runInside(create);
        }
        HaRelay r = new HaRelay(made[0], e.charon(), store, rejections);
        r.thread.start();
        LOG.info("charon HA: relay on {}, charon at {}", e.local(), e.charon());
        return r;
    }

    /** Called on the receive thread after a message was applied to the store (e.g. events). */
    public void setObserver(Consumer<HaMessage> o) {
        this.observer = o;
    }

    /** Sends one message to charon. */
    public void send(HaMessage m) throws IOException {
        byte[] b = HaMessageCodec.encode(m);
        try {
            if (b.length > HaMessageCodec.CHARON_DEFAULT_BUFLEN) {
                throw new IOException(m.type() + " of " + b.length + " octets exceeds charon's HA buffer ("
                        + HaMessageCodec.CHARON_DEFAULT_BUFLEN + ", charon.plugins.ha.buflen)");
            }
            channel.send(ByteBuffer.wrap(b), charon);
            sent.incrementAndGet();
        } finally {
            Arrays.fill(b, (byte) 0);
        }
    }

    private void loop() {
        io.cxt.agent.DatagramReceiveLoop.run(channel, 65536, () -> closed, "charon HA", (from, d) -> {
            received.incrementAndGet();
            try {
                handle(from, d);
            } catch (RuntimeException e) {
                // never let one datagram stop the relay
                rejections.reject(Kind.BAD_VALUE, "from " + from + ": " + e);
            } finally {
                Arrays.fill(d, (byte) 0);
                handled.incrementAndGet();
            }
        });
    }

    /** One datagram: peer check, decode, apply. Package-private for tests. */
    void handle(InetSocketAddress from, byte[] d) {
        if (!isCharon(from)) {
            rejections.reject(Kind.WRONG_PEER, d.length + " octets from " + from + ", only " + charon + " is accepted");
            return;
        }
        HaMessage m;
        try {
            m = HaMessageCodec.decode(d);
        } catch (HaDecodeException e) {
            rejections.reject(Kind.valueOf(e.reason().name()), e.getMessage());
            return;
        }
        HaSaStore.Outcome o = store.apply(m);
        if (!o.applied()) {
            rejections.reject(o.refused(), o.detail());
            return;
        }
        observer.accept(m);
    }

    private boolean isCharon(InetSocketAddress from) {
        if (from == null || from.getPort() != charon.getPort()) {
            return false;
        }
        InetAddress a = from.getAddress();
        InetAddress c = charon.getAddress();
        if (a.equals(c)) {
            return true;
        }
        // an IPv4 charon seen through an IPv6 socket
        byte[] x = a.getAddress();
        byte[] y = c.getAddress();
        return x.length == 16 && y.length == 4 && x[10] == -1 && x[11] == -1
                && Arrays.equals(Arrays.copyOfRange(x, 12, 16), y);
    }

    public HaSaStore store() {
        return store;
    }

    public HaRejections rejections() {
        return rejections;
    }

    public long received() {
        return received.get();
    }

    /** Datagrams fully dealt with (applied or refused). */
    public long handled() {
        return handled.get();
    }

    public long sent() {
        return sent.get();
    }

    public InetSocketAddress localAddress() throws IOException {
        return (InetSocketAddress) channel.getLocalAddress();
    }

    @Override
    public void close() {
        closed = true;
        try {
            channel.close();
        } catch (IOException e) {
            // closing
        }
        thread.interrupt();
    }
}
