package io.cxt.agent.role;

import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.LongAdder;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import io.cxt.agent.EventSink;
import io.cxt.agent.view.AgentEvent;

/**
 * The agent's event log: every event is logged (one SLF4J line naming the MN; the detail names
 * SPIs and peers, never key bytes), kept in a bounded ring buffer for {@code cxctl agent events}
 * with increasing ids, and counted per kind.
 *
 * <p>Events of a kind in {@link #INPUT_TRIGGERED_KINDS} can be caused by anyone who can send a
 * datagram, so their lines share one budget ({@link #INPUT_LINES_PER_SECOND}); those in
 * {@link #RATE_LIMITED_KINDS} ("protection-rejected") are moreover written at most once per
 * sender (the {@code mobileNode} argument carries it) per {@link #RATE_LIMIT_INTERVAL}, with at
 * most {@link #MAX_RATE_LIMITED_SOURCES} senders remembered ({@link LogLineLimiter}). Every event
 * is still kept and counted, and the suppressed count is reported in the next line written.
 *
 * <p>Thread-safe; {@link #emit} never blocks on I/O beyond the logger's own appender.
 */
public final class EventLog implements EventSink {

    private static final Logger LOG = LoggerFactory.getLogger("io.cxt.agent.events");

    public static final int DEFAULT_CAPACITY = 1000;
    public static final Duration RATE_LIMIT_INTERVAL = Duration.ofMinutes(1);
    /** Kinds keyed by sender: at most one line per sender per {@link #RATE_LIMIT_INTERVAL}. */
    public static final java.util.Set<String> RATE_LIMITED_KINDS = java.util.Set.of("protection-rejected");
    /**
     * Kinds that datagrams from the network can cause (unauthenticated CTARs and IKE messages,
     * rejected envelopes, and what a CTAR makes the routers do): their lines share one budget of
     * {@link #INPUT_LINES_PER_SECOND} (burst {@link #INPUT_LINE_BURST}); the events are all kept and counted.
     */
    public static final java.util.Set<String> INPUT_TRIGGERED_KINDS = java.util.Set.of("protection-rejected",
            "ike-rejected", "ctreq-sent", "ctreq-rejected", "transfer-failed", "ctar-rejected", "ctar-replayed",
            "activation-failed", "spi-update-refused", "context-sent");
    public static final int INPUT_LINES_PER_SECOND = 5;
    public static final int INPUT_LINE_BURST = 10;
    /** Senders whose last line time is remembered; the least recently seen is forgotten first. */
    public static final int MAX_RATE_LIMITED_SOURCES = 256;

    private final int capacity;
    private final Clock clock;
    private final AgentEvent[] ring;
    private long nextId = 1;
    private final Map<String, LongAdder> counts = new ConcurrentHashMap<>();
    private final Map<String, LongAdder> lines = new ConcurrentHashMap<>();
    /** How often {@link #emitAt} renews its clock anchor (bounds the drift of nanoTime against the wall clock). */
    public static final Duration ANCHOR_RENEWAL = Duration.ofSeconds(1);
    private static final long ANCHOR_RENEWAL_NANOS = ANCHOR_RENEWAL.toNanos();
    /** {epoch nanos, System.nanoTime} read together; replaced whole. */
    private volatile long[] anchor;
    private final LogLineLimiter limiter = new LogLineLimiter(INPUT_LINES_PER_SECOND, INPUT_LINE_BURST,
            RATE_LIMIT_INTERVAL.toMillis(), MAX_RATE_LIMITED_SOURCES);

    public EventLog() {
        this(DEFAULT_CAPACITY, Clock.systemUTC());
    }

    public EventLog(int capacity, Clock clock) {
        if (capacity < 1) {
            throw new IllegalArgumentException("capacity must be positive");
        }
        this.capacity = capacity;
        this.clock = clock;
        this.ring = new AgentEvent[capacity];
    }

    @Override
    public void emit(String kind, String mobileNode, String detail) {
        record(clock.instant(), kind, mobileNode, detail);
    }

