package io.cxt.bench.activation;

import java.io.PrintStream;
import java.lang.management.ManagementFactory;
import java.lang.management.MemoryMXBean;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.StandardProtocolFamily;
import java.nio.ByteBuffer;
import java.nio.channels.DatagramChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;

import org.slf4j.LoggerFactory;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.AppenderBase;

import io.cxt.bench.Samples;
import io.cxt.cxtp.ContextTransferActivateRequest;
import io.cxt.cxtp.CxtpCodec;
import io.cxt.cxtp.CxtpConstants;
import io.cxt.sys.NativeUdpSocket;
import io.cxt.sys.NetNamespace;

/**
 * Issue 12's load goal: a nAR agent ({@link io.cxt.agent.role.AccessRouterAgent}, RFC default
 * CT_REQUEST_RATE 10/s) under hostile datagrams of each kind that reaches it from the network,
 * while a legitimate MN hands over predictively again and again. Prints, unloaded and loaded: the
 * MN's CTAR->CTAA time (p50 of the driver's round trip), the agent JVM's live heap after a full GC,
 * the log lines the agent wrote per second (INFO and above, as the daemon logs by default), and
 * the hostile rate actually reached per kind with the machine load.
 *
 * <p>Hostile kinds: (1) CTARs from 256 forged sources of the mobile prefix, naming the configured
 * pAR (so they pass the cheap screen) for random MNs with random tokens (the reactive path: CT-Req
 * to the pAR); (2) router channel envelopes from unknown sources (random sender ids, garbage
 * tags) and from the pAR's address with a wrong port. The MN's IKE port is not part of this lab
 * (no IKE endpoint in the nAR): not measured here. The generators run in this JVM, on the guest's
 * one CPU, and send bursts of {@value #BURST} datagrams with one {@code sendmmsg(2)} each; the rate
 * printed counts what the kernel took.
 *
 * <pre>HostileLoadBench [--rate 100000] [--seconds 20] [--handovers 20]</pre>
 */
public final class HostileLoadBench {

    private HostileLoadBench() {
    }

    /** Counts what the agent logs at INFO and above. */
    static final class LineCounter extends AppenderBase<ILoggingEvent> {
        final AtomicLong lines = new AtomicLong();

        @Override
        protected void append(ILoggingEvent e) {
            if (e.getLevel().isGreaterOrEqual(Level.INFO)) {
                lines.incrementAndGet();
            }
        }
    }

