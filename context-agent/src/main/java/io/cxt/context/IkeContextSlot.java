package io.cxt.context;

import java.util.Arrays;

/**
 * The IKEv2 SA context carried with an IPsec context, as the IKE layer encodes it. The context
 * engine treats it as opaque: it only carries it, checks its IKE SPIs for collisions and wipes it.
 *
 * @param spiInitiator the IKE SA's initiator SPI
 * @param spiResponder the IKE SA's responder SPI
 * @param encoded the IKE layer's encoding (contains keys: never printed)
 */
public record IkeContextSlot(long spiInitiator, long spiResponder, byte[] encoded) {

    public IkeContextSlot {
        encoded = encoded.clone();
    }

    @Override
    public byte[] encoded() {
        return encoded.clone();
    }

    public int length() {
        return encoded.length;
    }

    void wipe() {
        Arrays.fill(encoded, (byte) 0);
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof IkeContextSlot s && s.spiInitiator == spiInitiator && s.spiResponder == spiResponder
                && java.security.MessageDigest.isEqual(s.encoded, encoded);
    }

    @Override
    public int hashCode() {
        return Long.hashCode(spiInitiator * 31 + spiResponder);
    }

    @Override
    public String toString() {
        return String.format("IkeContextSlot[spi_i=%016x, spi_r=%016x, %d octets <redacted>]", spiInitiator,
                spiResponder, encoded.length);
    }
}
