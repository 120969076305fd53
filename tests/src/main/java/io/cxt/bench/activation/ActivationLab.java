package io.cxt.bench.activation;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.StandardProtocolFamily;
import java.nio.channels.DatagramChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

import io.cxt.bench.LabNamespace;
import io.cxt.bench.Samples;
import io.cxt.agent.ActivationListener;
import io.cxt.agent.EventSink;
import io.cxt.agent.role.AccessRouterAgent;
import io.cxt.agent.role.EventLog;
import io.cxt.agent.role.PeerSettings;
import io.cxt.agent.role.RouterSettings;
import io.cxt.agent.settings.IpPrefix;
import io.cxt.agent.settings.PeerTransport;
import io.cxt.agent.settings.MobileTransport;
import io.cxt.cxtp.ContextTransferDataReply;
import io.cxt.cxtp.CxtpConstants;
import io.cxt.cxtp.RouterChannelProtection;
import io.cxt.cxtp.RouterPeer;
import io.cxt.cxtp.TransportOptions;
import io.cxt.cxtp.UdpTransport;
import io.cxt.sys.NetNamespace;
import io.cxt.xfrm.XfrmClient;

/**
 * One nAR agent ({@link AccessRouterAgent}, as the daemon runs it) in its own namespace, and a
 * driver namespace that plays the pAR and the MNs, joined by one veth pair:
 *
 * <pre>
 *   driver ns                                         nAR ns (AccessRouterAgent "nar")
 *   pAR driver 2001:db8:ff::1 port 5091  ==veth==     router channel 2001:db8:ff::2 port 5091 (UDP, AES-256-GCM)
 *   MNs 2001:db8:b::1:n (any address of the /64)      MN side 2001:db8:b0::1 port 5092 (UDP), mobile-prefix 2001:db8:b::/64
 * </pre>
 *
 * The driver owns the whole mobile prefix with a local route ("AnyIP", plus
 * net.ipv6.ip_nonlocal_bind=1 to bind to it), so that every MN can send its CTAR from its own
 * predicted CoA with one socket each, and the nAR reaches them all through one neighbour (route
 * 2001:db8:b::/64 via 2001:db8:b0::2) instead of 10,000 neighbour discoveries.
 *
 * <p>The nAR's settings for the benchmark: ctar-rate = 0 (no CT_REQUEST_RATE limit; the RFC
 * default of 10/s would cap part (b) at 10 activations/s), handover-timeout 1 h and reservation
 * refresh off (held contexts must outlive the hold phase of 10,000 PCTDs), and
 * net.core.xfrm_acq_expires = 3600 in the nAR namespace so that the kernel does not drop the
 * larval SAs of the SPI reservations (default 30 s) before the CTARs come.
 */
final class ActivationLab implements AutoCloseable {

    static final int CTAR_PORT = RouterSettings.DEFAULT_MOBILE_UDP_PORT;

    final LabNamespace narNs;
    final LabNamespace driverNs;
    final XfrmClient nar;
    final AccessRouterAgent agent;
    final Sink sink = new Sink();
    final AtomicInteger ctdrSuccess = new AtomicInteger();
    final AtomicInteger ctdrFailure = new AtomicInteger();
    private final UdpTransport parDriver;
    private final InetSocketAddress narRouterChannel = new InetSocketAddress(Fixtures.NAR_CXTP, CxtpConstants.PORT);
    private final Path stateDirectory;
    private final List<DatagramChannel> channels = new ArrayList<>();

    /** Event sink of the agent: an {@link EventLog} as in the daemon, plus what the benchmark reads from the events. */
    static final class Sink implements EventSink {
        final EventLog log = new EventLog();
        final AtomicInteger received = new AtomicInteger();
        final AtomicInteger activated = new AtomicInteger();
        final AtomicInteger failures = new AtomicInteger();
        final AtomicLong lastActivationMicros = new AtomicLong(-1);
        /** System.nanoTime when the agent emitted its last "context-activated" (after CTAA, CTDR and journal enqueue). */
        volatile long lastActivatedAt;
        final Samples activationMicros = new Samples(16_384);
        volatile String lastFailure = "";
        /**
         * When set, only this MN's failure events count (HostileLoadBench: the forged CTARs name random MNs whose
         * reactive fetch fails; those are the load, not a failure of the handover being measured).
         */
        volatile String onlyMobileNode;
        volatile boolean recording;

