package io.cxt.bench.activation;

import java.io.IOException;
import java.io.PrintStream;
import java.nio.ByteBuffer;
import java.nio.channels.DatagramChannel;
import java.util.List;
import java.util.concurrent.ThreadLocalRandom;

import io.cxt.bench.LabNamespace;
import io.cxt.bench.Samples;
import io.cxt.bench.CpuQuiescence;
import io.cxt.context.ContextException;
import io.cxt.context.ContextInstaller;
import io.cxt.context.ContextRewriter;
import io.cxt.context.InstallReceipt;
import io.cxt.context.MobileNodeContext;
import io.cxt.context.SequenceNumberPolicy;
import io.cxt.context.SpiAllocator;
import io.cxt.context.SpiReservations;
import io.cxt.cxtp.ContextTransferActivateAcknowledge;
import io.cxt.cxtp.CxtpCodec;
import io.cxt.cxtp.CxtpDecodeException;
import io.cxt.cxtp.CxtpMessage;
import io.cxt.context.SadLookupCase;
import io.cxt.xfrm.XfrmBatch;
import io.cxt.xfrm.XfrmClient;
import io.cxt.xfrm.XfrmFailure;

/**
 * Part (a): 1,000 handovers of one MN (number 0) into the nAR agent, one after the other.
 *
 * <p>Per handover: the pAR driver pushes the MN's PCTD and waits until the agent has reserved the
 * SPIs and holds the context (event "context-received"), then 5 ms (a real PCTD precedes the MN's
 * move by far more; the agent's journal thread finishes meanwhile) - none of this timed. Then the
 * MN driver sends the CTAR from the predicted CoA and blocks until the CTAA arrives: that round
 * trip is the <b>driver</b> figure. The agent's own time from the decoded CTAR to the CTAA sent is
 * read from its "context-activated" event ("CTAR->CTAA N us", whole µs): the <b>agent</b> figure.
 * Afterwards (untimed) the driver waits for the CTDR, flushes the nAR's SAD and SPD and sleeps
 * 1 ms, so that every handover meets an empty nAR kernel.
 *
 * <p>Part (c) for one MN, in a third namespace with no agent: the same SPI reservation (untimed),
 * then, alternating which goes first, {@link ContextInstaller#install} (the library call the agent
 * makes) and the same SAs and policies as one prebuilt netlink batch on a bare
 * {@link XfrmClient#apply} (UPDSA over the larval SA, NEWSA, NEWPOLICY x3), each removed again untimed.
 */
final class SingleHandoverBench {

    private final int runs;
    private final int warmup;
    final Samples driver;
    Samples agent;
    final Samples library;
    final Samples raw;
    private long[] gc;
    /** Handovers in which the driver saw the CTAA only after the agent had also sent the CTDR and emitted its event. */
    private int driverAfterEvent;
    private final Samples driverLag = new Samples(1000);
    private String phases = "";

    SingleHandoverBench(int runs, int warmup) {
        this.runs = runs;
        this.warmup = warmup;
        driver = new Samples(runs);
        library = new Samples(runs);
        raw = new Samples(runs);
    }

    void run(PrintStream out) throws IOException, ContextException {
        double seconds;
        try (ActivationLab lab = new ActivationLab()) {
            seconds = handovers(lab);
        }
        CpuQuiescence.await(10_000);
        rawRuns();
        report(out, seconds);
    }

    private double handovers(ActivationLab lab) throws IOException {
        byte[] pctd = Fixtures.pctd(0);
        DatagramChannel mn = lab.mobileNodeSockets(0, 1, true).get(0);
        ByteBuffer buf = ByteBuffer.allocate(2048);
        long sequence = ThreadLocalRandom.current().nextLong(1, 1L << 31);
        CpuQuiescence.await(10_000);
        long start = System.nanoTime();
        for (int i = 0; i < warmup + runs; i++) {
            boolean measured = i >= warmup;
            if (i == warmup) {
                System.gc();
                CpuQuiescence.await(10_000);
                gc = Quiet.gc();
                start = System.nanoTime();
                lab.sink.recording = true;
            }
            int held = lab.sink.received.get();
            int activated = lab.sink.activated.get();
            int ctdr = lab.ctdrSuccess.get();
            lab.push(pctd);
            Quiet.await("the nAR holds the context", 10_000, () -> lab.sink.received.get() > held || lab.sink.failures.get() > 0);
            Quiet.check(lab.sink.failures.get() == 0, lab.sink.lastFailure);
            Quiet.sleep(5);
            byte[] ctar = Fixtures.ctar(0, sequence++);

            long t0 = System.nanoTime();
            mn.write(ByteBuffer.wrap(ctar));
            buf.clear();
            mn.read(buf);
            long t1 = System.nanoTime();

            checkCtaa(buf, 0);
            Quiet.await("the activation event and the CTDR", 10_000,
                    () -> lab.sink.activated.get() > activated && lab.ctdrSuccess.get() > ctdr);
            if (measured) {
                driver.add(t1 - t0);
                long lag = t1 - lab.sink.lastActivatedAt;
                if (lag > 0) {
                    driverAfterEvent++;
                    driverLag.add(lag);
                }
            }
            lab.nar.states().flush(Fixtures.ESP);
            lab.nar.policies().flush();
            Quiet.sleep(1);
        }
        double seconds = (System.nanoTime() - start) / 1e9;
        long[] after = Quiet.gc();
        gc = new long[] {after[0] - gc[0], after[1] - gc[1]};
        Samples fromEvents = lab.sink.activationMicros;
        Quiet.check(fromEvents.size() == runs, "expected " + runs + " activation events, got " + fromEvents.size());
        agent = fromEvents;
        phases = lab.phases();
        Quiet.check(lab.sink.failures.get() == 0 && lab.ctdrFailure.get() == 0, "failures: " + lab.sink.lastFailure);
        return seconds;
    }

