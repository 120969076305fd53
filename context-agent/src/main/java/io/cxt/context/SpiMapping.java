package io.cxt.context;

import java.net.InetAddress;

/**
 * One SPI that changed in a transfer because it collided on the target: which SA (protocol,
 * destination after the rewrite), the old and new SPI, and whether that SA is inbound to the
 * target router (the usual case) or outbound. The MN must learn each of these (UPDATE_SPI).
 *
 * @param ikeSa true for an IKE SA SPI (protocol then is 1, SPIs are the 64-bit IKE SPIs)
 */
public record SpiMapping(int proto, InetAddress destination, long oldSpi, long newSpi, boolean inboundToTarget,
                         boolean ikeSa) {

    public static SpiMapping ipsec(int proto, InetAddress destination, int oldSpi, int newSpi, boolean inbound) {
        return new SpiMapping(proto, destination, Integer.toUnsignedLong(oldSpi), Integer.toUnsignedLong(newSpi),
                inbound, false);
    }

    @Override
    public String toString() {
        return (ikeSa ? "IKE" : protoName(proto)) + " SPI " + String.format("0x%08x", oldSpi) + " -> "
                + String.format("0x%08x", newSpi) + (destination == null ? "" : " dst " + io.cxt.xfrm.AddressText.of(destination));
    }

    static String protoName(int proto) {
        return switch (proto) {
            case 50 -> "ESP";
            case 51 -> "AH";
            case 108 -> "IPCOMP";
            default -> "proto " + proto;
        };
    }
}
