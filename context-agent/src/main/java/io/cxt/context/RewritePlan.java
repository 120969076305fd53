package io.cxt.context;

import java.net.InetAddress;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * What a rewrite changes: old address to new (pCoA to nCoA, pAR to nAR), the SPIs that must change
 * because they collide on the target, the local end point whose outbound SAs continue their
 * sequence numbers with a margin, and that margin.
 *
 * @param addresses    old address to new; addresses not in the map stay
 * @param localAddress the target's own tunnel address after the rewrite (nAR on a router, nCoA on
 *                     the MN): SAs with this source are outbound on the target
 * @param spiChanges   SPI changes keyed by (proto, destination after the rewrite, old SPI)
 * @param sequence     how outbound sequence numbers continue
 */
public record RewritePlan(Map<InetAddress, InetAddress> addresses, InetAddress localAddress,
                          List<SpiMapping> spiChanges, SequenceNumberPolicy sequence) {

    public RewritePlan {
        addresses = Map.copyOf(addresses);
        Objects.requireNonNull(localAddress, "local address");
        spiChanges = List.copyOf(spiChanges);
        Objects.requireNonNull(sequence, "sequence policy");
    }

    /** The plan for a router taking over an MN: pCoA to nCoA, pAR to nAR; the nAR is local. */
    public static RewritePlan forTargetRouter(MobileNodeContext ctx, InetAddress newCareOf, InetAddress targetRouter,
                                              List<SpiMapping> spiChanges, SequenceNumberPolicy sequence) {
        Map<InetAddress, InetAddress> m = new HashMap<>();
        m.put(ctx.mobileNode().careOfAddress(), newCareOf);
        m.put(ctx.sourceRouter(), targetRouter);
        return new RewritePlan(m, targetRouter, spiChanges, sequence);
    }

    /**
     * The plan for the MN itself after it moved: its own care-of address and its tunnel peer
     * change, the MN is local. The MN's kernel knows its exact sequence numbers, so the margin can
     * be zero when the state was read right before the rewrite.
     */
    public static RewritePlan forMobileNode(InetAddress oldCareOf, InetAddress newCareOf, InetAddress oldRouter,
                                            InetAddress newRouter, List<SpiMapping> spiChanges,
                                            SequenceNumberPolicy sequence) {
        Map<InetAddress, InetAddress> m = new HashMap<>();
        m.put(oldCareOf, newCareOf);
        m.put(oldRouter, newRouter);
        return new RewritePlan(m, newCareOf, spiChanges, sequence);
    }

    InetAddress map(InetAddress a) {
        if (a == null) {
            return null;
        }
        InetAddress n = addresses.get(a);
        return n == null ? a : n;
    }

    /** The new SPI for an SA after the address rewrite, or the old one. */
    int spiFor(int proto, InetAddress newDestination, int oldSpi) {
        for (SpiMapping m : spiChanges) {
            if (!m.ikeSa() && m.proto() == proto && m.oldSpi() == Integer.toUnsignedLong(oldSpi)
                    && (m.destination() == null || m.destination().equals(newDestination))) {
                return (int) m.newSpi();
            }
        }
        return oldSpi;
    }
}
