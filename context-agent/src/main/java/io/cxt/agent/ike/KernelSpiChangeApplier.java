package io.cxt.agent.ike;

import java.io.IOException;
import java.net.InetAddress;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.function.Consumer;
import java.util.function.Supplier;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import io.cxt.context.ContextException;
import io.cxt.context.ContextInstaller;
import io.cxt.context.ContextRewriter;
import io.cxt.context.ContextSnapshotter;
import io.cxt.context.MobileNodeContext;
import io.cxt.context.MobileNodeIdentity;
import io.cxt.context.RewritePlan;
import io.cxt.context.SequenceNumberPolicy;
import io.cxt.context.SpiMapping;
import io.cxt.ike.IkeSaContext;
import io.cxt.ike.ProtocolId;
import io.cxt.ike.UpdateSpiNotify;
import io.cxt.xfrm.SecurityAssociation;
import io.cxt.xfrm.SecurityPolicy;
import io.cxt.xfrm.XfrmBatch;
import io.cxt.xfrm.IpsecKernel;
import io.cxt.xfrm.XfrmError;
import io.cxt.xfrm.XfrmFailure;

/**
 * Applies an accepted update to the mobile node's own kernel with the context engine: snapshot of
 * the MN's SAs and policies (care-of and home address from {@code identity}), a rewrite with
 * {@link RewritePlan#forMobileNode} (current router to the request's source, the changed Child SA
 * SPIs), then {@link ContextInstaller#replace} for exactly the SAs and policies that change (the
 * others stay untouched). All or nothing: every change must name an SA in the kernel and no new SPI
 * may already be in use (checked before anything is written: {@link SpiChangeApplier.SpiCollisionException});
 * if the kernel refuses part of the replacement, the installer puts the old SAs and policies back.
 *
 * <p>D bit on the MN: a change of its own SPI (D = its original role) is one of its inbound SAs
 * (destination = its care-of address), a change of the router's SPI is its outbound SA (destination =
 * the router). Outbound sequence numbers continue with the default margin (a moved SA keeping its SPI
 * and key must never reuse a sequence number: with AES-GCM that would reuse a nonce).
 */
public final class KernelSpiChangeApplier implements SpiChangeApplier {
    private static final Logger LOG = LoggerFactory.getLogger(KernelSpiChangeApplier.class);

    private final IpsecKernel client;
    private final Supplier<MobileNodeIdentity> identity;
    private final Supplier<InetAddress> currentRouter;
    private final Consumer<InetAddress> routerChanged;

    /**
     * @param client         the MN's kernel (its namespace)
     * @param identity       the MN's current home and care-of address
     * @param currentRouter  the router address its SAs use now
     * @param routerChanged  told the new router address after an address update (may be null)
     */
    public KernelSpiChangeApplier(IpsecKernel client, Supplier<MobileNodeIdentity> identity,
            Supplier<InetAddress> currentRouter, Consumer<InetAddress> routerChanged) {
        this.client = Objects.requireNonNull(client);
        this.identity = Objects.requireNonNull(identity);
        this.currentRouter = Objects.requireNonNull(currentRouter);
        this.routerChanged = routerChanged == null ? r -> { } : routerChanged;
    }

