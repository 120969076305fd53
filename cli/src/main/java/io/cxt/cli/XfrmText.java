package io.cxt.cli;

import java.net.Inet4Address;
import java.net.InetAddress;
import java.time.Instant;
import java.time.ZoneId;
import java.time.format.DateTimeFormatter;
import java.util.function.IntFunction;

import io.cxt.xfrm.AcquireEvent;
import io.cxt.xfrm.AddressFamily;
import io.cxt.xfrm.AeadAlgorithm;
import io.cxt.xfrm.AeventId;
import io.cxt.xfrm.Algorithm;
import io.cxt.xfrm.AuthAlgorithm;
import io.cxt.xfrm.EncapTemplate;
import io.cxt.xfrm.KeyBytes;
import io.cxt.xfrm.LifetimeConfig;
import io.cxt.xfrm.LifetimeCurrent;
import io.cxt.xfrm.MappingEvent;
import io.cxt.xfrm.Mark;
import io.cxt.xfrm.MigrateRequest;
import io.cxt.xfrm.OffloadDevice;
import io.cxt.xfrm.PolicyDefault;
import io.cxt.xfrm.PolicyInfo;
import io.cxt.xfrm.ReplayState;
import io.cxt.xfrm.ReplayStateEsn;
import io.cxt.xfrm.ReportEvent;
import io.cxt.xfrm.SaInfo;
import io.cxt.xfrm.SaStats;
import io.cxt.xfrm.SadInfo;
import io.cxt.xfrm.SecurityAssociation;
import io.cxt.xfrm.SecurityPolicy;
import io.cxt.xfrm.Selector;
import io.cxt.xfrm.SpdInfo;
import io.cxt.xfrm.UserMigrate;
import io.cxt.xfrm.UserTemplate;
import io.cxt.xfrm.XfrmEvent;
import io.cxt.xfrm.XfrmId;
import io.cxt.xfrm.XfrmMsgType;
import io.cxt.xfrm.XfrmStructs;

/**
 * Text output laid out like iproute2 6.1's {@code ip xfrm state}, {@code ip xfrm policy} and
 * {@code ip xfrm monitor}: same lines, same field order and wording, so that the two can be read
 * (and diffed) side by side. Differences, all deliberate: keys print as {@code <redacted>} unless
 * revealed; no line ends in a space; with -s the SA's {@code seq} is printed in hex (iproute2
 * prints the decimal digits after "0x"); fields iproute2 6.1 does not know (SA direction, IP-TFS
 * mode) are printed in the same style.
 *
 * <p><b>Size.</b> Over 600 lines because it prints every field iproute2 prints, line for line; one file keeps the output in step with ip-xfrm(8) and its tests compare it against iproute2 as a whole.
 */
final class XfrmText {

    /** How much to print: {@code stats} is the number of -s given; keys only when revealed. */
    record Options(int stats, boolean revealKeys, IntFunction<String> linkName) {
        static Options plain() {
            return new Options(0, false, i -> "if" + i);
        }
    }

    private final Options opt;
    private final StringBuilder sb = new StringBuilder();

    private XfrmText(Options opt) {
        this.opt = opt;
    }

    // ------------------------------------------------------------------ entry points

    static String state(SecurityAssociation sa, Options opt) {
        XfrmText t = new XfrmText(opt);
        t.stateInfo(sa, "", "");
        return t.done();
    }

    static String policy(SecurityPolicy p, Options opt) {
        XfrmText t = new XfrmText(opt);
        t.policyInfo(p, "", "");
        return t.done();
    }

    /** An event as {@code ip xfrm monitor} prints it. */
    static String event(XfrmEvent e, Options opt) {
        XfrmText t = new XfrmText(opt);
        t.eventText(e);
        return t.done();
    }

    /** {@code ip xfrm state count} (with -s: hash buckets). */
    static String sadCount(SadInfo info, int stats) {
        StringBuilder b = new StringBuilder("SAD count ").append(unsigned(info.saCount() == null ? 0 : info.saCount()));
        if (stats > 0 && info.hashBuckets() != null) {
            b.append(" (buckets count ").append(unsigned(info.hashBuckets())).append(" Max ")
                    .append(unsigned(info.maxHashBuckets())).append(')');
        }
        return b.append('\n').toString();
    }

