package io.cxt.agent.role;

import static io.cxt.agent.role.HandoverLab.await;
import static io.cxt.agent.role.HandoverLab.key;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.SocketException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import io.cxt.agent.ActivationListener;
import io.cxt.agent.control.ControlException;
import io.cxt.agent.settings.IpPrefix;
import io.cxt.agent.settings.MobileTransport;
import io.cxt.agent.settings.PeerTransport;
import io.cxt.agent.view.OperationResult;
import io.cxt.cdb.ContextBlocks;
import io.cxt.cxtp.AuthorizationToken;
import io.cxt.cxtp.ContextTransferActivateAcknowledge;
import io.cxt.cxtp.ContextTransferActivateRequest;
import io.cxt.cxtp.CxtpCodec;
import io.cxt.cxtp.FeatureStatus;
import io.cxt.xfrm.AeadAlgorithm;
import io.cxt.xfrm.InMemoryIpsecKernel;
import io.cxt.xfrm.KeyBytes;
import io.cxt.xfrm.PolicyInfo;
import io.cxt.xfrm.ReplayState;
import io.cxt.xfrm.SaInfo;
import io.cxt.xfrm.SaKey;
import io.cxt.xfrm.SecurityAssociation;
import io.cxt.xfrm.SecurityPolicy;
import io.cxt.xfrm.UserTemplate;
import io.cxt.xfrm.XfrmBatch;
import io.cxt.xfrm.XfrmError;
import io.cxt.xfrm.XfrmMsgType;

/**
 * The mobile node's state machine ({@link MobileNodeAgent#activate}) over the in-memory kernel: no
 * root, no namespace. The access router is either a scripted UDP socket on 127.2.0.1 (it checks
 * the CTAR's token and answers, refuses, stays silent or loses the first CTAR), or, in the last
 * test, the real pAR and nAR agents over their own in-memory kernels.
 */
class MobileNodeAgentInMemoryTest {

    static final InetAddress PAR = HandoverLab.ip("127.1.0.1");
    static final InetAddress PCOA = HandoverLab.ip("127.1.0.10");
    static final InetAddress NAR = HandoverLab.ip("127.2.0.1");
    static final InetAddress NCOA = HandoverLab.ip("127.2.0.10");
    static final InetAddress HOA = HandoverLab.ip("10.100.0.10");
    static final InetAddress CN_NET = HandoverLab.ip("10.200.0.0");
    static final KeyBytes MN_KEY = key(20, 3);
    /** The MN's outbound SPI (the router's inbound) and its inbound SPI. */
    static final int OUT_SPI = 0xc0000001;
    static final int IN_SPI = 0xc1000001;
    static final KeyBytes OUT_KEY = key(20, 1);
    static final KeyBytes IN_KEY = key(20, 2);

    private final InMemoryIpsecKernel mnKernel = new InMemoryIpsecKernel(9);
    private final EventLog mnLog = new EventLog();
    private final List<AutoCloseable> open = new ArrayList<>();

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

    // ------------------------------------------------------------------ fixtures

    static SecurityPolicy policy(int dir, InetAddress selSrc, int ps, InetAddress selDst, int pd, InetAddress tmplSrc,
                                 InetAddress tmplDst) {
        io.cxt.xfrm.Selector sel = new io.cxt.xfrm.Selector(selDst, selSrc, 0, 0, 0, 0, 2, pd, ps, 0, 0, 0);
        return SecurityPolicy.builder(sel, dir).priority(1000)
                .templates(List.of(UserTemplate.tunnel(50, tmplSrc, tmplDst, 1))).build();
    }

    static SecurityAssociation esp(InetAddress src, InetAddress dst, int spi, int oseq, int seq, KeyBytes k) {
        SaInfo info = SaInfo.of(src, dst, 50, spi, 1, SaInfo.MODE_TUNNEL).withLifetime(HandoverLab.LIFETIME)
                .withReplayWindow(0);
        return SecurityAssociation.builder(info).replay(new ReplayState(oseq, seq, 0))
                .aead(new AeadAlgorithm("rfc4106(gcm(aes))", k, 160, 128)).build();
    }

