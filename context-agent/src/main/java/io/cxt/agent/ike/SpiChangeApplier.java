package io.cxt.agent.ike;

import java.net.InetAddress;
import java.util.List;

import io.cxt.ike.IkeSaContext;
import io.cxt.ike.UpdateSpiNotify;

/**
 * Applies an accepted UPDATE_SA_ADDRESSES / UPDATE_SPI request to the mobile node's IPsec state,
 * all or nothing: when it throws, nothing was changed.
 */
@FunctionalInterface
public interface SpiChangeApplier {

    /** Applies nothing (an agent without kernel state, or tests of the IKE exchange alone). */
    SpiChangeApplier NONE = (sa, peer, changes) -> { };

    /**
     * @param sa       the IKE SA the request came on, before the changes (its Child SAs name the old SPIs)
     * @param newPeer  the peer's address now (source of the request; MOBIKE takes addresses from the IP header)
     * @param changes  the UPDATE_SPIs in request order (IKE SA SPIs included; the IKE layer applies those itself)
     * @throws SpiCollisionException if a new SPI is already in use here (the initiator may pick another)
     * @throws Exception for anything else; nothing was applied
     */
    void apply(IkeSaContext sa, InetAddress newPeer, List<UpdateSpiNotify> changes) throws Exception;

    /** Some new SPIs are already taken on this node: the paper's "collision persists". */
    final class SpiCollisionException extends Exception {
        private static final long serialVersionUID = 1L;
        private final transient List<UpdateSpiNotify> colliding;

        public SpiCollisionException(List<UpdateSpiNotify> colliding) {
            super("new SPIs already in use here: " + colliding);
            this.colliding = List.copyOf(colliding);
        }

        public List<UpdateSpiNotify> colliding() {
            return colliding;
        }
    }
}
