package io.cxt.cdb;

import java.net.Inet4Address;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

import io.cxt.context.IkeContextSlot;
import io.cxt.context.MobileNodeContext;
import io.cxt.context.MobileNodeIdentity;
import io.cxt.context.SpiMapping;
import io.cxt.cxtp.ContextDataBlock;
import io.cxt.cxtp.CxtpConstants;
import io.cxt.xfrm.AddressFamily;
import io.cxt.xfrm.AeadAlgorithm;
import io.cxt.xfrm.Algorithm;
import io.cxt.xfrm.AuthAlgorithm;
import io.cxt.xfrm.EncapTemplate;
import io.cxt.xfrm.KeptAttributes;
import io.cxt.xfrm.KeyBytes;
import io.cxt.xfrm.LifetimeConfig;
import io.cxt.xfrm.LifetimeCurrent;
import io.cxt.xfrm.Mark;
import io.cxt.xfrm.OffloadDevice;
import io.cxt.xfrm.PolicyInfo;
import io.cxt.xfrm.PolicyType;
import io.cxt.xfrm.ReplayState;
import io.cxt.xfrm.ReplayStateEsn;
import io.cxt.xfrm.SaInfo;
import io.cxt.xfrm.SaStats;
import io.cxt.xfrm.SecurityAssociation;
import io.cxt.xfrm.SecurityContext;
import io.cxt.xfrm.SecurityPolicy;
import io.cxt.xfrm.Selector;
import io.cxt.xfrm.UserTemplate;
import io.cxt.xfrm.XfrmId;
import io.cxt.xfrm.XfrmStructs;

/**
 * A {@link MobileNodeContext} to and from RFC 4067 Context Data Blocks: one header block, one
 * block per SA, one per policy, one for the IKEv2 context. The layout is in docs/context-blocks.md;
 * in short:
 *
 * <ul>
 * <li><b>Feature profile types.</b> IANA's registry (RFC 4065 section 6) has no IPsec entries and
 * no experimental range, so cxt uses codes at the top of the space, which Expert Review is least
 * likely to reach: {@link #FPT_HEADER} 0xFF10, {@link #FPT_SA} 0xFF11, {@link #FPT_POLICY} 0xFF12,
 * {@link #FPT_IKE} 0xFF13, {@link #FPT_CONTINUATION} 0xFF1F.</li>
 * <li><b>Self-delimiting data.</b> The CDB length counts 8-octet words, so every block's data
 * starts with a 16-bit length of the item bytes it carries; the rest is the RFC's zero padding.</li>
 * <li><b>Address table.</b> The header block lists every distinct address once; SAs and policies
 * refer to addresses by a one-octet index. That is what brings a typical MN (2 ESP SAs and 2
 * policies, IPv6) well under 600 octets: each IPv6 address would otherwise cost 16 octets at each
 * of its ~16 uses.</li>
 * <li><b>Presence vector.</b> SA and policy blocks set P and use the 32-bit presence vector for
 * their optional fields (bit numbers in the constants below), so absent attributes cost nothing.</li>
 * <li><b>Splitting.</b> An item larger than one block's 2040 octets (a long security label, many
 * unknown attributes) is cut into pieces: the first in a block of its own type, the rest, in order,
 * in {@link #FPT_CONTINUATION} blocks that immediately follow it. The decoder concatenates the
 * pieces before decoding the item.</li>
 * <li><b>Numbers.</b> Fixed fields are big-endian; counters, limits and small integers are LEB128
 * varints, lifetime limits with XFRM's "infinite" (all ones) coded as 0 so it costs one octet.</li>
 * </ul>
 *
 * <p>Keys travel in the clear inside the blocks: CXTP messages between routers are protected as a
 * whole (AES-256-GCM channel, see io.cxt.cxtp.RouterChannelProtection), never sent otherwise.
 *
 * <p><b>Size.</b> Over 600 lines because it is the one pure codec of every context item type (SAs, policies, templates, splitting of large items); it is fuzzed as a unit, and split codecs would share its block framing.
 */
public final class ContextBlocks {

    public static final int FPT_HEADER = 0xFF10;
    public static final int FPT_SA = 0xFF11;
    public static final int FPT_POLICY = 0xFF12;
    public static final int FPT_IKE = 0xFF13;
    public static final int FPT_CONTINUATION = 0xFF1F;

    static final int VERSION = 1;
    /** Item octets one block can carry: 2040 minus header, presence vector and 2-octet length. */
    static final int MAX_PIECE = CxtpConstants.MAX_CDB_LENGTH - ContextDataBlock.HEADER_LENGTH - 4 - 2;

