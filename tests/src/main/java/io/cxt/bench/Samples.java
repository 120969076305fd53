package io.cxt.bench;

import java.util.Arrays;

/** Durations of one measured quantity, in nanoseconds; percentiles by nearest rank. Thread-safe. */
public final class Samples {

    private long[] values;
    private int size;
    private boolean sorted;

    public Samples(int capacity) {
        values = new long[Math.max(1, capacity)];
    }

    public synchronized void add(long nanos) {
        if (size == values.length) {
            values = Arrays.copyOf(values, size * 2);
        }
        values[size++] = nanos;
        sorted = false;
    }

    public synchronized int size() {
        return size;
    }

    /** The smallest value with at least {@code p} percent of the samples at or below it. */
    public synchronized long percentile(double p) {
        if (size == 0) {
            throw new IllegalStateException("no samples");
        }
        if (!sorted) {
            Arrays.sort(values, 0, size);
            sorted = true;
        }
        int rank = (int) Math.ceil(p / 100.0 * size);
        return values[Math.max(0, Math.min(size, rank) - 1)];
    }

    public synchronized long sum() {
        long s = 0;
        for (int i = 0; i < size; i++) {
            s += values[i];
        }
        return s;
    }

    /** "p50 p90 p99 max" in µs, each right-aligned in 9 columns. */
    public String row() {
        return String.format("%9s %9s %9s %9s", us(percentile(50)), us(percentile(90)), us(percentile(99)),
                us(percentile(100)));
    }

    public static String us(long nanos) {
        return String.format("%.1f", nanos / 1000.0);
    }
}
