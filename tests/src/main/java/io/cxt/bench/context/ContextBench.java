package io.cxt.bench.context;

import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Prints what moving mobile nodes' IPsec contexts costs with cxt, next to what the kernel alone
 * takes for the same netlink messages: (a) one MN's snapshot, SPI reservation, rewrite and install
 * (p50/p99 per phase), (b) the throughput of a bulk transfer of many MNs. Needs root and a kernel
 * with ESP (the lab kernel: tests/bench/context-bench runs it there). Not a test: it asserts only
 * that what it measured succeeded, and prints figures.
 *
 * <pre>
 * ContextBench [--runs 1000] [--warmup 2000] [--background 0] [--mns 10000] [--rounds 4]
 *              [--bulk-warmup 1] [--only single|bulk]
 * </pre>
 */
public final class ContextBench {

    private ContextBench() {
    }

    public static void main(String[] args) throws Exception {
        int runs = 1000;
        int warmup = 2000;
        int background = 0;
        int mns = 10_000;
        int rounds = 4;
        int bulkWarmup = 1;
        String only = null;
        for (int i = 0; i < args.length; i++) {
            String a = args[i];
            if (a.equals("-h") || a.equals("--help")) {
                System.out.println("usage: ContextBench [--runs N] [--warmup N] [--background N] [--mns N] [--rounds N]"
                        + " [--bulk-warmup N] [--only single|bulk]");
                return;
            }
            if (i + 1 >= args.length) {
                throw new IllegalArgumentException("missing value after " + a);
            }
            String v = args[++i];
            switch (a) {
                case "--runs" -> runs = positive(a, v);
                case "--warmup" -> warmup = nonNegative(a, v);
                case "--background" -> background = nonNegative(a, v);
                case "--mns" -> mns = positive(a, v);
                case "--rounds" -> rounds = positive(a, v);
                case "--bulk-warmup" -> bulkWarmup = nonNegative(a, v);
                case "--only" -> {
                    if (!v.equals("single") && !v.equals("bulk")) {
                        throw new IllegalArgumentException("--only takes single or bulk");
                    }
                    only = v;
                }
                default -> throw new IllegalArgumentException("unknown option " + a);
            }
        }
        if (mns > 0xffff || background > 0x7fff) {
            throw new IllegalArgumentException("at most 65535 MNs and 32767 background MNs (SPIs are numbered 0xc0000000|n)");
        }
        PrintStream out = System.out;
        header(out);
        if (!"bulk".equals(only)) {
            new SingleMnBench(runs, warmup, background).run(out);
            out.println();
            out.flush();
        }
        if (!"single".equals(only)) {
            new BulkTransferBench(mns, rounds, bulkWarmup).run(out);
        }
    }

    private static void header(PrintStream out) throws IOException {
        String kernel = Files.readString(Path.of("/proc/sys/kernel/osrelease")).strip();
        out.printf("cxt context benchmark: kernel %s, %d CPU(s), Java %s (%s), max heap %d MiB%n", kernel,
                Runtime.getRuntime().availableProcessors(), System.getProperty("java.version"),
                System.getProperty("java.vm.name"), Runtime.getRuntime().maxMemory() >> 20);
        out.printf("figures are wall-clock (System.nanoTime, %.2f µs per reading here); cxt logs at WARN (cli's logback.xml)%n",
                nanoTimeCost() / 1000.0);
        out.println();
    }

    /** What one System.nanoTime() costs (a system call where there is no vDSO, as under user-mode Linux). */
    private static double nanoTimeCost() {
        int n = 20_000;
        long sink = 0;
        long t0 = System.nanoTime();
        for (int i = 0; i < n; i++) {
            sink += System.nanoTime();
        }
        long t1 = System.nanoTime();
        return sink == 42 ? 0 : (double) (t1 - t0) / n;
    }

    private static int positive(String name, String v) {
        int n = Integer.parseInt(v);
        if (n <= 0) {
            throw new IllegalArgumentException(name + " must be > 0");
        }
        return n;
    }

    private static int nonNegative(String name, String v) {
        int n = Integer.parseInt(v);
        if (n < 0) {
            throw new IllegalArgumentException(name + " must be >= 0");
        }
        return n;
    }
}
