package io.cxt.bench.context;

import java.io.IOException;
import java.io.PrintStream;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;

import io.cxt.bench.LabNamespace;
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
import io.cxt.xfrm.SpdInfo;
import io.cxt.xfrm.StateOperations;
import io.cxt.xfrm.XfrmBatch;
import io.cxt.xfrm.XfrmClient;
import io.cxt.xfrm.XfrmFailure;
import io.cxt.xfrm.XfrmMsgType;

/**
 * Part (b): throughput of a bulk transfer. A pAR namespace holds N MNs (2 SAs and 3 policies
 * each); cxt takes all of them with {@link ContextSnapshotter#snapshotAll} (one SAD dump, one SPD
 * dump) and then, MN by MN, reserves the inbound SPI, rewrites and installs into an nAR namespace,
 * as an nAR taking over a whole cell would. Reservation and install go MN by MN because a
 * reservation is a larval SA that the kernel drops after net.core.xfrm_acq_expires (30 s):
 * reserving all 10,000 first could outlive it.
 *
 * <p><b>Paired.</b> The raw messages go, interleaved, into a second nAR namespace: the raw dumps
 * right after (or before) snapshotAll, and MN n's raw ALLOCSPI and install batch right after (or
 * before) cxt's for MN n, the order alternating. Both sides thus meet the same load on the host
 * (user-mode Linux runs at the host scheduler's mercy) and nAR tables of the same size at every
 * step, so their ratio holds even when the absolute figures drift from round to round. A phase's
 * time is the sum of its timed sections; the figures exclude the other side's sections.
 *
 * <p>Every round installs into two <em>fresh</em> nAR namespaces (the kernel's SAD and SPD hash
 * tables only grow, so a later round in the same namespace would skip the resizes); afterwards
 * they are deleted and the benchmark waits until the CPU is idle (the kernel frees their SAs and
 * policies in the background). Raw requests are the bytes cxt sent for the same MN in the warm-up
 * (first) round, captured there.
 */
final class BulkTransferBench {

    private static final String[] PHASES = {"snapshotAll", "reserve", "rewrite", "install", "total"};
    private static final int SNAPSHOT = 0;
    private static final int RESERVE = 1;
    private static final int REWRITE = 2;
    private static final int INSTALL = 3;
    private static final int TOTAL = 4;
    private static final byte[] EMPTY = new byte[0];

    private final int mnCount;
    private final int rounds;
    private final int warmupRounds;

    private final List<MobileNodeIdentity> mns = new ArrayList<>();
    private final byte[][] rawAllocSpi;
    private final List<XfrmBatch> rawInstall;
    private final List<long[]> cxtRounds = new ArrayList<>();
    private final List<long[]> rawRounds = new ArrayList<>();

    BulkTransferBench(int mnCount, int rounds, int warmupRounds) {
        this.mnCount = mnCount;
        this.rounds = rounds;
        this.warmupRounds = Math.max(1, warmupRounds); // the first round captures the raw requests
        this.rawAllocSpi = new byte[mnCount][];
        this.rawInstall = new ArrayList<>(mnCount);
        for (int n = 0; n < mnCount; n++) {
            mns.add(MobileNodeFixtures.identity(n));
            rawInstall.add(null);
        }
    }

    void run(PrintStream out) throws IOException, ContextException {
        try (LabNamespace parNs = LabNamespace.create("cxtb", "bpar"); XfrmClient par = XfrmClient.open(parNs.name())) {
            long t0 = System.nanoTime();
            MobileNodeFixtures.RouterSide side = MobileNodeFixtures.parSide(0, mnCount);
            BenchChecks.noFailures("pAR", par.states().addAll(side.sas()));
            BenchChecks.noFailures("pAR", par.policies().addAll(side.policies()));
            double fill = (System.nanoTime() - t0) / 1e9;
            CpuQuiescence.await(30_000);
            out.printf("(b) bulk: %d MNs; pAR filled with %d SAs and %d policies in %.1f s (untimed)%n", mnCount,
                    2 * mnCount, 3 * mnCount, fill);
            out.flush();
            for (int r = 0; r < warmupRounds + rounds; r++) {
                boolean measured = r >= warmupRounds;
                long[][] result = round(par, r);
                long[] c = result[0];
                long[] w = result[1];
                if (measured) {
                    cxtRounds.add(c);
                    rawRounds.add(w);
                }
                out.printf("    round %d%s: cxt %.0f MNs/s (%.1f s), raw %.0f MNs/s (%.1f s), cxt/raw %.2f;"
                        + " GC %d ms, round took %.1f s%n", r + 1 - warmupRounds,
                        measured ? "" : " (warm-up, not counted)", perSecond(c[TOTAL]), c[TOTAL] / 1e9,
                        perSecond(w[TOTAL]), w[TOTAL] / 1e9, (double) c[TOTAL] / w[TOTAL], result[2][0],
                        result[2][1] / 1e9);
                out.flush();
            }
        }
        report(out);
    }

