package io.cxt.agent.role;

import java.io.IOException;
import java.net.InetAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.BooleanSupplier;

import io.cxt.agent.ActivationListener;
import io.cxt.agent.settings.IpPrefix;
import io.cxt.agent.settings.PeerTransport;
import io.cxt.context.MobileNodeContext;
import io.cxt.context.MobileNodeIdentity;
import io.cxt.cxtp.RetransmissionPolicy;
import io.cxt.testing.Commands;
import io.cxt.testing.TestNamespace;
import io.cxt.xfrm.AeadAlgorithm;
import io.cxt.xfrm.KeyBytes;
import io.cxt.xfrm.LifetimeConfig;
import io.cxt.xfrm.LifetimeCurrent;
import io.cxt.xfrm.PolicyInfo;
import io.cxt.xfrm.ReplayState;
import io.cxt.xfrm.SaInfo;
import io.cxt.xfrm.SecurityAssociation;
import io.cxt.xfrm.SecurityPolicy;
import io.cxt.xfrm.Selector;
import io.cxt.xfrm.UserTemplate;
import io.cxt.xfrm.XfrmClient;

/**
 * Three agents in one JVM, each in its own namespace (the paper's section 4.1 topology, IPv6):
 *
 * <pre>
 *   pAR (CXTP 2001:db8:ff::1, tunnel 2001:db8:a::1) ==veth== nAR (CXTP 2001:db8:ff::2)
 *                                                            nAR tunnel 2001:db8:b::1 ==veth== MN nCoA 2001:db8:b::10
 * </pre>
 * The MN's previous CoA 2001:db8:a::10 (at the pAR) is on no interface any more: the MN has moved.
 * With {@code withCn}, a CN namespace (2001:db8:200::5) hangs off the nAR for traffic checks.
 */
final class HandoverLab implements AutoCloseable {

    static InetAddress ip(String s) {
        try {
            return InetAddress.getByName(s);
        } catch (java.net.UnknownHostException e) {
            throw new IllegalArgumentException(e);
        }
    }

    static final InetAddress PCOA = ip("2001:db8:a::10");
    static final InetAddress PAR = ip("2001:db8:a::1");
    static final InetAddress NCOA = ip("2001:db8:b::10");
    static final InetAddress NAR = ip("2001:db8:b::1");
    static final InetAddress HOA = ip("2001:db8:100::10");
    static final InetAddress CN_NET = ip("2001:db8:200::");
    static final InetAddress CN = ip("2001:db8:200::5");
    static final InetAddress PAR_CX = ip("2001:db8:ff::1");
    static final InetAddress NAR_CX = ip("2001:db8:ff::2");

    static final KeyBytes CHANNEL_KEY = key(32, 7);
    static final KeyBytes MN_KEY = key(20, 3);

    /** Fast CXTP retransmission for tests: 200 ms doubling, 5 transmissions within 4 s. */
    static final RetransmissionPolicy FAST = new RetransmissionPolicy(Duration.ofMillis(200), Duration.ofMillis(1600),
            Duration.ofSeconds(4), 5);

    static KeyBytes key(int len, int seed) {
        byte[] k = new byte[len];
        for (int i = 0; i < len; i++) {
            k[i] = (byte) (seed * 31 + i);
        }
        return KeyBytes.of(k);
    }

    final TestNamespace parNs;
    final TestNamespace narNs;
    final TestNamespace mnNs;
    final XfrmClient par;
    final XfrmClient nar;
    final XfrmClient mn;
    final Path stateDir;
    final EventLog parLog = new EventLog();
    final EventLog narLog = new EventLog();
    final EventLog mnLog = new EventLog();
    final List<ActivationListener.Activation> activations = new CopyOnWriteArrayList<>();
    private final List<AutoCloseable> open = new ArrayList<>();

