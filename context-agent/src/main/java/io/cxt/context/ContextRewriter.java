package io.cxt.context;

import java.net.InetAddress;
import java.util.ArrayList;
import java.util.List;

import io.cxt.xfrm.AddressFamily;
import io.cxt.xfrm.EncapTemplate;
import io.cxt.xfrm.LifetimeCurrent;
import io.cxt.xfrm.ReplayState;
import io.cxt.xfrm.ReplayStateEsn;
import io.cxt.xfrm.SaInfo;
import io.cxt.xfrm.SecurityAssociation;
import io.cxt.xfrm.SecurityPolicy;
import io.cxt.xfrm.Selector;
import io.cxt.xfrm.UserTemplate;

/**
 * Rewrites a context for its new place: addresses (pCoA to nCoA, pAR to nAR) in SA ids, SA
 * source addresses, selectors, templates and NAT-T encapsulation; colliding SPIs to the ones
 * reserved on the target; outbound sequence numbers continued with a margin. A pure function of
 * the context and the plan; it touches no kernel.
 *
 * <p>Why each field:
 * <ul>
 * <li>Selectors are rewritten only where they name a single host (full prefix length): a tunnel
 * selector for the MN's home address or a subnet stays as it is, a transport-mode selector for the
 * care-of address follows the MN.</li>
 * <li>Policy indexes are cleared: an index chosen by the pAR's kernel may be taken on the nAR; the
 * target kernel assigns a fresh one.</li>
 * <li>The current lifetime (bytes, packets, add time) travels as XFRMA_LTIME_VAL so that byte,
 * packet and time limits keep counting from where they were rather than restarting.</li>
 * <li>Outbound sequence numbers continue from the snapshot plus the margin, never lower (see
 * {@link SequenceNumberPolicy}); an outbound SA without sequence state is refused.</li>
 * </ul>
 */
public final class ContextRewriter {

    private ContextRewriter() {
    }

    /** Rewrites for a target router: pCoA to nCoA, pAR to nAR. */
    public static MobileNodeContext forTarget(MobileNodeContext ctx, InetAddress newCareOf, InetAddress targetRouter,
                                              List<SpiMapping> spiChanges, SequenceNumberPolicy sequence)
            throws ContextException {
        RewritePlan plan = RewritePlan.forTargetRouter(ctx, newCareOf, targetRouter, spiChanges, sequence);
        return rewrite(ctx, plan, targetRouter, newCareOf);
    }

    /** Applies a plan; {@code targetRouter}/{@code newCareOf} are recorded in the result. */
    public static MobileNodeContext rewrite(MobileNodeContext ctx, RewritePlan plan, InetAddress targetRouter,
                                            InetAddress newCareOf) throws ContextException {
        checkFamilies(plan);
        List<SecurityAssociation> sas = new ArrayList<>(ctx.securityAssociations().size());
        for (SecurityAssociation sa : ctx.securityAssociations()) {
            sas.add(rewriteSa(ctx, sa, plan));
        }
        List<SecurityPolicy> policies = new ArrayList<>(ctx.policies().size());
        for (SecurityPolicy p : ctx.policies()) {
            policies.add(rewritePolicy(p, plan));
        }
        return new MobileNodeContext(ctx.mobileNode(), ctx.sourceRouter(), targetRouter, newCareOf, sas, policies,
                plan.spiChanges(), ctx.ikeContext(), ctx.createdAt(), ctx.lifetime());
    }

    private static void checkFamilies(RewritePlan plan) throws ContextException {
        for (var e : plan.addresses().entrySet()) {
            if (AddressFamily.of(e.getKey()) != AddressFamily.of(e.getValue())) {
                throw new ContextException("cannot rewrite " + io.cxt.xfrm.AddressText.of(e.getKey()) + " to "
                        + io.cxt.xfrm.AddressText.of(e.getValue()) + ": a handover across address families is not supported");
            }
        }
    }

