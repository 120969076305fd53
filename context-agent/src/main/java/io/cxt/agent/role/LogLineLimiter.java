package io.cxt.agent.role;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Decides whether an event that input from the network can trigger gets a log line, so that no
 * sender can make the agent write more than a fixed number of lines per second or keep state per
 * spoofed source.
 *
 * <p>Two limits, both bounded in memory: one token bucket for all such lines together
 * ({@code linesPerSecond}, burst {@code burst}); and, for kinds keyed by sender (the peer or source
 * of a rejected envelope), at most one line per key per {@code perKeyIntervalMillis}, remembered
 * for at most {@code maxKeys} keys (least recently seen forgotten first; a forgotten key's
 * suppressed count moves to its kind's count). What is suppressed is counted per kind and reported
 * by the next line of that kind ({@link Decision#suppressedBefore}).
 *
 * <p>Time comes from the caller (epoch milliseconds of the event), so tests drive it by hand.
 * Thread-safe.
 */
final class LogLineLimiter {

    /** Whether to write a line, and how many lines of the kind were held back since the last one. */
    record Decision(boolean log, long suppressedBefore) {
        static final Decision SUPPRESSED = new Decision(false, 0);
    }

    private final double perMilli;
    private final double burst;
    private final long perKeyIntervalMillis;
    private final int maxKeys;
    private double tokens;
    private long lastRefill = Long.MIN_VALUE;
    /** key -> {last logged millis, suppressed since}; access order, bounded. */
    private final LinkedHashMap<String, long[]> perKey;
    private final Map<String, AtomicLong> suppressedByKind = new ConcurrentHashMap<>();

    LogLineLimiter(int linesPerSecond, int burst, long perKeyIntervalMillis, int maxKeys) {
        if (linesPerSecond < 1 || burst < 1 || maxKeys < 1) {
            throw new IllegalArgumentException("rate, burst and key bound must be positive");
        }
        this.perMilli = linesPerSecond / 1000.0;
        this.burst = burst;
        this.tokens = burst;
        this.perKeyIntervalMillis = perKeyIntervalMillis;
        this.maxKeys = maxKeys;
        this.perKey = new LinkedHashMap<>(64, 0.75f, true);
    }

    /**
     * @param kind the event kind (a constant of the code, so a bounded set)
     * @param key the sender key for per-key limiting, or null for the global limit only
     * @param nowMillis when the event happened
     */
    synchronized Decision decide(String kind, String key, long nowMillis) {
        long keySuppressed = 0;
        long[] st = null;
        if (key != null) {
            st = perKey.get(key);
            if (st != null && nowMillis - st[0] < perKeyIntervalMillis) {
                st[1]++;
                return Decision.SUPPRESSED;
            }
        }
        if (!takeToken(nowMillis)) {
            if (st != null) {
                st[1]++;
            } else {
                suppressed(kind).incrementAndGet();
            }
            return Decision.SUPPRESSED;
        }
        if (key != null) {
            if (st == null) {
                st = new long[] {nowMillis, 0};
                perKey.put(key, st);
                if (perKey.size() > maxKeys) {
                    var it = perKey.entrySet().iterator();
                    long[] eldest = it.next().getValue();
                    it.remove();
                    if (eldest[1] > 0) {
                        suppressed(kind).addAndGet(eldest[1]);
                    }
                }
            }
            st[0] = nowMillis;
            keySuppressed = st[1];
            st[1] = 0;
        }
        return new Decision(true, keySuppressed + suppressed(kind).getAndSet(0));
    }

    private boolean takeToken(long nowMillis) {
        if (lastRefill != Long.MIN_VALUE && nowMillis > lastRefill) {
            tokens = Math.min(burst, tokens + (nowMillis - lastRefill) * perMilli);
        }
        if (lastRefill == Long.MIN_VALUE || nowMillis > lastRefill) {
            lastRefill = nowMillis;
        }
        if (tokens >= 1) {
            tokens -= 1;
            return true;
        }
        return false;
    }

    private AtomicLong suppressed(String kind) {
        return suppressedByKind.computeIfAbsent(kind, k -> new AtomicLong());
    }

    /** Keys currently remembered (at most the bound). */
    synchronized int trackedKeys() {
        return perKey.size();
    }
}