    static void checkCtaa(ByteBuffer buf, int n) {
        buf.flip();
        byte[] bytes = new byte[buf.remaining()];
        buf.get(bytes);
        CxtpMessage m;
        try {
            m = CxtpCodec.decode(bytes);
        } catch (CxtpDecodeException e) {
            throw new IllegalStateException("benchmark invariant broken: undecodable CTAA: " + e.getMessage(), e);
        }
        Quiet.check(m instanceof ContextTransferActivateAcknowledge a && a.failedContexts().isEmpty()
                && a.previousAddress().equals(Fixtures.previousCareOf(n)), "expected a successful CTAA for MN " + n + ": " + m);
    }

    /** Part (c), one MN: library install against the prebuilt batch on the bare socket, in a namespace without agent. */
    private void rawRuns() throws IOException, ContextException {
        try (LabNamespace ns = LabNamespace.create("cxta", "raw"); XfrmClient k = XfrmClient.open(ns.name())) {
            ns.sysctl("net.core.xfrm_acq_expires", "3600");
            SpiAllocator allocator = new SpiAllocator(k, SadLookupCase.DEFAULT);
            ContextInstaller installer = new ContextInstaller(k);
            MobileNodeContext ctx = Fixtures.parContext(0);
            XfrmBatch batch = null;
            InstallReceipt receipt = null;
            for (int i = 0; i < warmup + runs; i++) {
                boolean measured = i >= warmup;
                for (int side = 0; side < 2; side++) {
                    boolean lib = (side == 0) == (i % 2 == 0); // alternate; i = 0 starts with the library
                    SpiReservations res = allocator.reserveInbound(ctx, Fixtures.NAR_TUNNEL);
                    MobileNodeContext rw = ContextRewriter.forTarget(ctx, Fixtures.newCareOf(0), Fixtures.NAR_TUNNEL,
                            res.mappings(), SequenceNumberPolicy.DEFAULT);
                    if (batch == null) {
                        batch = Fixtures.installBatch(rw, res);
                    }
                    long t0;
                    long t1;
                    if (lib) {
                        t0 = System.nanoTime();
                        receipt = installer.install(rw, res);
                        t1 = System.nanoTime();
                        Quiet.check(receipt.sas().size() == 2 && receipt.policies().size() == 3, "install: 2 SAs, 3 policies");
                    } else {
                        t0 = System.nanoTime();
                        List<XfrmFailure> failures = k.apply(batch);
                        t1 = System.nanoTime();
                        Quiet.check(failures.isEmpty(), "raw batch refused: " + failures);
                    }
                    if (measured) {
                        (lib ? library : raw).add(t1 - t0);
                    }
                    Quiet.check(receipt != null, "the library install runs first");
                    installer.uninstall(receipt);
                    Quiet.sleep(1);
                }
            }
        }
    }

    private void report(PrintStream out, double seconds) {
        out.printf("(a) one MN, %d predictive handovers after %d warm-up ones (%.1f s), nAR kernel emptied between"
                + " handovers (untimed)%n", runs, warmup, seconds);
        out.printf("    %-44s %9s %9s %9s %9s%n", "µs", "p50", "p90", "p99", "max");
        out.printf("    %-44s %s%n", "driver: CTAR sent -> CTAA received (UDP)", driver.row());
        out.printf("    %-44s %s%n", "agent: CTAR decoded -> CTAA sent (its event)", agent.row());
        out.printf("    %-44s %s%n", "(c) library: ContextInstaller.install", library.row());
        out.printf("    %-44s %s%n", "(c) raw: same install as 1 netlink batch", raw.row());
        out.printf("    in %d of %d handovers the driver thread got the CTAA only after the agent had also sent the CTDR to the pAR"
                + " and emitted its event (one CPU: the agent's post-CTAA work runs first)%s%n", driverAfterEvent, runs,
                driverLag.size() == 0 ? "" : String.format("; then by p50 %s µs", Samples.us(driverLag.percentile(50))));
        out.printf("    agent phases (its stats, last 1024 activations): %s%n", phases);
        out.printf("    JVM garbage collections during the measured handovers: %d, %d ms in all%n", gc[0], gc[1]);
        out.printf("    goals p50 <= 1000 µs: driver %s, agent %s; p99 <= 5000 µs: driver %s, agent %s%n",
                met(driver.percentile(50) <= 1_000_000), met(agent.percentile(50) <= 1_000_000),
                met(driver.percentile(99) <= 5_000_000), met(agent.percentile(99) <= 5_000_000));
    }

    static String met(boolean ok) {
        return ok ? "met" : "MISSED";
    }
}