    // SA presence vector bits
    static final int SA_AEAD = 0, SA_CRYPT = 1, SA_AUTH_TRUNC = 2, SA_AUTH = 3, SA_COMP = 4, SA_ENCAP = 5,
            SA_MARK = 6, SA_SET_MARK = 7, SA_SET_MARK_MASK = 8, SA_IF_ID = 9, SA_REPLAY = 10, SA_REPLAY_ESN = 11,
            SA_COADDR = 12, SA_SRCADDR = 13, SA_LAST_USED = 14, SA_LTIME_VAL = 15, SA_REPLAY_THRESH = 16,
            SA_ETIMER_THRESH = 17, SA_MTIMER_THRESH = 18, SA_EXTRA_FLAGS = 19, SA_TFCPAD = 20, SA_SEC_CTX = 21,
            SA_OFFLOAD = 22, SA_DIR = 23, SA_NAT_KEEPALIVE = 24, SA_PCPU = 25, SA_UNKNOWN = 26, SA_LIFETIME = 27,
            SA_CURLFT = 28, SA_STATS = 29;
    // Policy presence vector bits
    static final int P_TEMPLATES = 0, P_MARK = 1, P_IF_ID = 2, P_SEC_CTX = 3, P_TYPE = 4, P_OFFLOAD = 5,
            P_EXTRA = 6, P_LIFETIME = 7, P_CURLFT = 8;

    /** Well-known algorithm names coded in one octet (0 = the name follows as text). */
    private static final String[] ALGORITHMS = {null, "cbc(aes)", "rfc4106(gcm(aes))", "hmac(sha1)", "hmac(sha256)",
        "hmac(sha384)", "hmac(sha512)", "rfc7539esp(chacha20,poly1305)", "rfc4309(ccm(aes))", "rfc4543(gcm(aes))",
        "xcbc(aes)", "cmac(aes)", "ecb(cipher_null)", "digest_null", "deflate", "cbc(des3_ede)", "ctr(aes)"};

    private ContextBlocks() {
    }

    // =================================================================== encode

    public static List<ContextDataBlock> encode(MobileNodeContext ctx) {
        AddressTable table = new AddressTable();
        table.index(ctx.mobileNode().careOfAddress());
        table.index(ctx.sourceRouter());
        List<byte[]> sas = new ArrayList<>();
        List<Integer> saPv = new ArrayList<>();
        for (SecurityAssociation sa : ctx.securityAssociations()) {
            CompactWriter w = new CompactWriter();
            saPv.add(encodeSa(sa, w, table));
            sas.add(w.toByteArray());
        }
        List<byte[]> pols = new ArrayList<>();
        List<Integer> polPv = new ArrayList<>();
        for (SecurityPolicy p : ctx.policies()) {
            CompactWriter w = new CompactWriter();
            polPv.add(encodePolicy(p, w, table));
            pols.add(w.toByteArray());
        }
        List<ContextDataBlock> out = new ArrayList<>();
        addItem(out, FPT_HEADER, false, 0, encodeHeader(ctx, table));
        for (int i = 0; i < sas.size(); i++) {
            addItem(out, FPT_SA, true, saPv.get(i), sas.get(i));
        }
        for (int i = 0; i < pols.size(); i++) {
            addItem(out, FPT_POLICY, true, polPv.get(i), pols.get(i));
        }
        if (ctx.ikeContext() != null) {
            IkeContextSlot ike = ctx.ikeContext();
            CompactWriter w = new CompactWriter().u64(ike.spiInitiator()).u64(ike.spiResponder()).blob(ike.encoded());
            addItem(out, FPT_IKE, false, 0, w.toByteArray());
        }
        return out;
    }

    /** Total octets of the blocks on the wire. */
    public static int encodedLength(List<ContextDataBlock> blocks) {
        int n = 0;
        for (ContextDataBlock b : blocks) {
            n += b.encodedLength();
        }
        return n;
    }

    private static void addItem(List<ContextDataBlock> out, int fpt, boolean p, int pv, byte[] item) {
        int off = 0;
        boolean first = true;
        do {
            int n = Math.min(MAX_PIECE, item.length - off);
            byte[] data = new byte[2 + n];
            data[0] = (byte) (n >>> 8);
            data[1] = (byte) n;
            System.arraycopy(item, off, data, 2, n);
            if (first) {
                out.add(new ContextDataBlock(fpt, p, p ? pv : 0, data));
            } else {
                out.add(ContextDataBlock.of(FPT_CONTINUATION, data));
            }
            off += n;
            first = false;
        } while (off < item.length);
    }

    private static byte[] encodeHeader(MobileNodeContext ctx, AddressTable table) {
        MobileNodeIdentity mn = ctx.mobileNode();
        int flags = (mn.homeAddress() != null ? 1 : 0) | (ctx.targetRouter() != null ? 2 : 0)
                | (ctx.newCareOf() != null ? 4 : 0);
        // Index the optional addresses before the table is written.
        int hoa = mn.homeAddress() != null ? table.index(mn.homeAddress()) : 0;
        int nar = ctx.targetRouter() != null ? table.index(ctx.targetRouter()) : 0;
        int ncoa = ctx.newCareOf() != null ? table.index(ctx.newCareOf()) : 0;
        List<Integer> mapDst = new ArrayList<>();
        for (SpiMapping m : ctx.spiMappings()) {
            mapDst.add(m.destination() == null ? -1 : table.index(m.destination()));
        }
        CompactWriter w = new CompactWriter();
        w.u8(VERSION).u8(flags);
        w.u64(ctx.createdAt().toEpochMilli());
        w.varint(ctx.lifetime().toMillis());
        table.writeTo(w);
        w.u8(table.index(mn.careOfAddress())).u8(table.index(ctx.sourceRouter()));
        if (mn.homeAddress() != null) {
            w.u8(hoa);
        }
        if (ctx.targetRouter() != null) {
            w.u8(nar);
        }
        if (ctx.newCareOf() != null) {
            w.u8(ncoa);
        }
        w.varint(ctx.spiMappings().size());
        for (int i = 0; i < ctx.spiMappings().size(); i++) {
            SpiMapping m = ctx.spiMappings().get(i);
            w.u8(m.proto()).u8((m.inboundToTarget() ? 1 : 0) | (m.ikeSa() ? 2 : 0) | (m.destination() == null ? 4 : 0));
            if (m.destination() != null) {
                w.u8(mapDst.get(i));
            }
            w.u64(m.oldSpi()).u64(m.newSpi());
        }
        return w.toByteArray();
    }

