package io.cxt.agent.role;

import static io.cxt.agent.role.HandoverLab.await;
import static io.cxt.agent.role.HandoverLab.key;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import io.cxt.agent.ActivationListener;
import io.cxt.agent.settings.IpPrefix;
import io.cxt.agent.settings.MobileTransport;
import io.cxt.agent.settings.PeerTransport;
import io.cxt.cxtp.AuthorizationToken;
import io.cxt.cxtp.ContextTransferActivateAcknowledge;
import io.cxt.cxtp.ContextTransferActivateRequest;
import io.cxt.cxtp.CxtpCodec;
import io.cxt.cxtp.FeatureStatus;
import io.cxt.cxtp.SendResult;
import io.cxt.cxtp.TransportOptions;
import io.cxt.cxtp.UdpTransport;
import io.cxt.xfrm.InMemoryIpsecKernel;
import io.cxt.xfrm.KeyBytes;
import io.cxt.xfrm.PolicyInfo;
import io.cxt.xfrm.SecurityAssociation;
import io.cxt.xfrm.SecurityPolicy;
import io.cxt.xfrm.UserTemplate;
import io.cxt.xfrm.XfrmError;
import io.cxt.xfrm.XfrmMsgType;

/**
 * The pAR and nAR state machines over the in-memory kernel ({@link InMemoryIpsecKernel}): no root,
 * no namespace, ESP SAs included. The routers and the MN are UDP sockets on loopback addresses
 * (127/8 needs no configuration): pAR CXTP 127.0.0.1, nAR CXTP 127.0.0.2, pAR tunnel 127.1.0.1
 * (pCoA 127.1.0.10), nAR tunnel 127.2.0.1 (the MN's CTAR comes from nCoA 127.2.0.10, which is
 * also what the nAR predicts from its mobile prefix 127.2.0.0/24).
 */
class RouterRolesInMemoryTest {

    static final InetAddress PAR_CX = HandoverLab.ip("127.0.0.1");
    static final InetAddress NAR_CX = HandoverLab.ip("127.0.0.2");
    static final InetAddress PAR = HandoverLab.ip("127.1.0.1");
    static final InetAddress PCOA = HandoverLab.ip("127.1.0.10");
    static final InetAddress NAR = HandoverLab.ip("127.2.0.1");
    static final InetAddress NCOA = HandoverLab.ip("127.2.0.10");
    static final InetAddress HOA = HandoverLab.ip("10.100.0.10");
    static final InetAddress CN_NET = HandoverLab.ip("10.200.0.0");
    /** Where the MN sends its CTAR: lo's primary address, the source the nAR's wildcard socket answers from. */
    static final InetAddress MN_SIDE = HandoverLab.ip("127.0.0.1");
    static final KeyBytes CHANNEL_KEY = key(32, 7);
    static final KeyBytes MN_KEY = key(20, 3);
    static final int IN_SPI = 0xc0000001;
    static final int OUT_SPI = 0xc1000001;

    private final InMemoryIpsecKernel parKernel = new InMemoryIpsecKernel(1);
    private final InMemoryIpsecKernel narKernel = new InMemoryIpsecKernel(2);
    private final EventLog parLog = new EventLog();
    private final EventLog narLog = new EventLog();
    private final List<ActivationListener.Activation> activations = new CopyOnWriteArrayList<>();
    private final List<AutoCloseable> open = new ArrayList<>();
    private Path stateDir;
    private int parPort;
    private int narPort;
    private int narMobilePort;
    private int parMobilePort;

    @BeforeEach
    void ports() throws IOException {
        stateDir = Files.createTempDirectory("cxt-roles-mem-");
        parPort = freePort();
        narPort = freePort();
        narMobilePort = freePort();
        parMobilePort = freePort();
    }

    @AfterEach
    void close() {
        Collections.reverse(open);
        for (AutoCloseable c : open) {
            try {
                c.close();
            } catch (Exception e) {
                // keep closing
            }
        }
    }

    private static int freePort() throws IOException {
        try (DatagramSocket s = new DatagramSocket(0, InetAddress.getLoopbackAddress())) {
            return s.getLocalPort();
        }
    }

    // ------------------------------------------------------------------ fixtures

