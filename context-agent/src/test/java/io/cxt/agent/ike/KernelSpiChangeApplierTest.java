package io.cxt.agent.ike;

import static io.cxt.agent.ike.IkeAgentFixtures.CN;
import static io.cxt.agent.ike.IkeAgentFixtures.HOA;
import static io.cxt.agent.ike.IkeAgentFixtures.NAR;
import static io.cxt.agent.ike.IkeAgentFixtures.NCOA;
import static io.cxt.agent.ike.IkeAgentFixtures.PAR;
import static io.cxt.agent.ike.IkeAgentFixtures.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.atomic.AtomicReference;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import io.cxt.agent.ike.IkeAgentFixtures.Events;
import io.cxt.context.ContextException;
import io.cxt.context.MobileNodeIdentity;
import io.cxt.ike.IkeSaContext;
import io.cxt.ike.InformationalContent;
import io.cxt.ike.InformationalExchange;
import io.cxt.ike.ProtocolId;
import io.cxt.ike.SpiOwner;
import io.cxt.ike.UpdateSpiNotify;
import io.cxt.testing.NetnsExtension;
import io.cxt.testing.TestNamespace;
import io.cxt.xfrm.PolicyInfo;
import io.cxt.xfrm.SecurityPolicy;
import io.cxt.xfrm.XfrmClient;

/**
 * The MN's kernel applier on the host kernel, where policies work but ESP SAs cannot be added: the
 * address update moves the MN's policies to the new router; a change naming an SA the kernel does
 * not hold changes nothing. The ESP half is in KernelSpiChangeApplierEspKernelTest.
 */
@ExtendWith(NetnsExtension.class)
class KernelSpiChangeApplierTest {

    static void installPolicies(XfrmClient c, InetAddress router) throws Exception {
        c.policies().add(MnKernelFixtures.tunnelPolicy(PolicyInfo.DIR_OUT, HOA, 128, CN, 48, NCOA, router, 1));
        c.policies().add(MnKernelFixtures.tunnelPolicy(PolicyInfo.DIR_IN, CN, 48, HOA, 128, router, NCOA, 1));
    }

    @Test
    void anAddressUpdateOverUdpMovesThePoliciesToTheNewRouter(TestNamespace mn, TestNamespace nar) throws Exception {
        IkeAgentFixtures.link(mn, nar);
        try (XfrmClient mnKernel = XfrmClient.open(mn.netns())) {
            installPolicies(mnKernel, PAR);
            AtomicReference<InetAddress> router = new AtomicReference<>(PAR);
            KernelSpiChangeApplier applier = new KernelSpiChangeApplier(mnKernel,
                    () -> new MobileNodeIdentity(HOA, NCOA), router::get, router::set);
            Events events = new Events();
            IkeSaStore store = new IkeSaStore(events);
            store.put(IkeAgentFixtures.mobileNode(IkeAgentFixtures.CBC, 3, 5), "2001:db8:100::10");
            SpiUpdateResponder responder = new SpiUpdateResponder(store, applier, events, new SecureRandom());
            try (IkeUdpEndpoint mnEnd = IkeUdpEndpoint.open(500, mn.netns(), responder::received);
                 IkeUdpEndpoint narEnd = IkeUdpEndpoint.open(500, nar.netns(), null)) {
                IkeSaContext ar = IkeAgentFixtures.accessRouter(IkeAgentFixtures.CBC, 5, 3);
                var req = InformationalExchange.buildRequest(ar, InformationalContent.addressAndSpiUpdate(List.of()),
                        new SecureRandom());
                narEnd.send(new InetSocketAddress(NCOA, 500), req.message());
                await("applied", Duration.ofSeconds(5), () -> !events.of("spi-update-applied").isEmpty()
                        || !events.of("spi-update-refused").isEmpty());
            }
            assertEquals(1, events.of("spi-update-applied").size(), events.all.toString());
            assertEquals(NAR, router.get(), "the MN's current router follows");
            List<SecurityPolicy> policies = mnKernel.policies().dump();
            assertEquals(2, policies.size());
            for (SecurityPolicy p : policies) {
                var t = p.templates().get(0);
                assertTrue(t.daddr().equals(NAR) || t.saddr().equals(NAR), p.toString());
                assertTrue(t.daddr().equals(NCOA) || t.saddr().equals(NCOA), p.toString());
            }
            String ipView = mn.ip("xfrm", "policy");
            assertTrue(ipView.contains("2001:db8:b::1"), ipView);
            assertTrue(!ipView.contains("2001:db8:a::1"), ipView);
        }
    }

    @Test
    void aChangeNamingAnUnknownSaChangesNothing(TestNamespace mn) throws Exception {
        try (XfrmClient mnKernel = XfrmClient.open(mn.netns())) {
            installPolicies(mnKernel, PAR);
            List<String> before = MnKernelFixtures.dump(mnKernel);
            KernelSpiChangeApplier applier = new KernelSpiChangeApplier(mnKernel,
                    () -> new MobileNodeIdentity(HOA, NCOA), () -> PAR, null);
            IkeSaContext sa = IkeAgentFixtures.mobileNode(IkeAgentFixtures.CBC, 3, 5);
            ContextException e = assertThrows(ContextException.class, () -> applier.apply(sa, NAR, List.of(
                    new UpdateSpiNotify(ProtocolId.ESP, 0xc0000001L, 0xc0000777L, SpiOwner.RESPONDER))));
            assertTrue(e.getMessage().contains("0xc0000001"), e.getMessage());
            assertEquals(before, MnKernelFixtures.dump(mnKernel), "SPD untouched, policies not moved either");
        }
    }
}