    /** The MN's tunnel to {@code router} from {@code coa}: its two SAs and its out and in policies. */
    private void installMnTunnel(InetAddress coa, InetAddress router) throws IOException {
        mnKernel.addSa(esp(coa, router, OUT_SPI, 500, 0, OUT_KEY));
        mnKernel.addSa(esp(router, coa, IN_SPI, 0, 300, IN_KEY));
        XfrmBatch b = new XfrmBatch();
        b.addPolicy(policy(PolicyInfo.DIR_OUT, HOA, 32, CN_NET, 16, coa, router));
        b.addPolicy(policy(PolicyInfo.DIR_IN, CN_NET, 16, HOA, 32, router, coa));
        assertTrue(mnKernel.apply(b).isEmpty());
    }

    private MobileNodeAgent startMn(InetAddress coa, InetAddress router, int routerPort, KeyBytes key) throws IOException {
        MobileNodeSettings s = MobileNodeSettings.of("mn", HOA, coa, router, key).withRetransmission(HandoverLab.FAST)
                .withTransport(MobileTransport.UDP, routerPort);
        MobileNodeAgent a = MobileNodeAgent.start(s, mnKernel, null, mnLog);
        open.add(a);
        return a;
    }

    /** "src>dst spi oseq/seq key" of every SA, sorted; key is out, in or other (which of the two ESP keys it holds). */
    private static List<String> sas(InMemoryIpsecKernel k) throws IOException {
        List<String> out = new ArrayList<>();
        for (SecurityAssociation sa : k.dumpSas()) {
            KeyBytes key = sa.aead() == null ? null : sa.aead().key();
            out.add(String.format("%s>%s 0x%08x %d/%d %s", sa.source().getHostAddress(),
                    sa.destination().getHostAddress(), sa.spi(), sa.replay().oseq(), sa.replay().seq(),
                    OUT_KEY.equals(key) ? "out" : IN_KEY.equals(key) ? "in" : "other"));
        }
        Collections.sort(out);
        return out;
    }

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

    /**
     * A scripted access router: a UDP socket on {@code address} that decodes every CTAR, checks its
     * token with the MN's key, and answers after {@code lose} lost CTARs with a CTAA carrying
     * {@code failure} (0: success; -1: never answers).
     */
    static final class ScriptedRouter implements AutoCloseable {
        final DatagramSocket socket;
        final List<ContextTransferActivateRequest> ctars = new CopyOnWriteArrayList<>();
        final List<byte[]> octets = new CopyOnWriteArrayList<>();
        final AtomicInteger badTokens = new AtomicInteger();
        private final Thread thread;

        ScriptedRouter(InetAddress address, int lose, int failure) throws SocketException {
            this(address, 0, lose, failure);
        }

        ScriptedRouter(InetAddress address, int port, int lose, int failure) throws SocketException {
            socket = new DatagramSocket(new InetSocketAddress(address, port));
            thread = new Thread(() -> serve(lose, failure), "scripted-router");
            thread.setDaemon(true);
            thread.start();
        }

        int port() {
            return socket.getLocalPort();
        }

        private void serve(int lose, int failure) {
            byte[] buf = new byte[2048];
            try {
                while (!socket.isClosed()) {
                    DatagramPacket p = new DatagramPacket(buf, buf.length);
                    socket.receive(p);
                    byte[] bytes = Arrays.copyOf(p.getData(), p.getLength());
                    ContextTransferActivateRequest ctar = (ContextTransferActivateRequest) CxtpCodec.decode(bytes);
                    ctars.add(ctar);
                    octets.add(bytes);
                    if (ctar.authorizationToken() != AuthorizationToken.compute(MN_KEY, ctar.previousAddress(),
                            ctar.sequenceNumber(), List.of())) {
                        badTokens.incrementAndGet();
                    }
                    if (ctars.size() <= lose || failure < 0) {
                        continue;
                    }
                    List<FeatureStatus> failed = failure == 0 ? List.of()
                            : List.of(new FeatureStatus(ContextBlocks.FPT_HEADER, failure));
                    byte[] ctaa = CxtpCodec.encode(new ContextTransferActivateAcknowledge(ctar.previousAddress(), failed));
                    socket.send(new DatagramPacket(ctaa, ctaa.length, p.getSocketAddress()));
                }
            } catch (IOException | io.cxt.cxtp.CxtpDecodeException | RuntimeException e) {
                // closed, or not a CTAR: the test fails on the missing answer
            }
        }

        @Override
        public void close() {
            socket.close();
        }
    }

    private ScriptedRouter router(int lose, int failure) throws SocketException {
        ScriptedRouter r = new ScriptedRouter(NAR, lose, failure);
        open.add(r);
        return r;
    }

    // ------------------------------------------------------------------ activation

