package io.cxt.cli;

import java.net.InetAddress;
import java.util.Set;

import io.cxt.xfrm.AddressFamily;
import io.cxt.xfrm.Selector;
import io.cxt.xfrm.XfrmStructs;

/**
 * SELECTOR := [ src ADDR[/PLEN] ] [ dst ADDR[/PLEN] ] [ dev DEV ] [ UPSPEC ]
 * UPSPEC := proto { { tcp | udp | sctp | dccp } [ sport PORT ] [ dport PORT ] |
 *                   { icmp | ipv6-icmp | mobility-header } [ type NUMBER ] [ code NUMBER ] |
 *                   gre [ key { DOTTED-QUAD | NUMBER } ] | PROTO }
 *
 * <p>Collected keyword by keyword (as iproute2's xfrm_selector_parse does), then turned into a
 * {@link Selector}. Also serves as the selector filter of {@code policy list}.
 */
final class SelectorSpec {
    static final Set<String> KEYWORDS = Set.of("src", "dst", "dev", "proto", "sport", "dport", "type", "code", "key");

    XfrmSyntax.Prefix src;
    XfrmSyntax.Prefix dst;
    String dev;
    int ifindex;
    Integer proto;
    Integer sport;
    Integer dport;
    Integer type;
    Integer code;
    Long greKey;

    private final LinkNames links;
    private final String context;

    SelectorSpec(LinkNames links, String context) {
        this.links = links;
        this.context = context;
    }

    boolean isEmpty() {
        return src == null && dst == null && dev == null && proto == null && sport == null && dport == null
                && type == null && code == null && greKey == null;
    }

    /** Consumes {@code keyword} (already taken from {@code t}) and its value if it is a selector keyword. */
    boolean accept(String keyword, Tokens t) {
        switch (keyword) {
            case "src" -> src = once(src, keyword, XfrmSyntax.prefix(t.value(keyword, "ADDR[/PLEN]"), context + " src"));
            case "dst" -> dst = once(dst, keyword, XfrmSyntax.prefix(t.value(keyword, "ADDR[/PLEN]"), context + " dst"));
            case "dev" -> {
                dev = once(dev, keyword, t.value(keyword, "DEV"));
                ifindex = dev.equals("none") ? 0 : links.index(dev);
            }
            case "proto" -> proto = once(proto, keyword, XfrmSyntax.upperProto(t.value(keyword, "PROTO")));
            case "sport" -> sport = once(sport, keyword, XfrmSyntax.u16(t.value(keyword, "PORT"), "sport"));
            case "dport" -> dport = once(dport, keyword, XfrmSyntax.u16(t.value(keyword, "PORT"), "dport"));
            case "type" -> type = once(type, keyword, XfrmSyntax.u8(t.value(keyword, "NUMBER"), "type"));
            case "code" -> code = once(code, keyword, XfrmSyntax.u8(t.value(keyword, "NUMBER"), "code"));
            case "key" -> {
                String v = t.value(keyword, "KEY");
                long k = v.indexOf('.') >= 0
                        ? Integer.toUnsignedLong(java.nio.ByteBuffer.wrap(XfrmSyntax.address(v, "GRE key").getAddress()).getInt())
                        : XfrmSyntax.unsigned(v, 32, "GRE key");
                greKey = once(greKey, keyword, k);
            }
            default -> {
                return false;
            }
        }
        return true;
    }

    private <T> T once(T previous, String keyword, T value) {
        if (previous != null) {
            throw new UsageException("duplicate \"" + keyword + "\" in " + context);
        }
        return value;
    }

    /** The address family the selector's addresses give, or {@code fallback}. */
    int family(int fallback) {
        int f = fallback;
        if (src != null) {
            f = src.family();
        }
        if (dst != null) {
            if (src != null && dst.family() != src.family()) {
                throw new UsageException("the same address family is required between \"src\" and \"dst\" in "
                        + context);
            }
            f = dst.family();
        }
        return f;
    }

    /** The selector; {@code family} is used when neither address is given. */
    Selector build(int fallbackFamily) {
        int p = proto == null ? 0 : proto;
        if ((sport != null || dport != null) && !(p == 6 || p == 17 || p == 132 || p == 33)) {
            throw new UsageException("\"sport\" and \"dport\" are invalid with proto " + Protocols.name(p)
                    + " (only tcp, udp, sctp and dccp have ports)");
        }
        if ((type != null || code != null) && !(p == 1 || p == 58 || p == 135)) {
            throw new UsageException("\"type\" and \"code\" are invalid with proto " + Protocols.name(p)
                    + " (only icmp, ipv6-icmp and mobility-header)");
        }
        if (greKey != null && p != 47) {
            throw new UsageException("\"key\" is invalid with proto " + Protocols.name(p) + " (only gre)");
        }
        int f = family(fallbackFamily);
        InetAddress any = XfrmStructs.any(f);
        InetAddress s = src == null ? any : src.address();
        InetAddress d = dst == null ? any : dst.address();
        int ps = src == null ? 0 : src.length();
        int pd = dst == null ? 0 : dst.length();
        int sp = 0;
        int spMask = 0;
        int dp = 0;
        int dpMask = 0;
        if (sport != null) {
            sp = sport;
            spMask = sport != 0 ? 0xffff : 0;
        }
        if (dport != null) {
            dp = dport;
            dpMask = dport != 0 ? 0xffff : 0;
        }
        if (type != null) {
            sp = type;
            spMask = 0xffff;
        }
        if (code != null) {
            dp = code;
            dpMask = 0xffff;
        }
        if (greKey != null) {
            sp = (int) (greKey >>> 16);
            dp = (int) (greKey & 0xffff);
            spMask = 0xffff;
            dpMask = 0xffff;
        }
        return new Selector(d, s, dp, dpMask, sp, spMask, f, pd, ps, p, ifindex, 0);
    }

    /** iproute2's policy-list selector filter (xfrm_policy_filter_match). */
    boolean matches(Selector s) {
        if (src != null && !prefixMatches(s.saddr(), s.prefixlenS(), s.family(), src)) {
            return false;
        }
        if (dst != null && !prefixMatches(s.daddr(), s.prefixlenD(), s.family(), dst)) {
            return false;
        }
        if (dev != null && s.ifindex() != ifindex) {
            return false;
        }
        if (proto != null && s.proto() != proto) {
            return false;
        }
        if (sport != null && s.sport() != sport) {
            return false;
        }
        if (dport != null && s.dport() != dport) {
            return false;
        }
        if (type != null && s.sport() != type) {
            return false;
        }
        if (code != null && s.dport() != code) {
            return false;
        }
        return greKey == null || ((long) s.sport() << 16 | s.dport()) == greKey;
    }

    /** The policy's address lies in the filter's prefix (iproute2's xfrm_addr_match), in the filter's family. */
    private static boolean prefixMatches(InetAddress a, int len, int family, XfrmSyntax.Prefix filter) {
        return family == filter.family() && inPrefix(a, filter.address(), filter.length());
    }

    /** Whether {@code a} and {@code net} agree in their first {@code bits} bits (same family). */
    static boolean inPrefix(InetAddress a, InetAddress net, int bits) {
        byte[] x = a.getAddress();
        byte[] y = net.getAddress();
        if (x.length != y.length) {
            return AddressFamily.of(a) == AddressFamily.of(net) && bits == 0;
        }
        for (int i = 0; i < bits; i++) {
            int mask = 0x80 >> (i % 8);
            if ((x[i / 8] & mask) != (y[i / 8] & mask)) {
                return false;
            }
        }
        return true;
    }
}