    private static SecurityPolicy policy(int dir, InetAddress selSrc, int ps, InetAddress selDst, int pd,
                                         InetAddress tmplSrc, InetAddress tmplDst) {
        return HandoverLab.tunnelPolicy(dir, selSrc, ps, selDst, pd, tmplSrc, tmplDst).withSelector(
                new io.cxt.xfrm.Selector(selDst, selSrc, 0, 0, 0, 0, 2, pd, ps, 0, 0, 0));
    }

    private static SecurityAssociation esp(InetAddress src, InetAddress dst, int spi, int oseq, int seq, KeyBytes k) {
        io.cxt.xfrm.SaInfo info = io.cxt.xfrm.SaInfo.of(src, dst, 50, spi, 1, io.cxt.xfrm.SaInfo.MODE_TUNNEL)
                .withLifetime(HandoverLab.LIFETIME).withReplayWindow(0);
        return SecurityAssociation.builder(info).replay(new io.cxt.xfrm.ReplayState(oseq, seq, 0))
                .aead(new io.cxt.xfrm.AeadAlgorithm("rfc4106(gcm(aes))", k, 160, 128)).build();
    }

    /** The MN's context on the pAR: inbound and outbound ESP SA, policies out, in, fwd. */
    private void installParContext() throws IOException {
        parKernel.addSa(esp(PCOA, PAR, IN_SPI, 0, 4711, key(20, 1)));
        parKernel.addSa(esp(PAR, PCOA, OUT_SPI, 9000, 0, key(20, 2)));
        io.cxt.xfrm.XfrmBatch b = new io.cxt.xfrm.XfrmBatch();
        b.addPolicy(policy(PolicyInfo.DIR_OUT, CN_NET, 16, HOA, 32, PAR, PCOA));
        b.addPolicy(policy(PolicyInfo.DIR_IN, HOA, 32, CN_NET, 16, PCOA, PAR));
        b.addPolicy(policy(PolicyInfo.DIR_FWD, HOA, 32, CN_NET, 16, PCOA, PAR));
        assertTrue(parKernel.apply(b).isEmpty());
    }

    private RouterSettings.Builder parSettings() {
        return RouterSettings.builder("par", PAR_CX, 1).cxtpPort(parPort).tunnelAddress(PAR)
                .mobileTransport(MobileTransport.UDP).mobileUdpPort(parMobilePort)
                .mobilePrefix(IpPrefix.parse("127.1.0.0/24")).stateDirectory(stateDir.resolve("par"))
                .retransmission(HandoverLab.FAST).handoverTimeout(Duration.ofSeconds(20)).removalDelay(Duration.ZERO)
                .peers(List.of(new PeerSettings("nar", NAR_CX, narPort, PeerTransport.UDP, 2, CHANNEL_KEY, NAR)))
                .mobileNodes(List.of(new ServedMobileNode(PCOA, HOA, MN_KEY)));
    }

    private RouterSettings.Builder narSettings() {
        return RouterSettings.builder("nar", NAR_CX, 2).cxtpPort(narPort).tunnelAddress(NAR)
                .mobileTransport(MobileTransport.UDP).mobileUdpPort(narMobilePort)
                .mobilePrefix(IpPrefix.parse("127.2.0.0/24")).stateDirectory(stateDir.resolve("nar"))
                .retransmission(HandoverLab.FAST).handoverTimeout(Duration.ofSeconds(20))
                .reactiveTimeout(Duration.ofMillis(1500))
                .peers(List.of(new PeerSettings("par", PAR_CX, parPort, PeerTransport.UDP, 1, CHANNEL_KEY, PAR)));
    }

    private AccessRouterAgent startPar() throws IOException {
        AccessRouterAgent a = AccessRouterAgent.start(parSettings().build(), parKernel, null, parLog,
                ActivationListener.NONE);
        open.add(a);
        return a;
    }

    private AccessRouterAgent startNar() throws IOException {
        AccessRouterAgent a = AccessRouterAgent.start(narSettings().build(), narKernel, null, narLog, activations::add);
        open.add(a);
        return a;
    }

