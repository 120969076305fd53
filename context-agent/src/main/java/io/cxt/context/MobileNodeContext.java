package io.cxt.context;

import java.net.InetAddress;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Objects;

import io.cxt.xfrm.KeyBytes;
import io.cxt.xfrm.SecurityAssociation;
import io.cxt.xfrm.SecurityPolicy;

/**
 * A mobile node's IPsec context as cxt moves it: the MN, the access routers, every SA with every
 * kernel field (keys, replay or ESN state, lifetime limits and counters, encapsulation, marks,
 * if_id, SA direction) and every policy (selector, templates, direction, priority, action).
 *
 * <p>A context as snapshot on the pAR has no {@code targetRouter}, {@code newCareOf} or SPI
 * mappings; {@link ContextRewriter} returns a copy addressed to the nAR with them filled in.
 * Immutable, but the key bytes inside the SAs are shared by such copies: {@link #discard()} zeroes
 * them for all copies at once, which is what a router does when it is done with the MN.
 *
 * @param ikeContext the IKEv2 SA that governs these child SAs, as transfer-ready bytes (filled by
 *                   the IKE layer; null when no IKE context travels with this one)
 */
public record MobileNodeContext(
        MobileNodeIdentity mobileNode,
        InetAddress sourceRouter,
        InetAddress targetRouter,
        InetAddress newCareOf,
        List<SecurityAssociation> securityAssociations,
        List<SecurityPolicy> policies,
        List<SpiMapping> spiMappings,
        IkeContextSlot ikeContext,
        Instant createdAt,
        Duration lifetime) {

    /** How long an un-activated context is kept by default (the paper's handover timer). */
    public static final Duration DEFAULT_LIFETIME = Duration.ofSeconds(30);

    public MobileNodeContext {
        Objects.requireNonNull(mobileNode, "mobile node");
        Objects.requireNonNull(sourceRouter, "source router");
        securityAssociations = List.copyOf(securityAssociations);
        policies = List.copyOf(policies);
        spiMappings = spiMappings == null ? List.of() : List.copyOf(spiMappings);
        createdAt = createdAt == null ? Instant.now() : createdAt;
        lifetime = lifetime == null ? DEFAULT_LIFETIME : lifetime;
    }

    /** A fresh snapshot (no target yet). */
    public static MobileNodeContext snapshot(MobileNodeIdentity mn, InetAddress sourceRouter,
                                             List<SecurityAssociation> sas, List<SecurityPolicy> policies,
                                             Instant at) {
        return new MobileNodeContext(mn, sourceRouter, null, null, sas, policies, List.of(), null, at,
                DEFAULT_LIFETIME);
    }

    public boolean isRewritten() {
        return targetRouter != null;
    }

    public boolean isExpired(Instant now) {
        return now.isAfter(createdAt.plus(lifetime));
    }

    public MobileNodeContext withIkeContext(IkeContextSlot ike) {
        return new MobileNodeContext(mobileNode, sourceRouter, targetRouter, newCareOf, securityAssociations,
                policies, spiMappings, ike, createdAt, lifetime);
    }

    public MobileNodeContext withLifetime(Duration l) {
        return new MobileNodeContext(mobileNode, sourceRouter, targetRouter, newCareOf, securityAssociations,
                policies, spiMappings, ikeContext, createdAt, l);
    }

    /** Zeroes every key of every SA (and of the IKE context); the context is useless afterwards. */
    public void discard() {
        for (SecurityAssociation sa : securityAssociations) {
            wipe(sa);
        }
        if (ikeContext != null) {
            ikeContext.wipe();
        }
    }

    /**
     * Zeroes the SAs' keys but keeps the IKE context (the IKE layer may still need it): for a
     * context installed in the kernel and kept only to be shown.
     */
    public void wipeSecurityAssociationKeys() {
        for (SecurityAssociation sa : securityAssociations) {
            wipe(sa);
        }
    }

    static void wipe(SecurityAssociation sa) {
        if (sa.aead() != null) {
            sa.aead().key().wipe();
        }
        if (sa.auth() != null) {
            sa.auth().key().wipe();
        }
        if (sa.authTrunc() != null) {
            sa.authTrunc().key().wipe();
        }
        if (sa.crypt() != null) {
            sa.crypt().key().wipe();
        }
        if (sa.comp() != null) {
            KeyBytes k = sa.comp().key();
            k.wipe();
        }
    }

    /** One line for logs: who, how many SAs and policies, where to. Never keys. */
    public String summary() {
        StringBuilder sb = new StringBuilder(mobileNode.label()).append(": ")
                .append(securityAssociations.size()).append(" SAs, ").append(policies.size()).append(" policies");
        if (isRewritten()) {
            sb.append(", to ").append(io.cxt.xfrm.AddressText.of(targetRouter));
            if (newCareOf != null) {
                sb.append(" nCoA ").append(io.cxt.xfrm.AddressText.of(newCareOf));
            }
            if (!spiMappings.isEmpty()) {
                sb.append(", ").append(spiMappings.size()).append(" SPIs changed");
            }
        }
        return sb.toString();
    }

    @Override
    public String toString() {
        return "MobileNodeContext[" + summary() + "]";
    }
}
