package io.cxt.bench.activation;

import java.io.IOException;
import java.io.PrintStream;
import java.nio.ByteBuffer;
import java.nio.channels.DatagramChannel;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.concurrent.ThreadLocalRandom;

import io.cxt.bench.LabNamespace;
import io.cxt.bench.Samples;
import io.cxt.bench.CpuQuiescence;
import io.cxt.context.ContextException;
import io.cxt.context.ContextRewriter;
import io.cxt.context.MobileNodeContext;
import io.cxt.context.SequenceNumberPolicy;
import io.cxt.context.SpiAllocator;
import io.cxt.context.SpiReservations;
import io.cxt.context.SadLookupCase;
import io.cxt.xfrm.XfrmBatch;
import io.cxt.xfrm.XfrmClient;
import io.cxt.xfrm.XfrmFailure;

/**
 * Part (b): N MNs (default 10,000) activated as fast as CTAAs come back.
 *
 * <p><b>Hold phase</b> (timed only for information): the pAR driver pushes N PCTDs (distinct HoA,
 * CoA, SPIs, reqids, token keys) keeping at most 64 not yet held, and waits until the agent holds
 * all N (N larval SAs from exact ALLOCSPIs). <b>Activation phase</b>: after an idle CPU, the MN
 * driver (one thread, a selector over N UDP sockets, each bound to its MN's predicted CoA) keeps a
 * window of W CTARs outstanding (default 64) until all N CTAAs have come back; each CTAR's round
 * trip and the phase's wall time (first CTAR sent to last CTAA received) are recorded, and the
 * agent's own CTAR-to-CTAA time per activation from its events.
 *
 * <p>Part (c) for the bulk: in a fresh namespace without agent, the same N SPI reservations
 * (ContextSpiAllocator, untimed), then N prebuilt install batches (the same SAs and policies the
 * agent installs) sent one after the other on a bare {@link XfrmClient#apply}, each timed.
 */
final class BulkActivationBench {

    private static final int PUSH_WINDOW = 64;

    private final int mns;
    private final int window;
    private final Samples driver;
    private Samples agent;
    private final Samples raw;
    private double holdSeconds;
    private double activateSeconds;
    private double rawSeconds;
    private double tailSeconds;
    private String phases = "";
    private long[] gc;
    private String agentStats = "";

    BulkActivationBench(int mns, int window) {
        this.mns = mns;
        this.window = window;
        driver = new Samples(mns);
        raw = new Samples(mns);
    }

    void run(PrintStream out) throws IOException, ContextException {
        List<byte[]> pctds = new ArrayList<>(mns);
        for (int n = 0; n < mns; n++) {
            pctds.add(Fixtures.pctd(n));
        }
        try (ActivationLab lab = new ActivationLab()) {
            List<DatagramChannel> sockets = lab.mobileNodeSockets(0, mns, false);
            hold(lab, pctds);
            CpuQuiescence.await(30_000);
            activate(lab, sockets);
        }
        CpuQuiescence.await(30_000);
        rawInstalls();
        report(out);
    }

    private void hold(ActivationLab lab, List<byte[]> pctds) throws IOException {
        long t0 = System.nanoTime();
        for (int n = 0; n < mns; n++) {
            final int sent = n;
            Quiet.await("the nAR to catch up with the PCTDs", 60_000,
                    () -> sent - lab.sink.received.get() < PUSH_WINDOW || lab.sink.failures.get() > 0);
            Quiet.check(lab.sink.failures.get() == 0, lab.sink.lastFailure);
            lab.push(pctds.get(n));
        }
        Quiet.await("the nAR to hold all " + mns + " contexts", 120_000,
                () -> lab.sink.received.get() >= mns || lab.sink.failures.get() > 0);
        holdSeconds = (System.nanoTime() - t0) / 1e9;
        Quiet.check(lab.sink.failures.get() == 0, lab.sink.lastFailure);
        Quiet.check(lab.agent.stats().get("contexts.held") == mns, "held: " + lab.agent.stats().get("contexts.held"));
    }