    HandoverLab(TestNamespace parNs, TestNamespace narNs, TestNamespace mnNs) throws IOException {
        this.parNs = parNs;
        this.narNs = narNs;
        this.mnNs = mnNs;
        String sfx = Long.toHexString(System.nanoTime() & 0xfffff);
        Commands.run("ip", "link", "add", "rp" + sfx, "netns", parNs.name(), "type", "veth", "peer", "name", "rn" + sfx,
                "netns", narNs.name());
        Commands.run("ip", "link", "add", "mn" + sfx, "netns", mnNs.name(), "type", "veth", "peer", "name", "nm" + sfx,
                "netns", narNs.name());
        parNs.ip("addr", "add", PAR_CX.getHostAddress() + "/64", "dev", "rp" + sfx, "nodad");
        narNs.ip("addr", "add", NAR_CX.getHostAddress() + "/64", "dev", "rn" + sfx, "nodad");
        mnNs.ip("addr", "add", NCOA.getHostAddress() + "/64", "dev", "mn" + sfx, "nodad");
        mnNs.ip("addr", "add", HOA.getHostAddress() + "/128", "dev", "lo", "nodad");
        narNs.ip("addr", "add", NAR.getHostAddress() + "/64", "dev", "nm" + sfx, "nodad");
        parNs.ip("link", "set", "rp" + sfx, "up");
        narNs.ip("link", "set", "rn" + sfx, "up");
        mnNs.ip("link", "set", "mn" + sfx, "up");
        narNs.ip("link", "set", "nm" + sfx, "up");
        mnNs.ip("route", "add", "default", "via", NAR.getHostAddress());
        this.par = XfrmClient.open(parNs.netns());
        this.nar = XfrmClient.open(narNs.netns());
        this.mn = XfrmClient.open(mnNs.netns());
        this.stateDir = Files.createTempDirectory("cxt-roles-");
    }

    /** Adds a CN namespace behind the nAR (2001:db8:f2::/64 link, CN 2001:db8:200::5 on lo) and routes. */
    void withCn(TestNamespace cnNs) {
        String sfx = Long.toHexString(System.nanoTime() & 0xfffff);
        Commands.run("ip", "link", "add", "nc" + sfx, "netns", narNs.name(), "type", "veth", "peer", "name", "cn" + sfx,
                "netns", cnNs.name());
        narNs.ip("addr", "add", "2001:db8:f2::1/64", "dev", "nc" + sfx, "nodad");
        cnNs.ip("addr", "add", "2001:db8:f2::5/64", "dev", "cn" + sfx, "nodad");
        cnNs.ip("addr", "add", CN.getHostAddress() + "/128", "dev", "lo", "nodad");
        narNs.ip("link", "set", "nc" + sfx, "up");
        cnNs.ip("link", "set", "cn" + sfx, "up");
        narNs.ip("route", "add", HOA.getHostAddress() + "/128", "via", NCOA.getHostAddress());
        narNs.ip("route", "add", "2001:db8:200::/48", "via", "2001:db8:f2::5");
        cnNs.ip("route", "add", "default", "via", "2001:db8:f2::1");
        Commands.run("ip", "netns", "exec", narNs.name(), "sysctl", "-q", "-w", "net.ipv6.conf.all.forwarding=1");
    }

    private String parLink;

    /**
     * The full section 4.1 topology for traffic: the MN also has a link to the pAR (pCoA, its
     * default route at first), and a CN (2001:db8:200::5) sits behind both routers, reaching the
     * HoA through the pAR until {@link #moveToNar} (what a Mobile IPv6 binding update achieves).
     */
    void withParLinkAndCn(TestNamespace cnNs) {
        String sfx = Long.toHexString(System.nanoTime() & 0xfffff);
        parLink = "mp" + sfx;
        Commands.run("ip", "link", "add", parLink, "netns", mnNs.name(), "type", "veth", "peer", "name", "pm" + sfx,
                "netns", parNs.name());
        Commands.run("ip", "link", "add", "pc" + sfx, "netns", parNs.name(), "type", "veth", "peer", "name", "cp" + sfx,
                "netns", cnNs.name());
        Commands.run("ip", "link", "add", "nc" + sfx, "netns", narNs.name(), "type", "veth", "peer", "name", "cn" + sfx,
                "netns", cnNs.name());
        mnNs.ip("addr", "add", PCOA.getHostAddress() + "/64", "dev", parLink, "nodad");
        parNs.ip("addr", "add", PAR.getHostAddress() + "/64", "dev", "pm" + sfx, "nodad");
        parNs.ip("addr", "add", "2001:db8:f1::1/64", "dev", "pc" + sfx, "nodad");
        cnNs.ip("addr", "add", "2001:db8:f1::5/64", "dev", "cp" + sfx, "nodad");
        narNs.ip("addr", "add", "2001:db8:f2::1/64", "dev", "nc" + sfx, "nodad");
        cnNs.ip("addr", "add", "2001:db8:f2::5/64", "dev", "cn" + sfx, "nodad");
        cnNs.ip("addr", "add", CN.getHostAddress() + "/128", "dev", "lo", "nodad");
        mnNs.ip("link", "set", parLink, "up");
        parNs.ip("link", "set", "pm" + sfx, "up");
        parNs.ip("link", "set", "pc" + sfx, "up");
        cnNs.ip("link", "set", "cp" + sfx, "up");
        narNs.ip("link", "set", "nc" + sfx, "up");
        cnNs.ip("link", "set", "cn" + sfx, "up");
        mnNs.ip("route", "replace", "default", "via", PAR.getHostAddress());
        parNs.ip("route", "add", HOA.getHostAddress() + "/128", "via", PCOA.getHostAddress());
        parNs.ip("route", "add", "2001:db8:200::/48", "via", "2001:db8:f1::5");
        narNs.ip("route", "add", HOA.getHostAddress() + "/128", "via", NCOA.getHostAddress());
        narNs.ip("route", "add", "2001:db8:200::/48", "via", "2001:db8:f2::5");
        cnNs.ip("route", "add", HOA.getHostAddress() + "/128", "via", "2001:db8:f1::1");
        for (TestNamespace r : List.of(parNs, narNs)) {
            Commands.run("ip", "netns", "exec", r.name(), "sysctl", "-q", "-w", "net.ipv6.conf.all.forwarding=1");
        }
        this.cnNs = cnNs;
    }

