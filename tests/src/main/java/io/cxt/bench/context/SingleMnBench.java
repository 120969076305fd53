package io.cxt.bench.context;

import java.io.IOException;
import java.io.PrintStream;
import java.net.InetAddress;
import java.util.List;

import io.cxt.bench.LabNamespace;
import io.cxt.bench.Samples;
import io.cxt.bench.CpuQuiescence;
import io.cxt.context.ContextException;
import io.cxt.context.ContextInstaller;
import io.cxt.context.ContextRewriter;
import io.cxt.context.ContextSnapshotter;
import io.cxt.context.InstallReceipt;
import io.cxt.context.MobileNodeContext;
import io.cxt.context.MobileNodeIdentity;
import io.cxt.context.SadLookupCase;
import io.cxt.context.SequenceNumberPolicy;
import io.cxt.context.SpiAllocator;
import io.cxt.context.SpiReservations;
import io.cxt.nl.NetlinkSocket;
import io.cxt.sys.NetNamespace;
import io.cxt.xfrm.XfrmBatch;
import io.cxt.xfrm.XfrmChangeFence;
import io.cxt.xfrm.XfrmClient;
import io.cxt.xfrm.XfrmFailure;
import io.cxt.xfrm.XfrmMsgType;

/**
 * Part (a): latency of one MN's transfer, snapshot on the pAR, SPI reservation, rewrite and install
 * on the nAR, phase by phase, next to the same netlink messages sent raw.
 *
 * <p><b>State per run.</b> Every run moves the same MN (number 0) from the same pAR namespace into
 * an nAR namespace that holds none of it: after each run the installed SAs and policies are deleted
 * again (outside the timed section), and the benchmark sleeps 1 ms so that the kernel frees them
 * (deferred SA garbage collection, RCU) before the next run rather than during it. The snapshot
 * only reads the pAR, so the pAR needs no reset. Each run therefore meets identical kernel state,
 * and the percentiles describe the per-MN cost itself rather than a drift (a rolling set of distinct
 * MNs would grow the nAR's tables by 2 SAs and 3 policies per run, and every run would pay a little
 * more than the one before). How that cost grows with the routers' load is what
 * {@code --background N} shows (N other MNs on each router) and what part (b) measures at 10,000.
 *
 * <p><b>Raw.</b> The same requests, pre-encoded, on the same two sockets: the snapshot's two
 * filtered GETSA dumps, its GETPOLICY dump and its GETAE per SA, received but not decoded; the
 * exact ALLOCSPI; the install batch (UPDSA, NEWSA, 3 NEWPOLICY) in one send. The raw install bytes
 * are captured from the first cxt run and checked against every measured cxt run. cxt and raw
 * alternate which goes first, run by run.
 */
final class SingleMnBench {

    static final String[] PHASES = {"snapshot", "reserve", "rewrite", "install", "total"};
    private static final int MN = 0;
    private static final byte[] EMPTY = new byte[0];
    /** The fence alone is measured in the last warm-up runs too (it is also warmed by every snapshot). */
    private static final int FENCE_WARMUP = 100;

    private final int runs;
    private final int warmup;
    private final int background;

    private XfrmClient par;
    private XfrmClient nar;
    private NetlinkSocket rawPar;
    private NetlinkSocket rawNar;
    private ContextSnapshotter snapshotter;
    private SpiAllocator allocator;
    private ContextInstaller installer;
    private final MobileNodeIdentity mn = MobileNodeFixtures.identity(MN);
    private final InetAddress newCareOf = MobileNodeFixtures.newCareOf(MN);

    /** Raw requests, captured from the first cxt run. */
    private List<byte[]> rawSaDumps;
    private List<byte[]> rawGetAe;
    private List<byte[]> rawAllocSpi;
    private XfrmBatch rawInstall;
    private InstallReceipt installed;
    private int expectedPolicies;

    private final Samples[] cxt;
    private final Samples[] raw;
    private final Samples fence;
    private final Samples rawFence;
    private RawFence rawFenceOps;
    private int identicalRuns;

    SingleMnBench(int runs, int warmup, int background) {
        this.runs = runs;
        this.warmup = warmup;
        this.background = background;
        cxt = new Samples[PHASES.length];
        raw = new Samples[PHASES.length];
        for (int i = 0; i < PHASES.length; i++) {
            cxt[i] = new Samples(runs);
            raw[i] = new Samples(runs);
        }
        fence = new Samples(runs);
        rawFence = new Samples(runs);
    }