    public static void main(String[] args) throws Exception {
        int rate = 100_000;
        int seconds = 20;
        int handovers = 20;
        for (int i = 0; i < args.length; i++) {
            switch (args[i]) {
                case "-h", "--help" -> {
                    System.out.println("usage: HostileLoadBench [--rate N per kind] [--seconds N] [--handovers N]");
                    return;
                }
                case "--rate" -> rate = Integer.parseInt(args[++i]);
                case "--seconds" -> seconds = Integer.parseInt(args[++i]);
                case "--handovers" -> handovers = Integer.parseInt(args[++i]);
                default -> throw new IllegalArgumentException("unknown option " + args[i]);
            }
        }
        Logger root = (Logger) LoggerFactory.getLogger(org.slf4j.Logger.ROOT_LOGGER_NAME);
        root.detachAndStopAllAppenders(); // the figures go to stdout; the agent's lines are counted, not printed
        root.setLevel(Level.INFO);
        LineCounter counter = new LineCounter();
        counter.setContext(root.getLoggerContext());
        counter.start();
        root.addAppender(counter);

        PrintStream out = System.out;
        MemoryMXBean mem = ManagementFactory.getMemoryMXBean();
        try (ActivationLab lab = new ActivationLab(CxtpConstants.CT_REQUEST_RATE)) {
            DatagramChannel mn = lab.mobileNodeSockets(0, 1, true).get(0);
            mn.socket().setSoTimeout(0);
            handover(lab, mn, 3, 1); // warm up
            long heapIdle = liveHeap(mem);
            long linesBefore = counter.lines.get();
            Samples unloaded = handover(lab, mn, handovers, 1000);
            double unloadedLines = (counter.lines.get() - linesBefore) / 1.0;

            AtomicBoolean stop = new AtomicBoolean();
            AtomicLong ctars = new AtomicLong();
            AtomicLong envelopes = new AtomicLong();
            List<Thread> floods = new ArrayList<>();
            floods.add(flood("ctar-flood", lab, rate, stop, ctars, HostileLoadBench::ctarFlood));
            floods.add(flood("envelope-flood", lab, rate, stop, envelopes, HostileLoadBench::envelopeFlood));
            long t0 = System.nanoTime();
            long linesAtStart = counter.lines.get();
            Thread.sleep(2000); // let the flood reach its rate
            AtomicLong maxHeap = new AtomicLong();
            Thread sampler = new Thread(() -> {
                while (!stop.get()) {
                    maxHeap.accumulateAndGet(mem.getHeapMemoryUsage().getUsed(), Math::max);
                    Quiet.sleep(100);
                }
            }, "heap-sampler");
            sampler.setDaemon(true);
            sampler.start();
            long retransmittedBefore = RETRANSMITTED_CTARS.get();
            Samples loaded = handover(lab, mn, handovers, 1_000_000);
            long retransmittedLoaded = RETRANSMITTED_CTARS.get() - retransmittedBefore;
            long deadline = t0 + seconds * 1_000_000_000L;
            while (System.nanoTime() < deadline) {
                Thread.sleep(100);
            }
            long heapLoaded = liveHeap(mem);
            double floodSeconds = (System.nanoTime() - t0) / 1e9;
            long lines = counter.lines.get() - linesAtStart;
            stop.set(true);
            for (Thread t : floods) {
                t.join(5000);
            }
            String load = Files.readString(Path.of("/proc/loadavg")).trim();
            out.printf("hostile-load: nAR agent, CT_REQUEST_RATE %d/s, %d s of flood, machine load %s%n",
                    CxtpConstants.CT_REQUEST_RATE, Math.round(floodSeconds), load);
            out.printf("  hostile rate reached: forged CTARs %.0f/s, forged envelopes %.0f/s (target %d/s each)%n",
                    ctars.get() / floodSeconds, envelopes.get() / floodSeconds, rate);
            out.printf("  legitimate MN CTAR->CTAA p50: unloaded %.0f us, loaded %.0f us (%.2fx; goal <= 2x); loaded max %.0f us%n",
                    unloaded.percentile(50) / 1e3, loaded.percentile(50) / 1e3,
                    loaded.percentile(50) / Math.max(1.0, unloaded.percentile(50)), loaded.percentile(100) / 1e3);
            out.printf("  live heap after GC: idle %.1f MB, under load %.1f MB (+%.1f MB; goal < +64 MB); max used %.1f MB%n",
                    heapIdle / 1e6, heapLoaded / 1e6, (heapLoaded - heapIdle) / 1e6, maxHeap.get() / 1e6);
            out.printf("  log lines (INFO+): %.1f/s under load (goal <= 10/s); %d while unloaded handovers ran%n",
                    lines / floodSeconds, Math.round(unloadedLines));
            out.printf("  PCTDs of the legitimate MN pushed again (not held within 1 s): %d; its CTARs retransmitted after 2 s: %d "
                    + "(%d under load); late CTAAs (to retransmitted CTARs) skipped: %d%n", PCTD_PUSHED_AGAIN.get(),
                    RETRANSMITTED_CTARS.get(), retransmittedLoaded, STALE_CTAAS.get());
            out.printf("  agent counters: %s%n", lab.stats("mobile.udp.rate_limited", "mobile.udp.screened",
                    "mobile.udp.delivered", "mobile.udp.priority_lane", "mobile.udp.priority_lane_drops", "mobile.udp.kernel_drops",
                    "router.udp.kernel_drops",
                    "router.rejected", "ctreq.sent", "ctar.rejected", "activations"));
            // Where the legitimate MN's CTARs can be lost before the agent sees them: the receive buffers
            // (Udp6RcvbufErrors: datagrams the kernel dropped because a socket's buffer was full)
            out.printf("  UDP receive-buffer drops (snmp6 Udp6RcvbufErrors): nAR namespace %d, driver (MNs, pAR) namespace %d%n",
                    snmp6(lab.narNs.name(), "Udp6RcvbufErrors"), snmp6(lab.driverNs.name(), "Udp6RcvbufErrors"));
            // Udp6InErrors also counts what a socket filter dropped (the router channel's peer filter)
            out.printf("  UDP input errors (snmp6 Udp6InErrors: full buffers and socket filters): nAR namespace %d%n",
                    snmp6(lab.narNs.name(), "Udp6InErrors"));
        }
    }