    @Test
    void anAcknowledgedCtarMovesTheMnsOwnSasAndPoliciesToTheNewCareOfAddressAndRouter() throws Exception {
        installMnTunnel(PCOA, PAR);
        ScriptedRouter nar = router(0, 0);
        MobileNodeAgent mn = startMn(PCOA, PAR, nar.port(), MN_KEY);

        OperationResult r = mn.activate(NAR, NCOA);

        assertTrue(r.ok(), r.summary());
        assertEquals(1, nar.ctars.size());
        ContextTransferActivateRequest ctar = nar.ctars.get(0);
        assertEquals(PCOA, ctar.previousAddress(), "the CTAR names the MN by its previous care-of address");
        assertEquals(PAR, ctar.otherRouterAddress(), "and its previous router");
        assertEquals(0, nar.badTokens.get(), "the token is the HMAC of the MN's key over pCoA and sequence number");
        assertEquals(ctar.sequenceNumber(), ((Number) r.details().get("sequenceNumber")).longValue());
        assertEquals(nar.octets.get(0).length, r.details().get("ctarOctets"));
        assertEquals(0, r.details().get("retransmissions"));
        assertEquals(List.of(
                        "127.2.0.10>127.2.0.1 0xc0000001 10500/0 out",
                        "127.2.0.1>127.2.0.10 0xc1000001 0/300 in"),
                sas(mnKernel), "same SPIs and keys at the new addresses; the outbound sequence number plus the margin");
        assertEquals(List.of("in 127.2.0.1>127.2.0.10", "out 127.2.0.10>127.2.0.1"), templates(mnKernel));
        assertEquals(NCOA, mn.currentIdentity().careOfAddress());
        assertEquals(HOA, mn.currentIdentity().homeAddress());
        assertEquals(NAR, mn.currentRouter());
        assertEquals(1, mnLog.count("context-activated"));
        assertEquals(1L, mn.stats().get("activations"));
    }

    /**
     * Issue 10: beside a stock charon ({@code [mobile] sa-owner = "charon"}) the MN's agent sends the CTAR and changes
     * nothing in the kernel: charon owns the SAs and moves them itself (MOBIKE) when the nAR's charon sends its address
     * list. With the own rewrite the agent would move charon's SAs behind its back (found running the daemons with
     * charon: tests/lab/handover-demo --charon).
     */
    @Test
    void besideCharonAnAcknowledgedCtarLeavesTheKernelSasAndPoliciesAlone() throws Exception {
        installMnTunnel(PCOA, PAR);
        List<String> before = sas(mnKernel);
        List<String> policiesBefore = templates(mnKernel);
        ScriptedRouter nar = router(0, 0);
        MobileNodeSettings s = MobileNodeSettings.of("mn", HOA, PCOA, PAR, MN_KEY).withRetransmission(HandoverLab.FAST)
                .withTransport(MobileTransport.UDP, nar.port()).withMovesOwnSas(false);
        MobileNodeAgent mn = MobileNodeAgent.start(s, mnKernel, null, mnLog);
        open.add(mn);

        OperationResult r = mn.activate(NAR, NCOA);

        assertTrue(r.ok(), r.summary());
        assertEquals(1, nar.ctars.size());
        assertEquals(0, nar.badTokens.get());
        assertEquals(before, sas(mnKernel), "charon's SAs untouched");
        assertEquals(policiesBefore, templates(mnKernel), "charon's policies untouched");
        assertEquals(0, r.details().get("sas"));
        assertEquals(NCOA, mn.currentIdentity().careOfAddress(), "the next CTAR names the new CoA");
        assertEquals(NAR, mn.currentRouter());
        assertEquals(1, mnLog.count("context-activated"));
    }

