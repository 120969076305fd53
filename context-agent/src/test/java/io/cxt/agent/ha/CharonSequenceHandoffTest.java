package io.cxt.agent.ha;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.InetAddress;
import java.time.Instant;
import java.util.List;

import org.junit.jupiter.api.Test;

import io.cxt.context.MobileNodeContext;
import io.cxt.context.MobileNodeIdentity;
import io.cxt.xfrm.ReplayState;
import io.cxt.xfrm.SaInfo;
import io.cxt.xfrm.SecurityAssociation;

/** Which of the pAR's counters the nAR sets on charon's SAs (the kernel half is in CharonHaEspKernelTest). */
class CharonSequenceHandoffTest {
    static final InetAddress PAR = ip("2001:db8:1::1"), PCOA = ip("2001:db8:1::10"), HOA = ip("2001:db8:100::10");

    @Test
    void theParsSaToTheMobileNodeIsOutboundAndTheOtherInboundWithTheirCounters() {
        SecurityAssociation out = sa(PAR, PCOA, 0xc1000001, new ReplayState(9000, 0, 0));
        SecurityAssociation in = sa(PCOA, PAR, 0xc0000001, new ReplayState(0, 4711, 0xffffffff));
        SecurityAssociation noCounters = SecurityAssociation.builder(SaInfo.of(PCOA, PAR, 50, 0xc0000002, 1, SaInfo.MODE_TUNNEL))
                .build();
        MobileNodeContext ctx = MobileNodeContext.snapshot(new MobileNodeIdentity(HOA, PCOA), PAR, List.of(out, in, noCounters),
                List.of(), Instant.EPOCH);

        List<CharonSequenceHandoff.Counters> c = CharonSequenceHandoff.of(ctx);

        assertEquals(2, c.size(), c.toString());
        assertEquals(0xc1000001, c.get(0).spi());
        assertTrue(c.get(0).outbound());
        assertEquals(9000, c.get(0).replay().oseq());
        assertEquals(0xc0000001, c.get(1).spi());
        assertFalse(c.get(1).outbound());
        assertEquals(4711, c.get(1).replay().seq());
    }

    @Test
    void theEventTextNamesSpiDirectionAndBothSequenceNumbers() {
        assertEquals("SPI 0xc1000001 out: next sequence after 19000 (pAR 9000)",
                new CharonSequenceHandoff.Continued(0xc1000001, true, 9000, 19000).text());
        assertEquals("SPI 0xc0000001 in: replay window at 4711 (pAR 4711)",
                new CharonSequenceHandoff.Continued(0xc0000001, false, 4711, 4711).text());
    }

    static SecurityAssociation sa(InetAddress src, InetAddress dst, int spi, ReplayState r) {
        return SecurityAssociation.builder(SaInfo.of(src, dst, 50, spi, 1, SaInfo.MODE_TUNNEL)).replay(r).build();
    }

    static InetAddress ip(String s) {
        try {
            return InetAddress.getByName(s);
        } catch (java.net.UnknownHostException e) {
            throw new AssertionError(e);
        }
    }
}