    /**
     * Timestamps the event from {@code nanoTime} (when it happened) through an anchor pair (a clock
     * reading and a nanoTime reading taken together), renewed at most once per
     * {@link #ANCHOR_RENEWAL}: no clock reading per event.
     */
    @Override
    public void emitAt(long nanoTime, String kind, String mobileNode, String detail) {
        long[] a = anchor;
        if (a == null || nanoTime - a[1] > ANCHOR_RENEWAL_NANOS) {
            java.time.Instant i = clock.instant();
            a = new long[] {i.getEpochSecond() * 1_000_000_000L + i.getNano(), System.nanoTime()};
            anchor = a;
        }
        long epochNanos = a[0] + (nanoTime - a[1]);
        record(java.time.Instant.ofEpochSecond(Math.floorDiv(epochNanos, 1_000_000_000L),
                Math.floorMod(epochNanos, 1_000_000_000L)), kind, mobileNode, detail);
    }

    private void record(java.time.Instant now, String kind, String mobileNode, String detail) {
        String mn = mobileNode == null ? "" : mobileNode;
        String d = detail == null ? "" : detail;
        counts.computeIfAbsent(kind, k -> new LongAdder()).increment();
        synchronized (ring) {
            long id = nextId++;
            ring[(int) (id % capacity)] = new AgentEvent(id, now.toString(), kind, mn, d);
        }
        String suffix = "";
        if (INPUT_TRIGGERED_KINDS.contains(kind)) {
            LogLineLimiter.Decision d0 = limiter.decide(kind, RATE_LIMITED_KINDS.contains(kind) ? kind + "|" + mn : null,
                    now.toEpochMilli());
            if (!d0.log()) {
                return;
            }
            if (d0.suppressedBefore() > 0) {
                suffix = " (" + d0.suppressedBefore() + " more " + kind + " not logged)";
            }
        }
        if (RATE_LIMITED_KINDS.contains(kind)) {
            lines.computeIfAbsent(kind, k -> new LongAdder()).increment();
            LOG.warn("{} peer {}: {}{}", kind, mn, d, suffix);
            return;
        }
        lines.computeIfAbsent(kind, k -> new LongAdder()).increment();
        if (kind.endsWith("-failed") || kind.endsWith("-rejected") || kind.startsWith("ike-full")) {
            LOG.warn("{} {}: {}{}", kind, mn.isEmpty() ? "-" : "MN " + mn, d, suffix);
        } else {
            LOG.info("{} {}: {}{}", kind, mn.isEmpty() ? "-" : "MN " + mn, d, suffix);
        }
    }

    /** Events with an id greater than {@code since}, oldest first (at most the buffer's capacity). */
    public List<AgentEvent> since(long since) {
        List<AgentEvent> out = new ArrayList<>();
        synchronized (ring) {
            long first = Math.max(Math.max(1, since + 1), nextId - capacity);
            for (long id = first; id < nextId; id++) {
                AgentEvent e = ring[(int) (id % capacity)];
                if (e != null && e.id() == id) {
                    out.add(e);
                }
            }
        }
        return out;
    }

    /** Events of one kind so far (including those no longer in the buffer). */
    public long count(String kind) {
        LongAdder a = counts.get(kind);
        return a == null ? 0 : a.sum();
    }

    /** Log lines written for a kind (fewer than {@link #count} for rate-limited kinds). */
    public long linesLogged(String kind) {
        LongAdder a = lines.get(kind);
        return a == null ? 0 : a.sum();
    }

    /** Counts per kind, sorted by kind, as "events.KIND". */
    public Map<String, Long> counters() {
        Map<String, Long> m = new TreeMap<>();
        counts.forEach((k, v) -> m.put("events." + k, v.sum()));
        return m;
    }

    /** Senders the per-sender limit currently remembers (at most {@link #MAX_RATE_LIMITED_SOURCES}). */
    public int rateLimitedSources() {
        return limiter.trackedKeys();
    }

    /** The id the next event will get minus one (0 when none yet). */
    public long lastId() {
        synchronized (ring) {
            return nextId - 1;
        }
    }
}