    private TestNamespace cnNs;

    /** The MN's link to the pAR goes down; its default route and the CN's route to the HoA go via the nAR. */
    void moveToNar() {
        mnNs.ip("link", "set", parLink, "down");
        mnNs.ip("route", "replace", "default", "via", NAR.getHostAddress());
        cnNs.ip("route", "replace", HOA.getHostAddress() + "/128", "via", "2001:db8:f2::1");
    }

    /** Installs the same ESP SAs on pAR and MN, the pAR's policies (out, in, fwd) and the MN's mirror ones. */
    void installEspContext() throws IOException {
        MobileNodeContext ctx = parContextWithSas();
        for (SecurityAssociation sa : ctx.securityAssociations()) {
            par.states().add(sa);
            mn.states().add(sa);
        }
        for (SecurityPolicy p : parPolicies()) {
            par.policies().add(p);
        }
        for (SecurityPolicy p : mnPolicies()) {
            mn.policies().add(p);
        }
    }

    /** ping -c COUNT from the HoA to the CN; true when every reply came. */
    boolean ping(int count) {
        Commands.Result r = Commands.exec(List.of("ip", "netns", "exec", mnNs.name(), "ping", "-6", "-c",
                String.valueOf(count), "-i", "0.2", "-W", "2", "-I", HOA.getHostAddress(), CN.getHostAddress()), null);
        return r.exit() == 0;
    }

    RouterSettings.Builder parSettings() {
        return RouterSettings.builder("par", PAR_CX, 1).tunnelAddress(PAR)
                .mobilePrefix(IpPrefix.parse("2001:db8:a::/64")).stateDirectory(stateDir.resolve("par"))
                .retransmission(FAST).handoverTimeout(Duration.ofSeconds(20))
                .peers(List.of(new PeerSettings("nar", NAR_CX, 5091, PeerTransport.UDP, 2, CHANNEL_KEY, NAR)))
                .mobileNodes(List.of(new ServedMobileNode(PCOA, HOA, MN_KEY)));
    }

    RouterSettings.Builder narSettings() {
        return RouterSettings.builder("nar", NAR_CX, 2).tunnelAddress(NAR)
                .mobilePrefix(IpPrefix.parse("2001:db8:b::/64")).stateDirectory(stateDir.resolve("nar"))
                .retransmission(FAST).handoverTimeout(Duration.ofSeconds(20)).reactiveTimeout(Duration.ofSeconds(5))
                .peers(List.of(new PeerSettings("par", PAR_CX, 5091, PeerTransport.UDP, 1, CHANNEL_KEY, PAR)));
    }

    AccessRouterAgent startPar(RouterSettings s) throws IOException {
        AccessRouterAgent a = AccessRouterAgent.start(s, par, parNs.netns(), parLog, ActivationListener.NONE);
        open.add(a);
        return a;
    }

    AccessRouterAgent startNar(RouterSettings s) throws IOException {
        AccessRouterAgent a = AccessRouterAgent.start(s, nar, narNs.netns(), narLog, activations::add);
        open.add(a);
        return a;
    }

    /**
     * Waits until every router agent started here has done its post-CTAA work (CTDR, journal,
     * events, activation listener run on a background thread after the CTAA left).
     */
    void settle() {
        for (AutoCloseable c : open) {
            if (c instanceof AccessRouterAgent a) {
                a.drainBackground();
            }
        }
    }

    MobileNodeAgent startMn(KeyBytes key) throws IOException {
        MobileNodeSettings s = MobileNodeSettings.of("mn", HOA, PCOA, PAR, key).withRetransmission(FAST);
        MobileNodeAgent a = MobileNodeAgent.start(s, mn, mnNs.netns(), mnLog);
        open.add(a);
        return a;
    }

    // ------------------------------------------------------------------ fixtures

