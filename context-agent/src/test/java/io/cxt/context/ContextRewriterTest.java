package io.cxt.context;

import static io.cxt.context.ContextFixtures.CN;
import static io.cxt.context.ContextFixtures.HOA;
import static io.cxt.context.ContextFixtures.NAR;
import static io.cxt.context.ContextFixtures.NCOA;
import static io.cxt.context.ContextFixtures.PAR;
import static io.cxt.context.ContextFixtures.PCOA;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;

import org.junit.jupiter.api.Test;

import io.cxt.xfrm.EncapTemplate;
import io.cxt.xfrm.ReplayStateEsn;
import io.cxt.xfrm.SecurityAssociation;
import io.cxt.xfrm.SecurityPolicy;
import io.cxt.xfrm.UserTemplate;

class ContextRewriterTest {

    @Test
    void addressesMoveToTheNewRouterAndCareOfAddress() throws ContextException {
        MobileNodeContext ctx = ContextFixtures.parContext(false);
        MobileNodeContext r = ContextRewriter.forTarget(ctx, NCOA, NAR, List.of(), SequenceNumberPolicy.DEFAULT);
        SecurityAssociation in = r.securityAssociations().get(0);
        SecurityAssociation out = r.securityAssociations().get(1);
        assertEquals(NCOA, in.source());
        assertEquals(NAR, in.destination());
        assertEquals(NAR, out.source());
        assertEquals(NCOA, out.destination());
        // Tunnel selectors name the home address and the correspondent: they stay.
        assertEquals(HOA, in.info().selector().saddr());
        assertEquals(CN, in.info().selector().daddr());
        for (SecurityPolicy p : r.policies()) {
            UserTemplate t = p.templates().get(0);
            assertTrue(t.saddr().equals(NAR) || t.saddr().equals(NCOA));
            assertTrue(t.daddr().equals(NAR) || t.daddr().equals(NCOA));
            assertEquals(0, p.index());
        }
        assertEquals(NAR, r.targetRouter());
        assertEquals(NCOA, r.newCareOf());
        assertEquals(PCOA, r.mobileNode().careOfAddress());
    }

    @Test
    void outboundSequenceContinuesWithMarginAndInboundStateIsKept() throws ContextException {
        MobileNodeContext ctx = ContextFixtures.parContext(true);
        MobileNodeContext r = ContextRewriter.forTarget(ctx, NCOA, NAR, List.of(), new SequenceNumberPolicy(10_000));
        assertEquals(9000 + 10_000, r.securityAssociations().get(1).replay().oseq());
        assertEquals(4711, r.securityAssociations().get(0).replay().seq());
        assertEquals(0, r.securityAssociations().get(0).replay().oseq());
        assertTrue(SequenceNumberPolicy.neverLower(9000, Integer.toUnsignedLong(r.securityAssociations().get(1).replay().oseq())));
    }

    @Test
    void esnSequenceCarriesIntoTheHighWord() throws ContextException {
        MobileNodeContext ctx = ContextFixtures.parContext(true);
        SecurityAssociation out = ctx.securityAssociations().get(1).toBuilder().replay(null)
                .replayEsn(ReplayStateEsn.forWindow(0, 0xfffffff0, 0, 7, 0)).build();
        MobileNodeContext withEsn = new MobileNodeContext(ctx.mobileNode(), PAR, null, null,
                List.of(ctx.securityAssociations().get(0), out), ctx.policies(), List.of(), null, ctx.createdAt(), ctx.lifetime());
        MobileNodeContext r = ContextRewriter.forTarget(withEsn, NCOA, NAR, List.of(), new SequenceNumberPolicy(100));
        ReplayStateEsn esn = r.securityAssociations().get(1).replayEsn();
        assertEquals((7L << 32) + 0xfffffff0L + 100, esn.outboundSequence());
        assertEquals(8, esn.oseqHi());
    }

    @Test
    void outboundSaWithoutSequenceStateIsRefused() {
        MobileNodeContext ctx = ContextFixtures.parContext(true);
        SecurityAssociation out = ctx.securityAssociations().get(1).toBuilder().replay(null).build();
        MobileNodeContext bad = new MobileNodeContext(ctx.mobileNode(), PAR, null, null, List.of(out), List.of(),
                List.of(), null, ctx.createdAt(), ctx.lifetime());
        ContextException e = assertThrows(ContextException.class,
                () -> ContextRewriter.forTarget(bad, NCOA, NAR, List.of(), SequenceNumberPolicy.DEFAULT));
        assertTrue(e.getMessage().contains("no sequence-number state"), e.getMessage());
        assertTrue(e.getMessage().contains("0xc1000001"), e.getMessage());
    }

    @Test
    void nonEsnSaThatWouldWrapIsRefused() {
        MobileNodeContext ctx = ContextFixtures.parContext(true);
        SecurityAssociation out = ctx.securityAssociations().get(1).withReplay(new io.cxt.xfrm.ReplayState(-100, 0, 0));
        MobileNodeContext bad = new MobileNodeContext(ctx.mobileNode(), PAR, null, null, List.of(out), List.of(),
                List.of(), null, ctx.createdAt(), ctx.lifetime());
        ContextException e = assertThrows(ContextException.class,
                () -> ContextRewriter.forTarget(bad, NCOA, NAR, List.of(), SequenceNumberPolicy.DEFAULT));
        assertTrue(e.getMessage().contains("rekeyed"), e.getMessage());
    }

    @Test
    void collidingSpiIsReplacedInTheSaOnly() throws ContextException {
        MobileNodeContext ctx = ContextFixtures.parContext(false);
        SpiMapping m = SpiMapping.ipsec(50, NAR, 0xc0000001, 0x00001234, true);
        MobileNodeContext r = ContextRewriter.forTarget(ctx, NCOA, NAR, List.of(m), SequenceNumberPolicy.DEFAULT);
        assertEquals(0x00001234, r.securityAssociations().get(0).spi());
        assertEquals(0xc1000001, r.securityAssociations().get(1).spi());
        assertEquals(List.of(m), r.spiMappings());
    }

    @Test
    void natTraversalOriginalAddressFollowsTheMobileNode() throws ContextException {
        MobileNodeContext ctx = ContextFixtures.parContext(false);
        SecurityAssociation in = ctx.securityAssociations().get(0).withEncap(new EncapTemplate(2, 4500, 4500, PCOA));
        MobileNodeContext c = new MobileNodeContext(ctx.mobileNode(), PAR, null, null, List.of(in), List.of(), List.of(),
                null, ctx.createdAt(), ctx.lifetime());
        MobileNodeContext r = ContextRewriter.forTarget(c, NCOA, NAR, List.of(), SequenceNumberPolicy.DEFAULT);
        assertEquals(NCOA, r.securityAssociations().get(0).encap().originalAddress());
    }

    @Test
    void crossFamilyHandoverIsRefused() {
        MobileNodeContext ctx = ContextFixtures.parContext(false);
        assertThrows(ContextException.class, () -> ContextRewriter.forTarget(ctx, ContextFixtures.ip("192.0.2.10"),
                NAR, List.of(), SequenceNumberPolicy.DEFAULT));
    }
}