    /** One round: {cxt phase times, raw phase times, {GC ms, wall ns}}. */
    private long[][] round(XfrmClient par, int r) throws IOException, ContextException {
        boolean capture = r == 0;
        long[] cxt = new long[PHASES.length];
        long[] raw = new long[PHASES.length];
        long wall;
        GcClock gc;
        try (LabNamespace cxtNs = LabNamespace.create("cxtb", "bnar"); LabNamespace rawNs = LabNamespace.create("cxtb", "bnar-raw");
             XfrmClient cxtNar = XfrmClient.open(cxtNs.name()); XfrmClient rawNar = XfrmClient.open(rawNs.name());
             NetlinkSocket parSocket = RawSockets.beside(par); NetlinkSocket narSocket = RawSockets.beside(rawNar)) {
            SpiAllocator allocator = new SpiAllocator(cxtNar, SadLookupCase.DEFAULT);
            ContextInstaller installer = new ContextInstaller(cxtNar);
            ContextSnapshotter snapshotter = new ContextSnapshotter(par);
            byte[] dumpAll = StateOperations.dumpRequest(null, null);
            System.gc();
            CpuQuiescence.await(30_000);
            gc = GcClock.now();
            long roundStart = System.nanoTime();

            Map<MobileNodeIdentity, MobileNodeContext> snaps = null;
            for (int side = 0; side < 2; side++) {
                if ((side == 0) == (r % 2 == 0)) {
                    long a = System.nanoTime();
                    snaps = snapshotter.snapshotAll(mns, MobileNodeFixtures.PAR);
                    cxt[SNAPSHOT] = System.nanoTime() - a;
                } else {
                    long a = System.nanoTime();
                    int sas = parSocket.dump(XfrmMsgType.GETSA, dumpAll, m -> m).size();
                    int policies = parSocket.dump(XfrmMsgType.GETPOLICY, EMPTY, m -> m).size();
                    raw[SNAPSHOT] = System.nanoTime() - a;
                    BenchChecks.check(sas == 2 * mnCount && policies == 3 * mnCount,
                            "raw dumps returned " + sas + " SAs and " + policies + " policies");
                }
            }
            for (int n = 0; n < mnCount; n++) {
                boolean cxtFirst = capture || (n + r) % 2 == 0;
                if (!cxtFirst) {
                    rawMn(narSocket, rawNar, n, raw);
                }
                MobileNodeContext snap = snaps.get(mns.get(n));
                long a = System.nanoTime();
                SpiReservations res = allocator.reserveInbound(snap, MobileNodeFixtures.NAR);
                long b = System.nanoTime();
                MobileNodeContext rw = ContextRewriter.forTarget(snap, MobileNodeFixtures.newCareOf(n),
                        MobileNodeFixtures.NAR, res.mappings(), SequenceNumberPolicy.DEFAULT);
                long c = System.nanoTime();
                InstallReceipt receipt = installer.install(rw, res);
                long d = System.nanoTime();
                cxt[RESERVE] += b - a;
                cxt[REWRITE] += c - b;
                cxt[INSTALL] += d - c;
                BenchChecks.check(snap.securityAssociations().size() == 2 && snap.policies().size() == 3
                        && receipt.sas().size() == 2 && res.mappings().isEmpty(), "MN " + n + ": " + snap.summary());
                if (capture) {
                    List<byte[]> alloc = RawRequests.allocSpi(snap, MobileNodeFixtures.NAR);
                    BenchChecks.check(alloc.size() == 1, "one inbound SA per MN");
                    rawAllocSpi[n] = alloc.get(0);
                    rawInstall.set(n, RawRequests.install(rw, res));
                }
                if (cxtFirst) {
                    rawMn(narSocket, rawNar, n, raw);
                }
            }
            wall = System.nanoTime() - roundStart;
            gc = GcClock.now().since(gc);
            checkHoldsAll(cxtNar);
            checkHoldsAll(rawNar);
        }
        CpuQuiescence.await(60_000);
        for (long[] t : new long[][] {cxt, raw}) {
            t[TOTAL] = t[SNAPSHOT] + t[RESERVE] + t[REWRITE] + t[INSTALL];
        }
        return new long[][] {cxt, raw, {gc.millis(), wall}};
    }

