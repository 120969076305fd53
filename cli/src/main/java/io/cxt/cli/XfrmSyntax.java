package io.cxt.cli;

import java.net.InetAddress;
import java.nio.charset.StandardCharsets;
import java.util.HexFormat;
import java.util.function.ToIntFunction;
import java.util.regex.Pattern;

import io.cxt.xfrm.AddressFamily;
import io.cxt.xfrm.AddressText;
import io.cxt.xfrm.EncapTemplate;
import io.cxt.xfrm.KeyBytes;
import io.cxt.xfrm.LifetimeConfig;
import io.cxt.xfrm.Mark;
import io.cxt.xfrm.PolicyDefault;
import io.cxt.xfrm.PolicyInfo;
import io.cxt.xfrm.PolicyType;
import io.cxt.xfrm.SaInfo;
import io.cxt.xfrm.SecurityAssociation;
import io.cxt.xfrm.SecurityContext;
import io.cxt.xfrm.XfrmAttrType;
import io.cxt.xfrm.XfrmId;

/**
 * The value syntax of {@code ip xfrm}: numbers (decimal, 0x hex or 0-prefixed octal, like
 * strtoul with base 0), addresses and prefixes (literals only, never a DNS lookup), and the
 * names of protocols, modes, flags, directions and actions. Every failure is a one-line
 * {@link UsageException} naming the offending token.
 */
final class XfrmSyntax {
    private XfrmSyntax() {
    }


    /** An address with an optional prefix length (full length when absent). */
    record Prefix(InetAddress address, int length, boolean lengthGiven) {
        int family() {
            return AddressFamily.of(address);
        }
    }

    // ------------------------------------------------------------------ numbers

    /** An unsigned number of at most {@code bits} bits, as strtoul(s, 0) reads it. */
    static long unsigned(String s, int bits, String what) {
        if (s == null || s.isEmpty()) {
            throw Tokens.invalid(what, "");
        }
        int radix = 10;
        String digits = s;
        if (s.length() > 2 && (s.startsWith("0x") || s.startsWith("0X"))) {
            radix = 16;
            digits = s.substring(2);
        } else if (s.length() > 1 && s.startsWith("0")) {
            radix = 8;
            digits = s.substring(1);
        }
        long v;
        try {
            if (digits.startsWith("+") || digits.startsWith("-")) {
                throw new NumberFormatException();
            }
            v = bits == 64 ? Long.parseUnsignedLong(digits, radix) : Long.parseLong(digits, radix);
        } catch (NumberFormatException e) {
            throw Tokens.invalid(what, s);
        }
        if (bits < 64 && (v < 0 || v >= 1L << bits)) {
            throw new UsageException(what + " \"" + s + "\" is out of range (at most " + ((1L << bits) - 1) + ")");
        }
        return v;
    }

    static int u32(String s, String what) {
        return (int) unsigned(s, 32, what);
    }

    static int u16(String s, String what) {
        return (int) unsigned(s, 16, what);
    }

    static int u8(String s, String what) {
        return (int) unsigned(s, 8, what);
    }

    static long u64(String s, String what) {
        return unsigned(s, 64, what);
    }

    // ------------------------------------------------------------------ addresses

    /** A literal IPv4 or IPv6 address (no host names, no scope). */
    static InetAddress address(String s, String what) {
        if (s == null || s.isEmpty()) {
            throw Tokens.invalid(what, "");
        }
        InetAddress a = AddressText.parseOrNull(s);
        if (a == null) {
            throw Tokens.invalid(what, s);
        }
        return a;
    }

    /** ADDR[/PLEN]. */
    static Prefix prefix(String s, String what) {
        int slash = s.indexOf('/');
        InetAddress a = address(slash < 0 ? s : s.substring(0, slash), what);
        int max = AddressFamily.maxPrefix(AddressFamily.of(a));
        if (slash < 0) {
            return new Prefix(a, max, false);
        }
        String len = s.substring(slash + 1);
        int n;
        try {
            if (!len.matches("\\d{1,3}")) {
                throw new NumberFormatException();
            }
            n = Integer.parseInt(len);
        } catch (NumberFormatException e) {
            throw Tokens.invalid(what + " prefix length", s);
        }
        if (n > max) {
            throw new UsageException(what + " \"" + s + "\": prefix length " + n + " is longer than " + max);
        }
        return new Prefix(a, n, true);
    }

    // ------------------------------------------------------------------ names

