package io.cxt.bench.activation;

import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;

import io.cxt.bench.Samples;

/**
 * Prints what activating a held context costs on the nAR, end to end through the agent
 * ({@link io.cxt.agent.role.AccessRouterAgent}, CTAR received, kernel state installed, CTAA sent),
 * next to the kernel's raw cost of the same install: (a) one MN, 1,000 handovers, p50/p90/p99/max;
 * (b) 10,000 held MNs activated as fast as CTAAs return, activations per second. Issue 5, item 8.
 * Needs root and a kernel with ESP (the lab kernel: tests/bench/activation-bench runs it there).
 * Not a test: it checks only that what it measured succeeded, and prints figures.
 *
 * <pre>
 * ActivationBench [--runs 1000] [--warmup 500] [--mns 10000] [--window 64] [--only single|bulk]
 * </pre>
 */
public final class ActivationBench {

    private ActivationBench() {
    }

    public static void main(String[] args) throws Exception {
        int runs = 1000;
        int warmup = 500;
        int mns = 10_000;
        int window = 64;
        String only = null;
        for (int i = 0; i < args.length; i++) {
            String a = args[i];
            if (a.equals("-h") || a.equals("--help")) {
                System.out.println("usage: ActivationBench [--runs N] [--warmup N] [--mns N] [--window N] [--only single|bulk]");
                return;
            }
            if (i + 1 >= args.length) {
                throw new IllegalArgumentException("missing value after " + a);
            }
            String v = args[++i];
            switch (a) {
                case "--runs" -> runs = atLeast(a, v, 1);
                case "--warmup" -> warmup = atLeast(a, v, 0);
                case "--mns" -> mns = atLeast(a, v, 1);
                case "--window" -> window = atLeast(a, v, 1);
                case "--only" -> {
                    if (!v.equals("single") && !v.equals("bulk")) {
                        throw new IllegalArgumentException("--only takes single or bulk");
                    }
                    only = v;
                }
                default -> throw new IllegalArgumentException("unknown option " + a);
            }
        }
        if (mns > 0xffff) {
            throw new IllegalArgumentException("at most 65535 MNs (SPIs are numbered 0xc0000000|n)");
        }
        PrintStream out = System.out;
        header(out);
        if (!"bulk".equals(only)) {
            new SingleHandoverBench(runs, warmup).run(out);
            out.println();
            out.flush();
        }
        if (!"single".equals(only)) {
            new BulkActivationBench(mns, window).run(out);
        }
        out.flush();
        System.exit(0); // the agents' daemon threads are closed; don't wait for stray executors
    }

    private static void header(PrintStream out) throws IOException {
        String kernel = Files.readString(Path.of("/proc/sys/kernel/osrelease")).strip();
        out.printf("cxt activation benchmark: kernel %s, %d CPU(s), Java %s (%s), max heap %d MiB%n", kernel,
                Runtime.getRuntime().availableProcessors(), System.getProperty("java.version"),
                System.getProperty("java.vm.name"), Runtime.getRuntime().maxMemory() >> 20);
        out.printf("nAR = AccessRouterAgent (MN side UDP port 5092, ctar-rate 0 = unlimited, router channel UDP +"
                + " AES-256-GCM); pAR and MNs = drivers in this JVM;%n");
        out.printf("wall-clock figures (System.nanoTime, %.2f µs per reading here); cxt logs at WARN (cli's logback.xml)%n",
                nanoTimeCost() / 1000.0);
        long[] noise = noiseProbe();
        out.printf("CPU noise probe (a fixed ~300 µs compute loop, 2,000 times): p50 %.1f µs, p99 %.1f µs, max %.1f µs"
                + " (its tail is time the host took this CPU away)%n", noise[0] / 1e3, noise[1] / 1e3, noise[2] / 1e3);
        out.println();
    }

    /** Times a fixed compute loop (no system calls but two clock readings) to show how often the host preempts the lab. */
    private static long[] noiseProbe() {
        long iterations = 1000;
        long v = 1;
        for (int i = 0; i < 200; i++) {
            v = spin(100_000, v); // compiled before it is calibrated
        }
        while (true) {
            long t0 = System.nanoTime();
            v = spin(iterations, v);
            if (System.nanoTime() - t0 >= 300_000 || iterations > (1L << 40)) {
                break;
            }
            iterations *= 2;
        }
        Samples s = new Samples(2000);
        for (int i = 0; i < 2000; i++) {
            long t0 = System.nanoTime();
            v = spin(iterations, v);
            s.add(System.nanoTime() - t0);
        }
        if (v == 42) {
            System.out.print("");
        }
        return new long[] {s.percentile(50), s.percentile(99), s.percentile(100)};
    }

    private static long spin(long n, long v) {
        for (long i = 0; i < n; i++) {
            v = v * 6364136223846793005L + 1442695040888963407L;
        }
        return v;
    }

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

    private static int atLeast(String name, String v, int min) {
        int n = Integer.parseInt(v);
        if (n < min) {
            throw new IllegalArgumentException(name + " must be >= " + min);
        }
        return n;
    }
}
