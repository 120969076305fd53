package io.cxt.agent;

import java.net.InetAddress;
import java.util.List;

import io.cxt.context.IkeContextSlot;
import io.cxt.context.MobileNodeContext;
import io.cxt.context.SpiMapping;

/**
 * Told by the nAR role after a transferred context was installed in the kernel and the CTAA sent.
 * The IKE part (io.cxt.agent.ike) uses it to tell the MN its new SPIs and addresses in an IKEv2
 * INFORMATIONAL exchange. Called off the activation path (after the CTAA left); must not block.
 */
@FunctionalInterface
public interface ActivationListener {

    ActivationListener NONE = a -> { };

    void activated(Activation activation);

    /**
     * @param received the context as the pAR sent it (pAR addressing, old SPIs)
     * @param installed the context as installed on this nAR (new addresses and SPIs)
     * @param spiChanges SPIs that were replaced because they collided on this nAR (empty if none)
     * @param previousCareOf the MN's care-of address at the pAR
     * @param newCareOf the MN's care-of address now (source of its CTAR)
     * @param previousRouter the pAR's address in the MN's SAs
     * @param newRouter this nAR's address in the MN's SAs
     * @param ike the transferred IKE SA, or null if the context carried none
     */
    record Activation(MobileNodeContext received, MobileNodeContext installed, List<SpiMapping> spiChanges,
            InetAddress previousCareOf, InetAddress newCareOf, InetAddress previousRouter, InetAddress newRouter,
            IkeContextSlot ike) {
        public Activation {
            spiChanges = List.copyOf(spiChanges);
        }
    }
}
