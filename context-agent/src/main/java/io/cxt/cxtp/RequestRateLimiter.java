package io.cxt.cxtp;

import java.net.InetAddress;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.function.LongSupplier;

/**
 * CT_REQUEST_RATE (RFC 4067 section 6.3): an AR processes at most this many CTARs per second and
 * drops the excess. A token bucket of one second's worth of requests, refilled continuously; the
 * RFC's "randomly drop messages until the rate is established" becomes "drop whatever finds the
 * bucket empty", which keeps the processed rate at the limit without a random source.
 *
 * <p>Fairness: one bucket for everyone lets a single host that sends CTARs fast take every token,
 * so a real MN's CTAR finds the bucket empty (500 CTARs/s from one host stopped activations). So
 * each source address also has its own bucket of {@link #perSourceRate} a second inside the global
 * one: a request must find a token in both, and a request its source's bucket refuses costs the
 * global bucket nothing. Source buckets are kept for at most {@link #MAX_SOURCES} addresses (the
 * least recently seen is forgotten first; a forgotten source starts again with a full bucket,
 * which a sender of many spoofed addresses gains nothing from: the global bucket still holds).
 *
 * <p>CTARs the receiver expects (it holds the MN's context; {@link RequestScreen#expected}) draw
 * on a second global bucket of the same rate, so forged CTARs for MNs nobody announced, however
 * many sources they come from, cannot take the tokens of MNs whose contexts are waiting.
 */
public final class RequestRateLimiter {

    /** Source addresses whose buckets are remembered at most. */
    public static final int MAX_SOURCES = 4096;

    private final double perNano;
    private final double capacity;
    private final double sourcePerNano;
    private final double sourceCapacity;
    private final LongSupplier nanoClock;
    private double tokens;
    private long last;
    private double expectedTokens;
    private long expectedLast;
    private static final class Bucket {
        double tokens;
        long last;

        Bucket(double tokens, long last) {
            this.tokens = tokens;
            this.last = last;
        }
    }

    /** Per-source buckets; access order, bounded. */
    private final LinkedHashMap<InetAddress, Bucket> sources = new LinkedHashMap<>(64, 0.75f, true);

    /** @param perSecond allowed rate; 0 or less means unlimited */
    public RequestRateLimiter(int perSecond) {
        this(perSecond, System::nanoTime);
    }

    RequestRateLimiter(int perSecond, LongSupplier nanoClock) {
        this.capacity = perSecond;
        this.perNano = perSecond / 1e9;
        this.sourceCapacity = perSourceRate(perSecond);
        this.sourcePerNano = sourceCapacity / 1e9;
        this.nanoClock = nanoClock;
        this.tokens = perSecond;
        this.last = nanoClock.getAsLong();
        this.expectedTokens = perSecond;
        this.expectedLast = last;
    }

    /**
     * One source's share: a quarter of the global rate (at least 1/s), so at least four sources
     * can be served at once and a MN's CTAR retransmissions (2 s apart) always fit.
     */
    public static int perSourceRate(int perSecond) {
        return Math.max(1, (perSecond + 3) / 4);
    }

    /** Whether one more request may be processed now (global bucket only). */
    public synchronized boolean tryAcquire() {
        if (capacity <= 0) {
            return true;
        }
        refill(nanoClock.getAsLong());
        if (tokens >= 1) {
            tokens -= 1;
            return true;
        }
        return false;
    }

    /** Whether one more request from {@code source} may be processed now (its bucket and the global one). */
    public synchronized boolean tryAcquire(InetAddress source) {
        return tryAcquire(source, false);
    }

    /**
     * As {@link #tryAcquire(InetAddress)}; {@code expected} requests draw on the global bucket for
     * expected CTARs instead of the one for all others.
     */
    public synchronized boolean tryAcquire(InetAddress source, boolean expected) {
        if (capacity <= 0) {
            return true;
        }
        long now = nanoClock.getAsLong();
        Bucket b = sources.get(source);
        if (b != null) {
            b.tokens = Math.min(sourceCapacity, b.tokens + (now - b.last) * sourcePerNano);
            b.last = now;
            if (b.tokens < 1) {
                return false;
            }
        }
        if (expected) {
            expectedTokens = Math.min(capacity, expectedTokens + (now - expectedLast) * perNano);
            expectedLast = now;
            if (expectedTokens < 1) {
                return false;
            }
            expectedTokens -= 1;
        } else {
            refill(now);
            if (tokens < 1) {
                return false;
            }
            tokens -= 1;
        }
        if (b == null) {
            b = new Bucket(sourceCapacity, now);
            sources.put(source, b);
            if (sources.size() > MAX_SOURCES) {
                Iterator<InetAddress> it = sources.keySet().iterator();
                it.next();
                it.remove();
            }
        }
        b.tokens -= 1;
        return true;
    }

    private void refill(long now) {
        tokens = Math.min(capacity, tokens + (now - last) * perNano);
        last = now;
    }

    /** Sources whose buckets are remembered (at most {@link #MAX_SOURCES}). */
    synchronized int trackedSources() {
        return sources.size();
    }
}
