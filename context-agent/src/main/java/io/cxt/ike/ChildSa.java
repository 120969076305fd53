package io.cxt.ike;

/**
 * A Child SA pair governed by the IKE SA, seen from this end: the SPI we receive on and the SPI we
 * send with (each side allocates its own inbound SPI).
 */
public record ChildSa(ProtocolId protocol, long inboundSpi, long outboundSpi) {

    public ChildSa {
        if (protocol == null || !protocol.isChildSaProtocol()) {
            throw new IllegalArgumentException("a Child SA is AH or ESP, not " + protocol);
        }
        for (long spi : new long[] {inboundSpi, outboundSpi}) {
            if (spi <= 0 || spi > 0xffffffffL) {
                throw new IllegalArgumentException(protocol + " SPI must be a non-zero 32-bit value: " + spi);
            }
        }
    }

    @Override
    public String toString() {
        return "ChildSa[" + protocol + " in " + Octets.spi32(inboundSpi) + ", out " + Octets.spi32(outboundSpi) + "]";
    }
}
