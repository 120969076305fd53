package io.cxt.agent;

import java.net.InetAddress;

import io.cxt.context.MobileNodeContext;

/**
 * Where an access-router role tells the IKE daemon's side (io.cxt.agent.ha: the local charon through its HA
 * plugin) about a MN's context. All calls are off the activation path and must not block long.
 */
public interface ContextIkeHooks {

    ContextIkeHooks NONE = new ContextIkeHooks() { };

    /**
     * nAR: a context was received (PCTD, or the answer to a CT-Req) and is held.
     *
     * @param previousCareOf the MN's care-of address at the pAR (the held context's key)
     * @param thisRouter this router's address in the MN's SAs
     * @param newCareOf the MN's expected care-of address here, or null if not known yet
     * @return true when the IKE daemon owns this MN's kernel SAs (the role then must not install or reserve them)
     * @throws io.cxt.context.ContextException when the IKE daemon's side cannot take this context here (an inbound SPI
     *         taken on this router): the role then holds nothing
     */
    default boolean held(InetAddress previousCareOf, MobileNodeContext received, InetAddress thisRouter, InetAddress newCareOf)
            throws io.cxt.context.ContextException {
        return false;
    }

    /** nAR: a held context expired or was cancelled without activation. */
    default void released(InetAddress previousCareOf) {
    }

    /** pAR: the CTDR came: the MN's context moved to the nAR. */
    default void moved(MobileNodeContext sent) {
    }

    /**
     * pAR: whom to tell when the IKE daemon's state of an IKE SA changes (charon synced an exchange with the MN, a
     * CHILD_SA rekey, a delete). A context pushed predictively carries the IKE SA as it was at the PCTD; the role
     * pushes it again when it changes before the MN moves (the nAR's copy must have the current message IDs).
     * The listener is called on the IKE side's receive thread and must not block.
     */
    default void onIkeSaChanged(IkeSaChanged listener) {
    }

    /** An IKE SA, named by its SPIs, changed (see {@link #onIkeSaChanged}). */
    @FunctionalInterface
    interface IkeSaChanged {
        void changed(long spiInitiator, long spiResponder);
    }
}