    /** {@code ip xfrm policy count}: with -s the socket policies, with -s -s the hash tables too. */
    static String spdCount(SpdInfo info, int stats) {
        StringBuilder b = new StringBuilder();
        SpdInfo.Counts c = info.counts();
        if (c != null) {
            b.append("SPD IN  ").append(unsigned(c.in())).append(" OUT ").append(unsigned(c.out())).append(" FWD ")
                    .append(unsigned(c.fwd()));
            if (stats > 0) {
                b.append(" (Sock: IN ").append(unsigned(c.inSocket())).append(" OUT ").append(unsigned(c.outSocket()))
                        .append(" FWD ").append(unsigned(c.fwdSocket())).append(')');
            }
            b.append('\n');
        }
        if (stats > 1) {
            if (info.hashInfo() != null) {
                b.append("SPD buckets: count ").append(unsigned(info.hashInfo().buckets())).append(" Max ")
                        .append(unsigned(info.hashInfo().maxBuckets())).append('\n');
            }
            if (info.ipv4Threshold() != null) {
                b.append("SPD IPv4 thresholds: local ").append(info.ipv4Threshold().localBits()).append(" remote ")
                        .append(info.ipv4Threshold().remoteBits()).append('\n');
            }
            if (info.ipv6Threshold() != null) {
                b.append("SPD IPv6 thresholds: local ").append(info.ipv6Threshold().localBits()).append(" remote ")
                        .append(info.ipv6Threshold().remoteBits()).append('\n');
            }
        }
        return b.toString();
    }

    /** {@code ip xfrm policy getdefault}. */
    static String defaults(PolicyDefault d) {
        return "Default policies:\n in:  " + PolicyDefault.name(d.in()) + "\n fwd: " + PolicyDefault.name(d.fwd())
                + "\n out: " + PolicyDefault.name(d.out()) + "\n";
    }

    private String done() {
        // iproute2 leaves a space before many line ends; ours are trimmed
        StringBuilder out = new StringBuilder(sb.length());
        for (String line : sb.toString().split("\n", -1)) {
            int end = line.length();
            while (end > 0 && line.charAt(end - 1) == ' ') {
                end--;
            }
            out.append(line, 0, end).append('\n');
        }
        out.setLength(Math.max(0, out.length() - 1)); // the split's last, empty, element
        return out.toString();
    }

    // ------------------------------------------------------------------ SA

    private void idInfo(InetAddress saddr, InetAddress daddr, int family, int proto, int spi, int mode, int reqid,
                        boolean forceSpi, String prefix, String title) {
        sb.append(title).append("src ").append(address(saddr, family)).append(" dst ").append(address(daddr, family))
                .append('\n');
        sb.append(prefix).append('\t').append("proto ").append(XfrmId.protoName(proto)).append(' ');
        if (opt.stats > 0 || forceSpi || spi != 0) {
            sb.append("spi ").append(Formats.spi(spi));
            if (opt.stats > 0) {
                sb.append('(').append(unsigned(spi)).append(')');
            }
            sb.append(' ');
        }
        sb.append("reqid ").append(unsigned(reqid));
        if (opt.stats > 0) {
            sb.append(String.format("(0x%08x)", reqid));
        }
        sb.append(' ').append("mode ").append(modeName(mode)).append('\n');
    }

