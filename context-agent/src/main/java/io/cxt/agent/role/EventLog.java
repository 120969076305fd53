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
 * <p>Events of a kind listed in {@link #RATE_LIMITED_KINDS} ("protection-rejected") come from
 * the network and could flood the log: their log line is written at most once per peer (the
 * {@code mobileNode} argument carries the peer for them) per {@link #RATE_LIMIT_INTERVAL}; every
 * one is still counted, and the suppressed count is reported in the next line written.
 *
 * <p>Thread-safe; {@link #emit} never blocks on I/O beyond the logger's own appender.
 */
public final class EventLog implements EventSink {

    private static final Logger LOG = LoggerFactory.getLogger("io.cxt.agent.events");

    public static final int DEFAULT_CAPACITY = 1000;
    public static final Duration RATE_LIMIT_INTERVAL = Duration.ofMinutes(1);
    public static final java.util.Set<String> RATE_LIMITED_KINDS = java.util.Set.of("protection-rejected");

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
    private final Map<String, long[]> lastLogged = new ConcurrentHashMap<>(); // key -> {millis, suppressed}

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
        if (RATE_LIMITED_KINDS.contains(kind)) {
            long ms = now.toEpochMilli();
            long[] st = lastLogged.computeIfAbsent(kind + "|" + mn, k -> new long[] {Long.MIN_VALUE, 0});
            long suppressed;
            synchronized (st) {
                if (st[0] != Long.MIN_VALUE && ms - st[0] < RATE_LIMIT_INTERVAL.toMillis()) {
                    st[1]++;
                    return;
                }
                st[0] = ms;
                suppressed = st[1];
                st[1] = 0;
            }
            lines.computeIfAbsent(kind, k -> new LongAdder()).increment();
            LOG.warn("{} peer {}: {}{}", kind, mn, d,
                    suppressed == 0 ? "" : " (" + suppressed + " more in the last minute not logged)");
            return;
        }
        lines.computeIfAbsent(kind, k -> new LongAdder()).increment();
        if (kind.endsWith("-failed") || kind.endsWith("-rejected") || kind.startsWith("ike-full")) {
            LOG.warn("{} {}: {}", kind, mn.isEmpty() ? "-" : "MN " + mn, d);
        } else {
            LOG.info("{} {}: {}", kind, mn.isEmpty() ? "-" : "MN " + mn, d);
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

    /** The id the next event will get minus one (0 when none yet). */
    public long lastId() {
        synchronized (ring) {
            return nextId - 1;
        }
    }
}
