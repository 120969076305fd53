package io.cxt.xfrm;

import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.StringJoiner;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A second opinion on what the kernel holds: the SA fields iproute2 prints in
 * {@code ip -s xfrm state}, as a map of field name to text, and the same map rendered from an
 * {@link SecurityAssociation} the way iproute2 6.1 would print it. Two maps that are equal mean
 * that iproute2 and cxt read the same SA. Addresses are compared in Java's canonical text (ip
 * prints compressed IPv6 addresses), so both sides go through {@link InetAddress}.
 *
 * <p>Not compared: SA_DIR when ip does not print it (iproute2 prints it from 6.10 on; this
 * machine and the lab have 6.1), the statistics line and the add/use times (the tests compare
 * those through GETSA), and what iproute2 6.1 does not print at all (NAT keepalive interval,
 * per-CPU number).
 */
final class IpXfrmStateText {
    private IpXfrmStateText() {
    }

    private static final String[] FLAG_NAMES = {"noecn", "decap-dscp", "nopmtudisc", "wildrecv", "icmp", "af-unspec",
        "align4", "esn"};
    private static final String[] EXTRA_FLAG_NAMES = {"dont-encap-dscp", "oseq-may-wrap"};

    private static final Pattern HEADER = Pattern.compile("^src (\\S+) dst (\\S+)$");
    private static final Pattern ID = Pattern.compile(
            "^proto (\\S+) spi 0x([0-9a-f]{8})\\(\\d+\\) reqid (\\d+)\\(0x[0-9a-f]+\\) mode (\\S+)$");
    private static final Pattern REPLAY_LINE = Pattern.compile(
            "^replay-window (\\d+) seq 0x([0-9a-f]+) flag (.*)\\(0x[0-9a-f]+\\)$");
    private static final Pattern MARK = Pattern.compile("(?:^| )mark (0x[0-9a-f]+/0x[0-9a-f]+)");
    private static final Pattern OUTPUT_MARK = Pattern.compile("output-mark (0x[0-9a-f]+/0x[0-9a-f]+)");
    private static final Pattern ALGORITHM = Pattern.compile("^(enc|auth|auth-trunc|aead|comp) (.+)$");
    private static final Pattern ENCAP = Pattern.compile("^encap type (\\S+) sport (\\d+) dport (\\d+) addr (\\S+)$");
    private static final Pattern REPLAY = Pattern.compile("^anti-replay context: (.+)$");
    private static final Pattern ESN_COUNTERS = Pattern.compile("^(seq-hi 0x\\S+, seq 0x\\S+, oseq-hi 0x\\S+, oseq 0x\\S+)$");
    private static final Pattern ESN_WINDOW = Pattern.compile("^(replay_window \\d+, bitmap-length \\d+)$");
    private static final Pattern BITMAP_WORDS = Pattern.compile("^([0-9a-f]{8} ?)+$");
    private static final Pattern IF_ID = Pattern.compile("^if_id (\\S+)$");
    private static final Pattern DIR = Pattern.compile("^dir (\\S+)$");
    private static final Pattern TFCPAD = Pattern.compile("^tfcpad (\\d+)$");
    private static final Pattern SELECTOR = Pattern.compile("^sel src (\\S+)/(\\d+) dst (\\S+)/(\\d+) ?(.*?) ?(?:uid \\d+)?$");
    private static final Pattern LIMIT = Pattern.compile("^limit: soft (\\S+)\\((bytes|packets)\\), hard (\\S+)\\((?:bytes|packets)\\)$");
    private static final Pattern CURRENT = Pattern.compile("^(\\d+)\\(bytes\\), (\\d+)\\(packets\\)$");
    private static final Pattern EXPIRE = Pattern.compile("^expire (add|use): soft (\\d+)\\(sec\\), hard (\\d+)\\(sec\\)$");

    /** The SA blocks of {@code ip -s xfrm state} output, each as its lines (trimmed). */
    static List<List<String>> blocks(String ipOutput) {
        List<List<String>> out = new ArrayList<>();
        for (String block : ipOutput.split("(?m)^(?=src )")) {
            if (block.isBlank()) {
                continue;
            }
            out.add(block.lines().map(String::strip).filter(l -> !l.isEmpty()).toList());
        }
        return out;
    }