        @Override
        public void emit(String kind, String mobileNode, String detail) {
            log.emit(kind, mobileNode, detail);
            observe(kind, mobileNode, detail);
        }

        /** As the daemon's EventLog: timestamped from the agent's own nanoTime reading. */
        @Override
        public void emitAt(long nanoTime, String kind, String mobileNode, String detail) {
            log.emitAt(nanoTime, kind, mobileNode, detail);
            observe(kind, mobileNode, detail);
        }

        private void observe(String kind, String mobileNode, String detail) {
            switch (kind) {
                case "context-received" -> received.incrementAndGet();
                case "context-activated" -> {
                    lastActivatedAt = System.nanoTime();
                    // "... CTAR->CTAA 123 us": the agent's own time from the decoded CTAR to the CTAA sent.
                    int at = detail.lastIndexOf("CTAR->CTAA ");
                    long us = at < 0 ? -1 : Long.parseLong(detail.substring(at + 11, detail.indexOf(' ', at + 11)));
                    if (recording && us >= 0) {
                        activationMicros.add(us * 1000);
                    }
                    lastActivationMicros.set(us);
                    activated.incrementAndGet();
                }
                default -> {
                    String only = onlyMobileNode;
                    if (kind.equals("protection-rejected") || (only != null && !only.equals(mobileNode))) {
                        // forged envelopes of the hostile load (HostileLoadBench): not a failure of the
                        // handover being measured; a rejected envelope of the real pAR shows as a timeout
                        lastFailure = kind + " " + mobileNode + ": " + detail;
                    } else if (kind.endsWith("-failed") || kind.endsWith("-rejected") || kind.endsWith("-expired")
                            || kind.equals("ctar-replayed")) {
                        failures.incrementAndGet();
                        lastFailure = kind + " " + mobileNode + ": " + detail;
                    }
                }
            }
        }
    }

    ActivationLab() throws IOException {
        this(0);
    }

    /** @param ctarRate the nAR's CT_REQUEST_RATE (0: unlimited, as the activation benchmark runs it) */
    ActivationLab(int ctarRate) throws IOException {
        LabNamespace n = null;
        LabNamespace d = null;
        XfrmClient x = null;
        AccessRouterAgent a = null;
        UdpTransport p = null;
        try {
            n = LabNamespace.create("cxta", "nar");
            d = LabNamespace.create("cxta", "drv");
            wire(n, d);
            x = XfrmClient.open(n.name());
            stateDirectory = Files.createDirectories(Path.of("/run/cxt-activation-bench",
                    Long.toHexString(ThreadLocalRandom.current().nextLong() & 0xffffffffL)));
            RouterSettings settings = RouterSettings.builder("nar", Fixtures.NAR_CXTP, 2)
                    .tunnelAddress(Fixtures.NAR_TUNNEL)
                    .mobileTransport(MobileTransport.UDP)
                    .mobileUdpPort(CTAR_PORT)
                    .mobilePrefix(IpPrefix.parse(Fixtures.MOBILE_PREFIX))
                    .ctarRate(ctarRate)
                    .handoverTimeout(Duration.ofHours(1))
                    .reservationRefresh(Duration.ZERO)
                    .stateDirectory(stateDirectory)
                    .peers(List.of(new PeerSettings("par", Fixtures.PAR_CXTP, CxtpConstants.PORT, PeerTransport.UDP,
                            1, Fixtures.CHANNEL_KEY, Fixtures.PAR_TUNNEL)))
                    .build();
            a = AccessRouterAgent.start(settings, x, NetNamespace.named(n.name()), sink, ActivationListener.NONE);
            RouterChannelProtection protection = new RouterChannelProtection(1, RouterChannelProtection.MAX_WINDOW);
            protection.addPeer(new RouterPeer(2, narRouterChannel, Fixtures.CHANNEL_KEY));
            TransportOptions options = TransportOptions.defaults().withCtarRatePerSecond(0).withProtection(protection);
            UdpTransport[] holder = new UdpTransport[1];
            NetNamespace.named(d.name()).runInside(() -> {
                holder[0] = UdpTransport.open(new InetSocketAddress(Fixtures.PAR_CXTP, CxtpConstants.PORT),
                        (from, m, bytes) -> {
                            if (m instanceof ContextTransferDataReply r) {
                                (r.success() ? ctdrSuccess : ctdrFailure).incrementAndGet();
                            }
                        }, options);
                return 0;
            });
            p = holder[0];
        } catch (IOException | RuntimeException e) {
            if (p != null) {
                p.close();
            }
            if (a != null) {
                a.close();
            }
            if (x != null) {
                x.close();
            }
            if (d != null) {
                d.close();
            }
            if (n != null) {
                n.close();
            }
            throw e;
        }
        narNs = n;
        driverNs = d;
        nar = x;
        agent = a;
        parDriver = p;
    }

