package io.cxt.cli;

import java.net.InetAddress;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.IntFunction;

import io.cxt.xfrm.AcquireEvent;
import io.cxt.xfrm.AddressFamily;
import io.cxt.xfrm.AeventId;
import io.cxt.xfrm.KeptAttributes;
import io.cxt.xfrm.LifetimeConfig;
import io.cxt.xfrm.LifetimeCurrent;
import io.cxt.xfrm.Mark;
import io.cxt.xfrm.MappingEvent;
import io.cxt.xfrm.MigrateRequest;
import io.cxt.xfrm.OffloadDevice;
import io.cxt.xfrm.PolicyDefault;
import io.cxt.xfrm.PolicyId;
import io.cxt.xfrm.PolicyInfo;
import io.cxt.xfrm.ReplayLifetimeState;
import io.cxt.xfrm.ReportEvent;
import io.cxt.xfrm.SaInfo;
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

/**
 * The JSON shape of cxctl's XFRM output: plain maps in a fixed order, names as in the text output
 * (proto "esp", mode "tunnel", dir "out"), numbers as numbers (unsigned), an unlimited lifetime
 * limit as null. Key material stays {@link io.cxt.xfrm.KeyBytes}, which {@link Json}'s mapper
 * writes as "&lt;redacted&gt;" unless keys were asked for.
 */
final class XfrmJson {
    private XfrmJson() {
    }

    // ------------------------------------------------------------------ SA

    static Map<String, Object> state(SecurityAssociation sa, IntFunction<String> linkName) {
        SaInfo info = sa.info();
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("src", info.saddr());
        m.put("dst", info.id().daddr());
        m.put("family", AddressFamily.name(info.family()));
        m.put("proto", XfrmId.protoName(info.id().proto()));
        m.put("spi", u32(info.id().spi()));
        m.put("reqid", u32(info.reqid()));
        m.put("mode", XfrmText.modeName(info.mode()));
        m.put("replayWindow", info.replayWindow());
        m.put("seq", u32(info.seq()));
        m.put("flags", names(info.flags(), new int[] {SaInfo.FLAG_NOECN, SaInfo.FLAG_DECAP_DSCP, SaInfo.FLAG_NOPMTUDISC,
            SaInfo.FLAG_WILDRECV, SaInfo.FLAG_ICMP, SaInfo.FLAG_AF_UNSPEC, SaInfo.FLAG_ALIGN4, SaInfo.FLAG_ESN},
                new String[] {"noecn", "decap-dscp", "nopmtudisc", "wildrecv", "icmp", "af-unspec", "align4", "esn"}));
        if (sa.saExtraFlags() != null) {
            m.put("extraFlags", names(sa.saExtraFlags(), new int[] {SecurityAssociation.XFLAG_DONT_ENCAP_DSCP,
                SecurityAssociation.XFLAG_OSEQ_MAY_WRAP}, new String[] {"dont-encap-dscp", "oseq-may-wrap"}));
        }
        if (sa.saDir() != null) {
            m.put("dir", XfrmText.saDirName(sa.saDir()));
        }
        putMark(m, "mark", sa.mark());
        if (sa.setMark() != null) {
            Map<String, Object> om = new LinkedHashMap<>();
            om.put("value", u32(sa.setMark()));
            om.put("mask", sa.setMarkMask() == null ? null : u32(sa.setMarkMask()));
            m.put("outputMark", om);
        }
        if (sa.ifId() != null) {
            m.put("ifId", u32(sa.ifId()));
        }
        if (sa.auth() != null) {
            m.put("auth", algorithm(sa.auth().name(), sa.auth().key(), sa.auth().keyBits(), null, null));
        }
        if (sa.authTrunc() != null) {
            m.put("authTrunc", algorithm(sa.authTrunc().name(), sa.authTrunc().key(), sa.authTrunc().keyBits(),
                    "truncBits", sa.authTrunc().truncBits()));
        }
        if (sa.aead() != null) {
            m.put("aead", algorithm(sa.aead().name(), sa.aead().key(), sa.aead().keyBits(), "icvBits",
                    sa.aead().icvBits()));
        }
        if (sa.crypt() != null) {
            m.put("enc", algorithm(sa.crypt().name(), sa.crypt().key(), sa.crypt().keyBits(), null, null));
        }
        if (sa.comp() != null) {
            m.put("comp", algorithm(sa.comp().name(), sa.comp().key(), sa.comp().keyBits(), null, null));
        }
        if (sa.encap() != null) {
            Map<String, Object> e = new LinkedHashMap<>();
            e.put("type", XfrmText.encapName(sa.encap().type()));
            e.put("sport", sa.encap().sport());
            e.put("dport", sa.encap().dport());
            e.put("oa", sa.encap().originalAddress());
            m.put("encap", e);
        }
        if (sa.coaddr() != null) {
            m.put("coa", sa.coaddr());
        }
        if (sa.lastUsed() != null) {
            m.put("lastUsed", sa.lastUsed());
        }
        if (sa.replay() != null) {
            Map<String, Object> r = new LinkedHashMap<>();
            r.put("seq", u32(sa.replay().seq()));
            r.put("oseq", u32(sa.replay().oseq()));
            r.put("bitmap", u32(sa.replay().bitmap()));
            m.put("replay", r);
        }
        if (sa.replayEsn() != null) {
            Map<String, Object> r = new LinkedHashMap<>();
            r.put("seq", sa.replayEsn().inboundSequence());
            r.put("oseq", sa.replayEsn().outboundSequence());
            r.put("replayWindow", u32(sa.replayEsn().replayWindow()));
            r.put("bmpLen", sa.replayEsn().bmpLen());
            List<Long> words = new ArrayList<>();
            for (int w : sa.replayEsn().bitmap()) {
                words.add(u32(w));
            }
            r.put("bitmap", words);
            m.put("replayEsn", r);
        }
        if (sa.tfcPad() != null) {
            m.put("tfcpad", u32(sa.tfcPad()));
        }
        if (sa.secCtx() != null) {
            m.put("securityContext", sa.secCtx().contextString());
        }
        if (sa.offload() != null) {
            m.put("offload", offload(sa.offload(), linkName));
        }
        if (!info.selector().equals(Selector.any(AddressFamily.UNSPEC))) {
            m.put("selector", selector(info.selector(), info.family(), linkName));
        }
        m.put("lifetime", lifetime(info.lifetime(), info.current()));
        Map<String, Object> stats = new LinkedHashMap<>();
        stats.put("replayWindow", u32(info.stats().replayWindow()));
        stats.put("replay", u32(info.stats().replay()));
        stats.put("integrityFailed", u32(info.stats().integrityFailed()));
        m.put("stats", stats);
        putUnknown(m, sa);
        return m;
    }

