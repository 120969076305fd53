package io.cxt.cxtp;

import java.util.EnumMap;
import java.util.Map;
import java.util.concurrent.atomic.LongAdder;

/** Thread-safe running counts of a transport. */
public final class TransportCounters {
    private final Map<TransportCounter, LongAdder> counts = new EnumMap<>(TransportCounter.class);

    public TransportCounters() {
        for (TransportCounter c : TransportCounter.values()) {
            counts.put(c, new LongAdder());
        }
    }

    public long get(TransportCounter c) {
        return counts.get(c).sum();
    }

    void increment(TransportCounter c) {
        counts.get(c).increment();
    }

    /** A copy of the non-zero counts. */
    public Map<TransportCounter, Long> snapshot() {
        Map<TransportCounter, Long> m = new EnumMap<>(TransportCounter.class);
        counts.forEach((k, v) -> {
            if (v.sum() != 0) {
                m.put(k, v.sum());
            }
        });
        return m;
    }

    @Override
    public String toString() {
        return snapshot().toString();
    }
}