    private static int encodeSa(SecurityAssociation sa, CompactWriter w, AddressTable t) {
        SaInfo info = sa.info();
        int pv = 0;
        w.u8(info.id().proto()).u8(info.mode()).u8(info.flags()).u16(info.family());
        w.u32(info.id().spi());
        w.varint(Integer.toUnsignedLong(info.reqid()));
        w.u8(t.index(info.saddr())).u8(t.index(info.id().daddr()));
        w.u8(info.replayWindow()).varint(Integer.toUnsignedLong(info.seq()));
        encodeSelector(info.selector(), w, t);
        if (sa.aead() != null) {
            pv |= 1 << SA_AEAD;
            algorithm(w, sa.aead().name(), sa.aead().keyBits(), sa.aead().key());
            w.varint(Integer.toUnsignedLong(sa.aead().icvBits()));
        }
        if (sa.crypt() != null) {
            pv |= 1 << SA_CRYPT;
            algorithm(w, sa.crypt().name(), sa.crypt().keyBits(), sa.crypt().key());
        }
        if (sa.authTrunc() != null) {
            pv |= 1 << SA_AUTH_TRUNC;
            algorithm(w, sa.authTrunc().name(), sa.authTrunc().keyBits(), sa.authTrunc().key());
            w.varint(Integer.toUnsignedLong(sa.authTrunc().truncBits()));
        }
        if (sa.auth() != null) {
            pv |= 1 << SA_AUTH;
            algorithm(w, sa.auth().name(), sa.auth().keyBits(), sa.auth().key());
        }
        if (sa.comp() != null) {
            pv |= 1 << SA_COMP;
            algorithm(w, sa.comp().name(), sa.comp().keyBits(), sa.comp().key());
        }
        if (sa.encap() != null) {
            pv |= 1 << SA_ENCAP;
            EncapTemplate e = sa.encap();
            w.u16(e.type()).u16(e.sport()).u16(e.dport()).u8(t.index(e.originalAddress()));
        }
        if (sa.mark() != null) {
            pv |= 1 << SA_MARK;
            w.u32(sa.mark().value()).u32(sa.mark().mask());
        }
        pv |= optU32(w, sa.setMark(), SA_SET_MARK);
        pv |= optU32(w, sa.setMarkMask(), SA_SET_MARK_MASK);
        pv |= optU32(w, sa.ifId(), SA_IF_ID);
        if (sa.replay() != null) {
            pv |= 1 << SA_REPLAY;
            w.u32(sa.replay().oseq()).u32(sa.replay().seq()).u32(sa.replay().bitmap());
        }
        if (sa.replayEsn() != null) {
            pv |= 1 << SA_REPLAY_ESN;
            ReplayStateEsn r = sa.replayEsn();
            int[] bmp = r.bitmap();
            w.varint(r.bmpLen()).u32(r.oseq()).u32(r.seq()).u32(r.oseqHi()).u32(r.seqHi())
                    .varint(Integer.toUnsignedLong(r.replayWindow())).u8(bmp.length == 0 ? 0 : 1);
            for (int word : bmp) {
                w.u32(word);
            }
        }
        if (sa.coaddr() != null) {
            pv |= 1 << SA_COADDR;
            w.u8(t.index(sa.coaddr()));
        }
        if (sa.srcaddr() != null) {
            pv |= 1 << SA_SRCADDR;
            w.u8(t.index(sa.srcaddr()));
        }
        if (sa.lastUsed() != null) {
            pv |= 1 << SA_LAST_USED;
            w.varint(sa.lastUsed());
        }
        if (sa.ltimeVal() != null) {
            pv |= 1 << SA_LTIME_VAL;
            current(w, sa.ltimeVal());
        }
        pv |= optU32(w, sa.replayThresh(), SA_REPLAY_THRESH);
        pv |= optU32(w, sa.etimerThresh(), SA_ETIMER_THRESH);
        pv |= optU32(w, sa.mtimerThresh(), SA_MTIMER_THRESH);
        pv |= optU32(w, sa.saExtraFlags(), SA_EXTRA_FLAGS);
        pv |= optU32(w, sa.tfcPad(), SA_TFCPAD);
        if (sa.secCtx() != null) {
            pv |= 1 << SA_SEC_CTX;
            secCtx(w, sa.secCtx());
        }
        if (sa.offload() != null) {
            pv |= 1 << SA_OFFLOAD;
            w.u32(sa.offload().ifindex()).u8(sa.offload().flags());
        }
        if (sa.saDir() != null) {
            pv |= 1 << SA_DIR;
            w.u8(sa.saDir());
        }
        pv |= optU32(w, sa.natKeepaliveInterval(), SA_NAT_KEEPALIVE);
        pv |= optU32(w, sa.pcpu(), SA_PCPU);
        if (!sa.unknownAttributes().isEmpty()) {
            pv |= 1 << SA_UNKNOWN;
            attributes(w, sa);
        }
        if (!info.lifetime().equals(LifetimeConfig.UNLIMITED)) {
            pv |= 1 << SA_LIFETIME;
            lifetime(w, info.lifetime());
        }
        if (!info.current().equals(LifetimeCurrent.ZERO)) {
            pv |= 1 << SA_CURLFT;
            current(w, info.current());
        }
        if (!info.stats().equals(SaStats.ZERO)) {
            pv |= 1 << SA_STATS;
            w.u32(info.stats().replayWindow()).u32(info.stats().replay()).u32(info.stats().integrityFailed());
        }
        return pv;
    }