    /** XFRM-PROTO: esp | ah | comp | route2 | hao | ipsec-any, or a protocol number. */
    static int xfrmProto(String s) {
        switch (s) {
            case "esp":
                return XfrmId.PROTO_ESP;
            case "ah":
                return XfrmId.PROTO_AH;
            case "comp":
                return XfrmId.PROTO_COMP;
            case "route2":
                return XfrmId.PROTO_ROUTING;
            case "hao":
                return XfrmId.PROTO_DSTOPTS;
            case "ipsec-any":
                return XfrmId.PROTO_IPSEC_ANY;
            default:
                if (!s.isEmpty() && Character.isDigit(s.charAt(0))) {
                    return u8(s, "XFRM-PROTO");
                }
                throw new UsageException("invalid XFRM-PROTO \"" + s + "\" (esp, ah, comp, route2, hao or a number)");
        }
    }

    static boolean isIpsec(int proto) {
        return proto == XfrmId.PROTO_ESP || proto == XfrmId.PROTO_AH || proto == XfrmId.PROTO_COMP;
    }

    static boolean isRouteOptimization(int proto) {
        return proto == XfrmId.PROTO_ROUTING || proto == XfrmId.PROTO_DSTOPTS;
    }

    /** An upper-layer protocol for a selector: a name from /etc/protocols, "any", or a number. */
    static int upperProto(String s) {
        if (s.equals("any")) {
            return 0;
        }
        int n = Protocols.number(s);
        if (n >= 0) {
            return n;
        }
        if (!s.isEmpty() && Character.isDigit(s.charAt(0))) {
            return u8(s, "PROTO");
        }
        throw new UsageException("invalid PROTO \"" + s + "\" (a name from /etc/protocols, any, or a number)");
    }

    /** MODE := transport | tunnel | beet | ro | in_trigger | iptfs. */
    static int mode(String s) {
        return switch (s) {
            case "transport" -> SaInfo.MODE_TRANSPORT;
            case "tunnel" -> SaInfo.MODE_TUNNEL;
            case "ro" -> SaInfo.MODE_ROUTEOPTIMIZATION;
            case "in_trigger" -> SaInfo.MODE_IN_TRIGGER;
            case "beet" -> SaInfo.MODE_BEET;
            case "iptfs" -> SaInfo.MODE_IPTFS;
            default -> throw new UsageException("invalid MODE \"" + s + "\" (transport, tunnel, beet, ro or in_trigger)");
        };
    }

    /** A policy direction: in | out | fwd. */
    static int policyDir(String s) {
        return switch (s) {
            case "in" -> PolicyInfo.DIR_IN;
            case "out" -> PolicyInfo.DIR_OUT;
            case "fwd" -> PolicyInfo.DIR_FWD;
            default -> throw new UsageException("invalid DIR \"" + s + "\" (in, out or fwd)");
        };
    }

    /** An SA direction (XFRMA_SA_DIR): in | out. */
    static int saDir(String s) {
        return switch (s) {
            case "in" -> SecurityAssociation.DIR_IN;
            case "out" -> SecurityAssociation.DIR_OUT;
            default -> throw new UsageException("invalid SA direction \"" + s + "\" (in or out)");
        };
    }

    static PolicyType ptype(String s) {
        return switch (s) {
            case "main" -> PolicyType.MAIN;
            case "sub" -> PolicyType.SUB;
            default -> throw new UsageException("invalid PTYPE \"" + s + "\" (main or sub)");
        };
    }

    static int action(String s) {
        return switch (s) {
            case "allow" -> PolicyInfo.ACTION_ALLOW;
            case "block" -> PolicyInfo.ACTION_BLOCK;
            default -> throw new UsageException("invalid ACTION \"" + s + "\" (allow or block)");
        };
    }

    static int level(String s) {
        return switch (s) {
            case "required" -> 0;
            case "use" -> 1;
            default -> throw new UsageException("invalid LEVEL \"" + s + "\" (required or use)");
        };
    }

    /** A default-policy action: accept | block. */
    static int defaultAction(String s) {
        return switch (s) {
            case "accept" -> PolicyDefault.ACCEPT;
            case "block" -> PolicyDefault.BLOCK;
            default -> throw new UsageException("invalid ACTION \"" + s + "\" (accept or block)");
        };
    }

