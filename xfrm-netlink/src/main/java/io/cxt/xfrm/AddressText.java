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

    private static final java.util.regex.Pattern IPV4 = java.util.regex.Pattern.compile("\\d{1,3}(\\.\\d{1,3}){3}");
    private static final java.util.regex.Pattern IPV6 = java.util.regex.Pattern.compile("[0-9A-Fa-f:.]+");

    /**
     * A literal IPv4 (dotted quad) or IPv6 address, never a host name lookup; no scope, no brackets.
     * An IPv4-mapped IPv6 address ({@code ::ffff:192.0.2.1}) stays IPv6, as written. The one address
     * parser of cxt: configuration, control commands, CLI, journal and JSON all read addresses here.
     *
     * @return the address, or null when {@code s} is not such a literal
     */
    public static InetAddress parseOrNull(String s) {
        if (s == null || s.isEmpty() || s.length() > 45) {
            return null;
        }
        try {
            if (IPV4.matcher(s).matches()) {
                String[] parts = s.split("\\.");
                byte[] b = new byte[4];
                for (int i = 0; i < 4; i++) {
                    int v = Integer.parseInt(parts[i]);
                    if (v > 255) {
                        return null;
                    }
                    b[i] = (byte) v;
                }
                return InetAddress.getByAddress(b);
            }
            if (s.indexOf(':') >= 0 && IPV6.matcher(s).matches()) {
                // In brackets, Java parses an IPv6 literal and never falls back to a name lookup.
                InetAddress a = InetAddress.getByName("[" + s + "]");
                byte[] b16;
                if (a instanceof java.net.Inet4Address) {
                    // ::ffff:a.b.c.d: Java hands back IPv4; keep the IPv6 form that was written.
                    b16 = new byte[16];
                    b16[10] = (byte) 0xff;
                    b16[11] = (byte) 0xff;
                    System.arraycopy(a.getAddress(), 0, b16, 12, 4);
                } else {
                    b16 = a.getAddress();
                }
                return XfrmStructs.ipv6(b16);
            }
        } catch (java.net.UnknownHostException | NumberFormatException e) {
            return null;
        }
        return null;
    }

    /** As {@link #parseOrNull}; an {@link IllegalArgumentException} naming the text when it is not a literal. */
    public static InetAddress parse(String s) {
        InetAddress a = parseOrNull(s);
        if (a == null) {
            throw new IllegalArgumentException("not an IP address: '" + s + "'");
        }
        return a;
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