    /**
     * Issue 12 item 6: a MN that died after the nAR's success CTAA but before moving its own SAs (its journal's
     * open "moving" record) makes the move when it starts again, and starts at the new CoA and router. Without
     * the journal its SAs stayed at the pAR, which had removed its copy on the nAR's CTDR.
     */
    @Test
    void aMnThatDiedBetweenTheCtaaAndItsOwnUpdateMakesTheMoveAtItsNextStart() throws Exception {
        installMnTunnel(PCOA, PAR);
        java.nio.file.Path dir = java.nio.file.Files.createTempDirectory("cxt-mn-journal-");
        try (MobileJournal j = new MobileJournal(dir, "mn")) {
            j.moving(new MobileJournal.Move(4711, PCOA, NCOA, PAR, NAR));
        }
        MobileNodeSettings s = MobileNodeSettings.of("mn", HOA, PCOA, PAR, MN_KEY).withTransport(MobileTransport.UDP,
                freePort()).withStateDirectory(dir);
        MobileNodeAgent mn = MobileNodeAgent.start(s, mnKernel, null, mnLog);
        open.add(mn);

        assertEquals(List.of(
                        "127.2.0.10>127.2.0.1 0xc0000001 10500/0 out",
                        "127.2.0.1>127.2.0.10 0xc1000001 0/300 in"),
                sas(mnKernel), "moved as the acknowledged activation would have moved them");
        assertEquals(List.of("in 127.2.0.1>127.2.0.10", "out 127.2.0.10>127.2.0.1"), templates(mnKernel));
        assertEquals(NCOA, mn.currentIdentity().careOfAddress());
        assertEquals(NAR, mn.currentRouter());
        assertEquals(1, mnLog.count("reconciled"));
        assertEquals(0L, java.nio.file.Files.size(dir.resolve("mn.mn-journal")), "the journal starts over (empty, open)");

        MobileNodeAgent again = MobileNodeAgent.start(s, mnKernel, null, mnLog);
        open.add(again);
        assertEquals(1, mnLog.count("reconciled"), "a second start finds nothing to finish");
    }

    @Test
    void aSecondHandoverStartsFromWhereTheFirstLeftTheMnWithAFreshSequenceNumber() throws Exception {
        installMnTunnel(PCOA, PAR);
        ScriptedRouter nar = router(0, 0);
        ScriptedRouter par = new ScriptedRouter(PAR, nar.port(), 0, 0);
        open.add(par);
        // one UDP port for both scripted routers, as every AR listens on the same MN-side port
        MobileNodeAgent mn = startMn(PCOA, PAR, nar.port(), MN_KEY);
        assertTrue(mn.activate(NAR, NCOA).ok());
        assertEquals(0, par.ctars.size());

        OperationResult back = mn.activate(PAR, PCOA);

        assertTrue(back.ok(), back.summary());
        assertEquals(1, par.ctars.size(), "the CTAR goes to the router it moves to");
        ContextTransferActivateRequest second = par.ctars.get(0);
        assertEquals(NCOA, second.previousAddress(), "it names the CoA the first handover moved to");
        assertEquals(NAR, second.otherRouterAddress(), "and the router of the first handover");
        assertNotEquals(nar.ctars.get(0).sequenceNumber(), second.sequenceNumber());
        assertEquals(0, par.badTokens.get() + nar.badTokens.get());
        assertEquals(List.of("in 127.1.0.1>127.1.0.10", "out 127.1.0.10>127.1.0.1"), templates(mnKernel));
        assertEquals(List.of(
                        "127.1.0.10>127.1.0.1 0xc0000001 20500/0 out",
                        "127.1.0.1>127.1.0.10 0xc1000001 0/300 in"),
                sas(mnKernel), "the margin is added at every move");
    }

    @Test
    void aLostCtarIsRetransmittedWithTheSameOctets() throws Exception {
        installMnTunnel(PCOA, PAR);
        ScriptedRouter nar = router(1, 0);
        MobileNodeAgent mn = startMn(PCOA, PAR, nar.port(), MN_KEY);

        OperationResult r = mn.activate(NAR, NCOA);

        assertTrue(r.ok(), r.summary());
        assertEquals(2, nar.ctars.size());
        assertTrue(Arrays.equals(nar.octets.get(0), nar.octets.get(1)), "a retransmission, not a new request");
        assertEquals(1, r.details().get("retransmissions"));
        assertEquals(NCOA, mn.currentIdentity().careOfAddress());
    }

    @Test
    void aRefusedActivationLeavesTheMnsKernelAndLocationAsTheyWere() throws Exception {
        installMnTunnel(PCOA, PAR);
        List<String> before = sas(mnKernel);
        ScriptedRouter nar = router(0, StatusCodes.NO_CONTEXT);
        MobileNodeAgent mn = startMn(PCOA, PAR, nar.port(), MN_KEY);

        OperationResult r = mn.activate(NAR, NCOA);

        assertFalse(r.ok());
        assertTrue(r.summary().contains("refused"), r.summary());
        assertEquals(StatusCodes.describe(StatusCodes.NO_CONTEXT), r.details().get("failure"));
        assertEquals(before, sas(mnKernel));
        assertEquals(List.of("in 127.1.0.1>127.1.0.10", "out 127.1.0.10>127.1.0.1"), templates(mnKernel));
        assertEquals(PCOA, mn.currentIdentity().careOfAddress());
        assertEquals(PAR, mn.currentRouter());
        assertEquals(1, mnLog.count("activation-failed"));
        assertEquals(1L, mn.stats().get("activation.refused"));
    }