    /** The block of the SA with this SPI (and protocol/destination), parsed; fails if absent or ambiguous. */
    static Map<String, String> find(String ipOutput, SecurityAssociation sa) {
        String dst = canonical(sa.destination().getHostAddress());
        Map<String, String> found = null;
        for (List<String> block : blocks(ipOutput)) {
            Map<String, String> fields = parse(block);
            if (String.format("0x%08x", sa.spi()).equals(fields.get("spi"))
                    && XfrmId.protoName(sa.proto()).equals(fields.get("proto")) && dst.equals(fields.get("dst"))) {
                if (found != null) {
                    throw new AssertionError("two SAs with spi " + fields.get("spi") + " in:\n" + ipOutput);
                }
                found = fields;
            }
        }
        if (found == null) {
            throw new AssertionError(String.format("no SA with spi 0x%08x in ip output:%n%s", sa.spi(), ipOutput));
        }
        return found;
    }

    /** The fields of one SA block. */
    static Map<String, String> parse(List<String> lines) {
        Map<String, String> f = new LinkedHashMap<>();
        boolean inEsn = false;
        boolean inLifetimeConfig = false;
        boolean inLifetimeCurrent = false;
        StringJoiner bitmap = new StringJoiner(" ");
        for (String line : lines) {
            Matcher m;
            if ((m = HEADER.matcher(line)).matches()) {
                f.put("src", canonical(m.group(1)));
                f.put("dst", canonical(m.group(2)));
            } else if ((m = ID.matcher(line)).matches()) {
                f.put("proto", m.group(1));
                f.put("spi", "0x" + m.group(2));
                f.put("reqid", m.group(3));
                f.put("mode", m.group(4));
            } else if ((m = REPLAY_LINE.matcher(line)).matches()) {
                f.put("replay-window", m.group(1));
                f.put("seq", "0x" + m.group(2));
                // iproute2 6.1 runs the extra flags into the last flag: "align4extra_flag dont-encap-dscp"
                String[] flagsAndExtra = m.group(3).split("extra_flag", 2);
                f.put("flags", String.join(" ", words(flagsAndExtra[0])));
                if (flagsAndExtra.length > 1) {
                    f.put("extra-flags", String.join(" ", words(flagsAndExtra[1])));
                }
            } else if (line.startsWith("mark ") || line.startsWith("output-mark ")) {
                if ((m = MARK.matcher(line)).find()) {
                    f.put("mark", m.group(1));
                }
                if ((m = OUTPUT_MARK.matcher(line)).find()) {
                    f.put("output-mark", m.group(1));
                }
            } else if ((m = ALGORITHM.matcher(line)).matches()) {
                f.put(m.group(1), m.group(2));
            } else if ((m = ENCAP.matcher(line)).matches()) {
                f.put("encap", m.group(1) + " " + m.group(2) + " " + m.group(3) + " " + canonical(m.group(4)));
            } else if ((m = REPLAY.matcher(line)).matches()) {
                f.put("replay", m.group(1));
            } else if (line.equals("anti-replay esn context:")) {
                inEsn = true;
            } else if (inEsn && (m = ESN_COUNTERS.matcher(line)).matches()) {
                f.put("esn", m.group(1));
            } else if (inEsn && (m = ESN_WINDOW.matcher(line)).matches()) {
                f.put("esn-window", m.group(1));
            } else if (inEsn && BITMAP_WORDS.matcher(line).matches()) {
                bitmap.add(line.strip());
            } else if ((m = IF_ID.matcher(line)).matches()) {
                f.put("if_id", m.group(1));
            } else if ((m = DIR.matcher(line)).matches()) {
                f.put("dir", m.group(1));
            } else if ((m = TFCPAD.matcher(line)).matches()) {
                f.put("tfcpad", m.group(1));
            } else if ((m = SELECTOR.matcher(line)).matches()) {
                f.put("sel", "src " + canonical(m.group(1)) + "/" + m.group(2) + " dst " + canonical(m.group(3)) + "/"
                        + m.group(4) + (m.group(5).isBlank() ? "" : " " + m.group(5).strip()));
            } else if (line.equals("lifetime config:")) {
                inLifetimeConfig = true;
            } else if (line.equals("lifetime current:")) {
                inLifetimeConfig = false;
                inLifetimeCurrent = true;
            } else if (inLifetimeCurrent && (m = CURRENT.matcher(line)).matches()) {
                f.put("current", m.group(1) + " bytes, " + m.group(2) + " packets");
                inLifetimeCurrent = false;
            } else if (inLifetimeConfig && (m = LIMIT.matcher(line)).matches()) {
                f.put("limit-" + m.group(2), "soft " + m.group(1) + ", hard " + m.group(3));
            } else if (inLifetimeConfig && (m = EXPIRE.matcher(line)).matches()) {
                f.put("expire-" + m.group(1), "soft " + m.group(2) + ", hard " + m.group(3));
            }
            if (line.startsWith("sel ") || line.startsWith("if_id ") || line.startsWith("lifetime")) {
                inEsn = false;
            }
        }
        if (bitmap.length() > 0) {
            f.put("esn-bitmap", bitmap.toString());
        }
        return f;
    }

