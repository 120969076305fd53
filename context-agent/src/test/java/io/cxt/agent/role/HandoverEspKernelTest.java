package io.cxt.agent.role;

import static io.cxt.agent.role.HandoverLab.MN_KEY;
import static io.cxt.agent.role.HandoverLab.NAR;
import static io.cxt.agent.role.HandoverLab.NCOA;
import static io.cxt.agent.role.HandoverLab.PAR;
import static io.cxt.agent.role.HandoverLab.PCOA;
import static io.cxt.agent.role.HandoverLab.await;
import static io.cxt.agent.role.HandoverLab.dump;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.DatagramChannel;
import java.util.List;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import io.cxt.agent.view.OperationResult;
import io.cxt.cxtp.AuthorizationToken;
import io.cxt.cxtp.ContextTransferActivateAcknowledge;
import io.cxt.cxtp.ContextTransferActivateRequest;
import io.cxt.cxtp.ContextTransferCancel;
import io.cxt.cxtp.CxtpCodec;
import io.cxt.cxtp.DropPolicy;
import io.cxt.cxtp.IcmpTransport;
import io.cxt.cxtp.MessageType;
import io.cxt.cxtp.RouterChannelProtection;
import io.cxt.cxtp.RouterPeer;
import io.cxt.cxtp.SendResult;
import io.cxt.cxtp.TransportOptions;
import io.cxt.sys.LibC;
import io.cxt.testing.NetnsExtension;
import io.cxt.testing.TestNamespace;
import io.cxt.xfrm.SaKey;
import io.cxt.xfrm.SecurityAssociation;
import io.cxt.xfrm.XfrmClient;

/**
 * Handover with real ESP SAs (tunnel mode, IPv6, AES-GCM): MN - pAR - nAR - CN, the three agents
 * in one JVM, traffic MN (HoA) to CN through the pAR before and through the nAR after the
 * activation. Needs the lab kernel (tests/lab/run-kernel-suite).
 */
@Tag("esp-kernel")
@ExtendWith(NetnsExtension.class)
class HandoverEspKernelTest {

    static long packets(XfrmClient c, SaKey k) throws IOException {
        return c.states().get(k).info().current().packets();
    }

