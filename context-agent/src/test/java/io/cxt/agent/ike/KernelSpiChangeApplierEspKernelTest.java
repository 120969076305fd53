package io.cxt.agent.ike;

import static io.cxt.agent.ike.IkeAgentFixtures.AR_ESP_IN;
import static io.cxt.agent.ike.IkeAgentFixtures.CN;
import static io.cxt.agent.ike.IkeAgentFixtures.HOA;
import static io.cxt.agent.ike.IkeAgentFixtures.MN_ESP_IN;
import static io.cxt.agent.ike.IkeAgentFixtures.NAR;
import static io.cxt.agent.ike.IkeAgentFixtures.NCOA;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.InetAddress;
import java.util.List;
import java.util.concurrent.atomic.AtomicReference;

import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import io.cxt.context.ContextException;
import io.cxt.context.MobileNodeIdentity;
import io.cxt.ike.IkeSaContext;
import io.cxt.ike.ProtocolId;
import io.cxt.ike.SpiOwner;
import io.cxt.ike.UpdateSpiNotify;
import io.cxt.testing.NetnsExtension;
import io.cxt.testing.TestNamespace;
import io.cxt.xfrm.PolicyInfo;
import io.cxt.xfrm.SaKey;
import io.cxt.xfrm.SecurityAssociation;
import io.cxt.xfrm.SecurityPolicy;
import io.cxt.xfrm.XfrmClient;

/**
 * KernelSpiChangeApplier on a mobile node holding real ESP SAs (lab kernel): the nAR's UPDATE_SPIs
 * and its new address end up in the MN's SAD and SPD, all or nothing.
 */
@Tag("esp-kernel")
@ExtendWith(NetnsExtension.class)
class KernelSpiChangeApplierEspKernelTest {
    static final InetAddress OTHER_ROUTER = IkeAgentFixtures.ip("2001:db8:b::2");
    static final long NEW_AR_ESP_IN = 0xc0000777L;
    static final long NEW_MN_ESP_IN = 0xc1000999L;

    /** The MN after its CTAA rewrite: CoA NCOA, router NAR, old SPIs. */
    static void installMn(XfrmClient c) throws Exception {
        c.states().add(MnKernelFixtures.esp(NCOA, NAR, AR_ESP_IN, 1, true, 500));
        c.states().add(MnKernelFixtures.esp(NAR, NCOA, MN_ESP_IN, 1, false, 0));
        c.policies().add(MnKernelFixtures.tunnelPolicy(PolicyInfo.DIR_OUT, HOA, 128, CN, 48, NCOA, NAR, 1));
        c.policies().add(MnKernelFixtures.tunnelPolicy(PolicyInfo.DIR_IN, CN, 48, HOA, 128, NAR, NCOA, 1));
    }

    static KernelSpiChangeApplier applier(XfrmClient c, AtomicReference<InetAddress> router) {
        return new KernelSpiChangeApplier(c, () -> new MobileNodeIdentity(HOA, NCOA), router::get, router::set);
    }

    @Test
    void spiChangesOfBothDirectionsAndANewPeerAreApplied(TestNamespace mn) throws Exception {
        try (XfrmClient c = XfrmClient.open(mn.netns())) {
            installMn(c);
            AtomicReference<InetAddress> router = new AtomicReference<>(NAR);
            IkeSaContext sa = IkeAgentFixtures.mobileNode(IkeAgentFixtures.CBC, 3, 5);
            applier(c, router).apply(sa, OTHER_ROUTER, List.of(
                    new UpdateSpiNotify(ProtocolId.ESP, AR_ESP_IN, NEW_AR_ESP_IN, SpiOwner.RESPONDER),
                    new UpdateSpiNotify(ProtocolId.ESP, MN_ESP_IN, NEW_MN_ESP_IN, SpiOwner.INITIATOR),
                    new UpdateSpiNotify(ProtocolId.IKE, IkeAgentFixtures.SPI_R, 0x42L, SpiOwner.RESPONDER)));
            assertEquals(OTHER_ROUTER, router.get());
            List<SecurityAssociation> sas = c.states().dump();
            assertEquals(2, sas.size(), MnKernelFixtures.dump(c).toString());
            SecurityAssociation out = c.states().get(SaKey.of(NCOA, OTHER_ROUTER, (int) NEW_AR_ESP_IN, 50));
            SecurityAssociation in = c.states().get(SaKey.of(OTHER_ROUTER, NCOA, (int) NEW_MN_ESP_IN, 50));
            assertEquals(NCOA, out.source());
            assertEquals(OTHER_ROUTER, in.source());
            long oseq = Integer.toUnsignedLong(c.states().getReplayLifetime(out.key()).replay().oseq());
            assertTrue(oseq >= 500, "outbound sequence numbers continue: " + oseq);
            for (SecurityPolicy p : c.policies().dump()) {
                var t = p.templates().get(0);
                assertTrue(t.daddr().equals(OTHER_ROUTER) || t.saddr().equals(OTHER_ROUTER), p.toString());
            }
            String ipView = mn.ip("xfrm", "state");
            assertTrue(ipView.contains("spi 0xc0000777") && ipView.contains("spi 0xc1000999"), ipView);
            assertTrue(!ipView.contains("spi 0xc0000001") && !ipView.contains("spi 0xc1000001"), ipView);
        }
    }