    private void stateInfo(SecurityAssociation sa, String prefix, String title) {
        SaInfo info = sa.info();
        int proto = info.id().proto();
        boolean forceSpi = proto == XfrmId.PROTO_ESP || proto == XfrmId.PROTO_AH || proto == XfrmId.PROTO_COMP;
        idInfo(info.saddr(), info.id().daddr(), info.family(), proto, info.id().spi(), info.mode(), info.reqid(),
                forceSpi, prefix, title);
        String buf = prefix + "\t";
        sb.append(buf).append("replay-window ").append(info.replayWindow()).append(' ');
        if (opt.stats > 0) {
            sb.append(String.format("seq 0x%08x ", info.seq()));
        }
        if (opt.stats > 0 || info.flags() != 0) {
            sb.append("flag ");
            flags(info.flags(), new int[] {SaInfo.FLAG_NOECN, SaInfo.FLAG_DECAP_DSCP, SaInfo.FLAG_NOPMTUDISC,
                SaInfo.FLAG_WILDRECV, SaInfo.FLAG_ICMP, SaInfo.FLAG_AF_UNSPEC, SaInfo.FLAG_ALIGN4, SaInfo.FLAG_ESN},
                    new String[] {"noecn", "decap-dscp", "nopmtudisc", "wildrecv", "icmp", "af-unspec", "align4", "esn"});
        }
        if (opt.stats > 0) {
            sb.append(" (0x").append(bits8(info.flags())).append(')');
        }
        sb.append('\n');
        if (sa.saExtraFlags() != null) {
            sb.append('\t').append("extra_flag ");
            flags(sa.saExtraFlags(), new int[] {SecurityAssociation.XFLAG_DONT_ENCAP_DSCP,
                SecurityAssociation.XFLAG_OSEQ_MAY_WRAP}, new String[] {"dont-encap-dscp", "oseq-may-wrap"});
            sb.append('\n');
        }
        stateAttributes(sa, info.family(), buf);
        if (!isZero(info.selector())) {
            selector(info.selector(), info.family(), buf + "sel ");
        }
        if (opt.stats > 0) {
            lifetime(info.lifetime(), info.current(), buf);
            stats(info.stats(), buf);
        }
        if (sa.secCtx() != null) {
            sb.append("\tsecurity context ").append(sa.secCtx().contextString()).append(" \n");
        }
        if (sa.saDir() != null) {
            sb.append(prefix).append("\tdir ").append(saDirName(sa.saDir())).append('\n');
        }
    }

    /** iproute2's xfrm_xfrma_print for an SA's attributes. */
    private void stateAttributes(SecurityAssociation sa, int family, String prefix) {
        mark(sa.mark());
        if (sa.setMark() != null) {
            sb.append(prefix).append("output-mark ").append(hex(sa.setMark()));
            if (sa.setMarkMask() != null) {
                sb.append('/').append(hex(sa.setMarkMask()));
            }
            sb.append('\n');
        }
        if (sa.auth() != null && sa.authTrunc() == null) {
            algorithm(prefix, "auth", sa.auth().name(), sa.auth().key(), sa.auth().keyBits());
            sb.append('\n');
        }
        if (sa.authTrunc() != null) {
            AuthAlgorithm a = sa.authTrunc();
            algorithm(prefix, "auth-trunc", a.name(), a.key(), a.keyBits());
            sb.append(' ').append(a.truncBits()).append('\n');
        }
        if (sa.aead() != null) {
            AeadAlgorithm a = sa.aead();
            algorithm(prefix, "aead", a.name(), a.key(), a.keyBits());
            sb.append(' ').append(a.icvBits()).append('\n');
        }
        if (sa.crypt() != null) {
            Algorithm a = sa.crypt();
            algorithm(prefix, "enc", a.name(), a.key(), a.keyBits());
            sb.append('\n');
        }
        if (sa.comp() != null) {
            Algorithm a = sa.comp();
            algorithm(prefix, "comp", a.name(), a.key(), a.keyBits());
            sb.append('\n');
        }
        if (sa.encap() != null) {
            EncapTemplate e = sa.encap();
            sb.append(prefix).append("encap type ").append(encapName(e.type())).append(' ')
                    .append("sport ").append(e.sport()).append(' ').append("dport ").append(e.dport()).append(' ')
                    .append("addr ").append(address(e.originalAddress(), family)).append('\n');
        }
        if (sa.coaddr() != null) {
            sb.append(prefix).append("coa ").append(address(sa.coaddr(), family)).append('\n');
        }
        if (sa.lastUsed() != null) {
            sb.append(prefix).append("lastused ").append(time(sa.lastUsed())).append('\n');
        }
        if (sa.replay() != null) {
            ReplayState r = sa.replay();
            sb.append(prefix).append("anti-replay context: ").append("seq ").append(hex(r.seq())).append(", oseq ")
                    .append(hex(r.oseq())).append(", bitmap ").append(String.format("0x%08x", r.bitmap())).append('\n');
        }
        if (sa.replayEsn() != null) {
            replayEsn(sa.replayEsn(), prefix);
        }
        if (sa.offload() != null) {
            OffloadDevice o = sa.offload();
            sb.append(prefix).append("crypto offload parameters: ").append("dev ").append(opt.linkName.apply(o.ifindex()))
                    .append(" dir ").append((o.flags() & OffloadDevice.FLAG_INBOUND) != 0 ? "in" : "out");
            if ((o.flags() & OffloadDevice.FLAG_PACKET) != 0) {
                sb.append(" mode packet");
            }
            sb.append('\n');
        }
        if (sa.ifId() != null) {
            sb.append(prefix).append("if_id ").append(hexAlt(sa.ifId())).append('\n');
        }
        if (sa.tfcPad() != null) {
            sb.append(prefix).append("tfcpad ").append(unsigned(sa.tfcPad())).append('\n');
        }
    }

