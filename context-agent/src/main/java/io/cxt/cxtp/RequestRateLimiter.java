package io.cxt.cxtp;

import java.util.function.LongSupplier;

/**
 * CT_REQUEST_RATE (RFC 4067 section 6.3): an AR processes at most this many CTARs per second and
 * drops the excess. A token bucket of one second's worth of requests, refilled continuously; the
 * RFC's "randomly drop messages until the rate is established" becomes "drop whatever finds the
 * bucket empty", which keeps the processed rate at the limit without a random source.
 */
public final class RequestRateLimiter {
    private final double perNano;
    private final double capacity;
    private final LongSupplier nanoClock;
    private double tokens;
    private long last;

    /** @param perSecond allowed rate; 0 or less means unlimited */
    public RequestRateLimiter(int perSecond) {
        this(perSecond, System::nanoTime);
    }

    RequestRateLimiter(int perSecond, LongSupplier nanoClock) {
        this.capacity = perSecond;
        this.perNano = perSecond / 1e9;
        this.nanoClock = nanoClock;
        this.tokens = perSecond;
        this.last = nanoClock.getAsLong();
    }

    /** Whether one more request may be processed now. */
    public synchronized boolean tryAcquire() {
        if (capacity <= 0) {
            return true;
        }
        long now = nanoClock.getAsLong();
        tokens = Math.min(capacity, tokens + (now - last) * perNano);
        last = now;
        if (tokens >= 1) {
            tokens -= 1;
            return true;
        }
        return false;
    }
}
