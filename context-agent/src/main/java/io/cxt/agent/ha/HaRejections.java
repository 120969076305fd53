package io.cxt.agent.ha;

import java.time.Duration;
import java.util.EnumMap;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.LongSupplier;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Counts refused HA input by kind and logs at most one line per kind per interval (with how many were
 * suppressed since), so a flood costs a counter increment, not a log line. Thread-safe.
 */
public final class HaRejections {
    private static final Logger LOG = LoggerFactory.getLogger(HaRejections.class);

    /** What was wrong with a datagram. The decoder's reasons plus the relay's own. */
    public enum Kind {
        SHORT, VERSION, UNKNOWN_TYPE, UNKNOWN_ATTRIBUTE, TRUNCATED, BAD_VALUE, TOO_LARGE,
        /** not from charon's configured address and port */
        WRONG_PEER,
        /** names an IKE SA the relay has no IKE_ADD for */
        UNKNOWN_SA,
        /** a message ID lower than the one recorded, or a message before its IKE_ADD/IKE_UPDATE */
        OUT_OF_ORDER,
        /** IKEv1 (IKE_IV, IKE_VERSION 1) or a message without the attributes it needs */
        UNSUPPORTED,
        /** the store is at max-sas, or an SA at its child limit */
        FULL
    }

    private final Map<Kind, AtomicLong> counts = new EnumMap<>(Kind.class);
    private final Map<Kind, long[]> lastLog = new EnumMap<>(Kind.class); // [nanoTime of last line, suppressed since]
    private final long intervalNanos;
    private final LongSupplier clock;

    public HaRejections(Duration interval) {
        this(interval, System::nanoTime);
    }

    HaRejections(Duration interval, LongSupplier clock) {
        this.intervalNanos = interval.toNanos();
        this.clock = clock;
        for (Kind k : Kind.values()) {
            counts.put(k, new AtomicLong());
            lastLog.put(k, new long[] {Long.MIN_VALUE, 0});
        }
    }

    /**
     * Counts one rejection; logs it unless a line of this kind was logged within the interval.
     *
     * @return whether a line was logged
     */
    public boolean reject(Kind kind, String detail) {
        counts.get(kind).incrementAndGet();
        long now = clock.getAsLong();
        long suppressed;
        long[] last = lastLog.get(kind);
        synchronized (last) {
            if (last[0] != Long.MIN_VALUE && now - last[0] < intervalNanos) {
                last[1]++;
                return false;
            }
            suppressed = last[1];
            last[0] = now;
            last[1] = 0;
        }
        LOG.warn("charon HA: refused ({}): {}{}", kind.name().toLowerCase(java.util.Locale.ROOT).replace('_', '-'),
                detail.length() > 200 ? detail.substring(0, 200) + "..." : detail,
                suppressed > 0 ? " (" + suppressed + " more of this kind not logged)" : "");
        return true;
    }

    public long count(Kind k) {
        return counts.get(k).get();
    }

    public long total() {
        return counts.values().stream().mapToLong(AtomicLong::get).sum();
    }

    /** Counters by kind name (for {@code cxctl stats}). */
    public Map<String, Long> snapshot() {
        Map<String, Long> m = new java.util.LinkedHashMap<>();
        counts.forEach((k, v) -> m.put(k.name().toLowerCase(java.util.Locale.ROOT).replace('_', '-'), v.get()));
        return m;
    }
}
