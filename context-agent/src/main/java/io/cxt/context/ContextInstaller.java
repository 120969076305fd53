package io.cxt.context;

import java.io.IOException;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashSet;
import java.util.List;
import java.util.Objects;
import java.util.Set;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import io.cxt.xfrm.PolicyId;
import io.cxt.xfrm.PolicyInfo;
import io.cxt.xfrm.SaKey;
import io.cxt.xfrm.SecurityAssociation;
import io.cxt.xfrm.SecurityPolicy;
import io.cxt.xfrm.XfrmBatch;
import io.cxt.xfrm.XfrmBatch.IfAbsent;
import io.cxt.xfrm.IpsecKernel;
import io.cxt.xfrm.XfrmError;
import io.cxt.xfrm.XfrmFailure;

/**
 * Installs a rewritten context into the target kernel, all or nothing.
 *
 * <p><b>One system call.</b> Every SA and policy goes to the kernel in one netlink batch (one
 * {@code send}); the kernel processes the messages in order and reports each refusal by sequence
 * number, so the installer knows exactly which ones took effect. This is the activation path:
 * no dump, no GET, no allocation beyond the request bytes.
 *
 * <p><b>Order.</b> SAs first (an SA without a policy carries no traffic), then policies in the
 * order out, fwd, in. An out policy whose SA is missing makes the kernel drop (and ACQUIRE), never
 * send in clear; installing it before fwd/in means that from the moment the MN's traffic is
 * accepted, the traffic towards it is already protected. SAs whose SPI was reserved with ALLOCSPI
 * replace their larval SA with UPDSA; the others are added with NEWSA (create, exclusive).
 *
 * <p><b>Rollback.</b> If anything is refused, everything this install added is removed again (in
 * reverse order, in one batch), and the SPI reservations are released, so the target is left as it
 * was before the reservation. If every refusal was EEXIST and the target already holds exactly
 * these SAs and policies, the install is a no-op (installing the same context twice never creates
 * duplicates).
 */
public final class ContextInstaller {

    private static final Logger LOG = LoggerFactory.getLogger(ContextInstaller.class);

    private final IpsecKernel target;

    public ContextInstaller(IpsecKernel target) {
        this.target = target;
    }

    /** Direction order for installing: out, fwd, in. */
    static int installRank(SecurityPolicy p) {
        return switch (p.direction()) {
            case PolicyInfo.DIR_OUT -> 0;
            case PolicyInfo.DIR_FWD -> 1;
            default -> 2;
        };
    }

    public InstallReceipt install(MobileNodeContext ctx, SpiReservations reservations)
            throws IOException, ContextException {
        return install(ctx, reservations, System.nanoTime(), true);
    }

    /**
     * As {@link #install(MobileNodeContext, SpiReservations)}, for a latency-critical caller (the
     * nAR's activation path): the start time is the caller's own {@link System#nanoTime} reading
     * (one clock reading fewer; {@link InstallReceipt#nanos} counts from it), and the success line
     * is logged at DEBUG only, because the caller reports the install afterwards, off its path
     * (a synchronous INFO line before the CTAA would cost a write to the log).
     */
    public InstallReceipt install(MobileNodeContext ctx, SpiReservations reservations, long startNanos)
            throws IOException, ContextException {
        return install(ctx, reservations, startNanos, false);
    }