    /** A counter of the named namespace's /proc/net/snmp6 (-1 if unreadable). */
    private static long snmp6(String ns, String counter) throws java.io.IOException {
        long[] v = {-1};
        NetNamespace.named(ns).runInside(() -> {
            for (String line : Files.readAllLines(Path.of("/proc/thread-self/net/snmp6"))) {
                String[] f = line.trim().split("\\s+");
                if (f.length == 2 && f[0].equals(counter)) {
                    v[0] = Long.parseLong(f[1]);
                }
            }
            return 0;
        });
        return v[0];
    }

    interface Flood {
        void run(ActivationLab lab, int rate, AtomicBoolean stop, AtomicLong sent) throws Exception;
    }

    private static Thread flood(String name, ActivationLab lab, int rate, AtomicBoolean stop, AtomicLong sent, Flood f) {
        Thread t = new Thread(() -> {
            try {
                f.run(lab, rate, stop, sent);
            } catch (Exception e) {
                System.err.println(name + ": " + e);
            }
        }, name);
        t.setDaemon(true);
        t.start();
        return t;
    }

    /** Burst size of the generators: one sendmmsg(2) sends this many datagrams. */
    static final int BURST = 32;

    /**
     * Paces bursts to {@code rate} datagrams per second, rotating over {@code bursts}; counts what the
     * kernel took (a burst refused by a full send buffer counts 0, as datagrams lost on a real link).
     */
    private static void paced(int rate, AtomicBoolean stop, AtomicLong sent, List<NativeUdpSocket> socks,
                              List<NativeUdpSocket.Burst> bursts) throws java.io.IOException {
        long start = System.nanoTime();
        long n = 0;
        long attempted = 0;
        while (!stop.get()) {
            int k = (int) (n % bursts.size());
            sent.addAndGet(socks.get(k).send(bursts.get(k)));
            n++;
            attempted += BURST;
            long due = start + attempted * 1_000_000_000L / rate;
            long wait = due - System.nanoTime();
            if (wait > 0) {
                java.util.concurrent.locks.LockSupport.parkNanos(wait);
            }
        }
    }

    /** UDP sockets bound in the driver namespace to {@code sources} (port 0). */
    private static List<NativeUdpSocket> sockets(ActivationLab lab, List<InetAddress> sources) throws Exception {
        List<NativeUdpSocket> socks = new ArrayList<>();
        NetNamespace.named(lab.driverNs.name()).runInside(() -> {
            for (InetAddress a : sources) {
                socks.add(NativeUdpSocket.open(new InetSocketAddress(a, 0), NativeUdpSocket.Options.defaults().withBatch(1, 1)));
            }
            return 0;
        });
        return socks;
    }