    private static int encodePolicy(SecurityPolicy p, CompactWriter w, AddressTable t) {
        PolicyInfo info = p.info();
        int pv = 0;
        w.u8(info.direction()).u8(info.action()).u8(info.flags()).u8(info.share());
        w.varint(Integer.toUnsignedLong(info.priority())).varint(Integer.toUnsignedLong(info.index()));
        encodeSelector(info.selector(), w, t);
        if (!p.templates().isEmpty()) {
            pv |= 1 << P_TEMPLATES;
            w.varint(p.templates().size());
            for (UserTemplate u : p.templates()) {
                w.u8(t.index(u.daddr())).u32(u.spi()).u8(u.proto()).u16(u.family()).u8(t.index(u.saddr()));
                w.varint(Integer.toUnsignedLong(u.reqid())).u8(u.mode()).u8(u.share()).u8(u.optional());
                boolean all = u.aalgos() == -1 && u.ealgos() == -1 && u.calgos() == -1;
                w.u8(all ? 1 : 0);
                if (!all) {
                    w.u32(u.aalgos()).u32(u.ealgos()).u32(u.calgos());
                }
            }
        }
        if (p.mark() != null) {
            pv |= 1 << P_MARK;
            w.u32(p.mark().value()).u32(p.mark().mask());
        }
        pv |= optU32(w, p.ifId(), P_IF_ID);
        if (p.securityContext() != null) {
            pv |= 1 << P_SEC_CTX;
            secCtx(w, p.securityContext());
        }
        if (p.policyType() != null) {
            pv |= 1 << P_TYPE;
            w.u8(p.policyType().type());
        }
        if (p.offload() != null) {
            pv |= 1 << P_OFFLOAD;
            w.u32(p.offload().ifindex()).u8(p.offload().flags());
        }
        if (!p.extraAttributes().isEmpty()) {
            pv |= 1 << P_EXTRA;
            attributes(w, p);
        }
        if (!info.lifetime().equals(LifetimeConfig.UNLIMITED)) {
            pv |= 1 << P_LIFETIME;
            lifetime(w, info.lifetime());
        }
        if (!info.current().equals(LifetimeCurrent.ZERO)) {
            pv |= 1 << P_CURLFT;
            current(w, info.current());
        }
        return pv;
    }

    private static void encodeSelector(Selector s, CompactWriter w, AddressTable t) {
        boolean ports = s.dport() != 0 || s.dportMask() != 0 || s.sport() != 0 || s.sportMask() != 0;
        boolean extra = s.ifindex() != 0 || s.user() != 0;
        w.u16(s.family()).u8(s.prefixlenD()).u8(s.prefixlenS()).u8(s.proto());
        w.u8(t.index(s.daddr())).u8(t.index(s.saddr()));
        w.u8((ports ? 1 : 0) | (extra ? 2 : 0));
        if (ports) {
            w.u16(s.dport()).u16(s.dportMask()).u16(s.sport()).u16(s.sportMask());
        }
        if (extra) {
            w.u32(s.ifindex()).u32(s.user());
        }
    }

    private static int optU32(CompactWriter w, Integer v, int bit) {
        if (v == null) {
            return 0;
        }
        w.varint(Integer.toUnsignedLong(v));
        return 1 << bit;
    }

    private static void algorithm(CompactWriter w, String name, int keyBits, KeyBytes key) {
        int code = 0;
        for (int i = 1; i < ALGORITHMS.length; i++) {
            if (ALGORITHMS[i].equals(name)) {
                code = i;
                break;
            }
        }
        w.u8(code);
        if (code == 0) {
            w.string(name);
        }
        w.varint(Integer.toUnsignedLong(keyBits));
        byte[] k = key.bytes();
        try {
            w.blob(k);
        } finally {
            java.util.Arrays.fill(k, (byte) 0);
        }
    }