    /**
     * The whole MN-side path over UDP: the nAR (which replaced its colliding inbound SPI) sends the
     * UPDATE_SPI request on the transferred IKE SA; the MN's responder moves its outbound SA to the new
     * SPI; then the MN pings an address of the nAR from its home address and ESP carries it both ways
     * on the new SPI.
     */
    @Test
    void anUpdateOverUdpMovesTheMnToTheNewSpiAndTrafficFlows(TestNamespace mn, TestNamespace nar) throws Exception {
        IkeAgentFixtures.link(mn, nar);
        InetAddress cnOnNar = IkeAgentFixtures.ip("2001:db8:200::5");
        mn.ip("addr", "add", HOA.getHostAddress() + "/128", "dev", "lo", "nodad");
        mn.ip("route", "add", "default", "via", NAR.getHostAddress());
        nar.ip("addr", "add", cnOnNar.getHostAddress() + "/128", "dev", "lo", "nodad");
        nar.ip("route", "add", HOA.getHostAddress() + "/128", "via", NCOA.getHostAddress());
        try (XfrmClient mnKernel = XfrmClient.open(mn.netns()); XfrmClient narKernel = XfrmClient.open(nar.netns())) {
            installMn(mnKernel);
            // The nAR as installed after the transfer: its inbound SA on the new SPI (same keys).
            narKernel.states().add(MnKernelFixtures.esp(NCOA, NAR, AR_ESP_IN, 1, true, 0).withSpi((int) NEW_AR_ESP_IN));
            narKernel.states().add(MnKernelFixtures.esp(NAR, NCOA, MN_ESP_IN, 1, false, 20_000));
            narKernel.policies().add(MnKernelFixtures.tunnelPolicy(PolicyInfo.DIR_IN, HOA, 128, CN, 48, NCOA, NAR, 1));
            narKernel.policies().add(MnKernelFixtures.tunnelPolicy(PolicyInfo.DIR_OUT, CN, 48, HOA, 128, NAR, NCOA, 1));

            AtomicReference<InetAddress> router = new AtomicReference<>(NAR);
            IkeAgentFixtures.Events mnEvents = new IkeAgentFixtures.Events();
            IkeSaStore mnStore = new IkeSaStore(mnEvents);
            mnStore.put(IkeAgentFixtures.mobileNode(IkeAgentFixtures.CBC, 3, 5), "2001:db8:100::10");
            SpiUpdateResponder responder = new SpiUpdateResponder(mnStore, applier(mnKernel, router), mnEvents,
                    new java.security.SecureRandom());
            IkeSaStore narStore = new IkeSaStore(null);
            try (IkeUdpEndpoint mnEnd = IkeUdpEndpoint.open(500, mn.netns(), responder::received);
                 IkeUdpEndpoint narEnd = IkeUdpEndpoint.open(500, nar.netns(), null);
                 SpiUpdateInitiator initiator = new SpiUpdateInitiator(narStore, narEnd, null,
                         new SpiUpdateInitiator.Options(500, 3, java.time.Duration.ofSeconds(10),
                                 java.time.Duration.ofMillis(300), List.of()), null)) {
                narEnd.setHandler(IkeUdpEndpoint.byDirection(null, initiator::received));
                var slot = IkeContextSlots.of(IkeAgentFixtures.accessRouter(IkeAgentFixtures.CBC, 5, 3));
                var activation = new io.cxt.agent.ActivationListener.Activation(null, null, List.of(
                        io.cxt.context.SpiMapping.ipsec(50, NAR, (int) AR_ESP_IN, (int) NEW_AR_ESP_IN, true)),
                        IkeAgentFixtures.PCOA, NCOA, IkeAgentFixtures.PAR, NAR, slot);
                assertEquals(SpiUpdateInitiator.Outcome.ACKNOWLEDGED,
                        initiator.start(activation).get(20, java.util.concurrent.TimeUnit.SECONDS), mnEvents.all.toString());
            }
            SecurityAssociation out = mnKernel.states().get(SaKey.of(NCOA, NAR, (int) NEW_AR_ESP_IN, 50));
            assertEquals(NCOA, out.source());
            assertEquals(2, mnKernel.states().dump().size(), MnKernelFixtures.dump(mnKernel).toString());

            io.cxt.testing.Commands.Result ping = io.cxt.testing.Commands.exec(List.of("ip", "netns", "exec", mn.name(),
                    "ping", "-6", "-c", "3", "-i", "0.2", "-W", "2", "-I", HOA.getHostAddress(), cnOnNar.getHostAddress()), null);
            assertEquals(0, ping.exit(), ping.stdout() + ping.stderr() + "\n" + mn.ip("-s", "xfrm", "state"));
            SecurityAssociation mnOut = mnKernel.states().get(SaKey.of(NCOA, NAR, (int) NEW_AR_ESP_IN, 50));
            assertTrue(mnOut.info().current().packets() >= 3, "MN sends on the new SPI");
            SecurityAssociation narIn = narKernel.states().get(SaKey.of(NCOA, NAR, (int) NEW_AR_ESP_IN, 50));
            assertTrue(narIn.info().current().packets() >= 3, "nAR receives on the new SPI");
        }
    }

