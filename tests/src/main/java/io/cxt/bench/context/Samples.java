package io.cxt.bench.context;

import java.util.Arrays;

/** Durations of one measured quantity over many runs, in nanoseconds; percentiles by nearest rank. */
final class Samples {

    private final long[] values;
    private int size;
    private boolean sorted;

    Samples(int capacity) {
        values = new long[capacity];
    }

    void add(long nanos) {
        values[size++] = nanos;
        sorted = false;
    }

    int size() {
        return size;
    }

    /** The smallest value with at least {@code p} percent of the samples at or below it. */
    long percentile(double p) {
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
}