    private static void lifetime(CompactWriter w, LifetimeConfig l) {
        w.limit(l.softByteLimit()).limit(l.hardByteLimit()).limit(l.softPacketLimit()).limit(l.hardPacketLimit())
                .limit(l.softAddExpiresSeconds()).limit(l.hardAddExpiresSeconds())
                .limit(l.softUseExpiresSeconds()).limit(l.hardUseExpiresSeconds());
    }

    private static void current(CompactWriter w, LifetimeCurrent c) {
        w.varint(c.bytes()).varint(c.packets()).varint(c.addTime()).varint(c.useTime());
    }

    private static void secCtx(CompactWriter w, SecurityContext c) {
        w.u16(c.exttype()).u8(c.alg()).u8(c.doi()).blob(c.context());
    }

    private static void attributes(CompactWriter w, SecurityAssociation sa) {
        w.varint(sa.unknownAttributes().size());
        KeptAttributes.forEach(sa.unknownAttributes(), (type, value) -> w.u16(type).blob(value));
    }

    private static void attributes(CompactWriter w, SecurityPolicy p) {
        w.varint(p.extraAttributes().size());
        KeptAttributes.forEach(p.extraAttributes(), (type, value) -> w.u16(type).blob(value));
    }

    // =================================================================== decode

    /**
     * Decodes the blocks of one context (in the order {@link #encode} wrote them; blocks of other
     * feature types are ignored, as RFC 4067 lets a receiver skip contexts it does not know).
     *
     * @throws ContextDecodeException on any malformed or inconsistent block
     */
    public static MobileNodeContext decode(List<ContextDataBlock> blocks) throws ContextDecodeException {
        try {
            return decodeChecked(blocks);
        } catch (MalformedBlock e) {
            throw new ContextDecodeException(e.getMessage());
        } catch (IllegalArgumentException | IllegalStateException | NullPointerException | ArithmeticException
                 | IndexOutOfBoundsException e) {
            // A record constructor refused a decoded value (family mismatch, out-of-range field...).
            throw new ContextDecodeException("invalid context: " + e.getMessage());
        }
    }

    private record Item(int fpt, int pv, byte[] bytes) {
    }

    private static List<Item> items(List<ContextDataBlock> blocks) {
        List<Item> items = new ArrayList<>();
        int i = 0;
        while (i < blocks.size()) {
            ContextDataBlock b = blocks.get(i++);
            int t = b.featureProfileType();
            if (t != FPT_HEADER && t != FPT_SA && t != FPT_POLICY && t != FPT_IKE && t != FPT_CONTINUATION) {
                continue; // another feature's context: RFC 4067 lets a receiver skip what it does not know
            }
            if (b.featureProfileType() == FPT_CONTINUATION) {
                throw new MalformedBlock("continuation block without a first block");
            }
            java.io.ByteArrayOutputStream acc = new java.io.ByteArrayOutputStream();
            piece(b, acc);
            while (i < blocks.size() && blocks.get(i).featureProfileType() == FPT_CONTINUATION) {
                piece(blocks.get(i++), acc);
            }
            items.add(new Item(b.featureProfileType(), b.presenceVector(), acc.toByteArray()));
        }
        return items;
    }

    private static void piece(ContextDataBlock b, java.io.ByteArrayOutputStream acc) {
        byte[] d = b.data();
        MalformedBlock.check(d.length >= 2, "context block of type 0x" + Integer.toHexString(b.featureProfileType())
                + " has no item length");
        int n = ((d[0] & 0xff) << 8) | (d[1] & 0xff);
        MalformedBlock.check(n <= d.length - 2, "context block item length " + n + " exceeds its block");
        for (int i = 2 + n; i < d.length; i++) {
            MalformedBlock.check(d[i] == 0, "non-zero padding in context block");
        }
        acc.write(d, 2, n);
    }

