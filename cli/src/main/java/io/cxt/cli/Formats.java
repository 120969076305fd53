package io.cxt.cli;

import java.net.InetAddress;

/** Small text formatting helpers shared by cxctl's printers (iproute2 conventions). */
public final class Formats {
    private Formats() {
    }

    /** An address without scope or host name: 10.0.0.1, 2001:db8::1 (compressed like iproute2). */
    public static String address(InetAddress a) {
        return io.cxt.xfrm.AddressText.of(a);
    }

    /** An SPI as iproute2 prints it: 0x0000abcd. */
    public static String spi(int spi) {
        return String.format("0x%08x", spi);
    }

    public static String hex32(int v) {
        return "0x" + Integer.toHexString(v);
    }
}
