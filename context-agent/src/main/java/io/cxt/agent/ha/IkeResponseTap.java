package io.cxt.agent.ha;

import java.io.IOException;
import java.time.Duration;
import java.util.Arrays;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.BiConsumer;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import io.cxt.ha.IkeResponseCopy;
import io.cxt.sys.NetNamespace;
import io.cxt.sys.PacketTap;
import io.cxt.sys.SocketFilter;

/**
 * Keeps charon's last IKE response per SA ({@link HaSaStore#recordResponse}): a {@link PacketTap} whose kernel
 * filter passes only IKE responses leaving this host ({@link SocketFilter#outgoingIkeResponses}), read on a thread
 * of its own. charon's HA sync says when a request arrived but never carries the answer, and the nAR's charon
 * cannot answer a retransmission of a request the pAR's charon answered; with this copy in the context the nAR
 * sends it once at the activation ({@link HaHandover}).
 *
 * <p>Bounded: the kernel drops everything but charon's responses; one response (at most {@link
 * IkeResponseCopy#MAX_OCTETS}) is kept per SA the store knows, none for others; the packets are charon's own.
 */
final class IkeResponseTap implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(IkeResponseTap.class);
    /** IPv6 header + UDP + the largest datagram charon sends unfragmented by default (charon.max_packet 10000). */
    static final int SNAP_LENGTH = 10_048;
    private static final Duration RECEIVE_TIMEOUT = Duration.ofMillis(500);

    private final PacketTap tap;
    private final HaSaStore store;
    private final Thread thread;
    private final AtomicLong seen = new AtomicLong();
    private final AtomicLong kept = new AtomicLong();
    private volatile BiConsumer<Long, Long> changed = (i, r) -> { };
    private volatile boolean closed;

    private IkeResponseTap(PacketTap tap, HaSaStore store) {
        this.tap = tap;
        this.store = store;
        this.thread = new Thread(this::loop, "charon-ike-tap");
        this.thread.setDaemon(true);
    }

    /** Opens the tap in {@code namespace} (here when null) and starts reading. */
    static IkeResponseTap start(NetNamespace namespace, HaSaStore store) throws IOException {
        PacketTap t = PacketTap.open(namespace, SocketFilter.outgoingIkeResponses(), SNAP_LENGTH, 256 * 1024, RECEIVE_TIMEOUT);
        IkeResponseTap r = new IkeResponseTap(t, store);
        r.thread.start();
        LOG.info("charon HA: keeping charon's last IKE response per SA (packet tap, IKE responses leaving this host only)");
        return r;
    }

    /** Called on the tap's thread with the IKE SPIs whenever an SA's kept response changed. */
    void onChanged(BiConsumer<Long, Long> listener) {
        this.changed = listener;
    }

    private void loop() {
        byte[] packet = new byte[SNAP_LENGTH];
        while (!closed) {
            int n;
            try {
                n = tap.receive(packet);
            } catch (IOException e) {
                if (!closed) {
                    LOG.warn("charon HA: IKE response tap stopped: {}", e.getMessage());
                }
                return;
            }
            if (n < 0) {
                return;
            }
            if (n > 0) {
                take(packet, n);
            }
        }
    }

    /** One packet the filter passed. Package-private for tests. */
    void take(byte[] packet, int length) {
        seen.incrementAndGet();
        try {
            Optional<IkeResponseCopy.Captured> c = IkeResponseCopy.parse(packet, length);
            if (c.isPresent() && store.recordResponse(c.get())) {
                kept.incrementAndGet();
                changed.accept(c.get().spiInitiator(), c.get().spiResponder());
            }
        } catch (RuntimeException e) {
            // never stop the tap for one packet; not logged (a log line per packet is what a sender could force)
        } finally {
            Arrays.fill(packet, 0, length, (byte) 0);
        }
    }

    long seen() {
        return seen.get();
    }

    long kept() {
        return kept.get();
    }

    @Override
    public void close() {
        closed = true;
        try {
            thread.join(RECEIVE_TIMEOUT.toMillis() * 2);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        tap.close();
    }
}