    private static MobileNodeContext decodeChecked(List<ContextDataBlock> blocks) {
        List<Item> items = items(blocks);
        MalformedBlock.check(!items.isEmpty() && items.get(0).fpt() == FPT_HEADER,
                "context does not start with a header block (FPT 0xFF10)");
        CompactReader h = new CompactReader(items.get(0).bytes());
        int version = h.u8("version");
        MalformedBlock.check(version == VERSION, "unsupported context encoding version " + version);
        int flags = h.u8("flags");
        Instant created = Instant.ofEpochMilli(h.u64("creation time"));
        Duration lifetime = Duration.ofMillis(h.varint("lifetime"));
        AddressTable table = AddressTable.readFrom(h);
        InetAddress coa = table.get(h.u8("care-of address"));
        InetAddress par = table.get(h.u8("source router"));
        InetAddress hoa = (flags & 1) != 0 ? table.get(h.u8("home address")) : null;
        InetAddress nar = (flags & 2) != 0 ? table.get(h.u8("target router")) : null;
        InetAddress ncoa = (flags & 4) != 0 ? table.get(h.u8("new care-of address")) : null;
        int nMappings = (int) Math.min(h.varint("mapping count"), 1 << 16);
        List<SpiMapping> mappings = new ArrayList<>();
        for (int i = 0; i < nMappings; i++) {
            int proto = h.u8("mapping proto");
            int mf = h.u8("mapping flags");
            InetAddress dst = (mf & 4) != 0 ? null : table.get(h.u8("mapping destination"));
            mappings.add(new SpiMapping(proto, dst, h.u64("old SPI"), h.u64("new SPI"), (mf & 1) != 0, (mf & 2) != 0));
        }
        MalformedBlock.check(h.atEnd(), "trailing octets in context header");

        List<SecurityAssociation> sas = new ArrayList<>();
        List<SecurityPolicy> policies = new ArrayList<>();
        IkeContextSlot ike = null;
        for (Item it : items.subList(1, items.size())) {
            CompactReader r = new CompactReader(it.bytes());
            switch (it.fpt()) {
                case FPT_SA -> sas.add(decodeSa(r, it.pv(), table));
                case FPT_POLICY -> policies.add(decodePolicy(r, it.pv(), table));
                case FPT_IKE -> {
                    MalformedBlock.check(ike == null, "two IKE context blocks");
                    ike = new IkeContextSlot(r.u64("IKE SPIi"), r.u64("IKE SPIr"), r.blob("IKE context"));
                }
                case FPT_HEADER -> throw new MalformedBlock("second context header block");
                default -> {
                    continue; // another feature's context: not ours to read
                }
            }
            MalformedBlock.check(r.atEnd(), "trailing octets in context block 0x" + Integer.toHexString(it.fpt()));
        }
        return new MobileNodeContext(new MobileNodeIdentity(hoa, coa), par, nar, ncoa, sas, policies, mappings, ike,
                created, lifetime);
    }

    private static boolean has(int pv, int bit) {
        return (pv & (1 << bit)) != 0;
    }

    private static SecurityAssociation decodeSa(CompactReader r, int pv, AddressTable t) {
        MalformedBlock.check((pv >>> (SA_STATS + 1)) == 0, "unknown SA presence bits 0x" + Integer.toHexString(pv));
        int proto = r.u8("SA proto");
        int mode = r.u8("SA mode");
        int flags = r.u8("SA flags");
        int family = r.u16("SA family");
        int spi = r.u32("SPI");
        int reqid = r.varint32("reqid");
        InetAddress src = t.get(r.u8("SA source"));
        InetAddress dst = t.get(r.u8("SA destination"));
        int window = r.u8("replay window");
        int seq = r.varint32("SA seq");
        Selector sel = decodeSelector(r, t);
        SecurityAssociation.Builder b = null;
        AeadAlgorithm aead = null;
        Algorithm crypt = null;
        AuthAlgorithm authTrunc = null;
        Algorithm auth = null;
        Algorithm comp = null;
        if (has(pv, SA_AEAD)) {
            Object[] a = algorithm(r);
            aead = new AeadAlgorithm((String) a[0], (KeyBytes) a[2], (Integer) a[1], r.varint32("ICV bits"));
        }
        if (has(pv, SA_CRYPT)) {
            Object[] a = algorithm(r);
            crypt = new Algorithm((String) a[0], (KeyBytes) a[2], (Integer) a[1]);
        }
        if (has(pv, SA_AUTH_TRUNC)) {
            Object[] a = algorithm(r);
            authTrunc = new AuthAlgorithm((String) a[0], (KeyBytes) a[2], (Integer) a[1], r.varint32("truncation bits"));
        }
        if (has(pv, SA_AUTH)) {
            Object[] a = algorithm(r);
            auth = new Algorithm((String) a[0], (KeyBytes) a[2], (Integer) a[1]);
        }
        if (has(pv, SA_COMP)) {
            Object[] a = algorithm(r);
            comp = new Algorithm((String) a[0], (KeyBytes) a[2], (Integer) a[1]);
        }
        EncapTemplate encap = null;
        if (has(pv, SA_ENCAP)) {
            encap = new EncapTemplate(r.u16("encap type"), r.u16("encap sport"), r.u16("encap dport"),
                    t.get(r.u8("encap address")));
        }
        Mark mark = has(pv, SA_MARK) ? new Mark(r.u32("mark"), r.u32("mark mask")) : null;
        Integer setMark = optU32(r, pv, SA_SET_MARK);
        Integer setMarkMask = optU32(r, pv, SA_SET_MARK_MASK);
        Integer ifId = optU32(r, pv, SA_IF_ID);
        ReplayState replay = has(pv, SA_REPLAY) ? new ReplayState(r.u32("oseq"), r.u32("seq"), r.u32("bitmap")) : null;
        ReplayStateEsn esn = null;
        if (has(pv, SA_REPLAY_ESN)) {
            int bmpLen = r.varint32("ESN bmp_len");
            // varint32 is a u32: 2^31 and above come back negative
            MalformedBlock.check(bmpLen >= 0 && bmpLen <= ReplayStateEsn.MAX_BMP_LEN,
                    "ESN bitmap too long: " + Integer.toUnsignedString(bmpLen));
            int oseq = r.u32("ESN oseq");
            int eseq = r.u32("ESN seq");
            int oseqHi = r.u32("ESN oseq_hi");
            int seqHi = r.u32("ESN seq_hi");
            int rw = r.varint32("ESN window");
            int withBitmap = r.u8("ESN bitmap flag");
            int[] bmp = new int[withBitmap == 0 ? 0 : bmpLen];
            for (int i = 0; i < bmp.length; i++) {
                bmp[i] = r.u32("ESN bitmap");
            }
            esn = new ReplayStateEsn(bmpLen, oseq, eseq, oseqHi, seqHi, rw, bmp);
        }
        InetAddress coaddr = has(pv, SA_COADDR) ? t.get(r.u8("coaddr")) : null;
        InetAddress srcaddr = has(pv, SA_SRCADDR) ? t.get(r.u8("srcaddr")) : null;
        Long lastUsed = has(pv, SA_LAST_USED) ? r.varint("last used") : null;
        LifetimeCurrent ltime = has(pv, SA_LTIME_VAL) ? current(r) : null;
        Integer replayThresh = optU32(r, pv, SA_REPLAY_THRESH);
        Integer etimer = optU32(r, pv, SA_ETIMER_THRESH);
        Integer mtimer = optU32(r, pv, SA_MTIMER_THRESH);
        Integer extraFlags = optU32(r, pv, SA_EXTRA_FLAGS);
        Integer tfc = optU32(r, pv, SA_TFCPAD);
        SecurityContext sc = has(pv, SA_SEC_CTX) ? secCtx(r) : null;
        OffloadDevice off = has(pv, SA_OFFLOAD) ? new OffloadDevice(r.u32("offload ifindex"), r.u8("offload flags")) : null;
        Integer dir = has(pv, SA_DIR) ? r.u8("SA dir") : null;
        Integer natKa = optU32(r, pv, SA_NAT_KEEPALIVE);
        Integer pcpu = optU32(r, pv, SA_PCPU);
        var unknown = has(pv, SA_UNKNOWN) ? KeptAttributes.read(attributeCount(r), sink -> attribute(r, sink))
                : KeptAttributes.none();
        LifetimeConfig lft = has(pv, SA_LIFETIME) ? lifetime(r) : LifetimeConfig.UNLIMITED;
        LifetimeCurrent cur = has(pv, SA_CURLFT) ? current(r) : LifetimeCurrent.ZERO;
        SaStats stats = has(pv, SA_STATS) ? new SaStats(r.u32("stats window"), r.u32("stats replay"), r.u32("stats integrity"))
                : SaStats.ZERO;
        SaInfo info = new SaInfo(sel, new XfrmId(dst, spi, proto), src, lft, cur, stats, seq, reqid, family, mode,
                window, flags);
        return new SecurityAssociation(info, aead, auth, authTrunc, crypt, comp, encap, mark, setMark, setMarkMask,
                ifId, replay, esn, coaddr, srcaddr, lastUsed, ltime, replayThresh, etimer, mtimer, extraFlags, tfc, sc,
                off, dir, natKa, pcpu, unknown);
    }

