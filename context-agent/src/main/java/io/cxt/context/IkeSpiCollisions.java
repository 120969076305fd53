package io.cxt.context;

import java.security.SecureRandom;
import java.util.Collection;
import java.util.Optional;

/**
 * IKE SA SPI collisions on the target router (the paper's section 3.2.3: an IKE SA is selected by
 * its (initiator SPI, responder SPI) pair alone, so a transferred IKE SA can collide in every SAD
 * lookup case). The router is the original responder, so it is its own SPI, the responder SPI,
 * that it replaces; the MN learns it through UPDATE_SPI with protocol IKE and D = 1.
 */
public final class IkeSpiCollisions {

    /** An IKE SA's SPI pair as the target router already knows it. */
    public record IkeSpiPair(long initiator, long responder) {
    }

    private IkeSpiCollisions() {
    }

    /**
     * The change needed for the transferred IKE SA, if its SPI pair is already in use on the
     * target or its responder SPI is (a responder SPI names the SA to the responder on its own,
     * RFC 7296 section 2.6). Empty when the context has no IKE SA or nothing collides.
     */
    public static Optional<SpiMapping> check(MobileNodeContext ctx, Collection<IkeSpiPair> inUse, SecureRandom random) {
        IkeContextSlot ike = ctx.ikeContext();
        if (ike == null) {
            return Optional.empty();
        }
        boolean collides = false;
        for (IkeSpiPair p : inUse) {
            if (p.responder() == ike.spiResponder()) {
                collides = true;
                break;
            }
        }
        if (!collides) {
            return Optional.empty();
        }
        long fresh;
        do {
            fresh = random.nextLong();
        } while (fresh == 0 || isUsed(fresh, inUse));
        return Optional.of(new SpiMapping(1, null, ike.spiResponder(), fresh, true, true));
    }

    private static boolean isUsed(long spi, Collection<IkeSpiPair> inUse) {
        for (IkeSpiPair p : inUse) {
            if (p.responder() == spi || p.initiator() == spi) {
                return true;
            }
        }
        return false;
    }
}