    private void replayEsn(ReplayStateEsn r, String prefix) {
        sb.append(prefix).append("anti-replay esn context:").append('\n');
        sb.append(prefix).append(" seq-hi ").append(hex(r.seqHi())).append(", seq ").append(hex(r.seq()))
                .append(", oseq-hi ").append(hex(r.oseqHi())).append(", oseq ").append(hex(r.oseq())).append('\n');
        sb.append(prefix).append(" replay_window ").append(unsigned(r.replayWindow())).append(", bitmap-length ")
                .append(r.bmpLen());
        int[] bmp = r.bitmap();
        for (int i = bmp.length, j = 0; i > 0; i--) {
            if (j++ % 8 == 0) {
                sb.append('\n').append(prefix).append(' ');
            }
            sb.append(String.format("%08x ", bmp[i - 1]));
        }
        sb.append('\n');
    }

    private void algorithm(String prefix, String type, String name, KeyBytes key, int keyBits) {
        sb.append(prefix).append(type).append(' ').append(name).append(' ');
        sb.append(opt.revealKeys ? key.revealHex() : key.toString());
        if (opt.stats > 0) {
            sb.append(" (").append(keyBits).append(" bits)");
        }
    }

    private void mark(Mark m) {
        if (m != null) {
            // iproute2 prints the mark without the prefix, always one tab
            sb.append("\tmark ").append(hexAlt(m.value())).append('/').append(hexAlt(m.mask())).append(" \n");
        }
    }

    // ------------------------------------------------------------------ policy

    private void policyInfo(SecurityPolicy p, String prefix, String title) {
        PolicyInfo info = p.info();
        selector(info.selector(), AddressFamily.UNSPEC, title);
        if (p.securityContext() != null) {
            sb.append("\tsecurity context ").append(p.securityContext().contextString()).append(" \n");
        }
        String buf = prefix + "\t";
        sb.append(buf);
        int dir = info.direction();
        if (dir >= 3) {
            dir -= 3;
            sb.append("socket ");
        } else {
            sb.append("dir ");
        }
        sb.append(PolicyInfo.directionName(dir)).append(' ');
        switch (info.action()) {
            case PolicyInfo.ACTION_ALLOW -> {
                if (opt.stats > 0) {
                    sb.append("action allow ");
                }
            }
            case PolicyInfo.ACTION_BLOCK -> sb.append("action block ");
            default -> sb.append("action ").append(info.action()).append(' ');
        }
        if (opt.stats > 0) {
            sb.append("index ").append(unsigned(info.index())).append(' ');
        }
        sb.append("priority ").append(unsigned(info.priority())).append(' ');
        if (p.policyType() != null) {
            sb.append("ptype ").append(p.policyType().name()).append(' ');
        }
        if (opt.stats > 0) {
            sb.append("share ").append(shareName(info.share())).append(' ');
        }
        if (opt.stats > 0 || info.flags() != 0) {
            sb.append("flag ");
            flags(info.flags(), new int[] {PolicyInfo.FLAG_LOCALOK, PolicyInfo.FLAG_ICMP},
                    new String[] {"localok", "icmp"});
        }
        if (opt.stats > 0) {
            sb.append(" (0x").append(bits8(info.flags())).append(')');
        }
        sb.append('\n');
        if (opt.stats > 0) {
            lifetime(info.lifetime(), info.current(), buf);
        }
        // xfrm_xfrma_print for a policy
        mark(p.mark());
        for (UserTemplate t : p.templates()) {
            template(t, buf);
        }
        if (p.offload() != null) {
            OffloadDevice o = p.offload();
            sb.append(buf).append("crypto offload parameters: ").append("dev ").append(opt.linkName.apply(o.ifindex()))
                    .append(" dir ").append((o.flags() & OffloadDevice.FLAG_INBOUND) != 0 ? "in" : "out");
            if ((o.flags() & OffloadDevice.FLAG_PACKET) != 0) {
                sb.append(" mode packet");
            }
            sb.append('\n');
        }
        if (p.ifId() != null) {
            sb.append(buf).append("if_id ").append(hexAlt(p.ifId())).append('\n');
        }
    }