    /** The MN's CTAR from nCoA to the nAR, naming {@code previousRouter}; the CTAA's failure codes (empty: success). */
    private List<Integer> ctar(InetAddress previousRouter, KeyBytes key, long seq) throws Exception {
        int token = AuthorizationToken.compute(key, PCOA, seq, List.of());
        byte[] ctar = CxtpCodec.encode(new ContextTransferActivateRequest(true, PCOA, previousRouter, seq, token,
                List.of()));
        TransportOptions o = TransportOptions.defaults().withRetransmission(HandoverLab.FAST);
        try (UdpTransport t = UdpTransport.open(new InetSocketAddress(NCOA, 0), (f, m, b) -> { }, o)) {
            SendResult r = t.send(new InetSocketAddress(MN_SIDE, narMobilePort), ctar).get(10, TimeUnit.SECONDS);
            assertEquals(SendResult.Outcome.ACKNOWLEDGED, r.outcome(), r.toString());
            List<Integer> codes = new ArrayList<>();
            for (FeatureStatus f : ((ContextTransferActivateAcknowledge) r.acknowledgement()).failedContexts()) {
                codes.add(f.statusCode());
            }
            return codes;
        }
    }

    private static List<String> sas(InMemoryIpsecKernel k) throws IOException {
        List<String> out = new ArrayList<>();
        for (SecurityAssociation sa : k.dumpSas()) {
            out.add(String.format("%s>%s 0x%08x%s", sa.source().getHostAddress(), sa.destination().getHostAddress(),
                    sa.spi(), sa.aead() == null ? " larval" : ""));
        }
        Collections.sort(out);
        return out;
    }

    /** Every policy's template, as "dir src>dst". */
    private static List<String> templates(InMemoryIpsecKernel k) throws IOException {
        List<String> out = new ArrayList<>();
        for (SecurityPolicy p : k.dumpPolicies()) {
            UserTemplate t = p.templates().get(0);
            out.add(PolicyInfo.directionName(p.direction()) + " " + t.saddr().getHostAddress() + ">"
                    + t.daddr().getHostAddress());
        }
        Collections.sort(out);
        return out;
    }

    private static final List<String> MOVED_POLICIES = List.of("fwd 127.2.0.10>127.2.0.1", "in 127.2.0.10>127.2.0.1",
            "out 127.2.0.1>127.2.0.10");

    // ------------------------------------------------------------------ handovers

    @Test
    void predictiveHandoverReservesThenInstallsAndThePArRemovesItsCopy() throws Exception {
        installParContext();
        AccessRouterAgent par = startPar();
        AccessRouterAgent nar = startNar();

        assertTrue(par.transfer(PCOA, "nar").ok());
        await("nAR holds the context", () -> nar.contexts().stream().anyMatch(c -> c.state().equals("HELD")));
        assertEquals(List.of("127.1.0.10>127.2.0.1 0xc0000001 larval"), sas(narKernel),
                "the inbound SPI is reserved with a larval SA (from the pCoA), nothing else is installed yet");
        assertTrue(narKernel.dumpPolicies().isEmpty());

        assertEquals(List.of(), ctar(PAR, MN_KEY, 1));

        assertEquals(List.of("127.2.0.10>127.2.0.1 0xc0000001", "127.2.0.1>127.2.0.10 0xc1000001"), sas(narKernel),
                "the larval SA completed, the outbound SA added: same SPIs, nAR and nCoA addresses");
        assertEquals(MOVED_POLICIES, templates(narKernel));
        await("the pAR removes its copy after the CTDR", () -> {
            try {
                return parKernel.dumpSas().isEmpty() && parKernel.dumpPolicies().isEmpty();
            } catch (IOException e) {
                throw new IllegalStateException(e);
            }
        });
        await("the activation listener is told (after the CTAA, on the background thread)", () -> activations.size() == 1);
        assertEquals(NCOA, activations.get(0).newCareOf());
        assertTrue(activations.get(0).spiChanges().isEmpty());
        assertEquals(0, nar.counter("ctreq.sent"));
        assertEquals("ACTIVE", nar.contexts().get(0).state());
        assertTrue(par.contexts().isEmpty());
        assertEquals(9000 + 10_000, narKernel.getSa(io.cxt.xfrm.SaKey.of(NCOA, OUT_SPI, 50)).replay().oseq(),
                "the outbound sequence number travelled, plus the default margin");
    }