    static int encapType(String s) {
        return switch (s) {
            case "espinudp" -> EncapTemplate.ESPINUDP;
            case "espinudp-nonike" -> EncapTemplate.ESPINUDP_NON_IKE;
            case "espintcp" -> EncapTemplate.ESPINTCP;
            default -> throw new UsageException("invalid ENCAP-TYPE \"" + s
                    + "\" (espinudp, espinudp-nonike or espintcp)");
        };
    }

    static int stateFlag(String s) {
        return switch (s) {
            case "noecn" -> SaInfo.FLAG_NOECN;
            case "decap-dscp" -> SaInfo.FLAG_DECAP_DSCP;
            case "nopmtudisc" -> SaInfo.FLAG_NOPMTUDISC;
            case "wildrecv" -> SaInfo.FLAG_WILDRECV;
            case "icmp" -> SaInfo.FLAG_ICMP;
            case "af-unspec" -> SaInfo.FLAG_AF_UNSPEC;
            case "align4" -> SaInfo.FLAG_ALIGN4;
            case "esn" -> SaInfo.FLAG_ESN;
            default -> -1;
        };
    }

    static int extraFlag(String s) {
        return switch (s) {
            case "dont-encap-dscp" -> SecurityAssociation.XFLAG_DONT_ENCAP_DSCP;
            case "oseq-may-wrap" -> SecurityAssociation.XFLAG_OSEQ_MAY_WRAP;
            default -> -1;
        };
    }

    static int policyFlag(String s) {
        return switch (s) {
            case "localok" -> PolicyInfo.FLAG_LOCALOK;
            case "icmp" -> PolicyInfo.FLAG_ICMP;
            default -> -1;
        };
    }

    /**
     * FLAG-LIST after "flag": one 0x-hex number, or one or more names; stops at the first token
     * that is not a flag name.
     */
    static int flagList(Tokens t, String keyword, int bits, ToIntFunction<String> names, String valid) {
        String first = t.value(keyword, "FLAG");
        if (first.length() > 2 && first.startsWith("0x")) {
            return (int) unsigned(first, bits, "FLAG");
        }
        int v = names.applyAsInt(first);
        if (v < 0) {
            throw new UsageException("invalid FLAG \"" + first + "\" (" + valid + ")");
        }
        int flags = v;
        while (t.hasNext()) {
            int more = names.applyAsInt(t.peek());
            if (more < 0) {
                break;
            }
            t.next();
            flags |= more;
        }
        return flags;
    }

    /** MARK [mask MASK], or MARK/MASK. The mask defaults to 0xffffffff, as in iproute2. */
    static Mark mark(Tokens t, String keyword) {
        String v = t.value(keyword, "MARK");
        int slash = v.indexOf('/');
        if (slash >= 0) {
            return new Mark(u32(v.substring(0, slash), keyword + " value"), u32(v.substring(slash + 1), keyword + " mask"));
        }
        int value = u32(v, keyword + " value");
        int mask = -1;
        if (t.accept("mask")) {
            mask = u32(t.value("mask", "MASK"), keyword + " mask");
        }
        return new Mark(value, mask);
    }

    /**
     * Key material: 0x followed by hex digits (an odd count gets a leading zero, as in iproute2),
     * else the token's own characters.
     */
    static KeyBytes key(String s, String what) {
        if (s.length() > 2 && s.startsWith("0x")) {
            String hex = s.substring(2);
            if (hex.length() % 2 != 0) {
                hex = "0" + hex;
            }
            byte[] b;
            try {
                b = HexFormat.of().parseHex(hex);
            } catch (IllegalArgumentException e) {
                throw new UsageException("invalid " + what + ": not a hex number");
            }
            check(b.length, what);
            KeyBytes k = KeyBytes.of(b);
            java.util.Arrays.fill(b, (byte) 0);
            return k;
        }
        byte[] b = s.getBytes(StandardCharsets.UTF_8);
        check(b.length, what);
        KeyBytes k = KeyBytes.of(b);
        java.util.Arrays.fill(b, (byte) 0);
        return k;
    }

    private static void check(int length, String what) {
        if (length > 512) {
            throw new UsageException(what + " of " + length + " octets is longer than 512");
        }
    }

    /** An algorithm name (crypto API name, at most 63 characters of printable ASCII). */
    static String algorithmName(String s, String keyword) {
        if (s.isEmpty() || s.length() > 63 || !s.chars().allMatch(c -> c > 0x20 && c < 0x7f)) {
            throw new UsageException("invalid algorithm name \"" + s + "\" after \"" + keyword
                    + "\" (a kernel crypto name such as cbc(aes), at most 63 characters)");
        }
        return s;
    }

