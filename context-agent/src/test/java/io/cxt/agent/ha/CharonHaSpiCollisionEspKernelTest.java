package io.cxt.agent.ha;

import static io.cxt.agent.ha.CharonHaLab.addr;
import static io.cxt.agent.ha.CharonHaLab.ip;
import static io.cxt.agent.ha.CharonHaLab.spis;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;

import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

import io.cxt.agent.ha.CharonHaLab.Auth;
import io.cxt.agent.ha.CharonHaLab.Router;
import io.cxt.agent.ha.CharonHaLab.Spec;
import io.cxt.context.ContextException;
import io.cxt.context.ContextSnapshotter;
import io.cxt.context.MobileNodeContext;
import io.cxt.context.MobileNodeIdentity;
import io.cxt.xfrm.XfrmClient;

/**
 * Issue 10, an SPI collision with a stock MN, with real charons: the inbound SPI the pAR's charon chose for the MN's
 * CHILD_SA is already an SA's on the nAR (here one the test installs, as another MN's CHILD_SA would be). A stock MN
 * cannot be told another SPI and the nAR's charon cannot install a duplicate, so the nAR refuses the context before
 * its charon is given anything (docs/strongswan.md "SPI collisions with a stock MN"): the hold throws naming the SPI,
 * the nAR's charon lists no SA, its kernel is as it was (the other SA untouched, nothing added), there is nothing to
 * activate, and the MN's tunnel through the pAR is unchanged.
 */
@Tag("esp-kernel")
class CharonHaSpiCollisionEspKernelTest {
    static final String ID = "hc" + ProcessHandle.current().pid() % 10000;

    @Test
    void aTransferredInboundSpiTakenAtTheNarIsRefusedBeforeCharonIsGivenAnything() throws Exception {
        try (CharonHaLab lab = CharonHaLab.start(ID, Auth.PSK, List.of(new Spec("par", "mp0", "mp1", false),
                new Spec("nar", "mn0", "mn1", true)))) {
            Router par = lab.router("par"), nar = lab.router("nar");
            String spis = lab.establish();
            HaIkeSaState state = par.relay().control().relay().store().findByMobileNode(par.coa()).orElseThrow();
            int inbound = par.relay().control().kernelSpis(state).get(0)[0];
            String spi = String.format("0x%08x", inbound);
            ip(nar.ns(), "xfrm", "state", "add", "src", "2001:db8:2::99", "dst", nar.address(), "proto", "esp", "spi", spi,
                    "reqid", "77", "mode", "tunnel", "aead", "rfc4106(gcm(aes))", "0x" + "11".repeat(20), "128");
            String narKernel = ip(nar.ns(), "xfrm", "state");
            assertTrue(narKernel.contains("spi " + spi), narKernel);

            MobileNodeIdentity id = new MobileNodeIdentity(addr(CharonHaLab.HOA), par.coa());
            MobileNodeContext ctx;
            try (XfrmClient k = XfrmClient.open(par.ns())) {
                ctx = new ContextSnapshotter(k).snapshot(id, par.addr()).withIkeContext(par.relay().snapshot(id));
            }
            long sentToCharon = nar.relay().control().relay().sent();
            ContextException refused = assertThrows(ContextException.class,
                    () -> nar.relay().held(par.coa(), ctx, nar.addr(), nar.coa()));
            assertTrue(refused.getMessage().contains("SPI collision: inbound SPI " + spi), refused.getMessage());
            assertTrue(lab.events.stream().anyMatch(e -> e.startsWith("nar ike-rejected") && e.contains(spi)), lab.events.toString());

            assertFalse(nar.relay().activate(par.coa()), "nothing held to activate");
            Thread.sleep(500); // charon would have installed within this (PASSIVE in ~50 ms in the other tests)
            assertFalse(lab.swanctl(nar.ns(), "--list-sas").contains(CharonHaLab.GW_CONN + ":"), lab.swanctl(nar.ns(), "--list-sas"));
            assertEquals(narKernel, ip(nar.ns(), "xfrm", "state"), "the nAR's kernel is as it was");
            assertEquals(sentToCharon, nar.relay().control().relay().sent(), "no HA message went to the nAR's charon");

            String mnSas = lab.swanctl(lab.mn, "--list-sas");
            assertEquals(spis, spis(mnSas));
            assertTrue(mnSas.contains(par.address() + "["), mnSas);
            String ping = lab.ping(10);
            assertTrue(ping.contains(" 0% packet loss"), ping);
        }
    }
}