    /**
     * Issue 12 item 6: a pAR that dies after sending the PCTD (its transfer journaled first) and is started again
     * still removes the MN's state when the nAR's CTDR comes; before the pAR journaled its transfers, the restarted
     * agent counted that CTDR as unmatched and the MN's SAs stayed on both routers.
     */
    @Test
    void aRestartedPArStillRemovesWhatItSentOnTheCtdr() throws Exception {
        installParContext();
        AccessRouterAgent par = startPar();
        AccessRouterAgent nar = startNar();
        assertTrue(par.transfer(PCOA, "nar").ok());
        await("nAR holds the context", () -> nar.contexts().stream().anyMatch(c -> c.state().equals("HELD")));
        par.abandon();
        AccessRouterAgent restarted = startPar();
        List<io.cxt.context.MobileNodeIdentity> toldIke = new java.util.concurrent.CopyOnWriteArrayList<>();
        restarted.setIkeHooks(new io.cxt.agent.ContextIkeHooks() {
            @Override
            public void moved(io.cxt.context.MobileNodeContext sent) {
                toldIke.add(sent.mobileNode());
            }
        });
        assertEquals(1, restarted.contexts().size(), "the journaled transfer is awaited again: " + restarted.contexts());
        assertEquals("SENT", restarted.contexts().get(0).state());

        assertEquals(List.of(), ctar(PAR, MN_KEY, 1));

        await("the restarted pAR removes the MN's state after the CTDR", () -> {
            try {
                return parKernel.dumpSas().isEmpty() && parKernel.dumpPolicies().isEmpty();
            } catch (IOException e) {
                throw new IllegalStateException(e);
            }
        });
        assertEquals(0, restarted.counter("ctdr.unmatched"));
        await("the IKE side is told the MN moved", () -> !toldIke.isEmpty());
        assertEquals(PCOA, toldIke.get(0).careOfAddress());
        assertEquals(2, narKernel.dumpSas().size());
        assertEquals(MOVED_POLICIES, templates(narKernel));
    }