    private void template(UserTemplate t, String prefix) {
        sb.append(prefix);
        idInfo(t.saddr(), t.daddr(), t.family(), t.proto(), t.spi(), t.mode(), t.reqid(), false, prefix, "tmpl ");
        if (opt.stats > 0 || t.optional() != 0) {
            sb.append(prefix).append('\t');
            switch (t.optional()) {
                case 0 -> {
                    if (opt.stats > 0) {
                        sb.append("level required ");
                    }
                }
                case 1 -> sb.append("level use ");
                default -> sb.append("level ").append(t.optional()).append(' ');
            }
            if (opt.stats > 0) {
                sb.append("share ").append(shareName(t.share())).append(' ');
            }
            sb.append('\n');
        }
        if (opt.stats > 0) {
            sb.append(prefix).append('\t').append("enc-mask ").append(String.format("%08x", t.ealgos())).append(' ')
                    .append("auth-mask ").append(String.format("%08x", t.aalgos())).append(' ')
                    .append("comp-mask ").append(String.format("%08x", t.calgos())).append('\n');
        }
    }

    // ------------------------------------------------------------------ shared pieces

    /** iproute2's xfrm_selector_print; {@code family} is used when the selector has none. */
    private void selector(Selector s, int family, String prefix) {
        int f = s.family() != AddressFamily.UNSPEC ? s.family() : family;
        sb.append(prefix).append("src ").append(address(s.saddr(), f)).append('/').append(s.prefixlenS()).append(' ')
                .append("dst ").append(address(s.daddr(), f)).append('/').append(s.prefixlenD()).append(' ');
        int proto = s.proto();
        if (proto != 0) {
            sb.append("proto ").append(Protocols.name(proto)).append(' ');
        }
        switch (proto) {
            case 1, 58 -> { // ICMP, ICMPv6: type and code live in sport and dport
                if (s.sportMask() != 0) {
                    sb.append("type ").append(s.sport()).append(' ');
                }
                if (s.dportMask() != 0) {
                    sb.append("code ").append(s.dport()).append(' ');
                }
            }
            case 47 -> { // GRE: the key is split over the two ports
                if (s.sportMask() != 0 || s.dportMask() != 0) {
                    sb.append("key ").append(((long) s.sport() << 16) + s.dport()).append(' ');
                }
            }
            case 135 -> { // Mobility header
                if (s.sportMask() != 0) {
                    sb.append("type ").append(s.sport()).append(' ');
                }
                if (s.dportMask() != 0 && opt.stats > 0) {
                    // iproute2 prints the raw network-order field here
                    sb.append("(dport) ").append(String.format("0x%04x ", Integer.reverseBytes(s.dport()) >>> 16));
                }
            }
            default -> {
                if (s.sportMask() != 0) {
                    sb.append("sport ").append(s.sport()).append(' ');
                }
                if (s.dportMask() != 0) {
                    sb.append("dport ").append(s.dport()).append(' ');
                }
            }
        }
        if (s.ifindex() > 0) {
            sb.append("dev ").append(opt.linkName.apply(s.ifindex())).append(' ');
        }
        if (opt.stats > 0) {
            sb.append("uid ").append(unsigned(s.user()));
        }
        sb.append('\n');
    }