    static boolean empty(XfrmClient c) {
        try {
            return c.states().dump().isEmpty() && c.policies().dump().isEmpty();
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }

    void handover(boolean predictive, TestNamespace p, TestNamespace n, TestNamespace m, TestNamespace cn) throws Exception {
        handover(predictive, DropPolicy.none(), p, n, m, cn);
    }

    void handover(boolean predictive, DropPolicy drop, TestNamespace p, TestNamespace n, TestNamespace m,
                         TestNamespace cn) throws Exception {
        try (HandoverLab lab = new HandoverLab(p, n, m)) {
            lab.withParLinkAndCn(cn);
            lab.installEspContext();
            assertTrue(lab.ping(2), "traffic through the pAR before the handover");
            AccessRouterAgent par = lab.startPar(lab.parSettings().routerDropPolicy(drop).build());
            AccessRouterAgent nar = lab.startNar(lab.narSettings().build());
            MobileNodeAgent mn = lab.startMn(MN_KEY);
            if (predictive) {
                assertTrue(par.transfer(PCOA, "nar").ok());
                if (drop.dropped(MessageType.PCTD) == 0) {
                    await("nAR holds the context", () -> !nar.contexts().isEmpty());
                }
            }
            lab.moveToNar();

            OperationResult r = mn.activate(NAR, null);

            assertTrue(r.ok(), r.summary() + " " + r.details());
            assertEquals(NCOA, mn.currentIdentity().careOfAddress());
            SaKey narIn = SaKey.of(NCOA, NAR, 0xc0000001, 50);
            SaKey narOut = SaKey.of(NAR, NCOA, 0xc1000001, 50);
            long inBefore = packets(lab.nar, narIn);
            long outBefore = packets(lab.nar, narOut);
            assertTrue(lab.ping(3), "traffic through the nAR after the activation\n" + lab.narNs.ip("-s", "xfrm", "state"));
            assertTrue(packets(lab.nar, narIn) >= inBefore + 3, "nAR inbound ESP packets rising");
            assertTrue(packets(lab.nar, narOut) >= outBefore + 3, "nAR outbound ESP packets rising");
            SecurityAssociation mnOut = lab.mn.states().get(SaKey.of(NCOA, NAR, 0xc0000001, 50));
            assertTrue(mnOut.info().current().packets() >= 3, "MN sends on its moved SA");
            await("the pAR removed the MN's SAs and policies", () -> empty(lab.par));
            boolean viaCtReq = !predictive || drop.dropped(MessageType.PCTD) > 0;
            assertEquals(viaCtReq ? 1 : 0, nar.counter("ctreq.sent"));
            lab.settle(); // post-CTAA work (events, listener) runs in the background
            assertEquals(1, lab.activations.size());
            assertEquals(PAR, lab.activations.get(0).previousRouter());
            // Issue 12 item 8: the context kept as ACTIVE (only to be shown) no longer holds the SA keys
            for (SecurityAssociation sa : lab.activations.get(0).installed().securityAssociations()) {
                for (io.cxt.xfrm.KeyBytes k : java.util.Arrays.asList(sa.aead() == null ? null : sa.aead().key(),
                        sa.auth() == null ? null : sa.auth().key(), sa.authTrunc() == null ? null : sa.authTrunc().key(),
                        sa.crypt() == null ? null : sa.crypt().key())) {
                    if (k != null) {
                        assertTrue(java.util.Arrays.equals(new byte[k.length()], k.bytes()), "SA keys wiped after install");
                    }
                }
            }
        }
    }

    @Test
    void aLostPctdIsRecoveredThroughCtReq(TestNamespace p, TestNamespace n, TestNamespace m, TestNamespace cn)
            throws Exception {
        DropPolicy drop = DropPolicy.dropFirst(MessageType.PCTD, 1);
        handover(true, drop, p, n, m, cn);
        assertEquals(1, drop.dropped(MessageType.PCTD));
    }

    @Test
    void aLostReactiveCtdIsRecoveredByItsRetransmission(TestNamespace p, TestNamespace n, TestNamespace m,
                                                        TestNamespace cn) throws Exception {
        DropPolicy drop = DropPolicy.dropFirst(MessageType.CTD, 1);
        handover(false, drop, p, n, m, cn);
        assertEquals(1, drop.dropped(MessageType.CTD));
    }

    @Test
    void aReplayedCtarAndForgedEnvelopesInstallNothing(TestNamespace p, TestNamespace n, TestNamespace m,
                                                       TestNamespace cn) throws Exception {
        try (HandoverLab lab = new HandoverLab(p, n, m)) {
            lab.withParLinkAndCn(cn);
            lab.installEspContext();
            AccessRouterAgent par = lab.startPar(lab.parSettings().build());
            AccessRouterAgent nar = lab.startNar(lab.narSettings().build());
            assertTrue(par.transfer(PCOA, "nar").ok());
            await("nAR holds the context", () -> !nar.contexts().isEmpty());
            lab.moveToNar();
            // Forged router-channel envelopes (wrong key) carrying a CTC: dropped, the held context stays.
            List<String> held = dump(lab.nar);
            RouterChannelProtection forger = new RouterChannelProtection(1);
            InetSocketAddress narSock = new InetSocketAddress(HandoverLab.NAR_CX, 5091);
            forger.addPeer(new RouterPeer(2, narSock, HandoverLab.key(32, 5)));
            byte[] ctc = CxtpCodec.encode(new ContextTransferCancel(PCOA));
            long kernelDrops = nar.stats().get("router.udp.kernel_drops");
            lab.parNs.netns().runInside(() -> {
                try (DatagramChannel ch = DatagramChannel.open(java.net.StandardProtocolFamily.INET6)) {
                    // the pAR agent holds 5091: from another port the router channel's socket filter drops it in the kernel
                    ch.bind(new InetSocketAddress(HandoverLab.PAR_CX, 5099));
                    ch.send(ByteBuffer.wrap(forger.seal(2, ctc)), narSock);
                }
                return 0;
            });
            await("dropped by the kernel", () -> nar.stats().get("router.udp.kernel_drops") == kernelDrops + 1);
            assertEquals(0, nar.counter("router.rejected"), "it never reached the envelope check");
            assertEquals(held, dump(lab.nar));
            assertEquals("HELD", nar.contexts().get(0).state());

            long seq = 0x4711;
            byte[] ctar = CxtpCodec.encode(new ContextTransferActivateRequest(true, PCOA, PAR, seq,
                    AuthorizationToken.compute(MN_KEY, PCOA, seq, List.of()), List.of()));
            TransportOptions o = TransportOptions.defaults().withRetransmission(HandoverLab.FAST);
            try (IcmpTransport t = IcmpTransport.open(LibC.AF_INET6, lab.mnNs.netns(), (f, msg, b) -> { }, o)) {
                SendResult r = t.send(new InetSocketAddress(NAR, 0), ctar).get(5, TimeUnit.SECONDS);
                assertTrue(((ContextTransferActivateAcknowledge) r.acknowledgement()).failedContexts().isEmpty());
            }
            List<String> activated = dump(lab.nar);
            assertEquals(2, lab.nar.states().dump().size());
            try (IcmpTransport t = IcmpTransport.open(LibC.AF_INET6, lab.mnNs.netns(), (f, msg, b) -> { }, o)) {
                t.send(new InetSocketAddress(NAR, 0), ctar).get(5, TimeUnit.SECONDS);
            }
            assertEquals(1, nar.counter("ctar.received"));
            assertEquals(activated, dump(lab.nar));
            lab.settle(); // post-CTAA work (events, listener) runs in the background
            assertEquals(1, lab.activations.size());
        }
    }

    @Test
    void predictiveHandoverCarriesTrafficThroughTheNar(TestNamespace p, TestNamespace n, TestNamespace m, TestNamespace cn)
            throws Exception {
        handover(true, p, n, m, cn);
    }

    @Test
    void reactiveHandoverCarriesTrafficThroughTheNar(TestNamespace p, TestNamespace n, TestNamespace m, TestNamespace cn)
            throws Exception {
        handover(false, p, n, m, cn);
    }

    @Test
    void wrongTokenInstallsNothing(TestNamespace p, TestNamespace n, TestNamespace m, TestNamespace cn) throws Exception {
        try (HandoverLab lab = new HandoverLab(p, n, m)) {
            lab.withParLinkAndCn(cn);
            lab.installEspContext();
            AccessRouterAgent par = lab.startPar(lab.parSettings().build());
            AccessRouterAgent nar = lab.startNar(lab.narSettings().build());
            MobileNodeAgent mn = lab.startMn(HandoverLab.key(20, 99));
            assertTrue(par.transfer(PCOA, "nar").ok());
            await("nAR holds the context", () -> !nar.contexts().isEmpty());
            lab.moveToNar();
            List<String> narBefore = dump(lab.nar);
            List<String> parBefore = dump(lab.par);
            List<String> mnBefore = dump(lab.mn);

            OperationResult r = mn.activate(NAR, null);

            assertFalse(r.ok());
            assertEquals(narBefore, dump(lab.nar), "only the reservation, as before");
            assertEquals(1, lab.nar.states().dump().size());
            assertTrue(lab.nar.policies().dump().isEmpty());
            assertEquals(parBefore, dump(lab.par));
            assertEquals(mnBefore, dump(lab.mn));
            // the rejection event is queued after the CTAA left: the MN can be back before it is queued
            await("the nAR's ctar-rejected event", () -> lab.narLog.count("ctar-rejected") >= 1);
            lab.settle();
            assertEquals(1, lab.narLog.count("ctar-rejected"));
            assertFalse(lab.ping(1), "nothing carries the MN's traffic at the nAR");
        }
    }

    @Test
    void restartMidTransferLeavesNoOrphans(TestNamespace p, TestNamespace n, TestNamespace m, TestNamespace cn)
            throws Exception {
        try (HandoverLab lab = new HandoverLab(p, n, m)) {
            lab.withParLinkAndCn(cn);
            lab.installEspContext();
            List<String> parBefore = dump(lab.par);
            AccessRouterAgent par = lab.startPar(lab.parSettings().build());
            RouterSettings s = lab.narSettings().build();
            AccessRouterAgent nar = AccessRouterAgent.start(s, lab.nar, lab.narNs.netns(), lab.narLog, a -> { });
            assertTrue(par.transfer(PCOA, "nar").ok());
            await("nAR holds the context", () -> !nar.contexts().isEmpty());
            nar.flushJournal();
            // Half an install: the predicted outbound SA is already in.
            SecurityAssociation out = HandoverLab.esp(NAR, NCOA, 0xc1000001, 19000, 0, HandoverLab.key(20, 2));
            lab.nar.states().add(out);
            nar.abandon();
            assertEquals(2, lab.nar.states().dump().size(), dump(lab.nar).toString());

            lab.startNar(s);

            assertTrue(empty(lab.nar), dump(lab.nar).toString());
            assertEquals(parBefore, dump(lab.par), "the pAR keeps the MN's state: it never left");
        }
    }
}