    /**
     * Issue 10: a predictive context carries the IKE SA as it was at the PCTD. When the IKE side reports that SA
     * changed (charon synced an exchange with the MN) before the MN moves, the pAR sends the PCTD again (once for a
     * burst of changes, not for another SA or an unchanged one), and the nAR replaces what it holds; a refresh the
     * pAR sent before it had the CTDR reaches the nAR after the activation and is ignored there.
     */
    @Test
    void aPredictiveContextIsSentAgainWhenItsIkeSaChangesBeforeTheMove() throws Exception {
        installParContext();
        AccessRouterAgent par = startPar();
        AccessRouterAgent nar = startNar();
        java.util.concurrent.atomic.AtomicReference<io.cxt.context.IkeContextSlot> slot =
                new java.util.concurrent.atomic.AtomicReference<>(new io.cxt.context.IkeContextSlot(11, 22, new byte[] {1}));
        par.setIkeContextSource(mn -> slot.get());
        java.util.concurrent.atomic.AtomicReference<io.cxt.agent.ContextIkeHooks.IkeSaChanged> changed =
                new java.util.concurrent.atomic.AtomicReference<>();
        par.setIkeHooks(new io.cxt.agent.ContextIkeHooks() {
            @Override
            public void onIkeSaChanged(IkeSaChanged listener) {
                changed.set(listener);
            }
        });
        List<Integer> held = new CopyOnWriteArrayList<>();
        List<InetAddress> released = new CopyOnWriteArrayList<>();
        nar.setIkeHooks(new io.cxt.agent.ContextIkeHooks() {
            @Override
            public boolean held(InetAddress previousCareOf, io.cxt.context.MobileNodeContext received, InetAddress thisRouter,
                                InetAddress newCareOf) {
                held.add((int) received.ikeContext().encoded()[0]);
                return false;
            }

            @Override
            public void released(InetAddress previousCareOf) {
                released.add(previousCareOf);
            }
        });
        assertTrue(par.transfer(PCOA, "nar").ok());
        await("nAR holds the context", () -> held.size() == 1);

        changed.get().changed(11, 99); // another IKE SA
        changed.get().changed(11, 22); // this one, but its state is what was sent
        Thread.sleep(200);
        assertEquals(List.of(1), held, "nothing sent again");

        slot.set(new io.cxt.context.IkeContextSlot(11, 22, new byte[] {2}));
        changed.get().changed(11, 22);
        changed.get().changed(11, 22);
        changed.get().changed(11, 22);
        await("the PCTD is sent again", () -> held.size() == 2);
        Thread.sleep(200);
        assertEquals(List.of(1, 2), held, "one refresh for the burst, with the new IKE state");
        assertEquals(List.of(), released, "the IKE side replaces its copy itself; it is not told to forget it");
        assertEquals(1, nar.contexts().size());
        assertEquals(List.of("127.1.0.10>127.2.0.1 0xc0000001 larval"), sas(narKernel), "one reservation, not two");

        assertEquals(List.of(), ctar(PAR, MN_KEY, 1));
        await("the pAR removes its copy after the CTDR", () -> {
            try {
                return parKernel.dumpSas().isEmpty();
            } catch (IOException e) {
                throw new IllegalStateException(e);
            }
        });
        slot.set(new io.cxt.context.IkeContextSlot(11, 22, new byte[] {3}));
        changed.get().changed(11, 22);
        Thread.sleep(200);
        assertEquals(List.of(1, 2), held, "no refresh after the CTDR");

        // a refresh that crossed the CTDR: an update (Elapsed Time > 0) of the MN's context after the activation
        io.cxt.context.MobileNodeContext late = io.cxt.context.MobileNodeContext.snapshot(
                new io.cxt.context.MobileNodeIdentity(HOA, PCOA), PAR, List.of(), List.of(), java.time.Instant.now());
        par.pushUpdate(PCOA, late.withIkeContext(slot.get()), "nar", 40);
        await("the nAR ignores it", () -> narLog.count("context-refused") == 1);
        assertEquals(List.of(1, 2), held);
        assertEquals(1, nar.contexts().size());
        assertEquals("ACTIVE", nar.contexts().get(0).state());
        assertEquals(MOVED_POLICIES, templates(narKernel));
        // a new transfer (Elapsed Time 0) of the same MN from the same pAR is held: the MN may come again
        par.push(PCOA, late.withIkeContext(slot.get()), "nar");
        await("the nAR holds the new transfer", () -> held.size() == 3);
        assertEquals(1, narLog.count("context-refused"));
    }

    @Test
    void aContextTheIkeSideRefusesIsNotHeldAndInstallsNothing() throws Exception {
        installParContext();
        AccessRouterAgent par = startPar();
        AccessRouterAgent nar = startNar();
        nar.setIkeHooks(new io.cxt.agent.ContextIkeHooks() {
            @Override
            public boolean held(InetAddress previousCareOf, io.cxt.context.MobileNodeContext received, InetAddress thisRouter,
                                InetAddress newCareOf) throws io.cxt.context.ContextException {
                throw new io.cxt.context.ContextException("SPI collision: inbound SPI 0xc0000001 of the MN's CHILD_SA is in use here");
            }
        });
        assertTrue(par.transfer(PCOA, "nar").ok());
        await("the nAR refuses to hold it", () -> narLog.count("transfer-failed") == 1);
        assertTrue(nar.contexts().isEmpty(), nar.contexts().toString());
        assertEquals(List.of(), narKernel.dumpSas(), "no SPI reserved, nothing installed");
        assertEquals(List.of(), narKernel.dumpPolicies());
    }

    @Test
    void reactiveHandoverAsksThePArWithACtReq() throws Exception {
        installParContext();
        AccessRouterAgent par = startPar();
        AccessRouterAgent nar = startNar();

        assertEquals(List.of(), ctar(PAR, MN_KEY, 2));

        assertEquals(1, nar.counter("ctreq.sent"));
        assertEquals(1, par.counter("ctreq.answered"));
        assertEquals(List.of("127.2.0.10>127.2.0.1 0xc0000001", "127.2.0.1>127.2.0.10 0xc1000001"), sas(narKernel));
        assertEquals(MOVED_POLICIES, templates(narKernel));
        assertEquals("reactive", nar.contexts().get(0).mode());
    }