    private static SecurityPolicy decodePolicy(CompactReader r, int pv, AddressTable t) {
        MalformedBlock.check((pv >>> (P_CURLFT + 1)) == 0, "unknown policy presence bits 0x" + Integer.toHexString(pv));
        int dir = r.u8("policy dir");
        int action = r.u8("policy action");
        int flags = r.u8("policy flags");
        int share = r.u8("policy share");
        int priority = r.varint32("priority");
        int index = r.varint32("index");
        Selector sel = decodeSelector(r, t);
        List<UserTemplate> templates = new ArrayList<>();
        if (has(pv, P_TEMPLATES)) {
            int n = r.varint32("template count");
            MalformedBlock.check(n > 0 && n <= 64, "template count " + n);
            for (int i = 0; i < n; i++) {
                InetAddress d = t.get(r.u8("template daddr"));
                int spi = r.u32("template spi");
                int proto = r.u8("template proto");
                int fam = r.u16("template family");
                InetAddress s = t.get(r.u8("template saddr"));
                int reqid = r.varint32("template reqid");
                int mode = r.u8("template mode");
                int tshare = r.u8("template share");
                int optional = r.u8("template optional");
                boolean all = r.u8("template algos") == 1;
                int aa = all ? -1 : r.u32("aalgos");
                int ea = all ? -1 : r.u32("ealgos");
                int ca = all ? -1 : r.u32("calgos");
                templates.add(new UserTemplate(d, spi, proto, fam, s, reqid, mode, tshare, optional, aa, ea, ca));
            }
        }
        Mark mark = has(pv, P_MARK) ? new Mark(r.u32("mark"), r.u32("mark mask")) : null;
        Integer ifId = optU32(r, pv, P_IF_ID);
        SecurityContext sc = has(pv, P_SEC_CTX) ? secCtx(r) : null;
        PolicyType type = has(pv, P_TYPE) ? new PolicyType(r.u8("policy type")) : null;
        OffloadDevice off = has(pv, P_OFFLOAD) ? new OffloadDevice(r.u32("offload ifindex"), r.u8("offload flags")) : null;
        var extra = has(pv, P_EXTRA) ? KeptAttributes.read(attributeCount(r), sink -> attribute(r, sink))
                : KeptAttributes.none();
        LifetimeConfig lft = has(pv, P_LIFETIME) ? lifetime(r) : LifetimeConfig.UNLIMITED;
        LifetimeCurrent cur = has(pv, P_CURLFT) ? current(r) : LifetimeCurrent.ZERO;
        PolicyInfo info = new PolicyInfo(sel, lft, cur, priority, index, dir, action, flags, share);
        return new SecurityPolicy(info, templates, mark, ifId, sc, type, off, extra);
    }