    /** MOBIKE alone (no SPI change): the inbound SA keeps its SPI and CoA, only its source moves. */
    @Test
    void anAddressOnlyUpdateMovesBothSasToTheNewPeer(TestNamespace mn) throws Exception {
        try (XfrmClient c = XfrmClient.open(mn.netns())) {
            installMn(c);
            AtomicReference<InetAddress> router = new AtomicReference<>(NAR);
            applier(c, router).apply(IkeAgentFixtures.mobileNode(IkeAgentFixtures.CBC, 3, 5), OTHER_ROUTER, List.of());
            assertEquals(OTHER_ROUTER, router.get());
            assertEquals(2, c.states().dump().size(), MnKernelFixtures.dump(c).toString());
            assertEquals(NCOA, c.states().get(SaKey.of(NCOA, OTHER_ROUTER, (int) AR_ESP_IN, 50)).source());
            assertEquals(OTHER_ROUTER, c.states().get(SaKey.of(OTHER_ROUTER, NCOA, (int) MN_ESP_IN, 50)).source());
            for (SecurityPolicy p : c.policies().dump()) {
                var t = p.templates().get(0);
                assertTrue(t.daddr().equals(OTHER_ROUTER) || t.saddr().equals(OTHER_ROUTER), p.toString());
            }
        }
    }

    @Test
    void aNewSpiAlreadyInUseIsACollisionAndChangesNothing(TestNamespace mn) throws Exception {
        try (XfrmClient c = XfrmClient.open(mn.netns())) {
            installMn(c);
            // Another SA already receives on the SPI the nAR wants the MN to receive on.
            c.states().add(MnKernelFixtures.esp(IkeAgentFixtures.ip("2001:db8:b::99"), NCOA, NEW_MN_ESP_IN, 7, false, 0));
            List<String> before = MnKernelFixtures.dump(c);
            AtomicReference<InetAddress> router = new AtomicReference<>(NAR);
            UpdateSpiNotify taken = new UpdateSpiNotify(ProtocolId.ESP, MN_ESP_IN, NEW_MN_ESP_IN, SpiOwner.INITIATOR);
            var e = assertThrows(SpiChangeApplier.SpiCollisionException.class, () -> applier(c, router).apply(
                    IkeAgentFixtures.mobileNode(IkeAgentFixtures.CBC, 3, 5), OTHER_ROUTER, List.of(
                            new UpdateSpiNotify(ProtocolId.ESP, AR_ESP_IN, NEW_AR_ESP_IN, SpiOwner.RESPONDER), taken)));
            assertEquals(List.of(taken), e.colliding());
            assertEquals(before, MnKernelFixtures.dump(c));
            assertEquals(NAR, router.get());
        }
    }

    /** The kernel refuses the second new SA of the batch: the first is taken back, old SAs and policies stay. */
    @Test
    void aChangeTheKernelRefusesLeavesSadAndSpdIdentical(TestNamespace mn) throws Exception {
        try (XfrmClient c = XfrmClient.open(mn.netns())) {
            installMn(c);
            // A second child SA towards the router; both changes ask for the same new SPI.
            c.states().add(MnKernelFixtures.esp(NCOA, NAR, 0xc0000002L, 2, true, 10));
            List<String> before = MnKernelFixtures.dump(c);
            AtomicReference<InetAddress> router = new AtomicReference<>(NAR);
            assertThrows(ContextException.class, () -> applier(c, router).apply(
                    IkeAgentFixtures.mobileNode(IkeAgentFixtures.CBC, 3, 5), OTHER_ROUTER, List.of(
                            new UpdateSpiNotify(ProtocolId.ESP, AR_ESP_IN, NEW_AR_ESP_IN, SpiOwner.RESPONDER),
                            new UpdateSpiNotify(ProtocolId.ESP, 0xc0000002L, NEW_AR_ESP_IN, SpiOwner.RESPONDER))));
            assertEquals(before, MnKernelFixtures.dump(c));
            assertEquals(NAR, router.get());
        }
    }
}