    // ------------------------------------------------------------------ policy

    static Map<String, Object> policy(SecurityPolicy p, IntFunction<String> linkName) {
        PolicyInfo info = p.info();
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("selector", selector(info.selector(), AddressFamily.UNSPEC, linkName));
        int dir = info.direction();
        m.put("dir", PolicyInfo.directionName(dir >= 3 ? dir - 3 : dir));
        if (dir >= 3) {
            m.put("socket", true);
        }
        m.put("action", info.action() == PolicyInfo.ACTION_ALLOW ? "allow"
                : info.action() == PolicyInfo.ACTION_BLOCK ? "block" : Integer.toString(info.action()));
        m.put("index", u32(info.index()));
        m.put("priority", u32(info.priority()));
        m.put("ptype", p.effectivePolicyType().name());
        m.put("share", XfrmText.shareName(info.share()));
        m.put("flags", names(info.flags(), new int[] {PolicyInfo.FLAG_LOCALOK, PolicyInfo.FLAG_ICMP},
                new String[] {"localok", "icmp"}));
        putMark(m, "mark", p.mark());
        if (p.ifId() != null) {
            m.put("ifId", u32(p.ifId()));
        }
        if (p.securityContext() != null) {
            m.put("securityContext", p.securityContext().contextString());
        }
        List<Map<String, Object>> tmpls = new ArrayList<>();
        for (UserTemplate t : p.templates()) {
            Map<String, Object> tm = new LinkedHashMap<>();
            tm.put("src", t.saddr());
            tm.put("dst", t.daddr());
            tm.put("family", AddressFamily.name(t.family()));
            tm.put("proto", XfrmId.protoName(t.proto()));
            tm.put("spi", u32(t.spi()));
            tm.put("reqid", u32(t.reqid()));
            tm.put("mode", XfrmText.modeName(t.mode()));
            tm.put("level", t.optional() == 0 ? "required" : t.optional() == 1 ? "use" : Integer.toString(t.optional()));
            tm.put("share", XfrmText.shareName(t.share()));
            tm.put("encMask", u32(t.ealgos()));
            tm.put("authMask", u32(t.aalgos()));
            tm.put("compMask", u32(t.calgos()));
            tmpls.add(tm);
        }
        m.put("templates", tmpls);
        if (p.offload() != null) {
            m.put("offload", offload(p.offload(), linkName));
        }
        m.put("lifetime", lifetime(info.lifetime(), info.current()));
        putUnknown(m, p);
        return m;
    }

