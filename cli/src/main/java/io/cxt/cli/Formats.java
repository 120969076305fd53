package io.cxt.cli;

import java.net.Inet6Address;
import java.net.InetAddress;

/** Small text formatting helpers shared by cxctl's printers (iproute2 conventions). */
public final class Formats {
    private Formats() {
    }

    /** An address without scope or host name: 10.0.0.1, 2001:db8::1 (compressed like iproute2). */
    public static String address(InetAddress a) {
        if (a == null) {
            return "-";
        }
        String s = a.getHostAddress();
        int pct = s.indexOf('%');
        if (pct >= 0) {
            s = s.substring(0, pct);
        }
        if (a instanceof Inet6Address) {
            s = compressIpv6(s);
        }
        return s;
    }

    /** Java prints 2001:db8:0:0:0:0:0:1; iproute2 prints 2001:db8::1 (RFC 5952). */
    static String compressIpv6(String full) {
        String[] parts = full.split(":");
        if (parts.length != 8) {
            return full;
        }
        int bestStart = -1;
        int bestLen = 0;
        for (int i = 0; i < 8; ) {
            if (parts[i].equals("0")) {
                int j = i;
                while (j < 8 && parts[j].equals("0")) {
                    j++;
                }
                if (j - i > bestLen && j - i >= 2) {
                    bestStart = i;
                    bestLen = j - i;
                }
                i = j;
            } else {
                i++;
            }
        }
        StringBuilder sb = new StringBuilder();
        for (int i = 0; i < 8; i++) {
            if (i == bestStart) {
                sb.append("::");
                i += bestLen - 1;
                continue;
            }
            if (sb.length() > 0 && sb.charAt(sb.length() - 1) != ':') {
                sb.append(':');
            }
            sb.append(parts[i]);
        }
        return sb.toString();
    }

    /** An SPI as iproute2 prints it: 0x0000abcd. */
    public static String spi(int spi) {
        return String.format("0x%08x", spi);
    }

    public static String hex32(int v) {
        return "0x" + Integer.toHexString(v);
    }
}
