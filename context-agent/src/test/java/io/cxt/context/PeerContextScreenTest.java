package io.cxt.context;

import static io.cxt.context.ContextFixtures.CN;
import static io.cxt.context.ContextFixtures.HOA;
import static io.cxt.context.ContextFixtures.PAR;
import static io.cxt.context.ContextFixtures.PCOA;
import static io.cxt.context.ContextFixtures.ip;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

import org.junit.jupiter.api.Test;

import io.cxt.nl.NlAttribute;
import io.cxt.xfrm.Mark;
import io.cxt.xfrm.PolicyInfo;
import io.cxt.xfrm.SecurityAssociation;
import io.cxt.xfrm.SecurityPolicy;

/** Issue 12 item 4: a peer's context installs only what concerns the MN it names. */
class PeerContextScreenTest {

    @Test
    void theMobileNodesOwnContextPassesWhole() {
        MobileNodeContext ctx = ContextFixtures.parContext(true);
        PeerContextScreen.Result r = PeerContextScreen.screen(ctx, PCOA, PAR, PeerContextScreen.Allowance.NONE);
        assertEquals(ctx.securityAssociations(), r.context().securityAssociations());
        assertEquals(ctx.policies(), r.context().policies());
        assertFalse(r.refusedAny());
        assertTrue(r.counts().isEmpty());
    }

    @Test
    void wildcardAndForeignSelectorsMarksAndForeignSasAreRefusedAndCounted() {
        MobileNodeContext base = ContextFixtures.parContext(true);
        List<SecurityPolicy> pols = new ArrayList<>(base.policies());
        pols.add(ContextFixtures.tunnelPolicy(PolicyInfo.DIR_OUT, ip("::"), 0, ip("::"), 0, PAR, PCOA, 1)); // ::/0
        pols.add(ContextFixtures.tunnelPolicy(PolicyInfo.DIR_IN, ip("2001:db8:300::"), 64, CN, 48, PCOA, PAR, 1)); // someone else's /64
        pols.add(ContextFixtures.tunnelPolicy(PolicyInfo.DIR_OUT, CN, 48, HOA, 128, PAR, PCOA, 1).withMark(new Mark(7, 0xff)));
        List<SecurityAssociation> sas = new ArrayList<>(base.securityAssociations());
        sas.add(ContextFixtures.esp(ip("2001:db8:9::1"), ip("2001:db8:9::2"), 0xc2000001, 2, true, 0, 0)); // not the MN's
        MobileNodeContext ctx = MobileNodeContext.snapshot(base.mobileNode(), PAR, sas, pols, Instant.now());

        PeerContextScreen.Result r = PeerContextScreen.screen(ctx, PCOA, PAR, PeerContextScreen.Allowance.NONE);
        assertEquals(base.policies(), r.context().policies());
        assertEquals(base.securityAssociations(), r.context().securityAssociations());
        assertEquals(2, r.counts().get(PeerContextScreen.Reason.SELECTOR_BEYOND_THE_MOBILE_NODE));
        assertEquals(1, r.counts().get(PeerContextScreen.Reason.MARK_OR_IF_ID));
        assertEquals(1, r.counts().get(PeerContextScreen.Reason.SA_NOT_THE_MOBILE_NODES));
        assertTrue(r.refusedAny());
        assertTrue(r.details().stream().anyMatch(d -> d.contains("::/0 -> ::/0")), r.details().toString());
    }

    @Test
    void anAllowedPrefixAndUnknownAttributes() {
        MobileNodeContext base = ContextFixtures.parContext(true);
        SecurityPolicy wide = ContextFixtures.tunnelPolicy(PolicyInfo.DIR_OUT, CN, 48, ip("2001:db8:100::"), 64, PAR, PCOA, 1);
        SecurityAssociation odd = base.securityAssociations().get(0)
                .with(b -> b.unknownAttributes(List.of(new NlAttribute(99, new byte[] {1, 2, 3, 4}))));
        MobileNodeContext ctx = MobileNodeContext.snapshot(base.mobileNode(), PAR,
                List.of(odd, base.securityAssociations().get(1)), List.of(wide), Instant.now());
        PeerContextScreen.Allowance homePrefix = new PeerContextScreen.Allowance(
                List.of(new PeerContextScreen.Prefix(ip("2001:db8:100::"), 48)), false, false);

        PeerContextScreen.Result r = PeerContextScreen.screen(ctx, PCOA, PAR, homePrefix);
        assertEquals(List.of(wide), r.context().policies(), "inside the allowed home prefix");
        assertTrue(r.context().securityAssociations().get(0).unknownAttributes().isEmpty(), "unknown attribute dropped");
        assertEquals(1, r.counts().get(PeerContextScreen.Reason.UNKNOWN_ATTRIBUTES_DROPPED));
        assertFalse(r.refusedAny());

        PeerContextScreen.Result none = PeerContextScreen.screen(ctx, PCOA, PAR, PeerContextScreen.Allowance.NONE);
        assertTrue(none.context().policies().isEmpty(), "a /64 is beyond the MN without an allowance");
    }

    /** A context need not name the home address: the MN's accepted SAs name the host they protect. */
    @Test
    void withoutAHomeAddressTheSasNameTheMobileNodesInnerAddress() {
        MobileNodeContext base = ContextFixtures.parContext(true);
        MobileNodeContext ctx = MobileNodeContext.snapshot(new MobileNodeIdentity(null, PCOA), PAR,
                base.securityAssociations(), base.policies(), Instant.now());
        PeerContextScreen.Result r = PeerContextScreen.screen(ctx, PCOA, PAR, PeerContextScreen.Allowance.NONE);
        assertEquals(base.policies(), r.context().policies(), r.details().toString());
        assertFalse(r.refusedAny());

        List<SecurityPolicy> pols = new ArrayList<>(base.policies());
        pols.add(ContextFixtures.tunnelPolicy(PolicyInfo.DIR_OUT, CN, 48, ip("::"), 0, PAR, PCOA, 1)); // MN side ::/0
        MobileNodeContext wide = MobileNodeContext.snapshot(new MobileNodeIdentity(null, PCOA), PAR,
                base.securityAssociations(), pols, Instant.now());
        PeerContextScreen.Result w = PeerContextScreen.screen(wide, PCOA, PAR, PeerContextScreen.Allowance.NONE);
        assertEquals(base.policies(), w.context().policies());
        assertEquals(1, w.counts().get(PeerContextScreen.Reason.SELECTOR_BEYOND_THE_MOBILE_NODE));
    }
}