    static Map<String, Object> policyId(PolicyId id, IntFunction<String> linkName) {
        Map<String, Object> m = new LinkedHashMap<>();
        if (id.index() != 0) {
            m.put("index", u32(id.index()));
        } else {
            m.put("selector", selector(id.selector(), AddressFamily.UNSPEC, linkName));
        }
        m.put("dir", PolicyInfo.directionName(id.direction()));
        return m;
    }

    // ------------------------------------------------------------------ summaries

    static Map<String, Object> sadInfo(SadInfo info) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("saCount", info.saCount() == null ? null : u32(info.saCount()));
        m.put("hashBuckets", info.hashBuckets() == null ? null : u32(info.hashBuckets()));
        m.put("maxHashBuckets", info.maxHashBuckets() == null ? null : u32(info.maxHashBuckets()));
        return m;
    }

    static Map<String, Object> spdInfo(SpdInfo info) {
        Map<String, Object> m = new LinkedHashMap<>();
        SpdInfo.Counts c = info.counts();
        if (c != null) {
            m.put("in", u32(c.in()));
            m.put("out", u32(c.out()));
            m.put("fwd", u32(c.fwd()));
            m.put("inSocket", u32(c.inSocket()));
            m.put("outSocket", u32(c.outSocket()));
            m.put("fwdSocket", u32(c.fwdSocket()));
        }
        if (info.hashInfo() != null) {
            m.put("hashBuckets", u32(info.hashInfo().buckets()));
            m.put("maxHashBuckets", u32(info.hashInfo().maxBuckets()));
        }
        if (info.ipv4Threshold() != null) {
            m.put("ipv4Threshold", Map.of("local", info.ipv4Threshold().localBits(), "remote",
                    info.ipv4Threshold().remoteBits()));
        }
        if (info.ipv6Threshold() != null) {
            m.put("ipv6Threshold", Map.of("local", info.ipv6Threshold().localBits(), "remote",
                    info.ipv6Threshold().remoteBits()));
        }
        return m;
    }

    static Map<String, Object> defaults(PolicyDefault d) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("in", PolicyDefault.name(d.in()));
        m.put("fwd", PolicyDefault.name(d.fwd()));
        m.put("out", PolicyDefault.name(d.out()));
        return m;
    }

    // ------------------------------------------------------------------ events

    /** One monitor event: {"event": "...", ...}. */
    static Map<String, Object> event(XfrmEvent e, IntFunction<String> linkName) {
        Map<String, Object> m = new LinkedHashMap<>();
        if (e instanceof XfrmEvent.SaAdded a) {
            m.put("event", "sa-added");
            m.put("sa", state(a.sa(), linkName));
        } else if (e instanceof XfrmEvent.SaUpdated u) {
            m.put("event", "sa-updated");
            m.put("sa", state(u.sa(), linkName));
        } else if (e instanceof XfrmEvent.SaDeleted d) {
            m.put("event", "sa-deleted");
            m.put("sa", state(d.sa(), linkName));
        } else if (e instanceof XfrmEvent.SaExpired x) {
            m.put("event", "sa-expired");
            m.put("hard", x.expire().isHard());
            SecurityAssociation sa = SecurityAssociation.builder(x.expire().state()).mark(x.expire().mark())
                    .ifId(x.expire().ifId()).saDir(x.expire().saDir()).build();
            m.put("sa", state(sa, linkName));
        } else if (e instanceof XfrmEvent.SasFlushed f) {
            m.put("event", "sa-flushed");
            m.put("proto", XfrmId.protoName(f.proto()));
        } else if (e instanceof XfrmEvent.PolicyAdded a) {
            m.put("event", "policy-added");
            m.put("policy", policy(a.policy(), linkName));
        } else if (e instanceof XfrmEvent.PolicyUpdated u) {
            m.put("event", "policy-updated");
            m.put("policy", policy(u.policy(), linkName));
        } else if (e instanceof XfrmEvent.PolicyDeleted d) {
            m.put("event", "policy-deleted");
            m.put("id", policyId(d.id(), linkName));
            m.put("policy", policy(d.policy(), linkName));
        } else if (e instanceof XfrmEvent.PolicyExpired x) {
            m.put("event", "policy-expired");
            m.put("hard", x.expire().hard());
            m.put("policy", policy(x.expire().policy(), linkName));
        } else if (e instanceof XfrmEvent.PoliciesFlushed f) {
            m.put("event", "policy-flushed");
            m.put("ptype", f.policyType().name());
        } else if (e instanceof XfrmEvent.Acquire a) {
            AcquireEvent acq = a.acquire();
            m.put("event", "acquire");
            m.put("proto", XfrmId.protoName(acq.proto()));
            m.put("spi", u32(acq.spi()));
            m.put("src", acq.saddr());
            m.put("dst", acq.daddr());
            m.put("seq", u32(acq.seq()));
            m.put("selector", selector(acq.selector(), acq.policy().selector().family(), linkName));
            m.put("policy", policy(acq.policy(), linkName));
        } else if (e instanceof XfrmEvent.Report r) {
            ReportEvent rep = r.report();
            m.put("event", "report");
            m.put("proto", XfrmId.protoName(rep.proto()));
            m.put("selector", selector(rep.selector(), AddressFamily.UNSPEC, linkName));
            m.put("coa", rep.careOfAddress());
        } else if (e instanceof XfrmEvent.Mapping mp) {
            MappingEvent map = mp.mapping();
            m.put("event", "mapping");
            m.put("dst", map.daddr());
            m.put("proto", XfrmId.protoName(map.proto()));
            m.put("spi", u32(map.spi()));
            m.put("reqid", u32(map.reqid()));
            m.put("oldSrc", map.oldSaddr());
            m.put("oldSport", map.oldSport());
            m.put("newSrc", map.newSaddr());
            m.put("newSport", map.newSport());
        } else if (e instanceof XfrmEvent.Migrate mg) {
            MigrateRequest mig = mg.migrate();
            m.put("event", "migrate");
            m.put("selector", selector(mig.selector(), AddressFamily.UNSPEC, linkName));
            m.put("dir", PolicyInfo.directionName(mig.direction()));
            List<Map<String, Object>> moves = new ArrayList<>();
            for (UserMigrate um : mig.migrations()) {
                Map<String, Object> mm = new LinkedHashMap<>();
                mm.put("proto", XfrmId.protoName(um.proto()));
                mm.put("mode", XfrmText.modeName(um.mode()));
                mm.put("reqid", u32(um.reqid()));
                mm.put("oldSrc", um.oldSaddr());
                mm.put("oldDst", um.oldDaddr());
                mm.put("newSrc", um.newSaddr());
                mm.put("newDst", um.newDaddr());
                moves.add(mm);
            }
            m.put("migrations", moves);
        } else if (e instanceof XfrmEvent.ReplayLifetime r) {
            ReplayLifetimeState s = r.state();
            AeventId id = s.id();
            m.put("event", "aevent");
            m.put("flags", names(id.flags(), new int[] {AeventId.AE_RTHR, AeventId.AE_RVAL, AeventId.AE_LVAL,
                AeventId.AE_ETHR, AeventId.AE_CR, AeventId.AE_CE, AeventId.AE_CU},
                    new String[] {"rthr", "rval", "lval", "ethr", "replay-update", "timer-expired", "policy-updated"}));
            m.put("src", id.saddr());
            m.put("dst", id.saId().daddr());
            m.put("proto", XfrmId.protoName(id.saId().proto()));
            m.put("spi", u32(id.saId().spi()));
            m.put("reqid", u32(id.reqid()));
            if (s.replay() != null) {
                m.put("replay", Map.of("seq", u32(s.replay().seq()), "oseq", u32(s.replay().oseq()), "bitmap",
                        u32(s.replay().bitmap())));
            }
            if (s.replayEsn() != null) {
                m.put("replayEsn", Map.of("seq", s.replayEsn().inboundSequence(), "oseq",
                        s.replayEsn().outboundSequence()));
            }
            if (s.lifetime() != null) {
                m.put("current", current(s.lifetime()));
            }
        } else if (e instanceof XfrmEvent.DefaultPolicyChanged d) {
            m.put("event", "policy-default");
            m.putAll(defaults(d.defaults()));
        } else if (e instanceof XfrmEvent.Unknown u) {
            m.put("event", "unknown");
            m.put("type", u.message().type());
            m.put("typeName", XfrmMsgType.name(u.message().type()));
            m.put("reason", u.reason());
            m.put("payload", HexFormat.of().formatHex(u.message().payload()));
        } else if (e instanceof XfrmEvent.Overrun) {
            m.put("event", "overrun");
        }
        return m;
    }

    // ------------------------------------------------------------------ pieces

    static Map<String, Object> selector(Selector s, int family, IntFunction<String> linkName) {
        int f = s.family() != AddressFamily.UNSPEC ? s.family() : family;
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("src", XfrmText.address(s.saddr(), f) + "/" + s.prefixlenS());
        m.put("dst", XfrmText.address(s.daddr(), f) + "/" + s.prefixlenD());
        m.put("family", AddressFamily.name(s.family()));
        m.put("proto", s.proto() == 0 ? null : Protocols.name(s.proto()));
        m.put("sport", s.sport());
        m.put("sportMask", s.sportMask());
        m.put("dport", s.dport());
        m.put("dportMask", s.dportMask());
        m.put("dev", s.ifindex() > 0 ? linkName.apply(s.ifindex()) : null);
        m.put("uid", u32(s.user()));
        return m;
    }

    private static Map<String, Object> lifetime(LifetimeConfig c, LifetimeCurrent cur) {
        Map<String, Object> cfg = new LinkedHashMap<>();
        cfg.put("softBytes", limit(c.softByteLimit()));
        cfg.put("hardBytes", limit(c.hardByteLimit()));
        cfg.put("softPackets", limit(c.softPacketLimit()));
        cfg.put("hardPackets", limit(c.hardPacketLimit()));
        cfg.put("softAddSeconds", limit(c.softAddExpiresSeconds()));
        cfg.put("hardAddSeconds", limit(c.hardAddExpiresSeconds()));
        cfg.put("softUseSeconds", limit(c.softUseExpiresSeconds()));
        cfg.put("hardUseSeconds", limit(c.hardUseExpiresSeconds()));
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("config", cfg);
        m.put("current", current(cur));
        return m;
    }

    private static Map<String, Object> current(LifetimeCurrent cur) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("bytes", ulong(cur.bytes()));
        m.put("packets", ulong(cur.packets()));
        m.put("addTime", ulong(cur.addTime()));
        m.put("useTime", ulong(cur.useTime()));
        return m;
    }

    private static Map<String, Object> algorithm(String name, Object key, int keyBits, String extraName,
                                                 Integer extra) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("name", name);
        m.put("key", key);
        m.put("keyBits", u32(keyBits));
        if (extraName != null) {
            m.put(extraName, u32(extra));
        }
        return m;
    }

    private static Map<String, Object> offload(OffloadDevice o, IntFunction<String> linkName) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("dev", linkName.apply(o.ifindex()));
        m.put("dir", (o.flags() & OffloadDevice.FLAG_INBOUND) != 0 ? "in" : "out");
        m.put("mode", (o.flags() & OffloadDevice.FLAG_PACKET) != 0 ? "packet" : "crypto");
        return m;
    }

    private static void putMark(Map<String, Object> m, String name, Mark mark) {
        if (mark != null) {
            Map<String, Object> mm = new LinkedHashMap<>();
            mm.put("value", u32(mark.value()));
            mm.put("mask", u32(mark.mask()));
            m.put(name, mm);
        }
    }

    private static void putUnknown(Map<String, Object> m, SecurityAssociation sa) {
        List<Map<String, Object>> l = new ArrayList<>();
        KeptAttributes.forEach(sa.unknownAttributes(), (type, value) -> l.add(attribute(type, value)));
        if (!l.isEmpty()) {
            m.put("unknownAttributes", l);
        }
    }

    private static void putUnknown(Map<String, Object> m, SecurityPolicy p) {
        List<Map<String, Object>> l = new ArrayList<>();
        KeptAttributes.forEach(p.extraAttributes(), (type, value) -> l.add(attribute(type, value)));
        if (!l.isEmpty()) {
            m.put("unknownAttributes", l);
        }
    }

    private static Map<String, Object> attribute(int type, byte[] value) {
        Map<String, Object> am = new LinkedHashMap<>();
        am.put("type", type);
        am.put("value", HexFormat.of().formatHex(value));
        return am;
    }

    private static List<String> names(int flags, int[] bits, String[] names) {
        List<String> out = new ArrayList<>();
        int left = flags;
        for (int i = 0; i < bits.length; i++) {
            if ((left & bits[i]) != 0) {
                out.add(names[i]);
                left &= ~bits[i];
            }
        }
        if (left != 0) {
            out.add("0x" + Integer.toHexString(left));
        }
        return out;
    }

    private static Object limit(long v) {
        return v == LifetimeConfig.INFINITY ? null : ulong(v);
    }

    private static Object ulong(long v) {
        return v >= 0 ? (Object) v : new java.math.BigInteger(Long.toUnsignedString(v));
    }

    static long u32(int v) {
        return Integer.toUnsignedLong(v);
    }

    static String address(InetAddress a) {
        return Formats.address(a);
    }
}