    void run(PrintStream out) throws IOException, ContextException {
        try (LabNamespace parNs = LabNamespace.create("cxtb", "par"); LabNamespace narNs = LabNamespace.create("cxtb", "nar")) {
            try (XfrmClient p = XfrmClient.open(parNs.name()); XfrmClient n = XfrmClient.open(narNs.name());
                 NetlinkSocket rp = RawSockets.beside(p); NetlinkSocket rn = RawSockets.beside(n)) {
                par = p;
                nar = n;
                rawPar = rp;
                rawNar = rn;
                snapshotter = new ContextSnapshotter(par);
                allocator = new SpiAllocator(nar, SadLookupCase.DEFAULT);
                installer = new ContextInstaller(nar);
                rawFenceOps = new RawFence(NetNamespace.named(parNs.name()));
                populate();
                CpuQuiescence.await(10_000);
                long start = System.nanoTime();
                GcClock gcStart = GcClock.now();
                for (int i = 0; i < warmup + runs; i++) {
                    boolean measured = i >= warmup;
                    if (i == warmup) {
                        System.gc();
                        CpuQuiescence.await(10_000);
                        gcStart = GcClock.now();
                    }
                    if (i % 2 == 0) {
                        cxtRun(measured);
                        rawRun(measured);
                    } else {
                        rawRun(measured);
                        cxtRun(measured);
                    }
                    if (i >= warmup - FENCE_WARMUP) {
                        fenceRun(measured);
                    }
                }
                report(out, (System.nanoTime() - start) / 1e9, GcClock.now().since(gcStart));
            }
        }
    }

    private void populate() throws IOException {
        MobileNodeFixtures.RouterSide parSide = MobileNodeFixtures.parSide(MN, 1 + background);
        BenchChecks.noFailures("pAR", par.states().addAll(parSide.sas()));
        BenchChecks.noFailures("pAR", par.policies().addAll(parSide.policies()));
        if (background > 0) {
            // MNs already on the nAR; numbers after the pAR's so that no SPI is shared with MN 0.
            MobileNodeFixtures.RouterSide side = MobileNodeFixtures.narSide(1 + background, background);
            BenchChecks.noFailures("nAR", nar.states().addAll(side.sas()));
            BenchChecks.noFailures("nAR", nar.policies().addAll(side.policies()));
        }
        expectedPolicies = 3 * (1 + background);
    }

    private void cxtRun(boolean measured) throws IOException, ContextException {
        long t0 = System.nanoTime();
        MobileNodeContext snap = snapshotter.snapshot(mn, MobileNodeFixtures.PAR);
        long t1 = System.nanoTime();
        SpiReservations res = allocator.reserveInbound(snap, MobileNodeFixtures.NAR);
        long t2 = System.nanoTime();
        MobileNodeContext rw = ContextRewriter.forTarget(snap, newCareOf, MobileNodeFixtures.NAR, res.mappings(),
                SequenceNumberPolicy.DEFAULT);
        long t3 = System.nanoTime();
        InstallReceipt receipt = installer.install(rw, res);
        long t4 = System.nanoTime();

        BenchChecks.check(snap.securityAssociations().size() == 2 && snap.policies().size() == 3,
                "snapshot of MN 0 should hold 2 SAs and 3 policies: " + snap.summary());
        BenchChecks.check(res.held().size() == 1 && res.mappings().isEmpty(), "expected one exact SPI reservation");
        BenchChecks.check(!receipt.alreadyInstalled() && receipt.sas().size() == 2 && receipt.policies().size() == 3,
                "install should add 2 SAs and 3 policies");
        if (rawInstall == null) {
            rawSaDumps = RawRequests.snapshotSaDumps(mn.careOfAddress());
            rawGetAe = RawRequests.snapshotGetAe(snap);
            rawAllocSpi = RawRequests.allocSpi(snap, MobileNodeFixtures.NAR);
            rawInstall = RawRequests.install(rw, res);
            installed = receipt;
        } else if (measured && RawRequests.install(rw, res).sameEntries(rawInstall)
                && RawRequests.sameBytes(RawRequests.snapshotGetAe(snap), rawGetAe)
                && RawRequests.sameBytes(RawRequests.allocSpi(snap, MobileNodeFixtures.NAR), rawAllocSpi)) {
            identicalRuns++;
        }
        installer.uninstall(receipt);
        if (measured) {
            record(cxt, t0, t1, t2, t3, t4);
        }
        CpuQuiescence.sleep(1);
    }