    private void lifetime(LifetimeConfig cfg, LifetimeCurrent cur, String prefix) {
        sb.append(prefix).append("lifetime config:\n");
        sb.append(prefix).append("  limit: soft ").append(limit(cfg.softByteLimit())).append("(bytes), hard ")
                .append(limit(cfg.hardByteLimit())).append("(bytes)\n");
        sb.append(prefix).append("  limit: soft ").append(limit(cfg.softPacketLimit())).append("(packets), hard ")
                .append(limit(cfg.hardPacketLimit())).append("(packets)\n");
        sb.append(prefix).append("  expire add: soft ").append(Long.toUnsignedString(cfg.softAddExpiresSeconds()))
                .append("(sec), hard ").append(Long.toUnsignedString(cfg.hardAddExpiresSeconds())).append("(sec)\n");
        sb.append(prefix).append("  expire use: soft ").append(Long.toUnsignedString(cfg.softUseExpiresSeconds()))
                .append("(sec), hard ").append(Long.toUnsignedString(cfg.hardUseExpiresSeconds())).append("(sec)\n");
        sb.append(prefix).append("lifetime current:\n");
        sb.append(prefix).append("  ").append(Long.toUnsignedString(cur.bytes())).append("(bytes), ")
                .append(Long.toUnsignedString(cur.packets())).append("(packets)\n");
        sb.append(prefix).append("  add ").append(time(cur.addTime())).append(' ').append("use ")
                .append(time(cur.useTime())).append('\n');
    }

    private void stats(SaStats s, String prefix) {
        sb.append(prefix).append("stats:\n");
        sb.append(prefix).append("  replay-window ").append(unsigned(s.replayWindow())).append(" replay ")
                .append(unsigned(s.replay())).append(" failed ").append(unsigned(s.integrityFailed())).append('\n');
    }

    /** XFRM_FLAG_PRINT: each set flag's name, a space between them, leftover bits in hex. */
    private void flags(int flags, int[] bits, String[] names) {
        int left = flags;
        for (int i = 0; i < bits.length; i++) {
            if ((left & bits[i]) != 0) {
                left &= ~bits[i];
                sb.append(names[i]).append(left != 0 ? " " : "");
            }
        }
        if (left != 0) {
            sb.append(Integer.toHexString(left));
        }
    }

    // ------------------------------------------------------------------ monitor

