package io.cxt.agent.ha;

import java.net.InetAddress;
import java.util.Collection;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import io.cxt.xfrm.SecurityAssociation;

/**
 * nAR: whether a transferred CHILD_SA's inbound SPI is already taken in this router's kernel, before charon is
 * given the SA.
 *
 * <p>Why refuse rather than let charon try: charon installs a transferred CHILD_SA with the pAR's inbound SPI
 * (the MN sends with it, and a stock MN cannot be told another: it ignores cxt's UPDATE_SPI). With that SPI taken
 * on this router, charon's install fails and it drops the CHILD_SA, so nothing is left for a rekey to repair;
 * and cxt's ESP counter hand-over finds SAs by SPI, so it could write another MN's counters (kernel state cxt
 * did not create). The hold is refused with the SA that holds the SPI named: the MN's CTAR gets a failure and
 * its IKE daemon negotiates anew. Avoided by construction when each access router's charon allocates from its
 * own range ({@code charon.spi_min}/{@code spi_max}, docs/strongswan.md).
 *
 * <p>The SPIs this router gave its charon for an IKE SA are remembered for {@link #MEMORY_NANOS} (at most
 * {@link #MAX_REMEMBERED}), so a repeated PCTD of the same SA, whose earlier CHILD_SAs charon may still be
 * removing, is not taken for a collision.
 */
final class CharonSpiCollisions {

    static final long MEMORY_NANOS = 120_000_000_000L;
    static final int MAX_REMEMBERED = 4096;

    /** Which IKE SA (its initiator and responder SPIs) an inbound SPI was given to charon for, and when. */
    private record Given(long initiatorSpi, long responderSpi, long atNanos) {
    }

    private final LinkedHashMap<Integer, Given> given = new LinkedHashMap<>();

    /** Remembers that charon was given these inbound SPIs for the IKE SA with these SPIs. */
    synchronized void given(long initiatorSpi, long responderSpi, Collection<Integer> inbound, long nowNanos) {
        prune(nowNanos);
        for (int spi : inbound) {
            given.remove(spi);
            given.put(spi, new Given(initiatorSpi, responderSpi, nowNanos));
        }
        while (given.size() > MAX_REMEMBERED) {
            Iterator<Integer> it = given.keySet().iterator();
            it.next();
            it.remove();
        }
    }

    /**
     * The first SA of {@code here} (this router's ESP SAs) that uses one of {@code inbound} towards {@code local} and
     * is not a CHILD_SA this router gave charon for the same IKE SA; null when the SPIs are free there.
     *
     * <p>Only SAs to {@code local} (the address charon will hold the MN's SA at) count: the kernel keys an SA by
     * destination, SPI and protocol, so an SA to another address with the same SPI (an outbound SA to another MN,
     * whose SPI that MN chose from the same default range as the pAR's charon, or an inbound one to another address
     * of this router) does not stop charon's install, and refusing the MN for it would cost it a new negotiation.
     */
    synchronized SecurityAssociation collision(long initiatorSpi, long responderSpi, Collection<Integer> inbound,
                                               InetAddress local, List<SecurityAssociation> here, long nowNanos) {
        prune(nowNanos);
        for (SecurityAssociation sa : here) {
            int spi = sa.info().id().spi();
            if (!inbound.contains(spi) || (local != null && !local.equals(sa.info().id().daddr()))) {
                continue;
            }
            Given g = given.get(spi);
            if (g != null && g.initiatorSpi == initiatorSpi && g.responderSpi == responderSpi) {
                continue;
            }
            return sa;
        }
        return null;
    }

    synchronized int remembered() {
        return given.size();
    }

    private void prune(long nowNanos) {
        Iterator<Map.Entry<Integer, Given>> it = given.entrySet().iterator();
        while (it.hasNext()) {
            if (nowNanos - it.next().getValue().atNanos > MEMORY_NANOS) {
                it.remove();
            } else {
                break; // insertion order: the rest are younger
            }
        }
    }
}