    @Test
    void aSilentRouterMakesTheMnGiveUpAfterItsRetransmissionsWithoutTouchingTheKernel() throws Exception {
        installMnTunnel(PCOA, PAR);
        List<String> before = sas(mnKernel);
        ScriptedRouter nar = router(0, -1);
        MobileNodeAgent mn = startMn(PCOA, PAR, nar.port(), MN_KEY);

        OperationResult r = mn.activate(NAR, NCOA);

        assertFalse(r.ok());
        assertTrue(r.summary().contains("no CTAA"), r.summary());
        assertEquals(HandoverLab.FAST.maxTransmissions(), nar.ctars.size(), "every transmission the policy allows");
        assertEquals(before, sas(mnKernel));
        assertEquals(PCOA, mn.currentIdentity().careOfAddress());
        assertEquals(1L, mn.stats().get("activation.no-answer"));
    }

    @Test
    void aRefusedOwnRewriteIsAnErrorAndPutsTheOldSasAndPoliciesBack() throws Exception {
        installMnTunnel(PCOA, PAR);
        List<String> sasBefore = sas(mnKernel);
        List<String> policiesBefore = templates(mnKernel);
        ScriptedRouter nar = router(0, 0);
        MobileNodeAgent mn = startMn(PCOA, PAR, nar.port(), MN_KEY);
        mnKernel.refuseNext(XfrmMsgType.UPDPOLICY, XfrmError.ENOBUFS);

        ControlException e = assertThrows(ControlException.class, () -> mn.activate(NAR, NCOA));

        assertTrue(e.getMessage().contains("moving this MN's own SAs and policies failed"), e.getMessage());
        assertEquals(sasBefore, sas(mnKernel), "the new SAs were deleted again");
        assertEquals(policiesBefore, templates(mnKernel), "the policies point at the old tunnel");
        assertEquals(PCOA, mn.currentIdentity().careOfAddress(), "the MN still believes it is where its kernel says");
        assertEquals(1L, mn.stats().get("activation.own-rewrite-failed"));
    }

    @Test
    void withoutATokenKeyNothingIsSent() throws Exception {
        installMnTunnel(PCOA, PAR);
        ScriptedRouter nar = router(0, 0);
        MobileNodeAgent mn = startMn(PCOA, PAR, nar.port(), KeyBytes.EMPTY);

        ControlException e = assertThrows(ControlException.class, () -> mn.activate(NAR, NCOA));

        assertTrue(e.getMessage().contains("no token key"), e.getMessage());
        Thread.sleep(100);
        assertTrue(nar.ctars.isEmpty());
    }

    @Test
    void routerCommandsAreRefusedByAMobileNode() throws Exception {
        MobileNodeAgent mn = startMn(PCOA, PAR, 5092, MN_KEY);

        ControlException e = assertThrows(ControlException.class, () -> mn.handle("transfer", Map.of("mn", "127.1.0.10")));

        assertTrue(e.getMessage().contains("access-router command"), e.getMessage());
        assertEquals("mobile-node", ((io.cxt.agent.view.AgentStatus) mn.handle("status", Map.of())).role());
    }

    // ------------------------------------------------------------------ with the real routers

