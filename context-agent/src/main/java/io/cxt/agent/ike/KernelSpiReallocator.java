package io.cxt.agent.ike;

import java.io.IOException;
import java.net.InetAddress;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.List;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import io.cxt.agent.ActivationListener.Activation;
import io.cxt.context.SequenceNumberPolicy;
import io.cxt.ike.IkeSaContext;
import io.cxt.ike.ProtocolId;
import io.cxt.ike.UpdateSpiNotify;
import io.cxt.xfrm.ReplayState;
import io.cxt.xfrm.ReplayStateEsn;
import io.cxt.xfrm.SaKey;
import io.cxt.xfrm.SecurityAssociation;
import io.cxt.xfrm.IpsecKernel;
import io.cxt.xfrm.XfrmError;

/**
 * The nAR's answer to "collision persists" (Algorithm 1): moves each SA whose SPI the MN refused to
 * another SPI in this router's kernel and returns the UPDATE_SPIs to ask for instead.
 *
 * <ul>
 * <li>An SA inbound to this router (D = this router's role): a fresh SPI from ALLOCSPI in the
 * configured range (so it cannot collide here), the installed SA moved onto it (UPDSA of the larval
 * SA, then DELSA of the old one).</li>
 * <li>An SA this router sends on (D = the MN's role: the MN's inbound SPI): a random SPI from the
 * range that this kernel does not hold towards the MN; outbound sequence numbers continue with the
 * default margin (same key, so a reused sequence number would reuse an AES-GCM nonce).</li>
 * <li>The IKE SA: a random 64-bit SPI (IKE SPIs live in the agents, not the kernel).</li>
 * </ul>
 * The MN still holds the SPIs from before the refused request, so each replacement keeps the refused
 * notify's old SPI and owner.
 */
public final class KernelSpiReallocator implements SpiUpdateInitiator.SpiReallocator {
    private static final Logger LOG = LoggerFactory.getLogger(KernelSpiReallocator.class);
    private static final int ATTEMPTS = 16;

    private final IpsecKernel kernel;
    private final int rangeMin;
    private final int rangeMax;
    private final SecureRandom random = new SecureRandom();

    /** @param rangeMin,rangeMax this router's SPI range (config {@code spi-range}), unsigned */
    public KernelSpiReallocator(IpsecKernel kernel, int rangeMin, int rangeMax) {
        if (Integer.compareUnsigned(rangeMin, rangeMax) > 0 || rangeMin == 0) {
            throw new IllegalArgumentException("SPI range must be non-empty and exclude 0");
        }
        this.kernel = kernel;
        this.rangeMin = rangeMin;
        this.rangeMax = rangeMax;
    }

    @Override
    public List<UpdateSpiNotify> reallocate(Activation a, IkeSaContext sa, List<UpdateSpiNotify> refused) throws Exception {
        List<UpdateSpiNotify> out = new ArrayList<>();
        for (UpdateSpiNotify u : refused) {
            if (u.protocol() == ProtocolId.IKE) {
                long fresh;
                do {
                    fresh = random.nextLong();
                } while (fresh == 0 || fresh == u.newSpi() || fresh == u.oldSpi());
                out.add(new UpdateSpiNotify(ProtocolId.IKE, u.oldSpi(), fresh, u.owner()));
                continue;
            }
            int proto = u.protocol() == ProtocolId.ESP ? 50 : 51;
            boolean inbound = u.owner() == sa.ownRole();
            InetAddress dst = inbound ? a.newRouter() : a.newCareOf();
            SecurityAssociation current = kernel.getSa(SaKey.of(dst, (int) u.newSpi(), proto));
            long moved = inbound ? moveInbound(current) : moveOutbound(current);
            LOG.info("{} SPI 0x{} refused by the MN: moved to 0x{}", u.protocol(), Long.toHexString(u.newSpi()),
                    Long.toHexString(moved));
            out.add(new UpdateSpiNotify(u.protocol(), u.oldSpi(), moved, u.owner()));
        }
        return out;
    }

    private long moveInbound(SecurityAssociation current) throws Exception {
        SecurityAssociation larval = kernel.allocSpi(io.cxt.xfrm.AllocSpiRequest.of(current.source(),
                current.destination(), current.proto(), current.reqid(), current.info().mode(), current.mark(),
                current.ifId(), rangeMin, rangeMax));
        SecurityAssociation moved = current.withSpi(larval.spi());
        try {
            kernel.updateSa(moved);
        } catch (Exception e) {
            kernel.deleteSa(larval.key());
            throw e;
        }
        kernel.deleteSa(current.key());
        return Integer.toUnsignedLong(larval.spi());
    }

    private long moveOutbound(SecurityAssociation current) throws Exception {
        SecurityAssociation continued = continued(current);
        long span = Integer.toUnsignedLong(rangeMax) - Integer.toUnsignedLong(rangeMin) + 1;
        for (int i = 0; i < ATTEMPTS; i++) {
            int spi = (int) (Integer.toUnsignedLong(rangeMin) + Math.floorMod(random.nextLong(), span));
            if (spi == current.spi()) {
                continue;
            }
            try {
                kernel.addSa(continued.withSpi(spi));
            } catch (IOException e) {
                if (XfrmError.of(e) == XfrmError.EEXIST) {
                    continue;
                }
                throw e;
            }
            kernel.deleteSa(current.key());
            return Integer.toUnsignedLong(spi);
        }
        throw new IllegalStateException("no free SPI found in " + ATTEMPTS + " attempts");
    }

    private SecurityAssociation continued(SecurityAssociation sa) throws Exception {
        var state = kernel.getReplayLifetime(sa.key());
        SequenceNumberPolicy seq = SequenceNumberPolicy.DEFAULT;
        if (state.replayEsn() != null) {
            ReplayStateEsn r = state.replayEsn();
            return sa.withReplayEsn(r.withSequences(seq.continueFrom(r.outboundSequence(), true), r.inboundSequence()));
        }
        ReplayState r = state.replay() != null ? state.replay() : sa.replay();
        if (r == null) {
            throw new IllegalStateException("outbound SA without sequence-number state");
        }
        long next = seq.continueFrom(Integer.toUnsignedLong(r.oseq()), false);
        return sa.withReplay(new ReplayState((int) next, r.seq(), r.bitmap()));
    }
}
