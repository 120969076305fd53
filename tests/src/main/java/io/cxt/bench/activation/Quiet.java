package io.cxt.bench.activation;

import java.lang.management.GarbageCollectorMXBean;
import java.lang.management.ManagementFactory;
import java.util.function.BooleanSupplier;

import io.cxt.bench.CpuQuiescence;

/** Waiting helpers of the activation benchmarks: for a condition, a pause; and the GC counters. (For an idle CPU: {@link CpuQuiescence}.) */
final class Quiet {

    private Quiet() {
    }

    /** Polls {@code condition} every 100 µs-1 ms until true; fails with {@code what} after {@code maxMillis}. */
    static void await(String what, long maxMillis, BooleanSupplier condition) {
        long end = System.nanoTime() + maxMillis * 1_000_000;
        int spins = 0;
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() > end) {
                throw new IllegalStateException("benchmark invariant broken: timed out after " + maxMillis
                        + " ms waiting for " + what);
            }
            if (spins++ < 50) {
                Thread.onSpinWait();
                Thread.yield();
            } else {
                sleep(1);
            }
        }
    }

    static void check(boolean condition, String message) {
        if (!condition) {
            throw new IllegalStateException("benchmark invariant broken: " + message);
        }
    }

    static void sleep(long millis) {
        CpuQuiescence.sleep(millis);
    }

    /** {collections, milliseconds} of all collectors so far. */
    static long[] gc() {
        long count = 0;
        long time = 0;
        for (GarbageCollectorMXBean gc : ManagementFactory.getGarbageCollectorMXBeans()) {
            count += Math.max(0, gc.getCollectionCount());
            time += Math.max(0, gc.getCollectionTime());
        }
        return new long[] {count, time};
    }
}