    private void activate(ActivationLab lab, List<DatagramChannel> sockets) throws IOException {
        byte[][] ctars = new byte[mns][];
        long sequence = ThreadLocalRandom.current().nextLong(1, 1L << 31);
        for (int n = 0; n < mns; n++) {
            ctars[n] = Fixtures.ctar(n, sequence + n);
        }
        long[] sentAt = new long[mns];
        ByteBuffer buf = ByteBuffer.allocate(2048);
        System.gc();
        CpuQuiescence.await(30_000);
        lab.sink.recording = true;
        try (Selector selector = Selector.open()) {
            for (int n = 0; n < mns; n++) {
                sockets.get(n).register(selector, SelectionKey.OP_READ, n);
            }
            gc = Quiet.gc();
            int next = 0;
            int done = 0;
            long t0 = System.nanoTime();
            while (done < mns) {
                while (next < mns && next - done < window) {
                    sentAt[next] = System.nanoTime();
                    sockets.get(next).write(ByteBuffer.wrap(ctars[next]));
                    next++;
                }
                if (selector.select(10_000) == 0) {
                    throw new IllegalStateException("benchmark invariant broken: no CTAA for 10 s; " + done
                            + " activated, " + lab.stats("ctar.received", "activations", "mobile.udp.rate_limited")
                            + "; " + lab.sink.lastFailure);
                }
                Iterator<SelectionKey> it = selector.selectedKeys().iterator();
                while (it.hasNext()) {
                    SelectionKey key = it.next();
                    it.remove();
                    int n = (Integer) key.attachment();
                    buf.clear();
                    if (((DatagramChannel) key.channel()).read(buf) <= 0) {
                        continue;
                    }
                    long now = System.nanoTime();
                    SingleHandoverBench.checkCtaa(buf, n);
                    driver.add(now - sentAt[n]);
                    done++;
                }
            }
            activateSeconds = (System.nanoTime() - t0) / 1e9;
            long[] after = Quiet.gc();
            gc = new long[] {after[0] - gc[0], after[1] - gc[1]};
        }
        long lastCtaa = System.nanoTime();
        Quiet.await("all activation events and CTDRs", 60_000,
                () -> lab.sink.activated.get() >= mns && lab.ctdrSuccess.get() >= mns);
        // The agent's post-CTAA work (CTDR, journal, event) runs on its background thread and may
        // trail the last CTAA: how much of it was left when the activation phase's clock stopped.
        tailSeconds = (System.nanoTime() - lastCtaa) / 1e9;
        phases = lab.phases();
        Quiet.check(lab.sink.failures.get() == 0 && lab.ctdrFailure.get() == 0, "failures: " + lab.sink.lastFailure);
        agent = lab.sink.activationMicros;
        agentStats = lab.stats("ctar.received", "activations", "contexts.active", "contexts.held",
                "mobile.udp.rate_limited", "mobile.udp.duplicate_ignored");
    }

    private void rawInstalls() throws IOException, ContextException {
        try (LabNamespace ns = LabNamespace.create("cxta", "rawbulk"); XfrmClient k = XfrmClient.open(ns.name())) {
            ns.sysctl("net.core.xfrm_acq_expires", "3600");
            SpiAllocator allocator = new SpiAllocator(k, SadLookupCase.DEFAULT);
            List<XfrmBatch> batches = new ArrayList<>(mns);
            for (int n = 0; n < mns; n++) {
                MobileNodeContext ctx = Fixtures.parContext(n);
                SpiReservations res = allocator.reserveInbound(ctx, Fixtures.NAR_TUNNEL);
                MobileNodeContext rw = ContextRewriter.forTarget(ctx, Fixtures.newCareOf(n), Fixtures.NAR_TUNNEL,
                        res.mappings(), SequenceNumberPolicy.DEFAULT);
                batches.add(Fixtures.installBatch(rw, res));
            }
            System.gc();
            CpuQuiescence.await(30_000);
            long start = System.nanoTime();
            for (XfrmBatch b : batches) {
                long t0 = System.nanoTime();
                List<XfrmFailure> failures = k.apply(b);
                raw.add(System.nanoTime() - t0);
                Quiet.check(failures.isEmpty(), "raw batch refused: " + failures);
            }
            rawSeconds = (System.nanoTime() - start) / 1e9;
        }
    }

    private void report(PrintStream out) {
        out.printf("(b) %d MNs: %d PCTDs pushed and held in %.2f s (%.0f/s, untimed phase: SPI reservation = exact ALLOCSPI"
                + " per MN);%n    then CTARs with a window of %d outstanding, each MN from its predicted CoA%n", mns, mns,
                holdSeconds, mns / holdSeconds, window);
        out.printf("    %-44s %9s %9s %9s %9s %12s%n", "µs", "p50", "p90", "p99", "max", "per second");
        out.printf("    %-44s %s %12.0f%n", "driver: CTAR sent -> CTAA received (UDP)", driver.row(), mns / activateSeconds);
        out.printf("    %-44s %s %12.0f%n", "agent: CTAR decoded -> CTAA sent (its event)", agent.row(),
                agent.size() * 1e9 / Math.max(1, agent.sum()));
        out.printf("    %-44s %s %12.0f%n", "(c) raw: same installs, 1 batch per MN", raw.row(), mns / rawSeconds);
        out.printf("    activation phase %.2f s for %d MNs; raw %.2f s. Per second: driver = MNs / wall time of the phase,"
                + " agent = 1 / mean agent time, raw = MNs / wall time%n", activateSeconds, mns, rawSeconds);
        out.printf("    all CTDRs at the pAR driver and all events %.3f s after the last CTAA (post-CTAA work left over);"
                + " including it: %.0f activations/s%n", tailSeconds, mns / (activateSeconds + tailSeconds));
        out.printf("    agent phases (its stats, last 1024 activations): %s%n", phases);
        out.printf("    JVM garbage collections during the activation phase: %d, %d ms in all; agent: %s%n", gc[0], gc[1],
                agentStats);
        out.printf("    goal >= 2000 activations/s: %s%n", SingleHandoverBench.met(mns / activateSeconds >= 2000));
    }
}
