package io.cxt.cli;

import java.net.InetAddress;

/** Small text formatting helpers shared by cxctl's printers (iproute2 conventions). */
public final class Formats {
    private Formats() {
    }

    /**
     * An address without scope or host name, as iproute2 prints it: 10.0.0.1, 2001:db8::1
     * (glibc's inet_ntop, IPv4-mapped and -compatible IPv6 addresses included).
     */
    public static String address(InetAddress a) {
        return io.cxt.xfrm.AddressText.of(a);
    }

    /** glibc's inet_ntop6 layout (see io.cxt.xfrm.AddressText). */
    static String ipv6(byte[] b) {
        return io.cxt.xfrm.AddressText.ipv6(b);
    }

    /** An SPI as iproute2 prints it: 0x0000abcd. */
    public static String spi(int spi) {
        return String.format("0x%08x", spi);
    }

    public static String hex32(int v) {
        return "0x" + Integer.toHexString(v);
    }
}