    private void eventText(XfrmEvent e) {
        if (e instanceof XfrmEvent.SaAdded a) {
            stateInfo(a.sa(), "", "");
        } else if (e instanceof XfrmEvent.SaUpdated u) {
            stateInfo(u.sa(), "", "Updated ");
        } else if (e instanceof XfrmEvent.SaDeleted d) {
            stateInfo(d.sa(), "", "Deleted ");
        } else if (e instanceof XfrmEvent.SaExpired x) {
            SecurityAssociation sa = SecurityAssociation.builder(x.expire().state()).mark(x.expire().mark())
                    .ifId(x.expire().ifId()).saDir(x.expire().saDir()).build();
            stateInfo(sa, "", "Expired ");
            sb.append('\t').append("hard ").append(x.expire().hard()).append('\n');
        } else if (e instanceof XfrmEvent.SasFlushed f) {
            sb.append("Flushed state proto ").append(XfrmId.protoName(f.proto())).append('\n');
        } else if (e instanceof XfrmEvent.PolicyAdded a) {
            policyInfo(a.policy(), "", "");
        } else if (e instanceof XfrmEvent.PolicyUpdated u) {
            policyInfo(u.policy(), "", "Updated ");
        } else if (e instanceof XfrmEvent.PolicyDeleted d) {
            policyInfo(d.policy(), "", "Deleted ");
        } else if (e instanceof XfrmEvent.PolicyExpired x) {
            policyInfo(x.expire().policy(), "", "Expired ");
            sb.append('\t').append("hard ").append(x.expire().hard() ? 1 : 0).append('\n');
        } else if (e instanceof XfrmEvent.PoliciesFlushed f) {
            sb.append("Flushed policy ");
            if (f.flush().policyType() != null) {
                sb.append("ptype ").append(f.flush().policyType().name()).append(' ');
            }
            sb.append('\n');
        } else if (e instanceof XfrmEvent.Acquire a) {
            acquire(a.acquire());
        } else if (e instanceof XfrmEvent.Report r) {
            ReportEvent rep = r.report();
            sb.append("report ").append("proto ").append(XfrmId.protoName(rep.proto())).append(' ').append('\n');
            selector(rep.selector(), rep.selector().family(), "  sel ");
            if (rep.careOfAddress() != null) {
                sb.append("  coa ").append(address(rep.careOfAddress(), rep.selector().family())).append('\n');
            }
        } else if (e instanceof XfrmEvent.Mapping m) {
            MappingEvent map = m.mapping();
            sb.append("Mapping change ").append("dst ").append(address(map.daddr(), map.family())).append(' ')
                    .append(" reqid ").append(hex(map.reqid())).append(" protocol ")
                    .append(Protocols.name(map.proto())).append(' ').append(" SPI ").append(hex(map.spi()))
                    .append(' ').append(address(map.oldSaddr(), map.family())).append(':').append(map.oldSport())
                    .append(" -> ").append(address(map.newSaddr(), map.family())).append(':')
                    .append(map.newSport()).append('\n');
        } else if (e instanceof XfrmEvent.Migrate m) {
            migrate(m.migrate());
        } else if (e instanceof XfrmEvent.ReplayLifetime r) {
            asyncEvent(r.state().id());
        } else if (e instanceof XfrmEvent.DefaultPolicyChanged d) {
            sb.append(defaults(d.defaults()));
        } else if (e instanceof XfrmEvent.Unknown u) {
            if (u.reason() == null) {
                sb.append(String.format("Unknown message: %08d 0x%08x 0x%08x%n", u.message().length(),
                        u.message().type(), u.message().flags()));
            } else {
                sb.append("Malformed XFRM_MSG_").append(XfrmMsgType.name(u.message().type())).append(": ")
                        .append(u.reason()).append('\n');
            }
        } else if (e instanceof XfrmEvent.Overrun) {
            sb.append("Overrun: the kernel dropped events (ENOBUFS); re-read the SAD and SPD\n");
        }
    }

    private void acquire(AcquireEvent acq) {
        int family = acq.selector().family();
        if (family == AddressFamily.UNSPEC) {
            family = acq.policy().selector().family();
        }
        sb.append("acquire ").append("proto ").append(XfrmId.protoName(acq.proto())).append(' ');
        if (opt.stats > 0 || acq.spi() != 0) {
            sb.append("spi ").append(Formats.spi(acq.spi()));
            if (opt.stats > 0) {
                sb.append('(').append(unsigned(acq.spi())).append(')');
            }
            sb.append(' ');
        }
        sb.append('\n');
        selector(acq.selector(), family, "  sel ");
        policyInfo(acq.policy(), "    ", "  policy ");
    }

    private void migrate(MigrateRequest mig) {
        selector(mig.selector(), AddressFamily.UNSPEC, "Migrate ");
        sb.append('\t').append("dir ").append(PolicyInfo.directionName(mig.direction())).append(' ');
        if (mig.policyType() != null) {
            sb.append("ptype ").append(mig.policyType().name()).append(' ');
        }
        sb.append('\n');
        for (UserMigrate um : mig.migrations()) {
            sb.append('\t').append("migrate proto ").append(XfrmId.protoName(um.proto())).append(' ')
                    .append("reqid ").append(unsigned(um.reqid())).append(' ').append("mode ")
                    .append(modeName(um.mode())).append('\n');
            sb.append("\t\t").append("old src ").append(address(um.oldSaddr(), um.oldFamily())).append(" dst ")
                    .append(address(um.oldDaddr(), um.oldFamily())).append('\n');
            sb.append("\t\t").append("new src ").append(address(um.newSaddr(), um.newFamily())).append(" dst ")
                    .append(address(um.newDaddr(), um.newFamily())).append('\n');
        }
    }