    /** ctx CTX: an LSM label, sent NUL-terminated as iproute2 does (alg and doi 1). */
    static SecurityContext context(String s) {
        byte[] raw = s.getBytes(StandardCharsets.UTF_8);
        byte[] withNul = java.util.Arrays.copyOf(raw, raw.length + 1);
        if (withNul.length > 0xffff - 8) {
            throw new UsageException("security context is too long");
        }
        return new SecurityContext(XfrmAttrType.SEC_CTX, 1, 1, withNul);
    }

    /** LIMIT after "limit": one of the eight lifetime limits and its value, applied to {@code cfg}. */
    static LifetimeConfig limit(Tokens t, LifetimeConfig cfg) {
        String which = t.value("limit", "LIMIT");
        long v;
        switch (which) {
            case "time-soft":
                v = u64(t.value(which, "SECONDS"), which);
                return new LifetimeConfig(cfg.softByteLimit(), cfg.hardByteLimit(), cfg.softPacketLimit(),
                        cfg.hardPacketLimit(), v, cfg.hardAddExpiresSeconds(), cfg.softUseExpiresSeconds(),
                        cfg.hardUseExpiresSeconds());
            case "time-hard":
                v = u64(t.value(which, "SECONDS"), which);
                return new LifetimeConfig(cfg.softByteLimit(), cfg.hardByteLimit(), cfg.softPacketLimit(),
                        cfg.hardPacketLimit(), cfg.softAddExpiresSeconds(), v, cfg.softUseExpiresSeconds(),
                        cfg.hardUseExpiresSeconds());
            case "time-use-soft":
                v = u64(t.value(which, "SECONDS"), which);
                return new LifetimeConfig(cfg.softByteLimit(), cfg.hardByteLimit(), cfg.softPacketLimit(),
                        cfg.hardPacketLimit(), cfg.softAddExpiresSeconds(), cfg.hardAddExpiresSeconds(), v,
                        cfg.hardUseExpiresSeconds());
            case "time-use-hard":
                v = u64(t.value(which, "SECONDS"), which);
                return new LifetimeConfig(cfg.softByteLimit(), cfg.hardByteLimit(), cfg.softPacketLimit(),
                        cfg.hardPacketLimit(), cfg.softAddExpiresSeconds(), cfg.hardAddExpiresSeconds(),
                        cfg.softUseExpiresSeconds(), v);
            case "byte-soft":
                v = u64(t.value(which, "SIZE"), which);
                return new LifetimeConfig(v, cfg.hardByteLimit(), cfg.softPacketLimit(), cfg.hardPacketLimit(),
                        cfg.softAddExpiresSeconds(), cfg.hardAddExpiresSeconds(), cfg.softUseExpiresSeconds(),
                        cfg.hardUseExpiresSeconds());
            case "byte-hard":
                v = u64(t.value(which, "SIZE"), which);
                return new LifetimeConfig(cfg.softByteLimit(), v, cfg.softPacketLimit(), cfg.hardPacketLimit(),
                        cfg.softAddExpiresSeconds(), cfg.hardAddExpiresSeconds(), cfg.softUseExpiresSeconds(),
                        cfg.hardUseExpiresSeconds());
            case "packet-soft":
                v = u64(t.value(which, "COUNT"), which);
                return new LifetimeConfig(cfg.softByteLimit(), cfg.hardByteLimit(), v, cfg.hardPacketLimit(),
                        cfg.softAddExpiresSeconds(), cfg.hardAddExpiresSeconds(), cfg.softUseExpiresSeconds(),
                        cfg.hardUseExpiresSeconds());
            case "packet-hard":
                v = u64(t.value(which, "COUNT"), which);
                return new LifetimeConfig(cfg.softByteLimit(), cfg.hardByteLimit(), cfg.softPacketLimit(), v,
                        cfg.softAddExpiresSeconds(), cfg.hardAddExpiresSeconds(), cfg.softUseExpiresSeconds(),
                        cfg.hardUseExpiresSeconds());
            default:
                throw new UsageException("invalid LIMIT \"" + which + "\" (time-soft, time-hard, time-use-soft, "
                        + "time-use-hard, byte-soft, byte-hard, packet-soft or packet-hard)");
        }
    }
}
