package io.cxt.bench.activation;

import java.io.IOException;
import java.lang.management.GarbageCollectorMXBean;
import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.function.BooleanSupplier;

/** Waiting helpers: for an idle CPU (the kernel frees SAs and namespaces later, in work queues), for a condition. */
final class Quiet {

    private Quiet() {
    }

    /**
     * Waits until, over a 100 ms sleep, at least 97% of the CPU time in /proc/stat was idle, so that
     * deferred kernel work (xfrm_state_gc_task, RCU, cleanup_net) or the agent's journal thread does
     * not run inside the next timed section. Gives up after {@code maxMillis}; returns the wait.
     */
    static long awaitIdleCpu(long maxMillis) throws IOException {
        long start = System.nanoTime();
        long[] before = cpuTimes();
        while ((System.nanoTime() - start) / 1_000_000 < maxMillis) {
            sleep(100);
            long[] after = cpuTimes();
            long total = after[0] - before[0];
            long idle = after[1] - before[1];
            before = after;
            if (total > 0 && idle * 100 >= total * 97) {
                break;
            }
        }
        return (System.nanoTime() - start) / 1_000_000;
    }

    private static long[] cpuTimes() throws IOException {
        for (String line : Files.readAllLines(Path.of("/proc/stat"))) {
            if (line.startsWith("cpu ")) {
                String[] f = line.trim().split("\\s+");
                long total = 0;
                for (int i = 1; i < f.length; i++) {
                    total += Long.parseLong(f[i]);
                }
                return new long[] {total, Long.parseLong(f[4]) + (f.length > 5 ? Long.parseLong(f[5]) : 0)};
            }
        }
        throw new IOException("no cpu line in /proc/stat");
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
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted", e);
        }
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
