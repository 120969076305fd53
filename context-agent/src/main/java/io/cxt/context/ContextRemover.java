package io.cxt.context;

import java.io.IOException;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import io.cxt.xfrm.SecurityAssociation;
import io.cxt.xfrm.SecurityPolicy;
import io.cxt.xfrm.XfrmBatch;
import io.cxt.xfrm.XfrmBatch.IfAbsent;
import io.cxt.xfrm.IpsecKernel;
import io.cxt.xfrm.XfrmFailure;

/**
 * Removes a transferred MN's context from the previous access router, all or nothing, now or after
 * a delay (the MN may still have packets in flight towards the pAR for a moment after it moved).
 *
 * <p>Order: policies in, fwd, out, then the SAs, in one batch. An SA or policy that is already gone
 * (the IKE daemon deleted it, or it expired) counts as removed. If the kernel refuses anything
 * else, everything this removal deleted is put back: policies as they were, SAs with their keys
 * from the snapshot and, for outbound SAs, sequence numbers continued with the margin (the
 * snapshot's numbers are stale and must never be reused).
 *
 * <p>Routing is not cxt's: once the out policy is gone the pAR no longer encrypts towards the MN,
 * so the MN's home address must already be routed elsewhere (Mobile IPv6's binding update) when
 * this runs. That is one more reason for the delay.
 */
public final class ContextRemover {

    private static final Logger LOG = LoggerFactory.getLogger(ContextRemover.class);

    private final IpsecKernel source;
    private final SequenceNumberPolicy sequence;

    public ContextRemover(IpsecKernel source, SequenceNumberPolicy sequence) {
        this.source = source;
        this.sequence = sequence;
    }

    static int removeRank(SecurityPolicy p) {
        return 2 - ContextInstaller.installRank(p); // in, fwd, out
    }

    /** Removes the context's SAs and policies from the source kernel. */
    public void remove(MobileNodeContext ctx) throws IOException, ContextException {
        List<SecurityPolicy> policies = new ArrayList<>(ctx.policies());
        policies.sort(Comparator.comparingInt(ContextRemover::removeRank));
        List<SecurityAssociation> sas = ctx.securityAssociations();
        XfrmBatch requests = new XfrmBatch(policies.size() + sas.size());
        for (SecurityPolicy p : policies) {
            requests.deletePolicy(p.id(), IfAbsent.IGNORE);
        }
        for (SecurityAssociation sa : sas) {
            requests.deleteSa(sa.key(), IfAbsent.IGNORE);
        }
        List<XfrmFailure> failures = source.apply(requests);
        if (failures.isEmpty()) {
            LOG.info("{}: removed {} SAs and {} policies from {}", ctx.mobileNode().label(), sas.size(),
                    policies.size(), io.cxt.xfrm.AddressText.of(ctx.sourceRouter()));
            return;
        }
        Set<Integer> failed = new HashSet<>();
        failures.forEach(f -> failed.add(f.index()));
        restore(ctx, policies, sas, failed);
        XfrmFailure first = failures.get(0);
        throw new ContextException(ctx.mobileNode().label() + ": removal refused ("
                + first.kernelText() + "); what had been removed was put back", first.cause());
    }

    private void restore(MobileNodeContext ctx, List<SecurityPolicy> policies, List<SecurityAssociation> sas,
                         Set<Integer> failed) {
        try {
            // Outbound SAs come back with their sequence numbers moved past anything used.
            RewritePlan plan = new RewritePlan(java.util.Map.of(), ctx.sourceRouter(), List.of(), sequence);
            XfrmBatch back = new XfrmBatch(policies.size() + sas.size());
            for (int i = 0; i < sas.size(); i++) {
                if (!failed.contains(policies.size() + i)) {
                    back.addSa(ContextRewriter.rewriteSa(ctx, sas.get(i), plan));
                }
            }
            for (int i = policies.size() - 1; i >= 0; i--) {
                if (!failed.contains(i)) {
                    back.addPolicy(policies.get(i).withIndex(0));
                }
            }
            List<XfrmFailure> f = source.apply(back);
            if (!f.isEmpty()) {
                LOG.error("{}: could not put back {} items after a failed removal: {}", ctx.mobileNode().label(),
                        f.size(), f.get(0).kernelText());
            }
        } catch (IOException | ContextException | RuntimeException e) {
            LOG.error("{}: could not put back the context after a failed removal: {}", ctx.mobileNode().label(),
                    e.getMessage());
        }
    }

    /** Removes the context after {@code delayMillis}; errors are logged (the MN is gone by then). */
    public ScheduledFuture<?> removeLater(MobileNodeContext ctx, long delayMillis, ScheduledExecutorService scheduler) {
        return scheduler.schedule(() -> {
            try {
                remove(ctx);
            } catch (IOException | ContextException e) {
                LOG.error("{}: delayed removal failed: {}", ctx.mobileNode().label(), e.getMessage());
            } finally {
                ctx.discard();
            }
        }, delayMillis, TimeUnit.MILLISECONDS);
    }
}