    @Test
    void aCtarNamingAnUnknownRouterIsDroppedAndNothingIsAskedOrInstalled() throws Exception {
        installParContext();
        startPar();
        AccessRouterAgent nar = startNar();
        int token = AuthorizationToken.compute(MN_KEY, PCOA, 3, List.of());
        byte[] bytes = CxtpCodec.encode(new ContextTransferActivateRequest(true, PCOA, HandoverLab.ip("127.9.0.1"), 3,
                token, List.of()));
        TransportOptions o = TransportOptions.defaults().withRetransmission(new io.cxt.cxtp.RetransmissionPolicy(
                Duration.ofMillis(100), Duration.ofMillis(100), Duration.ofMillis(500), 2));
        try (UdpTransport t = UdpTransport.open(new InetSocketAddress(NCOA, 0), (f, m, b) -> { }, o)) {
            SendResult r = t.send(new InetSocketAddress(MN_SIDE, narMobilePort), bytes).get(10, TimeUnit.SECONDS);
            assertEquals(SendResult.Outcome.GAVE_UP, r.outcome(), "the MN transport's screen drops it unanswered");
        }
        assertEquals(0, nar.counter("ctreq.sent"));
        assertEquals(0, nar.counter("ctar.received"), "screened before the state machine");
        assertTrue(narKernel.dumpSas().isEmpty());
        assertTrue(narKernel.dumpPolicies().isEmpty());
    }

    @Test
    void aCtarForAnMnThePArDoesNotServeGetsNoContextAfterTheReactiveTimeout() throws Exception {
        AccessRouterAgent par = AccessRouterAgent.start(parSettings().mobileNodes(List.of()).build(), parKernel, null,
                parLog, ActivationListener.NONE);
        open.add(par);
        AccessRouterAgent nar = startNar();

        assertEquals(List.of(StatusCodes.NO_CONTEXT), ctar(PAR, MN_KEY, 4));
        assertEquals(1, nar.counter("ctreq.sent"));
        assertEquals(1, par.counter("ctreq.rejected"));
        assertTrue(narKernel.dumpSas().isEmpty());
    }

    @Test
    void aWrongTokenIsRefusedAndTheHeldContextStays() throws Exception {
        installParContext();
        AccessRouterAgent par = startPar();
        AccessRouterAgent nar = startNar();
        par.transfer(PCOA, "nar");
        await("nAR holds the context", () -> !nar.contexts().isEmpty());
        List<String> before = sas(narKernel);

        assertEquals(List.of(StatusCodes.BAD_TOKEN), ctar(PAR, key(20, 99), 5));

        assertEquals(before, sas(narKernel));
        assertTrue(narKernel.dumpPolicies().isEmpty());
        assertEquals("HELD", nar.contexts().get(0).state());
        assertEquals(2, parKernel.dumpSas().size(), "the pAR keeps the MN's state");
    }

    @Test
    void aRefusedInstallRollsBackEverythingAndThePArKeepsItsState() throws Exception {
        installParContext();
        AccessRouterAgent par = startPar();
        AccessRouterAgent nar = startNar();
        par.transfer(PCOA, "nar");
        await("nAR holds the context", () -> !nar.contexts().isEmpty());
        narKernel.refuseNext(XfrmMsgType.NEWPOLICY, XfrmError.ENOBUFS); // the second policy of the batch: fwd

        assertEquals(List.of(StatusCodes.INSTALL_FAILED), ctar(PAR, MN_KEY, 6));

        assertEquals(List.of(), sas(narKernel), "SAs removed, the larval reservation too");
        assertTrue(narKernel.dumpPolicies().isEmpty(), "the out policy that took effect was removed");
        await("the nAR reports the failure", () -> narLog.count("activation-failed") == 1);
        assertTrue(activations.isEmpty());
        await("the pAR hears the failure", () -> parLog.count("transfer-failed") == 1);
        assertEquals(2, parKernel.dumpSas().size(), "the pAR keeps the MN's SAs");
        assertEquals(3, parKernel.dumpPolicies().size());
    }