    /**
     * The fields iproute2 6.1 prints for {@code sa} with {@code ip -s xfrm state}; {@code withDir}
     * adds the direction (only iproute2 6.10 and later print it).
     */
    static Map<String, String> expected(SecurityAssociation sa, boolean withDir) {
        Map<String, String> f = new LinkedHashMap<>();
        SaInfo i = sa.info();
        f.put("src", canonical(sa.source().getHostAddress()));
        f.put("dst", canonical(sa.destination().getHostAddress()));
        f.put("proto", XfrmId.protoName(sa.proto()));
        f.put("spi", String.format("0x%08x", sa.spi()));
        f.put("reqid", Integer.toUnsignedString(i.reqid()));
        f.put("mode", modeName(i.mode()));
        f.put("replay-window", Integer.toString(i.replayWindow()));
        f.put("seq", String.format("0x%08x", i.seq()));
        f.put("flags", names(i.flags(), FLAG_NAMES));
        if (sa.saExtraFlags() != null && sa.saExtraFlags() != 0) {
            f.put("extra-flags", names(sa.saExtraFlags(), EXTRA_FLAG_NAMES));
        }
        if (sa.mark() != null) {
            f.put("mark", sa.mark().toString());
        }
        if (sa.setMark() != null) {
            int mask = sa.setMarkMask() == null ? -1 : sa.setMarkMask();
            f.put("output-mark", "0x" + Integer.toHexString(sa.setMark()) + "/0x" + Integer.toHexString(mask));
        }
        if (sa.aead() != null) {
            AeadAlgorithm a = sa.aead();
            f.put("aead", a.name() + " " + a.key().revealHex() + " (" + a.keyBits() + " bits) " + a.icvBits());
        }
        if (sa.authTrunc() != null) {
            AuthAlgorithm a = sa.authTrunc();
            f.put("auth-trunc", a.name() + " " + a.key().revealHex() + " (" + a.keyBits() + " bits) " + a.truncBits());
        } else if (sa.auth() != null) {
            f.put("auth", sa.auth().name() + " " + sa.auth().key().revealHex() + " (" + sa.auth().keyBits() + " bits)");
        }
        if (sa.crypt() != null) {
            f.put("enc", sa.crypt().name() + " " + sa.crypt().key().revealHex() + " (" + sa.crypt().keyBits() + " bits)");
        }
        if (sa.encap() != null) {
            EncapTemplate e = sa.encap();
            f.put("encap", encapName(e.type()) + " " + e.sport() + " " + e.dport() + " "
                    + canonical(e.originalAddress().getHostAddress()));
        }
        if (sa.replayEsn() != null) {
            ReplayStateEsn r = sa.replayEsn();
            f.put("esn", String.format("seq-hi 0x%x, seq 0x%x, oseq-hi 0x%x, oseq 0x%x", r.seqHi(), r.seq(), r.oseqHi(),
                    r.oseq()));
            f.put("esn-window", "replay_window " + r.replayWindow() + ", bitmap-length " + r.bmpLen());
            int[] words = r.bitmap();
            if (words.length > 0) {
                // iproute2 prints the words from the last to the first, eight to a line
                StringJoiner j = new StringJoiner(" ");
                for (int k = words.length - 1; k >= 0; k--) {
                    j.add(String.format("%08x", words[k]));
                }
                f.put("esn-bitmap", j.toString());
            }
        } else if (sa.replay() != null) {
            ReplayState r = sa.replay();
            f.put("replay", String.format("seq 0x%x, oseq 0x%x, bitmap 0x%08x", r.seq(), r.oseq(), r.bitmap()));
        }
        if (sa.ifId() != null && sa.ifId() != 0) {
            f.put("if_id", "0x" + Integer.toHexString(sa.ifId()));
        }
        if (sa.tfcPad() != null) {
            f.put("tfcpad", Integer.toUnsignedString(sa.tfcPad()));
        }
        if (withDir && sa.saDir() != null) {
            f.put("dir", sa.saDir() == SecurityAssociation.DIR_IN ? "in" : "out");
        }
        Selector s = i.selector();
        if (!isZero(s)) {
            StringBuilder sel = new StringBuilder("src " + canonical(s.saddr().getHostAddress()) + "/" + s.prefixlenS()
                    + " dst " + canonical(s.daddr().getHostAddress()) + "/" + s.prefixlenD());
            if (s.proto() != 0) {
                sel.append(" proto ").append(protoName(s.proto()));
            }
            if (s.sport() != 0) {
                sel.append(" sport ").append(s.sport());
            }
            if (s.dport() != 0) {
                sel.append(" dport ").append(s.dport());
            }
            f.put("sel", sel.toString());
        }
        LifetimeConfig l = i.lifetime();
        f.put("limit-bytes", "soft " + limit(l.softByteLimit()) + ", hard " + limit(l.hardByteLimit()));
        f.put("limit-packets", "soft " + limit(l.softPacketLimit()) + ", hard " + limit(l.hardPacketLimit()));
        f.put("expire-add", "soft " + Long.toUnsignedString(l.softAddExpiresSeconds()) + ", hard "
                + Long.toUnsignedString(l.hardAddExpiresSeconds()));
        f.put("expire-use", "soft " + Long.toUnsignedString(l.softUseExpiresSeconds()) + ", hard "
                + Long.toUnsignedString(l.hardUseExpiresSeconds()));
        f.put("current", Long.toUnsignedString(i.current().bytes()) + " bytes, "
                + Long.toUnsignedString(i.current().packets()) + " packets");
        return f;
    }