    private void rawRun(boolean measured) throws IOException {
        NetlinkSocket parSocket = rawPar;
        NetlinkSocket narSocket = rawNar;
        long t0 = System.nanoTime();
        int sas = 0;
        for (byte[] d : rawSaDumps) {
            sas += parSocket.dump(XfrmMsgType.GETSA, d, m -> m).size();
        }
        int policies = parSocket.dump(XfrmMsgType.GETPOLICY, EMPTY, m -> m).size();
        for (byte[] ae : rawGetAe) {
            parSocket.request(XfrmMsgType.GETAE, 0, ae);
        }
        long t1 = System.nanoTime();
        for (byte[] a : rawAllocSpi) {
            narSocket.request(XfrmMsgType.ALLOCSPI, 0, a);
        }
        long t2 = System.nanoTime();
        long t3 = t2; // nothing to rewrite
        List<XfrmFailure> failures = nar.apply(rawInstall);
        long t4 = System.nanoTime();

        BenchChecks.noFailures("raw install", failures);
        BenchChecks.check(sas == 2 && policies == expectedPolicies, "raw dumps returned " + sas + " SAs and "
                + policies + " policies");
        installer.uninstall(installed);
        if (measured) {
            record(raw, t0, t1, t2, t3, t4);
        }
        CpuQuiescence.sleep(1);
    }

    /**
     * What the snapshot's event fence costs by itself (a second socket, three groups, two drains,
     * close) with cxt's NetlinkSocket and with the bare system calls; alternating order.
     */
    private void fenceRun(boolean measured) throws IOException {
        long t0 = System.nanoTime();
        try (XfrmChangeFence f = par.openChangeFence()) {
            f.arm();
            f.crossed(java.util.List.of());
        }
        long t1 = System.nanoTime();
        rawFenceOps.openDrainClose();
        long t2 = System.nanoTime();
        if (measured) {
            fence.add(t1 - t0);
            rawFence.add(t2 - t1);
        }
    }

    private static void record(Samples[] s, long t0, long t1, long t2, long t3, long t4) {
        s[0].add(t1 - t0);
        s[1].add(t2 - t1);
        s[2].add(t3 - t2);
        s[3].add(t4 - t3);
        s[4].add(t4 - t0);
    }

    private void report(PrintStream out, double seconds, GcClock gc) {
        out.printf("(a) one MN: snapshot + reserve + rewrite + install, %d runs after %d warm-up runs (%.1f s)%n",
                runs, warmup, seconds);
        out.printf("    MN: IPv6, 2 ESP tunnel SAs cbc(aes)+hmac(sha256), 3 tunnel policies (out, in, fwd);"
                + " reserve = 1 exact ALLOCSPI%n");
        out.printf("    routers: pAR holds %d MN(s), nAR holds %d before each run (installed SAs/policies removed after"
                + " each run, untimed)%n", 1 + background, background);
        out.printf("    raw = the same netlink requests pre-encoded, on the same sockets, replies not decoded;"
                + " GETAE, ALLOCSPI and install bytes identical to cxt's in %d/%d measured runs%n", identicalRuns, runs);
        out.printf("    %-9s %10s %10s %10s %10s %12s%n", "µs", "cxt p50", "cxt p99", "raw p50", "raw p99", "cxt/raw p50");
        for (int i = 0; i < PHASES.length; i++) {
            long cp50 = cxt[i].percentile(50);
            long rp50 = raw[i].percentile(50);
            String ratio = PHASES[i].equals("rewrite") ? "(no kernel)" : String.format("%.2f", (double) cp50 / rp50);
            out.printf("    %-9s %10s %10s %10s %10s %12s%n", PHASES[i], micros(cp50), micros(cxt[i].percentile(99)),
                    PHASES[i].equals("rewrite") ? "-" : micros(rp50),
                    PHASES[i].equals("rewrite") ? "-" : micros(raw[i].percentile(99)), ratio);
        }
        out.printf("    %-9s %10s %10s %10s %10s %12s   <- part of the snapshot, measured on its own%n", "fence",
                micros(fence.percentile(50)), micros(fence.percentile(99)), micros(rawFence.percentile(50)),
                micros(rawFence.percentile(99)), String.format("%.2f",
                        (double) fence.percentile(50) / rawFence.percentile(50)));
        out.printf("    fence = the snapshot's event fence: open a second XFRM socket in the pAR namespace, join 3 groups,"
                + " drain twice, close;%n            raw = the same system calls without NetlinkSocket (which adds its"
                + " direct buffers, 64 KiB + 4 KiB for an event socket)%n");
        out.printf("    JVM garbage collections during the measured runs: %d, %d ms in all (%s)%n", gc.collections(),
                gc.millis(), GcClock.collectorNames());
        out.printf("    raw snapshot = 2 filtered GETSA dumps + GETPOLICY dump + %d GETAE; raw install = 1 batch of %d"
                + " requests (%d octets)%n", rawGetAe.size(), rawInstall.size(), RawRequests.totalBytes(rawInstall));
    }

    static String micros(long nanos) {
        return String.format("%.1f", nanos / 1000.0);
    }
}