    @Test
    void anSpiTakenOnTheNarIsReplacedAndReportedAsAMapping() throws Exception {
        installParContext();
        // Another MN's SA on the nAR already uses the MN's inbound SPI (same destination: the nAR).
        SecurityAssociation other = esp(HandoverLab.ip("127.2.0.99"), NAR, IN_SPI, 0, 1, key(20, 5));
        narKernel.addSa(other);
        AccessRouterAgent par = startPar();
        AccessRouterAgent nar = startNar();
        par.transfer(PCOA, "nar");
        await("nAR holds the context", () -> !nar.contexts().isEmpty());

        assertEquals(List.of(), ctar(PAR, MN_KEY, 7));

        assertEquals(other, narKernel.getSa(other.key()), "the other MN's SA is untouched");
        await("the activation listener is told (after the CTAA, on the background thread)", () -> activations.size() == 1);
        var mappings = activations.get(0).spiChanges();
        assertEquals(1, mappings.size(), mappings.toString());
        int moved = (int) mappings.get(0).newSpi();
        assertNotEquals(IN_SPI, moved);
        assertEquals(IN_SPI, (int) mappings.get(0).oldSpi());
        List<String> now = sas(narKernel);
        assertTrue(now.contains(String.format("127.2.0.10>127.2.0.1 0x%08x", moved)), now.toString());
        assertFalse(now.stream().anyMatch(s -> s.endsWith("larval")), now.toString());
        assertEquals(MOVED_POLICIES, templates(narKernel));
    }

    @Test
    void aCancelledTransferReleasesTheReservations() throws Exception {
        installParContext();
        AccessRouterAgent par = startPar();
        AccessRouterAgent nar = startNar();
        par.transfer(PCOA, "nar");
        await("nAR holds the context", () -> !nar.contexts().isEmpty());
        assertEquals(1, narKernel.dumpSas().size());

        assertTrue(par.cancel(PCOA, null).ok());

        await("the nAR drops the held context", () -> nar.contexts().isEmpty());
        assertTrue(narKernel.dumpSas().isEmpty(), "the larval SA is gone");
        assertEquals(2, parKernel.dumpSas().size(), "the MN never left: the pAR keeps its state");
    }

    @Test
    void aHeldContextNotActivatedInTimeIsDroppedAndItsReservationReleased() throws Exception {
        installParContext();
        AccessRouterAgent par = startPar();
        AccessRouterAgent nar = AccessRouterAgent.start(narSettings().handoverTimeout(Duration.ofMillis(400)).build(),
                narKernel, null, narLog, activations::add);
        open.add(nar);
        par.transfer(PCOA, "nar");
        await("nAR holds the context", () -> !nar.contexts().isEmpty());
        assertEquals(1, narKernel.dumpSas().size(), "the larval reservation");

        await("the nAR's handover timer drops it", () -> narLog.count("context-expired") == 1);

        assertTrue(nar.contexts().isEmpty());
        assertTrue(narKernel.dumpSas().isEmpty(), "the reservation is released");
        assertEquals(2, parKernel.dumpSas().size(), "a predictive transfer never activated leaves the pAR as it was");
        assertEquals(List.of(), ctar(PAR, MN_KEY, 8), "a late CTAR is served reactively");
        assertEquals(1, nar.counter("ctreq.sent"));
        assertEquals(MOVED_POLICIES, templates(narKernel));
    }

    @Test
    void aRepeatedCtarIsAnsweredFromTheTransportAndInstallsNothingTwice() throws Exception {
        installParContext();
        AccessRouterAgent par = startPar();
        AccessRouterAgent nar = startNar();
        par.transfer(PCOA, "nar");
        await("nAR holds the context", () -> !nar.contexts().isEmpty());
        assertEquals(List.of(), ctar(PAR, MN_KEY, 9));
        long batches = narKernel.batchesApplied();
        List<String> installed = sas(narKernel);

        // the same octets again (a retransmission, or an attacker's capture from another port)
        assertEquals(List.of(), ctar(PAR, MN_KEY, 9), "the transport answers with the CTAA it sent");

        assertEquals(1, nar.counter("ctar.received"), "the repeat never reached the state machine");
        assertEquals(batches, narKernel.batchesApplied(), "nothing sent to the kernel for the repeat");
        assertEquals(installed, sas(narKernel));
        assertEquals(1, nar.counter("activations"));
    }
}