    /**
     * MN, pAR and nAR agents, each over its own in-memory kernel. On loopback a wildcard UDP socket
     * sends from and answers from 127.0.0.1, so here the nAR's tunnel address and the MN's new
     * care-of address are both 127.0.0.1 (separate kernels, so nothing collides): what is checked is
     * that the MN's own rewrite and the nAR's install agree SA for SA, key for key.
     */
    @Test
    void afterAPredictiveHandoverTheMnsKernelMirrorsTheNars() throws Exception {
        InetAddress lo = HandoverLab.ip("127.0.0.1");
        InetAddress parCx = HandoverLab.ip("127.0.0.3");
        InetAddress narCx = HandoverLab.ip("127.0.0.4");
        KeyBytes channelKey = key(32, 7);
        InMemoryIpsecKernel parKernel = new InMemoryIpsecKernel(1);
        InMemoryIpsecKernel narKernel = new InMemoryIpsecKernel(2);
        parKernel.addSa(esp(PCOA, PAR, OUT_SPI, 0, 4711, OUT_KEY));
        parKernel.addSa(esp(PAR, PCOA, IN_SPI, 9000, 0, IN_KEY));
        XfrmBatch b = new XfrmBatch();
        b.addPolicy(policy(PolicyInfo.DIR_OUT, CN_NET, 16, HOA, 32, PAR, PCOA));
        b.addPolicy(policy(PolicyInfo.DIR_IN, HOA, 32, CN_NET, 16, PCOA, PAR));
        b.addPolicy(policy(PolicyInfo.DIR_FWD, HOA, 32, CN_NET, 16, PCOA, PAR));
        assertTrue(parKernel.apply(b).isEmpty());
        installMnTunnel(PCOA, PAR);
        Path state = Files.createTempDirectory("cxt-mn-mem-");
        int parPort = freePort();
        int narPort = freePort();
        int narMobilePort = freePort();
        EventLog narLog = new EventLog();
        AccessRouterAgent par = AccessRouterAgent.start(RouterSettings.builder("par", parCx, 1).cxtpPort(parPort)
                .tunnelAddress(PAR).mobileTransport(MobileTransport.UDP).mobileUdpPort(freePort())
                .mobilePrefix(IpPrefix.parse("127.1.0.0/24")).stateDirectory(state.resolve("par"))
                .retransmission(HandoverLab.FAST).removalDelay(Duration.ZERO)
                .peers(List.of(new PeerSettings("nar", narCx, narPort, PeerTransport.UDP, 2, channelKey, lo)))
                .mobileNodes(List.of(new ServedMobileNode(PCOA, HOA, MN_KEY))).build(), parKernel, null, new EventLog(),
                ActivationListener.NONE);
        open.add(par);
        AccessRouterAgent nar = AccessRouterAgent.start(RouterSettings.builder("nar", narCx, 2).cxtpPort(narPort)
                .tunnelAddress(lo).mobileTransport(MobileTransport.UDP).mobileUdpPort(narMobilePort)
                .mobilePrefix(IpPrefix.parse("127.0.0.0/24")).stateDirectory(state.resolve("nar"))
                .retransmission(HandoverLab.FAST)
                .peers(List.of(new PeerSettings("par", parCx, parPort, PeerTransport.UDP, 1, channelKey, PAR))).build(),
                narKernel, null, narLog, ActivationListener.NONE);
        open.add(nar);
        MobileNodeAgent mn = startMn(PCOA, PAR, narMobilePort, MN_KEY);
        assertTrue(par.transfer(PCOA, "nar").ok());
        await("nAR holds the context", () -> nar.contexts().stream().anyMatch(c -> c.state().equals("HELD")));

        OperationResult r = mn.activate(lo, null);

        assertTrue(r.ok(), r.summary());
        assertEquals("127.0.0.1", r.details().get("newCareOf"), "the source the MN's routing picks towards the nAR");
        assertEquals(List.of(
                        "127.0.0.1>127.0.0.1 0xc0000001 10000/4711 out",
                        "127.0.0.1>127.0.0.1 0xc1000001 19000/0 in"), sas(narKernel),
                "the nAR: the MN's outbound SA inbound with its replay state, its own outbound with the margin");
        assertEquals(List.of(
                        "127.0.0.1>127.0.0.1 0xc0000001 10500/0 out",
                        "127.0.0.1>127.0.0.1 0xc1000001 10000/300 in"), sas(mnKernel),
                "the MN: the same SPIs and keys in the other direction (with source = destination here, the "
                        + "rewrite also adds the margin to the inbound SA's unused oseq)");
        SecurityAssociation mnOut = mnKernel.getSa(SaKey.of(lo, OUT_SPI, 50));
        SecurityAssociation narIn = narKernel.getSa(SaKey.of(lo, OUT_SPI, 50));
        assertEquals(mnOut.aead(), narIn.aead(), "the MN encrypts with what the nAR decrypts with");
        await("the nAR's event (written after the CTAA left)", () -> narLog.count("context-activated") == 1);
        await("the pAR removes its copy after the CTDR", () -> parKernel.dumpSas(null).isEmpty());
    }

    private static int freePort() throws IOException {
        try (DatagramSocket s = new DatagramSocket(0, InetAddress.getLoopbackAddress())) {
            return s.getLocalPort();
        }
    }
}
