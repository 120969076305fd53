package io.cxt.agent.metrics;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLongArray;
import java.util.concurrent.atomic.LongAdder;

import io.cxt.agent.view.HistogramView;

/**
 * A latency histogram with fixed buckets from 50 us to 10 s (1-2.5-5 steps): a few atomic
 * increments per observation, no allocation, so that it can be fed from the activation path's
 * bookkeeping thread. Thread-safe; a snapshot taken while observations arrive may be off by the
 * ones in flight, never inconsistent in a way OpenMetrics rejects (counts are made cumulative and
 * the total is at least the last bucket).
 */
public final class LatencyHistogram {

    /** Upper bounds in microseconds. */
    public static final long[] BOUNDS_MICROS = {50, 100, 250, 500, 1_000, 2_500, 5_000, 10_000, 25_000, 50_000, 100_000,
        250_000, 500_000, 1_000_000, 2_500_000, 5_000_000, 10_000_000};

    private final String name;
    private final String help;
    private final Map<String, String> labels;
    private final AtomicLongArray buckets = new AtomicLongArray(BOUNDS_MICROS.length + 1);
    private final LongAdder sumMicros = new LongAdder();

    /**
     * @param name OpenMetrics family name (letters, digits, '_'; ends in "_seconds")
     * @param help what is measured, one line
     * @param labels the series' labels, or an empty map
     */
    public LatencyHistogram(String name, String help, Map<String, String> labels) {
        if (!name.matches("[a-zA-Z_][a-zA-Z0-9_]*")) {
            throw new IllegalArgumentException("not a metric name: " + name);
        }
        this.name = name;
        this.help = help;
        this.labels = Map.copyOf(labels);
    }

    /** Records one observation (negative values count as 0). */
    public void record(long nanos) {
        long micros = Math.max(0, nanos / 1000);
        int i = 0;
        while (i < BOUNDS_MICROS.length && micros > BOUNDS_MICROS[i]) {
            i++;
        }
        buckets.incrementAndGet(i);
        sumMicros.add(micros);
    }

    public HistogramView snapshot() {
        List<Long> bounds = new ArrayList<>(BOUNDS_MICROS.length);
        List<Long> cumulative = new ArrayList<>(BOUNDS_MICROS.length);
        long running = 0;
        for (int i = 0; i < BOUNDS_MICROS.length; i++) {
            running += buckets.get(i);
            bounds.add(BOUNDS_MICROS[i]);
            cumulative.add(running);
        }
        long count = running + buckets.get(BOUNDS_MICROS.length);
        return new HistogramView(name, help, labels, bounds, cumulative, count, sumMicros.sum());
    }
}