    private static Selector decodeSelector(CompactReader r, AddressTable t) {
        int family = r.u16("selector family");
        int pd = r.u8("selector dst prefix");
        int ps = r.u8("selector src prefix");
        int proto = r.u8("selector proto");
        InetAddress d = t.get(r.u8("selector daddr"));
        InetAddress s = t.get(r.u8("selector saddr"));
        int f = r.u8("selector flags");
        MalformedBlock.check((f & ~3) == 0, "unknown selector flags");
        int dp = 0, dpm = 0, sp = 0, spm = 0, ifi = 0, user = 0;
        if ((f & 1) != 0) {
            dp = r.u16("dport");
            dpm = r.u16("dport mask");
            sp = r.u16("sport");
            spm = r.u16("sport mask");
        }
        if ((f & 2) != 0) {
            ifi = r.u32("ifindex");
            user = r.u32("user");
        }
        return new Selector(d, s, dp, dpm, sp, spm, family, pd, ps, proto, ifi, user);
    }

    private static Integer optU32(CompactReader r, int pv, int bit) {
        return has(pv, bit) ? r.varint32("field " + bit) : null;
    }

    private static Object[] algorithm(CompactReader r) {
        int code = r.u8("algorithm code");
        String name;
        if (code == 0) {
            name = r.string("algorithm name");
            MalformedBlock.check(name.length() < 64, "algorithm name too long");
        } else {
            MalformedBlock.check(code < ALGORITHMS.length, "unknown algorithm code " + code);
            name = ALGORITHMS[code];
        }
        int bits = r.varint32("key bits");
        byte[] key = r.blob("key");
        try {
            return new Object[] {name, bits, KeyBytes.of(key)};
        } finally {
            java.util.Arrays.fill(key, (byte) 0);
        }
    }

    private static LifetimeConfig lifetime(CompactReader r) {
        return new LifetimeConfig(r.limit("lft"), r.limit("lft"), r.limit("lft"), r.limit("lft"), r.limit("lft"),
                r.limit("lft"), r.limit("lft"), r.limit("lft"));
    }

    private static LifetimeCurrent current(CompactReader r) {
        return new LifetimeCurrent(r.varint("bytes"), r.varint("packets"), r.varint("add time"), r.varint("use time"));
    }

    private static SecurityContext secCtx(CompactReader r) {
        return new SecurityContext(r.u16("ctx exttype"), r.u8("ctx alg"), r.u8("ctx doi"), r.blob("ctx"));
    }

    private static int attributeCount(CompactReader r) {
        int n = r.varint32("attribute count");
        MalformedBlock.check(n >= 0 && n <= 4096, "too many attributes: " + Integer.toUnsignedString(n));
        return n;
    }

    private static void attribute(CompactReader r, KeptAttributes.Sink sink) {
        sink.accept(r.u16("attribute type"), r.blob("attribute value"));
    }

    // =================================================================== address table

    /** Distinct addresses of a context, each written once; items refer to them by index. */
    static final class AddressTable {
        private final List<InetAddress> addresses = new ArrayList<>();

        int index(InetAddress a) {
            if (a == null) {
                throw new IllegalArgumentException("null address in context");
            }
            for (int i = 0; i < addresses.size(); i++) {
                InetAddress x = addresses.get(i);
                if (x.equals(a) && x.getClass() == a.getClass()) {
                    return i;
                }
            }
            if (addresses.size() == 255) {
                throw new IllegalArgumentException("a context may name at most 255 distinct addresses");
            }
            addresses.add(a);
            return addresses.size() - 1;
        }

        InetAddress get(int i) {
            MalformedBlock.check(i < addresses.size(), "address index " + i + " outside the table of "
                    + addresses.size());
            return addresses.get(i);
        }

        void writeTo(CompactWriter w) {
            w.u8(addresses.size());
            for (InetAddress a : addresses) {
                byte[] b = a.getAddress();
                w.u8(a instanceof Inet4Address ? 4 : 6).bytes(b);
            }
        }

        static AddressTable readFrom(CompactReader r) {
            AddressTable t = new AddressTable();
            int n = r.u8("address count");
            for (int i = 0; i < n; i++) {
                int kind = r.u8("address kind");
                MalformedBlock.check(kind == 4 || kind == 6, "address kind " + kind);
                byte[] b = r.bytes(kind == 4 ? 4 : 16, "address");
                try {
                    t.addresses.add(kind == 4 ? InetAddress.getByAddress(b) : XfrmStructs.ipv6(b));
                } catch (UnknownHostException e) {
                    throw new MalformedBlock("bad address");
                }
            }
            return t;
        }
    }

    @SuppressWarnings("unused")
    private static final Class<?>[] KEEP = {ByteBuffer.class, ByteOrder.class, AddressFamily.class};
}
