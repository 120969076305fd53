package io.cxt.context;

import java.io.IOException;
import java.net.InetAddress;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import io.cxt.xfrm.SaKey;
import io.cxt.xfrm.SecurityAssociation;
import io.cxt.xfrm.IpsecKernel;
import io.cxt.xfrm.XfrmError;

/**
 * Finds and reserves SPIs for a transferred context on the target router, for the SAD lookup case
 * configured (the paper's section 3.2.3).
 *
 * <p>An inbound SA (destination = the target router) keeps its SPI when that SPI is free on the
 * target: an exact ALLOCSPI (min == max) both checks and reserves it in one kernel operation, so
 * there is no window in which another SA could take it. When the exact request is refused the
 * SPI collides, and a fresh one is taken from the configured range. With {@link SadLookupCase#SPI_ONLY}
 * an SPI also collides when any SA of the target, whatever its destination, already uses it; that
 * is checked against one dump of the target's SAD.
 *
 * <p>What the kernel itself enforces comes first: Linux looks inbound SAs up by destination, SPI
 * and protocol, and kernels with commit 94f39804d891 ("xfrm: Duplicate SPI Handling") refuse an
 * ALLOCSPI whose SPI any state of the protocol already uses, whatever its destination. On such a
 * kernel the three lookup cases behave alike for inbound SPIs; the configured case only adds
 * checks the kernel does not make (SPI_ONLY on older kernels).
 *
 * <p>Reservations are made before the handover (predictively) so that activation only has to
 * turn larval SAs into real ones.
 */
public final class SpiAllocator {

    private static final Logger LOG = LoggerFactory.getLogger(SpiAllocator.class);

    /** The default range for replacement SPIs (values below 256 are reserved by RFC 4303). */
    public static final int DEFAULT_MIN = 0x00000100;
    public static final int DEFAULT_MAX = 0xcfffffff;
    private static final int ALLOCATION_ATTEMPTS = 16;

    private final IpsecKernel target;
    private final SadLookupCase lookup;
    private final int rangeMin;
    private final int rangeMax;

    public SpiAllocator(IpsecKernel target, SadLookupCase lookup) {
        this(target, lookup, DEFAULT_MIN, DEFAULT_MAX);
    }

    public SpiAllocator(IpsecKernel target, SadLookupCase lookup, int rangeMin, int rangeMax) {
        if (Integer.compareUnsigned(rangeMin, rangeMax) > 0 || Integer.compareUnsigned(rangeMin, 256) < 0) {
            throw new IllegalArgumentException("SPI range must be within 0x100..0xffffffff and min <= max");
        }
        this.target = target;
        this.lookup = lookup;
        this.rangeMin = rangeMin;
        this.rangeMax = rangeMax;
    }

    public SadLookupCase lookupCase() {
        return lookup;
    }

