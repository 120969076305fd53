package io.cxt.bench.context;

import java.io.IOException;
import java.io.PrintStream;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

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
import io.cxt.nl.NetlinkRequest;
import io.cxt.nl.NetlinkSocket;
import io.cxt.xfrm.SpdInfo;
import io.cxt.xfrm.StateOperations;
import io.cxt.xfrm.XfrmClient;
import io.cxt.xfrm.XfrmMsgType;

/**
 * Part (b): throughput of a bulk transfer. A pAR namespace holds N MNs (2 SAs and 3 policies
 * each); one pass takes all of them with {@link ContextSnapshotter#snapshotAll} (one SAD dump, one
 * SPD dump) and then, MN by MN, reserves the inbound SPI, rewrites and installs into an nAR
 * namespace, as an nAR taking over a whole cell would. Reservation and install are done MN by MN
 * because a reservation is a larval SA the kernel drops after net.core.xfrm_acq_expires (30 s):
 * reserving all 10,000 first could outlive it.
 *
 * <p>Every pass (cxt or raw) installs into a <em>fresh</em> nAR namespace: the kernel's SAD and SPD
 * hash tables only grow, so a pass after another one in the same namespace would find them already
 * sized for N MNs and skip the resizes. Between passes the old namespace is deleted and the
 * benchmark waits until the CPU is idle again (the kernel frees its SAs and policies in the
 * background). Raw passes send the same bytes as the first cxt pass (captured after it); rounds
 * alternate which of the two goes first.
 */
final class BulkTransferBench {

    private static final String[] PHASES = {"snapshotAll", "reserve", "rewrite", "install", "total"};
    private static final byte[] EMPTY = new byte[0];

    private final int mnCount;
    private final int rounds;
    private final int warmupRounds;

    private final List<MobileNodeIdentity> mns = new ArrayList<>();
    private List<byte[]> rawAllocSpi;
    private List<List<NetlinkRequest>> rawInstall;
    private final List<long[]> cxtPasses = new ArrayList<>();
    private final List<long[]> rawPasses = new ArrayList<>();

    BulkTransferBench(int mnCount, int rounds, int warmupRounds) {
        this.mnCount = mnCount;
        this.rounds = rounds;
        this.warmupRounds = warmupRounds;
        for (int n = 0; n < mnCount; n++) {
            mns.add(MobileNodeFixtures.identity(n));
        }
    }

    void run(PrintStream out) throws IOException, ContextException {
        try (LabNamespace parNs = LabNamespace.create("bpar"); XfrmClient par = XfrmClient.open(parNs.name())) {
            long t0 = System.nanoTime();
            MobileNodeFixtures.RouterSide side = MobileNodeFixtures.parSide(0, mnCount);
            BenchChecks.noFailures("pAR", par.states().addAll(side.sas()));
            BenchChecks.noFailures("pAR", par.policies().addAll(side.policies()));
            double fill = (System.nanoTime() - t0) / 1e9;
            CpuQuiescence.await(30_000);
            out.printf("(b) bulk: pAR filled with %d MNs (%d SAs, %d policies) in %.1f s (cxt batches, untimed)%n",
                    mnCount, 2 * mnCount, 3 * mnCount, fill);
            out.flush();
            for (int r = 0; r < warmupRounds + rounds; r++) {
                boolean measured = r >= warmupRounds;
                boolean cxtFirst = rawInstall == null || r % 2 == 0;
                long[] a = cxtFirst ? cxtPass(par) : rawPass(par);
                long[] b = cxtFirst ? rawPass(par) : cxtPass(par);
                long[] c = cxtFirst ? a : b;
                long[] w = cxtFirst ? b : a;
                if (measured) {
                    cxtPasses.add(c);
                    rawPasses.add(w);
                }
                out.printf("    round %d%s (%s first): cxt %.0f MNs/s, raw %.0f MNs/s%n", r + 1 - warmupRounds,
                        measured ? "" : " (warm-up, not counted)", cxtFirst ? "cxt" : "raw", perSecond(c[4]),
                        perSecond(w[4]));
                out.flush();
            }
        }
        report(out);
    }

    /** Fresh nAR namespace, idle CPU, collected heap: the same start for every pass. */
    private interface Pass {
        long[] run(XfrmClient nar) throws IOException, ContextException;
    }

    private long[] inFreshNar(Pass pass) throws IOException, ContextException {
        long[] times;
        try (LabNamespace narNs = LabNamespace.create("bnar")) {
            try (XfrmClient nar = XfrmClient.open(narNs.name())) {
                System.gc();
                CpuQuiescence.await(30_000);
                times = pass.run(nar);
                Integer sas = nar.states().sadInfo().saCount();
                SpdInfo.Counts pol = nar.policies().spdInfo().counts();
                BenchChecks.check(sas != null && sas == 2 * mnCount && pol.in() == mnCount && pol.out() == mnCount
                        && pol.fwd() == mnCount, "nAR should hold " + 2 * mnCount + " SAs and " + mnCount
                        + " policies per direction, holds " + sas + " SAs and " + pol);
            }
        }
        CpuQuiescence.await(60_000);
        return times;
    }

