package io.cxt.xfrm;

import java.net.Inet4Address;
import java.net.InetAddress;

/** Address family numbers as the kernel uses them, and how to name them like iproute2. */
public final class AddressFamily {
    private AddressFamily() {
    }

    public static final int UNSPEC = 0;
    public static final int INET = 2;
    public static final int INET6 = 10;

    public static int of(InetAddress a) {
        return a instanceof Inet4Address ? INET : INET6;
    }

    public static String name(int family) {
        return switch (family) {
            case UNSPEC -> "unspec";
            case INET -> "inet";
            case INET6 -> "inet6";
            default -> Integer.toString(family);
        };
    }

    /** Full-length prefix for a family (32 or 128). */
    public static int maxPrefix(int family) {
        return family == INET ? 32 : 128;
    }
}