    private InstallReceipt install(MobileNodeContext ctx, SpiReservations reservations, long t0, boolean logSuccess)
            throws IOException, ContextException {
        Objects.requireNonNull(reservations, "reservations");
        if (!ctx.isRewritten()) {
            throw new ContextException(ctx.mobileNode().label() + ": context was not rewritten for a target");
        }
        List<SecurityAssociation> sas = ctx.securityAssociations();
        List<SecurityPolicy> policies = new ArrayList<>(ctx.policies());
        policies.sort(Comparator.comparingInt(ContextInstaller::installRank));

        XfrmBatch requests = new XfrmBatch(sas.size() + policies.size());
        for (SecurityAssociation sa : sas) {
            if (reservations.holds(sa.key())) {
                requests.updateSa(sa);
            } else {
                requests.addSa(sa);
            }
        }
        for (SecurityPolicy p : policies) {
            requests.addPolicy(p);
        }
        List<XfrmFailure> failures = target.apply(requests);
        List<SaKey> saKeys = new ArrayList<>(sas.size());
        for (SecurityAssociation sa : sas) {
            saKeys.add(sa.key());
        }
        List<PolicyId> policyIds = new ArrayList<>(policies.size());
        for (SecurityPolicy p : policies) {
            policyIds.add(p.id());
        }
        if (failures.isEmpty()) {
            long took = System.nanoTime() - t0;
            if (logSuccess) {
                LOG.info("{}: installed {} SAs and {} policies in {} us", ctx.mobileNode().label(), sas.size(),
                        policies.size(), took / 1000);
            } else if (LOG.isDebugEnabled()) {
                LOG.debug("{}: installed {} SAs and {} policies in {} us", ctx.mobileNode().label(), sas.size(),
                        policies.size(), took / 1000);
            }
            return new InstallReceipt(saKeys, policyIds, false, took);
        }

        Set<Integer> failed = new HashSet<>();
        for (XfrmFailure f : failures) {
            failed.add(f.index());
        }
        boolean onlyExists = failures.stream().allMatch(f -> f.error() == XfrmError.EEXIST);
        if (onlyExists && failed.size() == requests.size() && alreadyThere(sas, policyIds)) {
            LOG.info("{}: context already installed on the target; nothing changed", ctx.mobileNode().label());
            return new InstallReceipt(saKeys, policyIds, true, System.nanoTime() - t0);
        }
        // Issue 12 item 5: a policy the target already holds, identical to ours (the router's own
        // copy, e.g. a bypass present on every router), is not a failure; it is not ours either, so
        // the receipt leaves it out and nothing of cxt's will ever remove it.
        Set<Integer> presentAlready = identicalPoliciesPresent(failures, policies, sas.size());
        if (!presentAlready.isEmpty() && presentAlready.size() == failures.size()) {
            List<PolicyId> ours = new ArrayList<>();
            for (int i = 0; i < policyIds.size(); i++) {
                if (!presentAlready.contains(sas.size() + i)) {
                    ours.add(policyIds.get(i));
                }
            }
            LOG.info("{}: {} policies already on the target, identical; left as they are", ctx.mobileNode().label(),
                    presentAlready.size());
            return new InstallReceipt(saKeys, ours, false, System.nanoTime() - t0);
        }
        // Undo what took effect, newest first.
        List<SaKey> addedSas = new ArrayList<>();
        List<PolicyId> addedPolicies = new ArrayList<>();
        for (int i = 0; i < requests.size(); i++) {
            if (failed.contains(i)) {
                continue;
            }
            if (i < sas.size()) {
                addedSas.add(saKeys.get(i));
            } else {
                addedPolicies.add(policyIds.get(i - sas.size()));
            }
        }
        XfrmFailure first = failures.get(0);
        String what = first.index() < sas.size()
                ? "SA " + ContextRewriter.describe(sas.get(first.index()))
                : "policy " + describe(policies.get(first.index() - sas.size()));
        if (!rollback(ctx, addedSas, addedPolicies, reservations)) {
            throw new IncompleteRollbackException(ctx.mobileNode().label() + ": install refused at " + what + ": "
                    + first.kernelText() + "; rollback incomplete, the target may hold leftovers", first.cause());
        }
        throw new ContextException(ctx.mobileNode().label() + ": install refused at " + what + ": "
                + first.kernelText() + "; rolled back " + addedSas.size() + " SAs and "
                + addedPolicies.size() + " policies", first.cause());
    }

    /**
     * Moves a context in place on the same kernel: the mobile node's own side of a handover. New SAs
     * (new addresses, maybe new SPIs) are added, the policies are replaced one by one with UPDPOLICY
     * (each switch is atomic, so there is no moment without a policy and nothing leaves in clear),
     * then the old SAs are deleted. If adding or replacing fails, the new SAs are deleted and the old
     * policies put back.
     */
    public InstallReceipt replace(MobileNodeContext old, MobileNodeContext moved) throws IOException, ContextException {
        long t0 = System.nanoTime();
        XfrmBatch adds = new XfrmBatch();
        for (SecurityAssociation sa : moved.securityAssociations()) {
            adds.addSa(sa);
        }
        List<SecurityPolicy> policies = new ArrayList<>(moved.policies());
        policies.sort(Comparator.comparingInt(ContextInstaller::installRank));
        for (SecurityPolicy p : policies) {
            adds.updatePolicy(p);
        }
        List<XfrmFailure> failures = target.apply(adds);
        if (!failures.isEmpty()) {
            XfrmBatch undo = new XfrmBatch();
            for (SecurityPolicy p : old.policies()) {
                undo.updatePolicy(p.withIndex(0));
            }
            for (SecurityAssociation sa : moved.securityAssociations()) {
                undo.deleteSa(sa.key());
            }
            target.apply(undo);
            throw new ContextException(moved.mobileNode().label() + ": move refused: "
                    + failures.get(0).kernelText() + "; old SAs and policies kept", failures.get(0).cause());
        }
        List<SaKey> oldKeys = new ArrayList<>();
        for (SecurityAssociation sa : old.securityAssociations()) {
            oldKeys.add(sa.key());
        }
        removeAll(oldKeys, List.of());
        List<SaKey> keys = new ArrayList<>();
        moved.securityAssociations().forEach(sa -> keys.add(sa.key()));
        List<PolicyId> ids = new ArrayList<>();
        policies.forEach(p -> ids.add(p.id()));
        return new InstallReceipt(keys, ids, false, System.nanoTime() - t0);
    }