    @Override
    public void apply(IkeSaContext sa, InetAddress newPeer, List<UpdateSpiNotify> changes) throws Exception {
        MobileNodeIdentity mn = identity.get();
        InetAddress coa = mn.careOfAddress();
        InetAddress router = currentRouter.get();
        MobileNodeContext now = new ContextSnapshotter(client).snapshot(mn, router);
        List<SpiMapping> mappings = new ArrayList<>();
        for (UpdateSpiNotify u : changes) {
            if (u.protocol() == ProtocolId.IKE) {
                continue;
            }
            int proto = u.protocol() == ProtocolId.ESP ? 50 : 51;
            boolean ownSpi = u.owner() == sa.ownRole();
            InetAddress dstBefore = ownSpi ? coa : router;
            boolean known = now.securityAssociations().stream().anyMatch(s -> s.proto() == proto
                    && Integer.toUnsignedLong(s.spi()) == u.oldSpi() && s.destination().equals(dstBefore));
            if (!known) {
                throw new ContextException(mn.label() + ": no " + u.protocol() + " SA with SPI "
                        + String.format("0x%08x", u.oldSpi()) + " to " + io.cxt.xfrm.AddressText.of(dstBefore) + " in the kernel");
            }
            mappings.add(SpiMapping.ipsec(proto, ownSpi ? coa : newPeer, (int) u.oldSpi(), (int) u.newSpi(), ownSpi));
        }
        RewritePlan plan = RewritePlan.forMobileNode(coa, coa, router, newPeer, mappings, SequenceNumberPolicy.DEFAULT);
        MobileNodeContext moved = ContextRewriter.rewrite(now, plan, newPeer, coa);

        List<SecurityAssociation> oldSas = new ArrayList<>();
        List<SecurityAssociation> newSas = new ArrayList<>();
        // Same (destination, SPI, protocol), new source: the kernel identifies an SA without its
        // source, so the new one cannot be added next to the old one; these are swapped instead.
        List<SecurityAssociation> swapOld = new ArrayList<>();
        List<SecurityAssociation> swapNew = new ArrayList<>();
        for (int i = 0; i < now.securityAssociations().size(); i++) {
            SecurityAssociation before = now.securityAssociations().get(i);
            SecurityAssociation after = moved.securityAssociations().get(i);
            if (before.key().equals(after.key())) {
                continue;
            }
            if (before.key().id().equals(after.key().id())) {
                swapOld.add(before);
                swapNew.add(after);
            } else {
                oldSas.add(before);
                newSas.add(after);
            }
        }
        List<SecurityPolicy> oldPolicies = new ArrayList<>();
        List<SecurityPolicy> newPolicies = new ArrayList<>();
        for (int i = 0; i < now.policies().size(); i++) {
            SecurityPolicy before = now.policies().get(i);
            SecurityPolicy after = moved.policies().get(i);
            if (!before.withIndex(0).equals(after)) {
                oldPolicies.add(before);
                newPolicies.add(after);
            }
        }
        if (newSas.isEmpty() && swapNew.isEmpty() && newPolicies.isEmpty()) {
            LOG.debug("{}: update changes nothing in the kernel", mn.label());
            return;
        }
        List<UpdateSpiNotify> colliding = new ArrayList<>();
        for (SecurityAssociation s : newSas) {
            if (exists(s)) {
                for (UpdateSpiNotify u : changes) {
                    if (u.protocol() != ProtocolId.IKE && u.newSpi() == Integer.toUnsignedLong(s.spi())) {
                        colliding.add(u);
                    }
                }
                if (colliding.isEmpty()) {
                    throw new ContextException(mn.label() + ": " + ContextRewriter.describe(s) + " already exists");
                }
            }
        }
        if (!colliding.isEmpty()) {
            throw new SpiCollisionException(colliding);
        }
        MobileNodeContext oldPart = part(now, oldSas, oldPolicies, mappings, router, coa);
        MobileNodeContext newPart = part(moved, newSas, newPolicies, mappings, newPeer, coa);
        swap(mn, swapOld, swapNew);
        try {
            new ContextInstaller(client).replace(oldPart, newPart);
        } catch (IOException | ContextException | RuntimeException e) {
            try {
                swap(mn, swapNew, swapOld);
            } catch (IOException | ContextException | RuntimeException undo) {
                LOG.error("{}: could not restore the SAs swapped before the refused move: {}", mn.label(), undo.toString());
            }
            throw e;
        }
        LOG.info("{}: {} SAs and {} policies moved ({} SPI changes, peer {})", mn.label(), newSas.size() + swapNew.size(),
                newPolicies.size(), mappings.size(), io.cxt.xfrm.AddressText.of(newPeer));
        if (!newPeer.equals(router)) {
            routerChanged.accept(newPeer);
        }
    }

    /**
     * Replaces SAs by ones with the same kernel identity but another source, in one batch of DELSA
     * and NEWSA; if any NEWSA is refused, the ones made are deleted and the old SAs put back.
     */
    private void swap(MobileNodeIdentity mn, List<SecurityAssociation> from, List<SecurityAssociation> to)
            throws IOException, ContextException {
        if (from.isEmpty()) {
            return;
        }
        XfrmBatch batch = new XfrmBatch(from.size() + to.size());
        for (SecurityAssociation sa : from) {
            batch.deleteSa(sa.key());
        }
        for (SecurityAssociation sa : to) {
            batch.addSa(sa);
        }
        List<XfrmFailure> failures = client.apply(batch);
        if (failures.isEmpty()) {
            return;
        }
        XfrmBatch undo = new XfrmBatch(from.size() + to.size());
        for (SecurityAssociation sa : to) {
            undo.deleteSa(sa.key());
        }
        for (SecurityAssociation sa : from) {
            undo.addSa(sa);
        }
        client.apply(undo);
        XfrmFailure first = failures.get(0);
        throw new ContextException(mn.label() + ": SA move refused: " + first.cause().errnoName() + "; old SAs kept",
                first.cause());
    }

    private boolean exists(SecurityAssociation s) throws IOException {
        try {
            client.getSa(s.key());
            return true;
        } catch (IOException e) {
            if (XfrmError.isRefusal(e)) {
                return false;
            }
            throw e;
        }
    }

    private static MobileNodeContext part(MobileNodeContext c, List<SecurityAssociation> sas,
            List<SecurityPolicy> policies, List<SpiMapping> mappings, InetAddress router, InetAddress coa) {
        return new MobileNodeContext(c.mobileNode(), c.sourceRouter(), router, coa, sas, policies, mappings, null,
                c.createdAt(), c.lifetime());
    }
}