    /**
     * Reserves an SPI on the target for every SA of {@code ctx} that will be inbound there (its
     * destination is {@code sourceRouter} before the rewrite, {@code targetRouter} after).
     * All or nothing: if one reservation fails, those already made are released.
     */
    public SpiReservations reserveInbound(MobileNodeContext ctx, InetAddress targetRouter)
            throws IOException, ContextException {
        Set<Integer> usedAnywhere = lookup == SadLookupCase.SPI_ONLY ? spisInUse() : Set.of();
        List<SaKey> held = new ArrayList<>();
        // SPIs ALLOCSPI offered that are in use elsewhere on the target (SPI_ONLY): held while we
        // look further, so the kernel does not offer them again, then released.
        List<SaKey> skipped = new ArrayList<>();
        List<SpiMapping> mappings = new ArrayList<>();
        try {
            for (SecurityAssociation sa : ctx.securityAssociations()) {
                if (!sa.destination().equals(ctx.sourceRouter())) {
                    continue; // outbound on the target: its SPI is the MN's inbound SPI
                }
                InetAddress src = ctx.mobileNode().careOfAddress();
                int wanted = sa.spi();
                SecurityAssociation larval = null;
                if (!usedAnywhere.contains(wanted)) {
                    larval = tryAlloc(sa, src, targetRouter, wanted, wanted);
                }
                for (int i = 0; larval == null && i < ALLOCATION_ATTEMPTS; i++) {
                    SecurityAssociation got = tryAlloc(sa, src, targetRouter, rangeMin, rangeMax);
                    if (got == null) {
                        throw new ContextException(ctx.mobileNode().label() + ": no free SPI in range "
                                + String.format("0x%08x-0x%08x", rangeMin, rangeMax) + " on the target for "
                                + ContextRewriter.describe(sa));
                    }
                    if (usedAnywhere.contains(got.spi())) {
                        skipped.add(got.key());
                    } else {
                        larval = got;
                    }
                }
                if (larval == null) {
                    throw new ContextException(ctx.mobileNode().label() + ": no SPI unique on the whole target after "
                            + ALLOCATION_ATTEMPTS + " attempts for " + ContextRewriter.describe(sa));
                }
                held.add(larval.key());
                if (larval.spi() != wanted) {
                    SpiMapping m = SpiMapping.ipsec(sa.proto(), targetRouter, wanted, larval.spi(), true);
                    mappings.add(m);
                    LOG.info("{}: SPI collision on target ({} lookup): {}", ctx.mobileNode().label(),
                            lookup.spelling(), m);
                }
            }
        } catch (IOException | ContextException | RuntimeException e) {
            held.addAll(skipped);
            releaseQuietly(new SpiReservations(held, List.of()));
            reclaimRefusedLarval(ctx, targetRouter);
            throw e;
        }
        releaseQuietly(new SpiReservations(skipped, List.of()));
        return new SpiReservations(held, mappings);
    }

    private void releaseQuietly(SpiReservations r) {
        try {
            release(r);
        } catch (IOException e) {
            LOG.warn("could not release {} SPI reservations: {}", r.held().size(), e.getMessage());
        }
    }

    /**
     * A refused ALLOCSPI leaves a larval SA with SPI 0 behind (xfrm_find_acq creates it before the
     * SPI search fails), and DELSA cannot name an SPI-0 state. Giving it an SPI from the full range
     * (ALLOCSPI with the same parameters finds the same larval state) makes it deletable, so a
     * failed reservation leaves the target exactly as it was.
     */
    private void reclaimRefusedLarval(MobileNodeContext ctx, InetAddress targetRouter) {
        for (SecurityAssociation sa : ctx.securityAssociations()) {
            if (!sa.destination().equals(ctx.sourceRouter())) {
                continue;
            }
            try {
                SecurityAssociation got = tryAlloc(sa, ctx.mobileNode().careOfAddress(), targetRouter, DEFAULT_MIN,
                        0xffffffff);
                if (got != null) {
                    target.deleteSa(got.key());
                }
            } catch (IOException | RuntimeException e) {
                LOG.warn("{}: could not reclaim a refused SPI reservation: {}", ctx.mobileNode().label(), e.getMessage());
            }
        }
    }

    /** ALLOCSPI; null when the kernel has no SPI to give in that range (the SPI is taken). */
    private SecurityAssociation tryAlloc(SecurityAssociation sa, InetAddress src, InetAddress dst, int min, int max)
            throws IOException {
        try {
            return target.allocSpi(io.cxt.xfrm.AllocSpiRequest.of(src, dst, sa.proto(), sa.reqid(), sa.info().mode(),
                    sa.mark(), sa.ifId(), min, max));
        } catch (IOException e) {
            // The kernel answers ENOENT when no SPI in [min, max] is free; an exact request on a
            // taken SPI is the same case. Anything else is a real error.
            XfrmError why = XfrmError.of(e);
            if (why == XfrmError.ENOENT || why == XfrmError.EEXIST) {
                return null;
            }
            throw e;
        }
    }

    private Set<Integer> spisInUse() throws IOException {
        Set<Integer> s = new HashSet<>();
        for (SecurityAssociation sa : target.dumpSas()) {
            s.add(sa.spi());
        }
        return s;
    }

    /** Deletes the larval SAs; a reservation the kernel already expired is not an error. */
    public void release(SpiReservations r) throws IOException {
        IOException first = null;
        for (SaKey k : r.held()) {
            try {
                target.deleteSa(k);
            } catch (IOException e) {
                if (!XfrmError.of(e).absent() && first == null) {
                    first = e;
                }
            }
        }
        if (first != null) {
            throw first;
        }
    }
}