    /** Removes what an install put in (e.g. when the MN leaves the nAR again). */
    public void uninstall(InstallReceipt receipt) throws IOException {
        removeAll(receipt.sas(), receipt.policies());
    }

    /** Undoes a partial install; false when that failed too. */
    private boolean rollback(MobileNodeContext ctx, List<SaKey> sas, List<PolicyId> policies, SpiReservations reservations) {
        try {
            removeAll(sas, policies);
            List<SaKey> stillLarval = new ArrayList<>();
            for (SaKey k : reservations.held()) {
                if (sas.stream().noneMatch(s -> s.id().equals(k.id()))) {
                    stillLarval.add(k);
                }
            }
            removeAll(stillLarval, List.of());
            return true;
        } catch (IOException | RuntimeException e) {
            LOG.error("{}: rollback incomplete, target may hold leftovers: {}", ctx.mobileNode().label(), e.getMessage());
            return false;
        }
    }

    /** Deletes policies (in, fwd, out: reverse of install) then SAs, in one batch; absent is fine. */
    private void removeAll(List<SaKey> sas, List<PolicyId> policies) throws IOException {
        XfrmBatch requests = new XfrmBatch(sas.size() + policies.size());
        for (int i = policies.size() - 1; i >= 0; i--) {
            requests.deletePolicy(policies.get(i), IfAbsent.IGNORE);
        }
        for (int i = sas.size() - 1; i >= 0; i--) {
            requests.deleteSa(sas.get(i), IfAbsent.IGNORE);
        }
        List<XfrmFailure> failures = target.apply(requests);
        if (!failures.isEmpty()) {
            throw failures.get(0).cause();
        }
    }

    /** Indices (in the batch) of policies refused with EEXIST whose copy on the target is identical. */
    private Set<Integer> identicalPoliciesPresent(List<XfrmFailure> failures, List<SecurityPolicy> policies, int firstPolicy)
            throws IOException {
        Set<Integer> out = new HashSet<>();
        for (XfrmFailure f : failures) {
            if (f.error() != XfrmError.EEXIST || f.index() < firstPolicy) {
                continue;
            }
            SecurityPolicy ours = policies.get(f.index() - firstPolicy);
            SecurityPolicy there;
            try {
                there = target.getPolicy(ours.id());
            } catch (IOException e) {
                if (XfrmError.isRefusal(e)) {
                    continue;
                }
                throw e;
            }
            if (samePolicy(ours, there)) {
                out.add(f.index());
            }
        }
        return out;
    }

    /** Same selector, direction, action, priority, templates, mark and if_id (not index or lifetime use). */
    static boolean samePolicy(SecurityPolicy a, SecurityPolicy b) {
        return a.info().selector().equals(b.info().selector()) && a.info().direction() == b.info().direction()
                && a.info().action() == b.info().action() && a.info().priority() == b.info().priority()
                && a.templates().equals(b.templates()) && java.util.Objects.equals(a.mark(), b.mark())
                && java.util.Objects.equals(a.ifId(), b.ifId());
    }

    /** Whether the target already holds these SAs (same SPI, end points, algorithms) and policies. */
    private boolean alreadyThere(List<SecurityAssociation> sas, List<PolicyId> policies) throws IOException {
        for (SecurityAssociation sa : sas) {
            SecurityAssociation there;
            try {
                there = target.getSa(sa.key());
            } catch (IOException e) {
                if (XfrmError.isRefusal(e)) {
                    return false;
                }
                throw e;
            }
            if (!sameSa(sa, there)) {
                return false;
            }
        }
        for (PolicyId id : policies) {
            try {
                target.getPolicy(id);
            } catch (IOException e) {
                if (XfrmError.isRefusal(e)) {
                    return false;
                }
                throw e;
            }
        }
        return true;
    }

    static boolean sameSa(SecurityAssociation a, SecurityAssociation b) {
        return a.spi() == b.spi() && a.proto() == b.proto() && a.source().equals(b.source())
                && a.destination().equals(b.destination()) && a.reqid() == b.reqid()
                && a.info().mode() == b.info().mode()
                && Objects.equals(a.aead(), b.aead()) && Objects.equals(a.crypt(), b.crypt())
                && Objects.equals(a.authTrunc(), b.authTrunc()) && Objects.equals(a.auth(), b.auth());
    }

    static String describe(SecurityPolicy p) {
        var s = p.selector();
        return PolicyInfo.directionName(p.direction()) + " " + io.cxt.xfrm.AddressText.of(s.saddr()) + "/" + s.prefixlenS()
                + " -> " + io.cxt.xfrm.AddressText.of(s.daddr()) + "/" + s.prefixlenD();
    }

    static String kernelText(Throwable e) {
        return XfrmError.text(e);
    }
}