    static SecurityPolicy tunnelPolicy(int dir, InetAddress selSrc, int ps, InetAddress selDst, int pd,
                                       InetAddress tmplSrc, InetAddress tmplDst) {
        Selector sel = new Selector(selDst, selSrc, 0, 0, 0, 0, 10, pd, ps, 0, 0, 0);
        return SecurityPolicy.builder(sel, dir).priority(1000)
                .templates(List.of(UserTemplate.tunnel(50, tmplSrc, tmplDst, 1))).build();
    }

    /** The pAR's policies for the MN (ESP tunnel pAR - pCoA for HoA - CN traffic). */
    static List<SecurityPolicy> parPolicies() {
        return List.of(
                tunnelPolicy(PolicyInfo.DIR_OUT, CN_NET, 48, HOA, 128, PAR, PCOA),
                tunnelPolicy(PolicyInfo.DIR_IN, HOA, 128, CN_NET, 48, PCOA, PAR),
                tunnelPolicy(PolicyInfo.DIR_FWD, HOA, 128, CN_NET, 48, PCOA, PAR));
    }

    /** The MN's mirror policies. */
    static List<SecurityPolicy> mnPolicies() {
        return List.of(
                tunnelPolicy(PolicyInfo.DIR_OUT, HOA, 128, CN_NET, 48, PCOA, PAR),
                tunnelPolicy(PolicyInfo.DIR_IN, CN_NET, 48, HOA, 128, PAR, PCOA));
    }

    void installPolicyOnlyContext() throws IOException {
        for (SecurityPolicy p : parPolicies()) {
            par.policies().add(p);
        }
        for (SecurityPolicy p : mnPolicies()) {
            mn.policies().add(p);
        }
    }

    static final LifetimeConfig LIFETIME = new LifetimeConfig(-1, -1, -1, -1, 3240, 3600, 0, 0);

    static SecurityAssociation esp(InetAddress src, InetAddress dst, int spi, int oseq, int seq, KeyBytes k) {
        boolean towardsMn = dst.equals(PCOA) || dst.equals(NCOA);
        Selector sel = towardsMn ? new Selector(HOA, CN_NET, 0, 0, 0, 0, 10, 128, 48, 0, 0, 0)
                : new Selector(CN_NET, HOA, 0, 0, 0, 0, 10, 48, 128, 0, 0, 0);
        SaInfo info = SaInfo.of(src, dst, 50, spi, 1, SaInfo.MODE_TUNNEL).withSelector(sel).withLifetime(LIFETIME)
                .withCurrent(new LifetimeCurrent(0, 0, 1_700_000_000L, 0)).withReplayWindow(0);
        return SecurityAssociation.builder(info).replay(new ReplayState(oseq, seq, 0))
                .aead(new AeadAlgorithm("rfc4106(gcm(aes))", k, 160, 128)).build();
    }

    /** A pAR context with ESP SAs (AES-GCM), as a snapshot would give it; for kernels without ESP it is pushed directly. */
    static MobileNodeContext parContextWithSas() {
        SecurityAssociation in = esp(PCOA, PAR, 0xc0000001, 0, 4711, key(20, 1));
        SecurityAssociation out = esp(PAR, PCOA, 0xc1000001, 9000, 0, key(20, 2));
        return MobileNodeContext.snapshot(new MobileNodeIdentity(HOA, PCOA), PAR, List.of(in, out), parPolicies(),
                Instant.now());
    }

    // ------------------------------------------------------------------ kernel views

    static List<String> dump(XfrmClient c) throws IOException {
        List<String> out = new ArrayList<>();
        for (SecurityAssociation sa : c.states().dump()) {
            out.add("sa " + sa.source().getHostAddress() + ">" + sa.destination().getHostAddress() + " "
                    + Integer.toHexString(sa.spi()) + " proto " + sa.proto());
        }
        for (SecurityPolicy p : c.policies().dump()) {
            out.add("pol " + p.direction() + " " + p.selector() + " " + p.templates());
        }
        Collections.sort(out);
        return out;
    }

    static void await(String what, BooleanSupplier cond) throws InterruptedException {
        long end = System.nanoTime() + Duration.ofSeconds(10).toNanos();
        while (!cond.getAsBoolean()) {
            if (System.nanoTime() > end) {
                throw new AssertionError("timed out waiting for " + what);
            }
            Thread.sleep(20);
        }
    }

    void track(AutoCloseable c) {
        open.add(c);
    }

    @Override
    public void close() throws Exception {
        Collections.reverse(open);
        for (AutoCloseable c : open) {
            try {
                c.close();
            } catch (Exception e) {
                // keep closing
            }
        }
        par.close();
        nar.close();
        mn.close();
    }
}