    private static void wire(LabNamespace nar, LabNamespace drv) throws IOException {
        String sfx = Long.toHexString(ThreadLocalRandom.current().nextLong() & 0xfffffL);
        LabNamespace.run("ip", "link", "add", "n" + sfx, "netns", nar.name(), "type", "veth", "peer", "name", "d" + sfx,
                "netns", drv.name());
        nar.ip("addr", "add", Fixtures.NAR_CXTP.getHostAddress() + "/64", "dev", "n" + sfx, "nodad");
        nar.ip("addr", "add", Fixtures.NAR_TUNNEL.getHostAddress() + "/64", "dev", "n" + sfx, "nodad");
        drv.ip("addr", "add", Fixtures.PAR_CXTP.getHostAddress() + "/64", "dev", "d" + sfx, "nodad");
        drv.ip("addr", "add", Fixtures.DRIVER_LINK.getHostAddress() + "/64", "dev", "d" + sfx, "nodad");
        nar.ip("link", "set", "n" + sfx, "up");
        drv.ip("link", "set", "d" + sfx, "up");
        nar.ip("-6", "route", "add", Fixtures.MOBILE_PREFIX, "via", Fixtures.DRIVER_LINK.getHostAddress());
        drv.ip("-6", "route", "add", "local", Fixtures.MOBILE_PREFIX, "dev", "lo");
        drv.sysctl("net.ipv6.ip_nonlocal_bind", "1");
        nar.sysctl("net.core.xfrm_acq_expires", "3600");
    }

    /** The pAR pushes MN n's context (PCTD over the protected router channel). */
    void push(byte[] pctd) throws IOException {
        parDriver.send(narRouterChannel, pctd);
    }

    /** Opens UDP sockets in the driver namespace, one per MN, bound to the MN's new CoA. */
    List<DatagramChannel> mobileNodeSockets(int first, int count, boolean blocking) throws IOException {
        List<DatagramChannel> out = new ArrayList<>(count);
        NetNamespace.named(driverNs.name()).runInside(() -> {
            for (int n = first; n < first + count; n++) {
                DatagramChannel ch = DatagramChannel.open(StandardProtocolFamily.INET6);
                channels.add(ch);
                ch.bind(new InetSocketAddress(Fixtures.newCareOf(n), 0));
                ch.connect(new InetSocketAddress(Fixtures.NAR_TUNNEL, CTAR_PORT));
                ch.configureBlocking(blocking);
                out.add(ch);
            }
            return 0;
        });
        return out;
    }

    String stats(String... keys) {
        var s = agent.stats();
        StringBuilder sb = new StringBuilder();
        for (String k : keys) {
            sb.append(sb.length() == 0 ? "" : ", ").append(k).append(' ').append(s.getOrDefault(k, 0L));
        }
        return sb.toString();
    }

    /** The agent's per-phase activation times (its stats: activation.phase.*), one line. */
    String phases() {
        var s = agent.stats();
        StringBuilder sb = new StringBuilder();
        for (String p : new String[] {"verify", "rewrite", "install", "ctaa", "total"}) {
            if (s.containsKey("activation.phase." + p + ".p50.micros")) {
                sb.append(sb.length() == 0 ? "" : "; ").append(p).append(' ')
                        .append(s.get("activation.phase." + p + ".p50.micros")).append('/')
                        .append(s.get("activation.phase." + p + ".p90.micros")).append('/')
                        .append(s.get("activation.phase." + p + ".p99.micros"));
            }
        }
        return sb + " (p50/p90/p99 µs over the last " + s.getOrDefault("activation.phase.total.count", 0L) + " ≤ 1024)";
    }

    @Override
    public void close() throws IOException {
        for (DatagramChannel c : channels) {
            c.close();
        }
        parDriver.close();
        agent.close();
        nar.close();
        driverNs.close();
        narNs.close();
    }
}
