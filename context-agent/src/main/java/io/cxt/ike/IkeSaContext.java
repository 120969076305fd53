package io.cxt.ike;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;

/**
 * The IKEv2 context of a mobile node (paper section 3.1): everything another gateway needs to
 * continue the IKE SA after a handover, immutable. Keys never print; {@link #wipe()} zeroes them when
 * the context is discarded.
 *
 * @param initiatorSpi       SPIi (never zero)
 * @param responderSpi       SPIr (never zero once the IKE SA exists)
 * @param originalInitiator  whether this end initiated the IKE SA (decides the I flag and which
 *                           keys protect what we send)
 * @param algorithms         negotiated encryption, integrity, PRF and DH group
 * @param keys               SK_d, SK_ai/ar, SK_ei/er, SK_pi/pr
 * @param keySeed            SKEYSEED, Ni and Nr, if known, from which the keys can be re-derived
 * @param messageIds         next request ID to send, next request ID expected
 * @param lifetime           when the SA was made and when to rekey / delete it
 * @param peer               the peer's PAD entry
 * @param childSas           the Child SAs this IKE SA governs
 */
public record IkeSaContext(long initiatorSpi, long responderSpi, boolean originalInitiator, IkeAlgorithms algorithms,
        IkeKeys keys, Optional<SkeySeed> keySeed, IkeMessageIds messageIds, IkeLifetime lifetime, PadEntry peer,
        List<ChildSa> childSas) {

    public IkeSaContext {
        if (initiatorSpi == 0 || responderSpi == 0) {
            throw new IllegalArgumentException("IKE SA SPIs must not be zero");
        }
        if (algorithms == null || keys == null || keySeed == null || messageIds == null || lifetime == null
                || peer == null || childSas == null) {
            throw new IllegalArgumentException("all IKE SA context fields are required (keySeed may be empty)");
        }
        keys.checkLengths(algorithms);
        childSas = List.copyOf(childSas);
        Set<String> inbound = new HashSet<>();
        for (ChildSa c : childSas) {
            if (!inbound.add(c.protocol() + "/" + c.inboundSpi())) {
                throw new IllegalArgumentException("two " + c.protocol() + " Child SAs share inbound SPI "
                        + Octets.spi32(c.inboundSpi()));
            }
        }
    }

    /** Who "we" are in terms of the D bit of UPDATE_SPI. */
    public SpiOwner ownRole() {
        return SpiOwner.of(originalInitiator);
    }

    /** Re-derives all SK_* from SKEYSEED, Ni, Nr (RFC 7296 section 2.14), if they are part of the context. */
    public Optional<IkeKeys> rederiveKeys() {
        return keySeed.map(s -> s.deriveKeys(algorithms));
    }

    public IkeSaContext withMessageIds(IkeMessageIds ids) {
        return new IkeSaContext(initiatorSpi, responderSpi, originalInitiator, algorithms, keys, keySeed, ids, lifetime,
                peer, childSas);
    }

    public IkeSaContext withChildSas(List<ChildSa> children) {
        return new IkeSaContext(initiatorSpi, responderSpi, originalInitiator, algorithms, keys, keySeed, messageIds,
                lifetime, peer, children);
    }

    /**
     * Applies an UPDATE_SPI: the IKE SA's SPIi (D=0) or SPIr (D=1), or the initiator's (D=0) or
     * responder's (D=1) SPI of a Child SA, where a Child SA's initiator's SPI is the inbound SPI of
     * the original initiator.
     *
     * @throws IllegalArgumentException if no SPI of this context equals the notify's old SPI
     */
    public IkeSaContext applySpiUpdate(UpdateSpiNotify u) {
        if (u.protocol() == ProtocolId.IKE) {
            long current = u.owner() == SpiOwner.INITIATOR ? initiatorSpi : responderSpi;
            if (current != u.oldSpi()) {
                throw new IllegalArgumentException("UPDATE_SPI names " + u.owner().name().toLowerCase()
                        + "'s IKE SPI " + Octets.spi64(u.oldSpi()) + " but it is " + Octets.spi64(current));
            }
            return new IkeSaContext(u.owner() == SpiOwner.INITIATOR ? u.newSpi() : initiatorSpi,
                    u.owner() == SpiOwner.RESPONDER ? u.newSpi() : responderSpi, originalInitiator, algorithms, keys,
                    keySeed, messageIds, lifetime, peer, childSas);
        }
        boolean ours = u.owner() == ownRole();
        List<ChildSa> updated = new ArrayList<>(childSas.size());
        boolean found = false;
        for (ChildSa c : childSas) {
            long spi = ours ? c.inboundSpi() : c.outboundSpi();
            if (!found && c.protocol() == u.protocol() && spi == u.oldSpi()) {
                updated.add(ours ? new ChildSa(c.protocol(), u.newSpi(), c.outboundSpi())
                        : new ChildSa(c.protocol(), c.inboundSpi(), u.newSpi()));
                found = true;
            } else {
                updated.add(c);
            }
        }
        if (!found) {
            throw new IllegalArgumentException("no " + u.protocol() + " Child SA whose " + u.owner().name().toLowerCase()
                    + "'s SPI is " + Octets.spi32(u.oldSpi()));
        }
        return withChildSas(updated);
    }

    /**
     * Overwrites all key material (SK_*, SKEYSEED, PSK) with zeros. Contexts derived from this one
     * (with*, applySpiUpdate) share the same key objects, so wipe only the last one in use.
     */
    public void wipe() {
        keys.wipe();
        keySeed.ifPresent(SkeySeed::wipe);
        if (peer.credential() instanceof PeerCredential.PreSharedKey psk) {
            psk.key().wipe();
        }
    }

    @Override
    public String toString() {
        return "IkeSaContext[spiI=" + Octets.spi64(initiatorSpi) + ", spiR=" + Octets.spi64(responderSpi)
                + ", originalInitiator=" + originalInitiator + ", " + algorithms + ", keys=<redacted>, keySeed="
                + (keySeed.isPresent() ? "<redacted>" : "none") + ", " + messageIds + ", " + lifetime + ", " + peer
                + ", " + childSas + "]";
    }
}