    private long[] cxtPass(XfrmClient par) throws IOException, ContextException {
        boolean capture = rawInstall == null;
        List<MobileNodeContext> rewritten = capture ? new ArrayList<>(mnCount) : null;
        List<SpiReservations> reservations = capture ? new ArrayList<>(mnCount) : null;
        List<MobileNodeContext> snapshots = capture ? new ArrayList<>(mnCount) : null;
        long[] times = inFreshNar(nar -> {
            long[] t = new long[PHASES.length];
            SpiAllocator allocator = new SpiAllocator(nar, SadLookupCase.DEFAULT);
            ContextInstaller installer = new ContextInstaller(nar);
            long start = System.nanoTime();
            Map<MobileNodeIdentity, MobileNodeContext> snaps = new ContextSnapshotter(par)
                    .snapshotAll(mns, MobileNodeFixtures.PAR);
            long afterSnapshot = System.nanoTime();
            t[0] = afterSnapshot - start;
            for (int n = 0; n < mnCount; n++) {
                MobileNodeContext snap = snaps.get(mns.get(n));
                long a = System.nanoTime();
                SpiReservations res = allocator.reserveInbound(snap, MobileNodeFixtures.NAR);
                long b = System.nanoTime();
                MobileNodeContext rw = ContextRewriter.forTarget(snap, MobileNodeFixtures.newCareOf(n),
                        MobileNodeFixtures.NAR, res.mappings(), SequenceNumberPolicy.DEFAULT);
                long c = System.nanoTime();
                InstallReceipt receipt = installer.install(rw, res);
                long d = System.nanoTime();
                t[1] += b - a;
                t[2] += c - b;
                t[3] += d - c;
                BenchChecks.check(snap.securityAssociations().size() == 2 && snap.policies().size() == 3
                        && receipt.sas().size() == 2 && res.mappings().isEmpty(), "MN " + n + ": " + snap.summary());
                if (capture) {
                    snapshots.add(snap);
                    reservations.add(res);
                    rewritten.add(rw);
                }
            }
            t[4] = System.nanoTime() - start;
            return t;
        });
        if (capture) {
            rawAllocSpi = new ArrayList<>(mnCount);
            rawInstall = new ArrayList<>(mnCount);
            for (int n = 0; n < mnCount; n++) {
                List<byte[]> alloc = RawRequests.allocSpi(snapshots.get(n), MobileNodeFixtures.NAR);
                BenchChecks.check(alloc.size() == 1, "one inbound SA per MN");
                rawAllocSpi.add(alloc.get(0));
                rawInstall.add(RawRequests.install(rewritten.get(n), reservations.get(n)));
            }
        }
        return times;
    }

    private long[] rawPass(XfrmClient par) throws IOException, ContextException {
        NetlinkSocket parSocket = par.socket();
        byte[] dumpAll = StateOperations.dumpRequest(null, null);
        return inFreshNar(nar -> {
            NetlinkSocket narSocket = nar.socket();
            long[] t = new long[PHASES.length];
            long start = System.nanoTime();
            int sas = parSocket.dump(XfrmMsgType.GETSA, dumpAll, m -> m).size();
            int policies = parSocket.dump(XfrmMsgType.GETPOLICY, EMPTY, m -> m).size();
            long afterSnapshot = System.nanoTime();
            t[0] = afterSnapshot - start;
            for (int n = 0; n < mnCount; n++) {
                long a = System.nanoTime();
                narSocket.request(XfrmMsgType.ALLOCSPI, 0, rawAllocSpi.get(n));
                long b = System.nanoTime();
                List<NetlinkSocket.BatchFailure> failures = narSocket.batch(rawInstall.get(n), false);
                long d = System.nanoTime();
                t[1] += b - a;
                t[3] += d - b;
                BenchChecks.noFailures("raw install of MN " + n, failures);
            }
            t[4] = System.nanoTime() - start;
            BenchChecks.check(sas == 2 * mnCount && policies == 3 * mnCount,
                    "raw dumps returned " + sas + " SAs and " + policies + " policies");
            return t;
        });
    }

    private double perSecond(long nanos) {
        return mnCount / (nanos / 1e9);
    }

    private void report(PrintStream out) {
        out.printf("    %d MNs per pass; snapshotAll = one SAD + one SPD dump; then per MN: 1 exact ALLOCSPI,"
                + " rewrite, 1 install batch (UPDSA, NEWSA, 3 NEWPOLICY)%n", mnCount);
        out.printf("    raw = same dumps undecoded, same ALLOCSPI and install bytes (from cxt's first pass);"
                + " each pass into a fresh nAR namespace%n");
        out.printf("    %-11s %12s %12s %12s %12s %12s%n", "", "cxt s", "cxt MNs/s", "raw s", "raw MNs/s", "cxt/raw");
        for (int i = 0; i < PHASES.length; i++) {
            long c = median(cxtPasses, i);
            long w = median(rawPasses, i);
            boolean noKernel = PHASES[i].equals("rewrite");
            out.printf("    %-11s %12.3f %12.0f %12s %12s %12s%n", PHASES[i], c / 1e9, perSecond(c),
                    noKernel ? "-" : String.format("%.3f", w / 1e9), noKernel ? "-" : String.format("%.0f", perSecond(w)),
                    noKernel ? "(no kernel)" : String.format("%.2f", (double) c / w));
        }
        out.printf("    (median over %d measured round(s) per phase, after %d warm-up round(s); MNs/s = %d / time of the"
                + " phase)%n", cxtPasses.size(), warmupRounds, mnCount);
    }

    private static long median(List<long[]> passes, int phase) {
        long[] v = new long[passes.size()];
        for (int i = 0; i < v.length; i++) {
            v[i] = passes.get(i)[phase];
        }
        java.util.Arrays.sort(v);
        int mid = v.length / 2;
        return v.length % 2 == 1 ? v[mid] : (v[mid - 1] + v[mid]) / 2;
    }
}