    private static void ctarFlood(ActivationLab lab, int rate, AtomicBoolean stop, AtomicLong sent) throws Exception {
        List<InetAddress> sources = new ArrayList<>();
        for (int i = 0; i < 256; i++) {
            sources.add(InetAddress.getByName("2001:db8:b::bad:" + Integer.toHexString(i + 1)));
        }
        List<NativeUdpSocket> socks = sockets(lab, sources);
        InetSocketAddress to = new InetSocketAddress(Fixtures.NAR_TUNNEL, ActivationLab.CTAR_PORT);
        ThreadLocalRandom r = ThreadLocalRandom.current();
        List<NativeUdpSocket.Burst> bursts = new ArrayList<>();
        for (NativeUdpSocket sock : socks) {
            List<byte[]> ctars = new ArrayList<>();
            for (int i = 0; i < BURST; i++) {
                byte[] a = new byte[16];
                r.nextBytes(a);
                a[0] = 0x20;
                a[1] = 0x01;
                ctars.add(CxtpCodec.encode(new ContextTransferActivateRequest(true, InetAddress.getByAddress(a),
                        Fixtures.PAR_TUNNEL, r.nextLong(1, 1L << 32), r.nextInt(), List.of())));
            }
            bursts.add(sock.prepareBurst(to, ctars));
        }
        try {
            paced(rate, stop, sent, socks, bursts);
        } finally {
            socks.forEach(NativeUdpSocket::close);
        }
    }

    private static void envelopeFlood(ActivationLab lab, int rate, AtomicBoolean stop, AtomicLong sent) throws Exception {
        List<InetAddress> sources = new ArrayList<>();
        for (int i = 0; i < 64; i++) {
            sources.add(i % 2 == 0 ? Fixtures.PAR_CXTP : Fixtures.DRIVER_LINK);
        }
        List<NativeUdpSocket> socks = sockets(lab, sources);
        InetSocketAddress to = new InetSocketAddress(Fixtures.NAR_CXTP, CxtpConstants.PORT);
        ThreadLocalRandom r = ThreadLocalRandom.current();
        List<NativeUdpSocket.Burst> bursts = new ArrayList<>();
        for (int s = 0; s < socks.size(); s++) {
            List<byte[]> envelopes = new ArrayList<>();
            for (int i = 0; i < BURST; i++) {
                byte[] e = new byte[16 + 64 + 16];
                r.nextBytes(e);
                e[0] = 1;
                e[1] = 0;
                e[2] = 0;
                e[3] = 0;
                e[8] = (byte) (e[8] & 0x7f);
                if (s % 2 == 0) { // the pAR's sender id: wrong port or bad tag
                    e[4] = 0;
                    e[5] = 0;
                    e[6] = 0;
                    e[7] = 1;
                }
                envelopes.add(e);
            }
            bursts.add(socks.get(s).prepareBurst(to, envelopes));
        }
        try {
            paced(rate, stop, sent, socks, bursts);
        } finally {
            socks.forEach(NativeUdpSocket::close);
        }
    }

    /** CTAAs that arrived after their handover was over (answers to a retransmitted CTAR), dropped unread. */
    private static final AtomicLong STALE_CTAAS = new AtomicLong();

    private static final long MIN_CTAR_INTERVAL_NANOS = 400_000_000L;
    private static long lastCtarNanos = System.nanoTime() - MIN_CTAR_INTERVAL_NANOS;

    /** CTARs of MN 0 sent again after 2 s without a CTAA (lost, or answered late). */
    private static final AtomicLong RETRANSMITTED_CTARS = new AtomicLong();

    /** PCTDs of MN 0 pushed again because the first was not held within 1 s (lost under the flood). */
    private static final AtomicLong PCTD_PUSHED_AGAIN = new AtomicLong();

