package io.cxt.xfrm;

import java.net.Inet6Address;
import java.net.InetAddress;

/**
 * Addresses as operators read them (RFC 5952 for IPv6: 2001:db8::1, not Java's
 * 2001:db8:0:0:0:0:0:1), without scope or host name. Used in logs, errors and CLI output.
 */
public final class AddressText {
    private AddressText() {
    }

    public static String of(InetAddress a) {
        if (a == null) {
            return "-";
        }
        String s = a.getHostAddress();
        int pct = s.indexOf('%');
        if (pct >= 0) {
            s = s.substring(0, pct);
        }
        return a instanceof Inet6Address ? compressIpv6(s) : s;
    }

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
        if (bestStart < 0) {
            return String.join(":", parts);
        }
        StringBuilder sb = new StringBuilder();
        for (int i = 0; i < bestStart; i++) {
            sb.append(i > 0 ? ":" : "").append(parts[i]);
        }
        sb.append("::");
        for (int i = bestStart + bestLen; i < 8; i++) {
            sb.append(parts[i]).append(i < 7 ? ":" : "");
        }
        return sb.toString();
    }
}
