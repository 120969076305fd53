package io.cxt.bench;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Waits until the machine is idle. The kernel frees SAs, policies and whole namespaces later, in
 * work queues (xfrm_state_gc_task, RCU callbacks, cleanup_net); on the lab's single CPU that work
 * would otherwise run inside the next timed section and be billed to whoever happens to run then.
 * Idle means: over a 100 ms sleep, at least 97% of the CPU time in /proc/stat was idle.
 */
public final class CpuQuiescence {

    private static final Path PROC_STAT = Path.of("/proc/stat");

    private CpuQuiescence() {
    }

    /** Returns how long it waited, in milliseconds (gives up after {@code maxMillis}). */
    public static long await(long maxMillis) throws IOException {
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

    /** {total, idle + iowait} jiffies of the "cpu" line. */
    private static long[] cpuTimes() throws IOException {
        for (String line : Files.readAllLines(PROC_STAT)) {
            if (line.startsWith("cpu ")) {
                String[] f = line.trim().split("\\s+");
                long total = 0;
                for (int i = 1; i < f.length; i++) {
                    total += Long.parseLong(f[i]);
                }
                long idle = Long.parseLong(f[4]) + (f.length > 5 ? Long.parseLong(f[5]) : 0);
                return new long[] {total, idle};
            }
        }
        throw new IOException("no cpu line in " + PROC_STAT);
    }

    /** Sleeps; an interrupt ends the benchmark (IllegalStateException), the flag set again. */
    public static void sleep(long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted", e);
        }
    }
}
