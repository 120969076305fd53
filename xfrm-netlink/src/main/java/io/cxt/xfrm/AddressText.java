package io.cxt.xfrm;

import java.net.Inet6Address;
import java.net.InetAddress;

/**
 * Addresses as operators read them (like glibc's inet_ntop, as iproute2 prints them: 2001:db8::1, not
 * Java's 2001:db8:0:0:0:0:0:1), without scope or host name. Used in logs, errors and CLI output.
 */
public final class AddressText {
    private AddressText() {
    }

    private static final java.util.regex.Pattern IPV4 =
            java.util.regex.Pattern.compile("(25[0-5]|2[0-4][0-9]|1[0-9][0-9]|[1-9]?[0-9])(\\.(25[0-5]|2[0-4][0-9]|1[0-9][0-9]|[1-9]?[0-9])){3}");
    private static final java.util.regex.Pattern IPV6 = java.util.regex.Pattern.compile("[0-9A-Fa-f:.]{2,45}");

    /**
     * A numeric address literal (dotted quad, or IPv6 text without scope); never a host name and
     * so never a DNS lookup, which {@code InetAddress.getByName} does for anything else.
     *
     * @throws IllegalArgumentException if the text is not such a literal
     */
    public static InetAddress parseLiteral(String text) {
        if (text == null) {
            throw new IllegalArgumentException("no address given");
        }
        String t = text.strip();
        boolean v4 = IPV4.matcher(t).matches();
        if (!v4 && !(t.indexOf(':') >= 0 && IPV6.matcher(t).matches())) {
            throw new IllegalArgumentException("not an IP address literal: " + text);
        }
        try {
            // A literal of either shape is parsed without a lookup.
            return InetAddress.getByName(t);
        } catch (java.net.UnknownHostException e) {
            throw new IllegalArgumentException("not an IP address literal: " + text, e);
        }
    }

    public static String of(InetAddress a) {
        if (a == null) {
            return "-";
        }
        if (a instanceof Inet6Address) {
            return ipv6(a.getAddress());
        }
        String s = a.getHostAddress();
        int pct = s.indexOf('%');
        return pct >= 0 ? s.substring(0, pct) : s;
    }

    /** glibc's inet_ntop6: the longest run (first on a tie) of two or more zero words becomes "::". */
    public static String ipv6(byte[] b) {
        int[] w = new int[8];
        for (int i = 0; i < 8; i++) {
            w[i] = (b[2 * i] & 0xff) << 8 | b[2 * i + 1] & 0xff;
        }
        int bestStart = -1;
        int bestLen = 0;
        for (int i = 0; i < 8; ) {
            if (w[i] == 0) {
                int j = i;
                while (j < 8 && w[j] == 0) {
                    j++;
                }
                if (j - i > bestLen) {
                    bestStart = i;
                    bestLen = j - i;
                }
                i = j;
            } else {
                i++;
            }
        }
        if (bestLen < 2) {
            bestStart = -1;
        }
        StringBuilder sb = new StringBuilder();
        for (int i = 0; i < 8; i++) {
            if (bestStart >= 0 && i >= bestStart && i < bestStart + bestLen) {
                if (i == bestStart) {
                    sb.append(':');
                }
                continue;
            }
            if (i != 0) {
                sb.append(':');
            }
            // an IPv4-compatible (::a.b.c.d) or IPv4-mapped (::ffff:a.b.c.d) address ends in dotted quad
            if (i == 6 && bestStart == 0
                    && (bestLen == 6 || bestLen == 7 && w[7] != 1 || bestLen == 5 && w[5] == 0xffff)) {
                sb.append(b[12] & 0xff).append('.').append(b[13] & 0xff).append('.').append(b[14] & 0xff).append('.')
                        .append(b[15] & 0xff);
                break;
            }
            sb.append(Integer.toHexString(w[i]));
        }
        if (bestStart >= 0 && bestStart + bestLen == 8) {
            sb.append(':');
        }
        return sb.toString();
    }
}
