package io.cxt.cxtp;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.channels.ClosedChannelException;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The part of CXTP transport that is the same over UDP, ICMP and SCTP: retransmitting requests
 * until acknowledged, matching acknowledgements, ignoring repeated requests, re-sending cached
 * replies, and CT_REQUEST_RATE. A transport gives it a {@link Wire} that puts octets on the
 * network and feeds it what arrives ({@link #inbound}).
 *
 * <p><b>Matching acknowledgements.</b> CTAA acknowledges CTAR and CTDR acknowledges CTD or PCTD,
 * but neither acknowledgement carries a sequence number: the only key on the wire is the MN's
 * previous address. RFC 4067 section 2.5 allows one transfer per MN at a time, which makes that
 * enough: a pending request is keyed by (peer, request type, MN address), an acknowledgement of
 * the matching type from that peer for that MN completes it, and sending a new request for the
 * same key supersedes the old one ({@link SendResult.Outcome#SUPERSEDED}). The CTAR's sequence
 * number identifies the exchange to the caller but cannot be checked against the CTAA.
 *
 * <p><b>Repeated requests.</b> "An AR MUST ignore the CTAR message if it has already received one
 * with the same sequence number and MN IP address" (section 3.2). Taken literally this defeats
 * retransmission: when the CTAA is lost, every retransmitted CTAR is ignored and the MN never
 * hears back. We decided "ignore" means "do not process again": the repeat is not delivered to the
 * receiver, but if the application already answered the first copy, that answer is re-sent to the
 * repeat's source. A repeated CTD or PCTD with the A flag (our own retransmission: octet-identical,
 * same source) is handled the same way, keyed by (source, type, MN, SHA-256 of the octets), since
 * CTD has no sequence number. Requests are remembered for {@link TransportOptions#duplicateMemory()},
 * by default CT_RETRY_MAX, the longest a MN retransmits; a MN must therefore not reuse a sequence
 * number within 15 s (stricter than the RFC's 7 s), or the AR ignores the reuse.
 *
 * <p><b>Rate.</b> A CTAR longer than {@link #MAX_CTAR_OCTETS} is dropped before it is decoded; a
 * decoded one must pass the receiver's {@link TransportOptions#ctarScreen()} (cheap checks such as
 * a known previous router) before anything is charged. CTARs that pass the screen and the
 * duplicate check are subject to {@link TransportOptions#ctarRatePerSecond()}, per source address
 * inside the global limit ({@link RequestRateLimiter}); a rate-limited CTAR is not remembered, so
 * its retransmission can still get through.
 *
 * <p>Threads: {@link #send} runs on the caller's thread, {@link #inbound} on the transport's
 * receive thread, retransmissions on an internal timer thread. {@link #inbound} never throws.
 */
public final class ReliableDelivery implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(ReliableDelivery.class);

    /** Most requests remembered at once; the oldest is forgotten first. */
    static final int MAX_REMEMBERED = 65_536;

    /**
     * Longest CTAR processed: 44 octets of IPv6 fixed fields plus 58 eight-octet request blocks.
     * A MN asks for a handful of contexts; anything longer is refused before decoding.
     */
    public static final int MAX_CTAR_OCTETS = 512;

    /** Puts one message on the network. */
    @FunctionalInterface
    public interface Wire {
        void transmit(InetSocketAddress peer, byte[] message) throws IOException;
    }

    private record PendingKey(InetSocketAddress peer, MessageType family, InetAddress mn) {
    }

    private record DuplicateKey(MessageType type, InetAddress mn, long sequenceNumber, InetSocketAddress from,
                                String digest) {
    }

    private record ReplyKey(InetSocketAddress peer, MessageType family, InetAddress mn) {
    }

    private static final class Remembered {
        final long expiresAt;
        final ReplyKey replyKey;
        byte[] reply;
        MessageType replyType;

        Remembered(long expiresAt, ReplyKey replyKey) {
            this.expiresAt = expiresAt;
            this.replyKey = replyKey;
        }
    }

    private final class Pending {
        final PendingKey key;
        final MessageType type;
        final byte[] bytes;
        final long start = System.nanoTime();
        final List<Duration> offsets = options.retransmission().transmissionOffsets();
        final Duration giveUpAt = options.retransmission().giveUpAt();
        final CompletableFuture<SendResult> future = new CompletableFuture<>();
        int transmissions;
        ScheduledFuture<?> timer;

        Pending(PendingKey key, MessageType type, byte[] bytes) {
            this.key = key;
            this.type = type;
            this.bytes = bytes;
        }

        void finish(SendResult.Outcome outcome, CxtpMessage ack) {
            ScheduledFuture<?> t;
            int n;
            synchronized (this) {
                t = timer;
                n = transmissions;
            }
            if (t != null) {
                t.cancel(false);
            }
            synchronized (this) {
                Arrays.fill(bytes, (byte) 0); // a CTD or PCTD carries the MN's keys: not kept once done
            }
            future.complete(new SendResult(outcome, n, Duration.ofNanos(System.nanoTime() - start), ack));
        }
    }

    private final String name;
    private final Wire wire;
    private final CxtpReceiver receiver;
    private final TransportOptions options;
    private final TransportCounters counters;
    private final RequestRateLimiter rateLimiter;
    private final ScheduledExecutorService timer;
    private final Object lock = new Object();
    private final Map<PendingKey, Pending> pending = new HashMap<>();
    private final LinkedHashMap<DuplicateKey, Remembered> remembered = new LinkedHashMap<>();
    private final Map<ReplyKey, Remembered> lastRequest = new HashMap<>();
    private volatile boolean closed;

    /**
     * @param name for log messages and the timer thread
     * @param wire how to transmit
     * @param receiver where delivered messages go
     * @param options retransmission, drop, duplicate and rate settings
     * @param counters where to count (shared with the transport)
     */
    public ReliableDelivery(String name, Wire wire, CxtpReceiver receiver, TransportOptions options,
                            TransportCounters counters) {
        this.name = name;
        this.wire = wire;
        this.receiver = receiver;
        this.options = options;
        this.counters = counters;
        this.rateLimiter = new RequestRateLimiter(options.ctarRatePerSecond());
        this.timer = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "cxtp-" + name + "-timer");
            t.setDaemon(true);
            return t;
        });
    }

    // ---------------------------------------------------------------- outbound

    /** See {@link CxtpTransport#send}. */
    public CompletableFuture<SendResult> send(InetSocketAddress peer, byte[] bytes) throws IOException {
        if (closed) {
            throw new ClosedChannelException();
        }
        CxtpMessage m;
        try {
            m = CxtpCodec.decode(bytes);
        } catch (CxtpDecodeException e) {
            throw new IllegalArgumentException("not a CXTP message: " + e.getMessage(), e);
        }
        byte[] copy = bytes.clone();
        rememberReply(peer, m, copy);
        if (!m.acknowledgementRequested()) {
            try {
                transmit(peer, m.type(), copy);
            } finally {
                if (m.type().acknowledges() == null) {
                    Arrays.fill(copy, (byte) 0); // not kept for re-sending; a PCTD carries keys
                }
            }
            return CompletableFuture.completedFuture(new SendResult(SendResult.Outcome.SENT, 1, Duration.ZERO, null));
        }
        PendingKey key = new PendingKey(peer, m.type().requestFamily(), m.previousAddress());
        Pending p = new Pending(key, m.type(), copy);
        Pending old;
        synchronized (lock) {
            old = pending.put(key, p);
        }
        if (old != null) {
            old.finish(SendResult.Outcome.SUPERSEDED, null);
        }
        try {
            synchronized (p) {
                p.transmissions = 1;
                transmit(peer, m.type(), copy);
            }
        } catch (IOException | RuntimeException e) {
            synchronized (lock) {
                pending.remove(key, p);
            }
            throw e;
        }
        scheduleNext(p);
        return p.future;
    }

    private void scheduleNext(Pending p) {
        synchronized (p) {
            if (p.future.isDone() || closed) {
                return;
            }
            long now = System.nanoTime();
            boolean more = p.transmissions < p.offsets.size();
            long due = p.start + (more ? p.offsets.get(p.transmissions) : p.giveUpAt).toNanos();
            long delay = Math.max(0, due - now);
            try {
                p.timer = timer.schedule(more ? () -> retransmit(p) : () -> giveUp(p), delay, TimeUnit.NANOSECONDS);
            } catch (java.util.concurrent.RejectedExecutionException e) {
                // Closing: close() completes the future.
            }
        }
    }

    private void retransmit(Pending p) {
        synchronized (lock) {
            if (pending.get(p.key) != p) {
                return;
            }
        }
        synchronized (p) {
            // Under p's lock: finish() zeroes the octets, never while they are being sent.
            if (p.future.isDone()) {
                return;
            }
            p.transmissions++;
            counters.increment(TransportCounter.RETRANSMITTED);
            try {
                transmit(p.key.peer(), p.type, p.bytes);
            } catch (IOException | RuntimeException e) {
                counters.increment(TransportCounter.SEND_FAILED);
                LOG.debug("{}: retransmission of {} to {} failed: {}", name, p.type, p.key.peer(), e.toString());
            }
        }
        scheduleNext(p);
    }

    private void giveUp(Pending p) {
        boolean current;
        synchronized (lock) {
            current = pending.remove(p.key, p);
        }
        if (current) {
            counters.increment(TransportCounter.GAVE_UP);
            LOG.debug("{}: no acknowledgement of {} for {} from {}", name, p.type, p.key.mn(), p.key.peer());
            p.finish(SendResult.Outcome.GAVE_UP, null);
        }
    }

    private void transmit(InetSocketAddress peer, MessageType type, byte[] bytes) throws IOException {
        if (options.dropPolicy().shouldDrop(type)) {
            counters.increment(TransportCounter.DROPPED_BY_POLICY);
            LOG.debug("{}: drop policy discarded {} to {}", name, type, peer);
            return;
        }
        // Counted before the call: the answer can arrive (and a waiter look) before transmit returns.
        counters.increment(TransportCounter.TRANSMITTED);
        counters.sent(type, bytes.length);
        try {
            wire.transmit(peer, bytes);
        } catch (IOException e) {
            counters.increment(TransportCounter.SEND_FAILED);
            throw e;
        }
    }

    /** Attaches an outgoing CTAA/CTDR to the request it answers, for re-sending on repeats. */
    private void rememberReply(InetSocketAddress peer, CxtpMessage m, byte[] bytes) {
        MessageType family = m.type().acknowledges();
        if (family == null) {
            return;
        }
        synchronized (lock) {
            Remembered r = lastRequest.get(new ReplyKey(peer, family, m.previousAddress()));
            if (r != null) {
                r.reply = bytes;
                r.replyType = m.type();
            }
        }
    }

    // ---------------------------------------------------------------- inbound

    /** Processes one received message. Never throws. */
    public void inbound(InetSocketAddress from, byte[] bytes) {
        try {
            if (closed) {
                return;
            }
            if (bytes.length > MAX_CTAR_OCTETS && (bytes[0] & 0x1f) == MessageType.CTAR.code()) {
                counters.increment(TransportCounter.SCREENED);
                return;
            }
            CxtpMessage m;
            try {
                m = CxtpCodec.decode(bytes);
            } catch (CxtpDecodeException e) {
                counters.increment(TransportCounter.MALFORMED);
                LOG.debug("{}: malformed message from {}: {}", name, from, e.getMessage());
                return;
            }
            MessageType acknowledged = m.type().acknowledges();
            if (acknowledged != null) {
                Pending p;
                synchronized (lock) {
                    p = pending.remove(new PendingKey(from, acknowledged, m.previousAddress()));
                }
                if (p != null) {
                    counters.increment(TransportCounter.ACK_MATCHED);
                    p.finish(SendResult.Outcome.ACKNOWLEDGED, m);
                } else {
                    counters.increment(TransportCounter.ACK_UNMATCHED);
                }
                deliver(from, m, bytes);
                return;
            }
            if (m instanceof ContextTransferActivateRequest ctar && !options.ctarScreen().admits(from, ctar)) {
                counters.increment(TransportCounter.SCREENED);
                return;
            }
            DuplicateKey dk = duplicateKey(from, m, bytes);
            long now = System.nanoTime();
            if (dk != null) {
                byte[] reply = null;
                MessageType replyType = null;
                boolean repeat;
                synchronized (lock) {
                    expire(now);
                    Remembered r = remembered.get(dk);
                    repeat = r != null;
                    if (repeat) {
                        reply = r.reply;
                        replyType = r.replyType;
                    }
                }
                if (repeat) {
                    counters.increment(TransportCounter.DUPLICATE_IGNORED);
                    if (reply != null) {
                        counters.increment(TransportCounter.REPLY_REPLAYED);
                        try {
                            transmit(from, replyType, reply);
                        } catch (IOException e) {
                            LOG.debug("{}: re-sending {} to {} failed: {}", name, replyType, from, e.toString());
                        }
                    }
                    return;
                }
            }
            if (m.type() == MessageType.CTAR && !rateLimiter.tryAcquire(from.getAddress(),
                    options.ctarScreen().expected(from, (ContextTransferActivateRequest) m))) {
                counters.increment(TransportCounter.RATE_LIMITED);
                return;
            }
            if (dk != null) {
                ReplyKey rk = new ReplyKey(from, m.type().requestFamily(), m.previousAddress());
                Remembered r = new Remembered(now + options.duplicateMemory().toNanos(), rk);
                synchronized (lock) {
                    remembered.put(dk, r);
                    lastRequest.put(rk, r);
                    while (remembered.size() > MAX_REMEMBERED) {
                        Iterator<Remembered> it = remembered.values().iterator();
                        Remembered eldest = it.next();
                        it.remove();
                        lastRequest.remove(eldest.replyKey, eldest);
                    }
                }
            }
            deliver(from, m, bytes);
        } catch (RuntimeException e) {
            LOG.warn("{}: failed to process a message from {}", name, from, e);
        }
    }

    private static DuplicateKey duplicateKey(InetSocketAddress from, CxtpMessage m, byte[] bytes) {
        if (m instanceof ContextTransferActivateRequest r) {
            return new DuplicateKey(MessageType.CTAR, r.previousAddress(), r.sequenceNumber(), null, null);
        }
        if ((m.type() == MessageType.CTD || m.type() == MessageType.PCTD) && m.acknowledgementRequested()) {
            return new DuplicateKey(m.type(), m.previousAddress(), -1, from, sha256(bytes));
        }
        return null;
    }

    private void expire(long now) {
        Iterator<Remembered> it = remembered.values().iterator();
        while (it.hasNext()) {
            Remembered r = it.next();
            if (r.expiresAt - now > 0) {
                break; // insertion order = expiry order (one duplicate memory for all)
            }
            it.remove();
            lastRequest.remove(r.replyKey, r);
        }
    }

    private void deliver(InetSocketAddress from, CxtpMessage m, byte[] bytes) {
        try {
            receiver.received(from, m, bytes.clone());
        } catch (RuntimeException e) {
            counters.increment(TransportCounter.RECEIVER_FAILED);
            LOG.warn("{}: receiver failed on {} from {}", name, m.type(), from, e);
        } finally {
            // Counted once the receiver is done, so a count seen means the receiver has run.
            counters.increment(TransportCounter.DELIVERED);
            counters.received(m.type(), bytes.length);
        }
    }

    private static String sha256(byte[] b) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(b));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    public TransportCounters counters() {
        return counters;
    }

    /** Number of requests awaiting acknowledgement. */
    public int pendingCount() {
        synchronized (lock) {
            return pending.size();
        }
    }

    @Override
    public void close() {
        closed = true;
        List<Pending> open;
        synchronized (lock) {
            open = new ArrayList<>(pending.values());
            pending.clear();
            remembered.clear();
            lastRequest.clear();
        }
        timer.shutdownNow();
        for (Pending p : open) {
            p.finish(SendResult.Outcome.CLOSED, null);
        }
    }
}
