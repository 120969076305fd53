package io.cxt.cxtp;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/**
 * When to retransmit a message that asked for an acknowledgement (RFC 4067 section 3.2): the
 * first retransmission after {@code initialInterval}, each later wait doubled up to
 * {@code maxInterval}, no transmission later than {@code giveUpAfter} after the first, and at most
 * {@code maxTransmissions} in all. The exchange is given up after the last transmission's wait, or
 * at {@code giveUpAfter}, whichever is first.
 *
 * <p>With the RFC defaults ({@link #RFC_4067}: 2 s, doubling, 15 s) the message goes out at 0, 2,
 * 6 and 14 s and the exchange is given up at 15 s: the next wait (8 s, the cap being 15 s) would
 * end after CT_RETRY_MAX. The 15 s interval cap matters only when giveUpAfter is larger.
 *
 * @param initialInterval wait before the first retransmission (CT_REQUEST_RETRY)
 * @param maxInterval cap of the doubling waits
 * @param giveUpAfter time after the first transmission beyond which nothing is sent (CT_RETRY_MAX)
 * @param maxTransmissions total transmissions, the first included
 */
public record RetransmissionPolicy(Duration initialInterval, Duration maxInterval, Duration giveUpAfter,
                                   int maxTransmissions) {

    /** RFC 4067: 2 s doubling, capped at 15 s, nothing after 15 s (so 4 transmissions). */
    public static final RetransmissionPolicy RFC_4067 = new RetransmissionPolicy(CxtpConstants.CT_REQUEST_RETRY,
            CxtpConstants.CT_RETRY_MAX, CxtpConstants.CT_RETRY_MAX, 4);

    public RetransmissionPolicy {
        if (initialInterval == null || initialInterval.isNegative() || initialInterval.isZero()) {
            throw new IllegalArgumentException("initial interval must be positive");
        }
        if (maxInterval == null || maxInterval.compareTo(initialInterval) < 0) {
            throw new IllegalArgumentException("max interval must be at least the initial interval");
        }
        if (giveUpAfter == null || giveUpAfter.isNegative()) {
            throw new IllegalArgumentException("give-up time must not be negative");
        }
        if (maxTransmissions < 1) {
            throw new IllegalArgumentException("at least one transmission");
        }
    }

    /** One transmission, then wait {@code ackWait} for the acknowledgement (for reliable transports). */
    public static RetransmissionPolicy singleTransmission(Duration ackWait) {
        return new RetransmissionPolicy(ackWait, ackWait, ackWait, 1);
    }

    /** The wait after transmission number {@code n} (1-based) before the next one. */
    public Duration intervalAfter(int n) {
        Duration d = initialInterval;
        for (int i = 1; i < n && d.compareTo(maxInterval) < 0; i++) {
            d = d.multipliedBy(2);
        }
        return d.compareTo(maxInterval) > 0 ? maxInterval : d;
    }

    /** Offsets of all transmissions from the first (the first is zero). */
    public List<Duration> transmissionOffsets() {
        List<Duration> offsets = new ArrayList<>();
        Duration t = Duration.ZERO;
        offsets.add(t);
        while (offsets.size() < maxTransmissions) {
            t = t.plus(intervalAfter(offsets.size()));
            if (t.compareTo(giveUpAfter) > 0) {
                break;
            }
            offsets.add(t);
        }
        return List.copyOf(offsets);
    }

    /** When, after the first transmission, an unacknowledged exchange is given up. */
    public Duration giveUpAt() {
        List<Duration> offsets = transmissionOffsets();
        Duration afterLast = offsets.get(offsets.size() - 1).plus(intervalAfter(offsets.size()));
        return afterLast.compareTo(giveUpAfter) < 0 ? afterLast : giveUpAfter;
    }
}