    static SecurityAssociation rewriteSa(MobileNodeContext ctx, SecurityAssociation sa, RewritePlan plan)
            throws ContextException {
        SaInfo info = sa.info();
        InetAddress src = plan.map(info.saddr());
        InetAddress dst = plan.map(info.id().daddr());
        int spi = plan.spiFor(info.id().proto(), dst, info.id().spi());
        SaInfo newInfo = info.withAddresses(src, dst).withSpi(spi).withSelector(rewriteSelector(info.selector(), plan));
        SecurityAssociation.Builder b = sa.toBuilder().info(newInfo);
        if (sa.encap() != null) {
            EncapTemplate e = sa.encap();
            b.encap(new EncapTemplate(e.type(), e.sport(), e.dport(), plan.map(e.originalAddress())));
        }
        if (sa.coaddr() != null) {
            b.coaddr(plan.map(sa.coaddr()));
        }
        if (sa.ltimeVal() == null) {
            LifetimeCurrent cur = info.current();
            b.ltimeVal(cur);
        }
        if (src.equals(plan.localAddress())) {
            continueSequence(ctx, sa, b, plan.sequence());
        }
        return b.build();
    }

    private static void continueSequence(MobileNodeContext ctx, SecurityAssociation sa, SecurityAssociation.Builder b,
                                         SequenceNumberPolicy seq) throws ContextException {
        try {
            if (sa.replayEsn() != null) {
                ReplayStateEsn r = sa.replayEsn();
                long next = seq.continueFrom(r.outboundSequence(), true);
                b.replayEsn(r.withSequences(next, r.inboundSequence()));
            } else if (sa.replay() != null) {
                ReplayState r = sa.replay();
                long next = seq.continueFrom(Integer.toUnsignedLong(r.oseq()), false);
                b.replay(new ReplayState((int) next, r.seq(), r.bitmap()));
            } else {
                throw new ContextException(ctx.mobileNode().label() + ": outbound SA " + describe(sa)
                        + " has no sequence-number state; refusing to install it (a reused sequence number"
                        + " reuses the AEAD nonce)");
            }
        } catch (SequenceNumberPolicy.SequenceExhaustedException e) {
            throw new ContextException(ctx.mobileNode().label() + ": SA " + describe(sa) + ": " + e.getMessage(), e);
        }
    }

    static Selector rewriteSelector(Selector s, RewritePlan plan) {
        int full = AddressFamily.maxPrefix(s.family());
        InetAddress d = s.prefixlenD() == full ? plan.map(s.daddr()) : s.daddr();
        InetAddress a = s.prefixlenS() == full ? plan.map(s.saddr()) : s.saddr();
        if (d == s.daddr() && a == s.saddr()) {
            return s;
        }
        return s.withAddresses(a, d);
    }

    static SecurityPolicy rewritePolicy(SecurityPolicy p, RewritePlan plan) {
        List<UserTemplate> templates = new ArrayList<>(p.templates().size());
        for (UserTemplate t : p.templates()) {
            InetAddress d = plan.map(t.daddr());
            InetAddress s = plan.map(t.saddr());
            int spi = t.spi() == 0 ? 0 : plan.spiFor(t.proto(), d, t.spi());
            templates.add(new UserTemplate(d, spi, t.proto(), t.family(), s, t.reqid(), t.mode(), t.share(),
                    t.optional(), t.aalgos(), t.ealgos(), t.calgos()));
        }
        return p.withSelector(rewriteSelector(p.selector(), plan)).withTemplates(templates).withIndex(0);
    }

    /** "ESP spi 0x00001000 2001:db8::1 -> 2001:db8::2 reqid 1": never keys. */
    public static String describe(SecurityAssociation sa) {
        return SpiMapping.protoName(sa.proto()) + " spi " + String.format("0x%08x", sa.spi()) + " "
                + io.cxt.xfrm.AddressText.of(sa.source()) + " -> " + io.cxt.xfrm.AddressText.of(sa.destination()) + " reqid " + sa.reqid();
    }
}