    /** iproute2's xfrm_ae_print. */
    private void asyncEvent(AeventId id) {
        sb.append("Async event ").append(" (").append(hex(id.flags())).append(") ");
        if ((id.flags() & AeventId.AE_CR) != 0) {
            sb.append(" replay update ");
        }
        if ((id.flags() & AeventId.AE_CE) != 0) {
            sb.append(" timer expired ");
        }
        if ((id.flags() & AeventId.AE_CU) != 0) {
            sb.append(" policy updated ");
        }
        int f = id.saId().family();
        sb.append("\n\t").append("src ").append(address(id.saddr(), f)).append(' ').append("dst ")
                .append(address(id.saId().daddr(), f)).append(' ').append(" reqid ").append(hex(id.reqid()))
                .append(" protocol ").append(Protocols.name(id.saId().proto())).append(' ').append(" SPI ")
                .append(hex(id.saId().spi())).append('\n');
    }

    // ------------------------------------------------------------------ formatting helpers

    /** An address as iproute2 prints it for {@code family} (an IPv4 family shows the first 4 octets). */
    static String address(InetAddress a, int family) {
        if (a == null) {
            return "(null)";
        }
        if (family == AddressFamily.INET && !(a instanceof Inet4Address)) {
            byte[] b = a.getAddress();
            return (b[0] & 0xff) + "." + (b[1] & 0xff) + "." + (b[2] & 0xff) + "." + (b[3] & 0xff);
        }
        if (family == AddressFamily.INET6 && a instanceof Inet4Address) {
            byte[] b16 = new byte[16];
            System.arraycopy(a.getAddress(), 0, b16, 0, 4);
            return Formats.address(XfrmStructs.ipv6(b16));
        }
        return Formats.address(a);
    }

    static String modeName(int mode) {
        return mode == SaInfo.MODE_IPTFS ? "iptfs" : UserTemplate.modeName(mode);
    }

    static String saDirName(int dir) {
        return switch (dir) {
            case SecurityAssociation.DIR_IN -> "in";
            case SecurityAssociation.DIR_OUT -> "out";
            default -> Integer.toString(dir);
        };
    }

    static String encapName(int type) {
        return switch (type) {
            case EncapTemplate.ESPINUDP_NON_IKE -> "espinudp-nonike";
            case EncapTemplate.ESPINUDP -> "espinudp";
            case EncapTemplate.ESPINTCP -> "espintcp";
            default -> Integer.toString(type);
        };
    }

    static String shareName(int share) {
        return switch (share) {
            case UserTemplate.SHARE_ANY -> "any";
            case UserTemplate.SHARE_SESSION -> "session";
            case UserTemplate.SHARE_USER -> "user";
            case UserTemplate.SHARE_UNIQUE -> "unique";
            default -> Integer.toString(share);
        };
    }

    private static String limit(long v) {
        return v == LifetimeConfig.INFINITY ? "(INF)" : Long.toUnsignedString(v);
    }

    private static final DateTimeFormatter TIME = DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm:ss");

    /** Seconds since the epoch in local time, "-" for never (iproute2's strxf_time). */
    static String time(long epochSeconds) {
        if (epochSeconds == 0) {
            return "-";
        }
        return TIME.format(Instant.ofEpochSecond(epochSeconds).atZone(ZoneId.systemDefault()));
    }

    /** iproute2's xfrm_selector_iszero: every octet of the structure zero. */
    private static boolean isZero(Selector s) {
        return s.equals(Selector.any(AddressFamily.UNSPEC));
    }

    /** printf's %x. */
    static String hex(int v) {
        return "0x" + Integer.toHexString(v);
    }

    /** printf's %#x: no prefix for zero. */
    static String hexAlt(int v) {
        return v == 0 ? "0" : "0x" + Integer.toHexString(v);
    }

    static String unsigned(int v) {
        return Integer.toUnsignedString(v);
    }

    /** iproute2's strxf_mask8: the 8 bits as 0s and 1s. */
    static String bits8(int v) {
        StringBuilder b = new StringBuilder(8);
        for (int bit = 7; bit >= 0; bit--) {
            b.append((v >> bit & 1) != 0 ? '1' : '0');
        }
        return b.toString();
    }

}