    /** {@code n} predictive handovers of MN 0; returns the driver's CTAR->CTAA round trips. */
    private static Samples handover(ActivationLab lab, DatagramChannel mn, int n, long firstSequence) throws Exception {
        Samples s = new Samples(n);
        ByteBuffer buf = ByteBuffer.allocate(2048);
        byte[] pctd = Fixtures.pctd(0);
        lab.sink.onlyMobileNode = io.cxt.xfrm.AddressText.of(Fixtures.previousCareOf(0));
        for (int i = 0; i < n; i++) {
            int held = lab.sink.received.get();
            int failed = lab.sink.failures.get();
            // A PCTD is not retransmitted (RFC 4067: a lost one is recovered by the reactive CT-Req), and under
            // the envelope flood the router channel's socket buffer drops datagrams: pushed again after 1 s (the
            // measured figure is the activation, CTAR -> CTAA; the pushes are counted and printed).
            long until = System.nanoTime() + 60_000_000_000L;
            while (true) {
                lab.push(pctd);
                long wait = System.nanoTime() + 1_000_000_000L;
                while (System.nanoTime() < wait && lab.sink.received.get() == held && lab.sink.failures.get() == failed) {
                    Thread.sleep(5);
                }
                if (lab.sink.received.get() > held || lab.sink.failures.get() > failed) {
                    break;
                }
                PCTD_PUSHED_AGAIN.incrementAndGet();
                Quiet.check(System.nanoTime() < until, "the nAR did not hold the context within 60 s of pushes: "
                        + lab.sink.lastFailure);
            }
            Quiet.check(lab.sink.failures.get() == failed, "the nAR did not hold the context: " + lab.sink.lastFailure);
            Quiet.sleep(5);
            // A CTAR retransmitted after 2 s (a slow cold activation) makes the agent's transport answer it
            // again from its duplicate cache: that late CTAA must not be read as the next handover's answer
            // (it was, and the next iteration then flushed the kernel under a running activation: ESRCH).
            mn.configureBlocking(false);
            buf.clear();
            while (mn.read(buf) > 0) {
                buf.clear();
                STALE_CTAAS.incrementAndGet();
            }
            byte[] ctar = Fixtures.ctar(0, firstSequence + i);
            // One MN's CTARs at most every 400 ms: the agent allows a source a quarter of CT_REQUEST_RATE (3/s;
            // RequestRateLimiter.perSourceRate), and a real MN hands over a few times an hour. (Faster, the
            // bench's own MN was rate-limited and retransmitted: 25 of 83 CTARs in one run.)
            long gap = lastCtarNanos + MIN_CTAR_INTERVAL_NANOS - System.nanoTime();
            if (gap > 0) {
                java.util.concurrent.locks.LockSupport.parkNanos(gap);
            }
            long t0 = System.nanoTime();
            lastCtarNanos = t0;
            mn.write(ByteBuffer.wrap(ctar));
            buf.clear();
            // The MN retransmits after 2 s (RFC 4067); a lost or rate-limited CTAR shows as > 2 s. A blocking
            // receive with a timeout wakes when the CTAA arrives (a polling loop added up to a timer tick, 10 ms
            // at the lab kernel's HZ=100, to every sample, unloaded as loaded).
            mn.configureBlocking(true);
            long end = t0 + 15_000_000_000L;
            long nextRetry = t0 + 2_000_000_000L;
            java.net.DatagramPacket packet = new java.net.DatagramPacket(buf.array(), buf.capacity());
            while (true) {
                long now = System.nanoTime();
                if (now > end) {
                    throw new IllegalStateException("no CTAA within 15 s");
                }
                if (now >= nextRetry) {
                    mn.write(ByteBuffer.wrap(ctar));
                    RETRANSMITTED_CTARS.incrementAndGet();
                    nextRetry = now + 2_000_000_000L;
                }
                mn.socket().setSoTimeout((int) Math.max(1, (nextRetry - now) / 1_000_000));
                try {
                    mn.socket().receive(packet);
                    break;
                } catch (java.net.SocketTimeoutException e) {
                    // retransmit
                }
            }
            buf.clear();
            buf.position(packet.getLength());
            s.add(System.nanoTime() - t0);
            mn.configureBlocking(true);
            try {
                SingleHandoverBench.checkCtaa(buf, 0);
            } catch (IllegalStateException e) {
                Thread.sleep(200); // the event follows the CTAA on the agent's background thread
                throw new IllegalStateException(e.getMessage() + "; the agent's last failure: " + lab.sink.lastFailure, e);
            }
            lab.nar.states().flush(Fixtures.ESP);
            lab.nar.policies().flush();
            Quiet.sleep(20);
        }
        return s;
    }

    private static long liveHeap(MemoryMXBean mem) throws InterruptedException {
        for (int i = 0; i < 3; i++) {
            System.gc();
            Thread.sleep(100);
        }
        return mem.getHeapMemoryUsage().getUsed();
    }
}