    /** iproute2's xfrm_selector_iszero: a selector of all zero octets is not printed. */
    private static boolean isZero(Selector s) {
        return s.family() == 0 && s.prefixlenD() == 0 && s.prefixlenS() == 0 && s.proto() == 0 && s.sport() == 0
                && s.dport() == 0 && s.sportMask() == 0 && s.dportMask() == 0 && s.ifindex() == 0 && s.user() == 0
                && s.saddr().isAnyLocalAddress() && s.daddr().isAnyLocalAddress();
    }

    private static String limit(long v) {
        return v == LifetimeConfig.INFINITY ? "(INF)" : Long.toUnsignedString(v);
    }

    private static String names(int bits, String[] names) {
        StringJoiner j = new StringJoiner(" ");
        for (int b = 0; b < names.length; b++) {
            if ((bits & (1 << b)) != 0) {
                j.add(names[b]);
            }
        }
        return j.toString();
    }

    private static List<String> words(String s) {
        return List.of(s.strip().split("\\s+")).stream().filter(w -> !w.isEmpty()).toList();
    }

    static String modeName(int mode) {
        return switch (mode) {
            case SaInfo.MODE_TRANSPORT -> "transport";
            case SaInfo.MODE_TUNNEL -> "tunnel";
            case SaInfo.MODE_ROUTEOPTIMIZATION -> "ro";
            case SaInfo.MODE_IN_TRIGGER -> "in_trigger";
            case SaInfo.MODE_BEET -> "beet";
            default -> Integer.toString(mode);
        };
    }

    private static String encapName(int type) {
        return switch (type) {
            case EncapTemplate.ESPINUDP -> "espinudp";
            case EncapTemplate.ESPINUDP_NON_IKE -> "espinudp-nonike";
            case EncapTemplate.ESPINTCP -> "espintcp";
            default -> Integer.toString(type);
        };
    }

    private static String protoName(int proto) {
        return switch (proto) {
            case 1 -> "icmp";
            case 6 -> "tcp";
            case 17 -> "udp";
            case 58 -> "ipv6-icmp";
            default -> Integer.toString(proto);
        };
    }

    /** An address literal in Java's canonical text (no name lookup: only literals reach here). */
    static String canonical(String literal) {
        try {
            return InetAddress.getByName(literal).getHostAddress();
        } catch (UnknownHostException e) {
            throw new AssertionError("not an address literal: " + literal, e);
        }
    }
}