    private void rawMn(NetlinkSocket narSocket, XfrmClient rawNar, int n, long[] raw) throws IOException {
        long a = System.nanoTime();
        narSocket.request(XfrmMsgType.ALLOCSPI, 0, rawAllocSpi[n]);
        long b = System.nanoTime();
        List<XfrmFailure> failures = rawNar.apply(rawInstall.get(n));
        long d = System.nanoTime();
        raw[RESERVE] += b - a;
        raw[INSTALL] += d - b;
        BenchChecks.noFailures("raw install of MN " + n, failures);
    }

    private void checkHoldsAll(XfrmClient nar) throws IOException {
        Integer sas = nar.states().sadInfo().saCount();
        SpdInfo.Counts pol = nar.policies().spdInfo().counts();
        BenchChecks.check(sas != null && sas == 2 * mnCount && pol.in() == mnCount && pol.out() == mnCount
                && pol.fwd() == mnCount, "nAR should hold " + 2 * mnCount + " SAs and " + mnCount
                + " policies per direction, holds " + sas + " SAs and " + pol);
    }

    private double perSecond(long nanos) {
        return mnCount / (nanos / 1e9);
    }

    private void report(PrintStream out) {
        out.printf("    snapshotAll = one SAD dump + one SPD dump of the pAR; then per MN: 1 exact ALLOCSPI, rewrite,"
                + " 1 install batch (UPDSA, NEWSA, 3 NEWPOLICY)%n");
        out.printf("    raw = the same dumps undecoded and the same ALLOCSPI and install bytes, interleaved MN by MN"
                + " into a second fresh nAR namespace%n");
        out.printf("    %-11s %12s %12s %12s %12s %12s%n", "", "cxt s", "cxt MNs/s", "raw s", "raw MNs/s", "cxt/raw");
        for (int i = 0; i < PHASES.length; i++) {
            long c = median(cxtRounds, i);
            long w = median(rawRounds, i);
            boolean noKernel = i == REWRITE;
            out.printf("    %-11s %12.3f %12.0f %12s %12s %12s%n", PHASES[i], c / 1e9, perSecond(c),
                    noKernel ? "-" : String.format("%.3f", w / 1e9), noKernel ? "-" : String.format("%.0f", perSecond(w)),
                    noKernel ? "(no kernel)" : String.format("%.2f", medianRatio(i)));
        }
        out.printf("    (medians over %d measured round(s), after %d warm-up round(s); cxt/raw = median of the rounds'"
                + " ratios; MNs/s = %d / time)%n", cxtRounds.size(), warmupRounds, mnCount);
    }

    private static long median(List<long[]> rounds, int phase) {
        long[] v = new long[rounds.size()];
        for (int i = 0; i < v.length; i++) {
            v[i] = rounds.get(i)[phase];
        }
        Arrays.sort(v);
        int mid = v.length / 2;
        return v.length % 2 == 1 ? v[mid] : (v[mid - 1] + v[mid]) / 2;
    }

    private double medianRatio(int phase) {
        double[] v = new double[cxtRounds.size()];
        for (int i = 0; i < v.length; i++) {
            v[i] = (double) cxtRounds.get(i)[phase] / rawRounds.get(i)[phase];
        }
        Arrays.sort(v);
        int mid = v.length / 2;
        return v.length % 2 == 1 ? v[mid] : (v[mid - 1] + v[mid]) / 2;
    }
}
