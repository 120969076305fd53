package io.cxt.cli;

import java.net.InetAddress;
import java.util.List;

import io.cxt.xfrm.AddressFamily;
import io.cxt.xfrm.AddressFilter;
import io.cxt.xfrm.AeadAlgorithm;
import io.cxt.xfrm.Algorithm;
import io.cxt.xfrm.AllocSpiRequest;
import io.cxt.xfrm.AuthAlgorithm;
import io.cxt.xfrm.EncapTemplate;
import io.cxt.xfrm.KeyBytes;
import io.cxt.xfrm.LifetimeConfig;
import io.cxt.xfrm.LifetimeCurrent;
import io.cxt.xfrm.Mark;
import io.cxt.xfrm.OffloadDevice;
import io.cxt.xfrm.ReplayState;
import io.cxt.xfrm.ReplayStateEsn;
import io.cxt.xfrm.SaInfo;
import io.cxt.xfrm.SaKey;
import io.cxt.xfrm.SaStats;
import io.cxt.xfrm.SecurityAssociation;
import io.cxt.xfrm.SecurityContext;
import io.cxt.xfrm.Selector;
import io.cxt.xfrm.SpiRange;
import io.cxt.xfrm.XfrmId;
import io.cxt.xfrm.XfrmStructs;

/**
 * The token grammar of {@code cxctl xfrm state ...}, iproute2's {@code ip xfrm state} grammar
 * parsed into the xfrm-netlink records. Usage errors are one-line {@link UsageException}s.
 */
final class StateGrammar {
    private StateGrammar() {
    }

    /** ID := [ src ADDR ] [ dst ADDR ] [ proto XFRM-PROTO ] [ spi SPI ], collected keyword by keyword. */
    static final class Id {
        XfrmSyntax.Prefix src;
        XfrmSyntax.Prefix dst;
        Integer proto;
        Integer spi;
        private final boolean prefixes;

        Id(boolean prefixes) {
            this.prefixes = prefixes;
        }

        boolean accept(String keyword, Tokens t) {
            switch (keyword) {
                case "src" -> {
                    dup(src, keyword);
                    src = address(t.value(keyword, "ADDR"), "src");
                }
                case "dst" -> {
                    dup(dst, keyword);
                    dst = address(t.value(keyword, "ADDR"), "dst");
                }
                case "proto" -> {
                    dup(proto, keyword);
                    proto = XfrmSyntax.xfrmProto(t.value(keyword, "XFRM-PROTO"));
                }
                case "spi" -> {
                    dup(spi, keyword);
                    spi = XfrmSyntax.u32(t.value(keyword, "SPI"), "SPI");
                }
                default -> {
                    return false;
                }
            }
            return true;
        }

        private XfrmSyntax.Prefix address(String token, String what) {
            XfrmSyntax.Prefix p = XfrmSyntax.prefix(token, what + " address");
            if (p.lengthGiven() && !prefixes) {
                throw new UsageException("\"" + what + "\" takes an address, not a prefix: \"" + token + "\"");
            }
            return p;
        }

        boolean isEmpty() {
            return src == null && dst == null && proto == null && spi == null;
        }

        int family() {
            if (src != null && dst != null && src.family() != dst.family()) {
                throw new UsageException("the same address family is required between \"src\" and \"dst\"");
            }
            return dst != null ? dst.family() : src != null ? src.family() : AddressFamily.INET;
        }

        InetAddress srcAddress() {
            return src != null ? src.address() : XfrmStructs.any(family());
        }

        InetAddress dstAddress() {
            return dst != null ? dst.address() : XfrmStructs.any(family());
        }

        int requireProto() {
            if (proto == null) {
                throw new UsageException("missing \"proto XFRM-PROTO\" (esp, ah, comp, route2 or hao)");
            }
            return proto;
        }
    }

    private static void dup(Object previous, String keyword) {
        if (previous != null) {
            throw new UsageException("duplicate \"" + keyword + "\"");
        }
    }

    // ------------------------------------------------------------------ add / update

    /** {@code state add|update ID [ ALGO-LIST ] [ mode MODE ] ...}: the SA to send. */
    static SecurityAssociation sa(List<String> args, LinkNames links) {
        Tokens t = new Tokens(args);
        Id id = new Id(false);
        int mode = SaInfo.MODE_TRANSPORT;
        int reqid = 0;
        int seq = 0;
        long replayWindow = 0;
        int replaySeq = 0;
        int replayOseq = 0;
        int replaySeqHi = 0;
        int replayOseqHi = 0;
        int flags = 0;
        Integer extraFlags = null;
        SelectorSpec sel = null;
        LifetimeConfig lifetime = LifetimeConfig.UNLIMITED;
        EncapTemplate encap = null;
        String encapOa = null;
        Mark mark = null;
        Mark outputMark = null;
        Integer ifId = null;
        Integer tfcpad = null;
        XfrmSyntax.Prefix coa = null;
        SecurityContext ctx = null;
        String offloadDev = null;
        Integer offloadDir = null;
        boolean offloadPacket = false;
        Integer saDir = null;
        AeadAlgorithm aead = null;
        Algorithm crypt = null;
        Algorithm auth = null;
        AuthAlgorithm authTrunc = null;
        Algorithm comp = null;
        int encapType = 0;
        int encapSport = 0;
        int encapDport = 0;
        boolean modeGiven = false;

        while (t.hasNext()) {
            String k = t.next();
            if (id.accept(k, t)) {
                continue;
            }
            switch (k) {
                case "mode" -> {
                    mode = XfrmSyntax.mode(t.value(k, "MODE"));
                    modeGiven = true;
                }
                case "reqid" -> reqid = XfrmSyntax.u32(t.value(k, "REQID"), "REQID");
                case "seq" -> seq = XfrmSyntax.u32(t.value(k, "SEQ"), "SEQ");
                case "replay-window" -> replayWindow = XfrmSyntax.unsigned(t.value(k, "SIZE"), 32, "replay-window");
                case "replay-seq" -> replaySeq = XfrmSyntax.u32(t.value(k, "SEQ"), k);
                case "replay-oseq" -> replayOseq = XfrmSyntax.u32(t.value(k, "SEQ"), k);
                case "replay-seq-hi" -> replaySeqHi = XfrmSyntax.u32(t.value(k, "SEQ"), k);
                case "replay-oseq-hi" -> replayOseqHi = XfrmSyntax.u32(t.value(k, "SEQ"), k);
                case "flag" -> flags |= XfrmSyntax.flagList(t, k, 8, XfrmSyntax::stateFlag,
                        "noecn, decap-dscp, nopmtudisc, wildrecv, icmp, af-unspec, align4, esn or 0xHEX");
                case "extra-flag" -> extraFlags = (extraFlags == null ? 0 : extraFlags)
                        | XfrmSyntax.flagList(t, k, 32, XfrmSyntax::extraFlag, "dont-encap-dscp, oseq-may-wrap or 0xHEX");
                case "sel" -> {
                    dup(sel, k);
                    sel = new SelectorSpec(links, "sel");
                    while (t.hasNext() && SelectorSpec.KEYWORDS.contains(t.peek())) {
                        sel.accept(t.next(), t);
                    }
                    if (sel.isEmpty()) {
                        throw new UsageException("missing SELECTOR after \"sel\" (src, dst, dev, proto, ...)");
                    }
                }
                case "limit" -> lifetime = XfrmSyntax.limit(t, lifetime);
                case "encap" -> {
                    dup(encapOa, k);
                    encapType = XfrmSyntax.encapType(t.value(k, "ENCAP-TYPE"));
                    encapSport = XfrmSyntax.u16(t.value(k, "SPORT"), "encap sport");
                    encapDport = XfrmSyntax.u16(t.value(k, "DPORT"), "encap dport");
                    encapOa = t.value(k, "OADDR");
                }
                case "mark" -> {
                    dup(mark, k);
                    mark = XfrmSyntax.mark(t, k);
                }
                case "output-mark", "set-mark" -> {
                    dup(outputMark, k);
                    outputMark = XfrmSyntax.mark(t, k);
                }
                case "if_id" -> {
                    dup(ifId, k);
                    ifId = XfrmSyntax.u32(t.value(k, "IF_ID"), "if_id");
                }
                case "tfcpad" -> tfcpad = XfrmSyntax.u32(t.value(k, "LENGTH"), "tfcpad");
                case "coa" -> {
                    dup(coa, k);
                    coa = XfrmSyntax.prefix(t.value(k, "ADDR[/PLEN]"), "coa");
                }
                case "ctx" -> {
                    dup(ctx, k);
                    ctx = XfrmSyntax.context(t.value(k, "CTX"));
                }
                case "offload" -> {
                    dup(offloadDir, k);
                    if (t.accept("crypto")) {
                        offloadPacket = false;
                    } else if (t.accept("packet")) {
                        offloadPacket = true;
                    }
                    if (t.accept("dev")) {
                        offloadDev = t.value("dev", "DEV");
                    }
                    if (!t.accept("dir")) {
                        throw new UsageException("missing \"dir in|out\" after \"offload\"");
                    }
                    offloadDir = XfrmSyntax.saDir(t.value("dir", "DIR"));
                }
                case "dir" -> {
                    dup(saDir, k);
                    saDir = XfrmSyntax.saDir(t.value(k, "DIR"));
                }
                case "enc" -> {
                    dup(crypt, k);
                    String name = XfrmSyntax.algorithmName(t.value(k, "ALGO-NAME"), k);
                    crypt = Algorithm.of(name, XfrmSyntax.key(t.value(k, "ALGO-KEYMAT"), k + " key"));
                }
                case "auth" -> {
                    dup(auth, k);
                    String name = XfrmSyntax.algorithmName(t.value(k, "ALGO-NAME"), k);
                    auth = Algorithm.of(name, XfrmSyntax.key(t.value(k, "ALGO-KEYMAT"), k + " key"));
                }
                case "auth-trunc" -> {
                    dup(authTrunc, k);
                    String name = XfrmSyntax.algorithmName(t.value(k, "ALGO-NAME"), k);
                    KeyBytes key = XfrmSyntax.key(t.value(k, "ALGO-KEYMAT"), k + " key");
                    int trunc = XfrmSyntax.u32(t.value(k, "ALGO-TRUNC-LEN"), "auth-trunc truncation length");
                    authTrunc = AuthAlgorithm.of(name, key, trunc);
                }
                case "aead" -> {
                    dup(aead, k);
                    String name = XfrmSyntax.algorithmName(t.value(k, "ALGO-NAME"), k);
                    KeyBytes key = XfrmSyntax.key(t.value(k, "ALGO-KEYMAT"), k + " key");
                    int icv = XfrmSyntax.u32(t.value(k, "ALGO-ICV-LEN"), "aead ICV length");
                    aead = AeadAlgorithm.of(name, key, icv);
                }
                case "comp" -> {
                    dup(comp, k);
                    comp = Algorithm.of(XfrmSyntax.algorithmName(t.value(k, "ALGO-NAME"), k), KeyBytes.EMPTY);
                }
                default -> throw Tokens.unknown(k, "state add/update");
            }
        }

        if (id.isEmpty()) {
            throw new UsageException("missing ID: src ADDR dst ADDR proto XFRM-PROTO [spi SPI]");
        }
        int proto = id.requireProto();
        int family = id.family();
        int spi = id.spi == null ? 0 : id.spi;
        if (modeGiven || mode == SaInfo.MODE_TRANSPORT) {
            switch (mode) {
                case SaInfo.MODE_TRANSPORT, SaInfo.MODE_TUNNEL -> {
                    if (!XfrmSyntax.isIpsec(proto)) {
                        throw new UsageException("\"mode\" " + XfrmText.modeName(mode) + " is invalid with proto "
                                + XfrmId.protoName(proto));
                    }
                }
                case SaInfo.MODE_ROUTEOPTIMIZATION, SaInfo.MODE_IN_TRIGGER -> {
                    if (!XfrmSyntax.isRouteOptimization(proto)) {
                        throw new UsageException("\"mode\" " + XfrmText.modeName(mode) + " is invalid with proto "
                                + XfrmId.protoName(proto));
                    }
                    if (spi != 0) {
                        throw new UsageException("\"spi\" must be 0 with proto " + XfrmId.protoName(proto));
                    }
                }
                default -> {
                }
            }
        }
        boolean anyAlgo = aead != null || crypt != null || auth != null || authTrunc != null || comp != null;
        if (anyAlgo && !XfrmSyntax.isIpsec(proto)) {
            throw new UsageException("algorithms are invalid with proto " + XfrmId.protoName(proto));
        }
        if (!anyAlgo && XfrmSyntax.isIpsec(proto)) {
            throw new UsageException("an algorithm (enc, auth, auth-trunc, aead or comp) is required with proto "
                    + XfrmId.protoName(proto));
        }
        if (coa != null && !XfrmSyntax.isRouteOptimization(proto)) {
            throw new UsageException("\"coa\" is invalid with proto " + XfrmId.protoName(proto));
        }
        if (coa == null && XfrmSyntax.isRouteOptimization(proto)) {
            throw new UsageException("\"coa\" is required with proto " + XfrmId.protoName(proto));
        }
        if (coa != null && coa.family() != family) {
            throw new UsageException("\"coa\" is of another address family than the SA");
        }
        if (encapOa != null) {
            InetAddress oa = XfrmSyntax.address(encapOa, "encap OADDR");
            if (AddressFamily.of(oa) != family) {
                throw new UsageException("encap OADDR \"" + encapOa + "\" is of another address family than the SA");
            }
            encap = new EncapTemplate(encapType, encapSport, encapDport, oa);
        }

        Selector selector = sel == null ? Selector.any(AddressFamily.UNSPEC) : sel.build(family);
        ReplayState replay = null;
        ReplayStateEsn esn = null;
        int window = 0;
        if ((flags & SaInfo.FLAG_ESN) != 0 || replayWindow > 32) {
            if (replayWindow > ReplayStateEsn.MAX_WINDOW) {
                throw new UsageException("replay-window " + replayWindow + " is larger than "
                        + ReplayStateEsn.MAX_WINDOW);
            }
            int words = (int) ((replayWindow + 31) / 32);
            // the 24-octet header alone, as iproute2 sends it; the kernel allocates the bitmap
            esn = new ReplayStateEsn(words, replayOseq, replaySeq, replayOseqHi, replaySeqHi, (int) replayWindow,
                    new int[0]);
        } else {
            if (replaySeqHi != 0 || replayOseqHi != 0) {
                throw new UsageException("replay-seq-hi and replay-oseq-hi need \"flag esn\" (or a replay-window above 32)");
            }
            if (replaySeq != 0 || replayOseq != 0) {
                replay = new ReplayState(replayOseq, replaySeq, 0);
            }
            window = (int) replayWindow;
        }

        SaInfo info = new SaInfo(selector, new XfrmId(id.dstAddress(), spi, proto), id.srcAddress(), lifetime,
                LifetimeCurrent.ZERO, SaStats.ZERO, seq, reqid, family, mode, window, flags);
        SecurityAssociation.Builder b = SecurityAssociation.builder(info)
                .aead(aead).crypt(crypt).auth(auth).authTrunc(authTrunc).comp(comp).encap(encap).mark(mark)
                .ifId(ifId).replay(replay).replayEsn(esn).saExtraFlags(extraFlags).tfcPad(tfcpad).secCtx(ctx)
                .saDir(saDir);
        if (coa != null) {
            b.coaddr(coa.address());
        }
        if (outputMark != null) {
            b.setMark(outputMark.value());
            if (outputMark.mask() != -1) {
                b.setMarkMask(outputMark.mask());
            }
        }
        if (offloadDir != null) {
            int ifindex = offloadDev == null ? 0 : links.index(offloadDev);
            int oflags = (offloadDir == SecurityAssociation.DIR_IN ? OffloadDevice.FLAG_INBOUND : 0)
                    | (offloadPacket ? OffloadDevice.FLAG_PACKET : 0);
            b.offload(new OffloadDevice(ifindex, oflags));
        }
        return b.build();
    }

    // ------------------------------------------------------------------ get / delete

    /** {@code state get|delete ID [ mark MARK [ mask MASK ] ] [ if_id IF_ID ]}. */
    static SaKey key(List<String> args) {
        Tokens t = new Tokens(args);
        Id id = new Id(false);
        Mark mark = null;
        Integer ifId = null;
        while (t.hasNext()) {
            String k = t.next();
            if (id.accept(k, t)) {
                continue;
            }
            switch (k) {
                case "mark" -> {
                    dup(mark, k);
                    mark = XfrmSyntax.mark(t, k);
                }
                case "if_id" -> {
                    dup(ifId, k);
                    ifId = XfrmSyntax.u32(t.value(k, "IF_ID"), "if_id");
                }
                default -> throw Tokens.unknown(k, "state get/delete");
            }
        }
        if (id.dst == null) {
            throw new UsageException("missing \"dst ADDR\": an SA is found by dst, proto and spi");
        }
        int proto = id.requireProto();
        // iproute2 always sends XFRMA_SRCADDR (zero when no src was given)
        SaKey key = SaKey.of(id.srcAddress(), id.dstAddress(), id.spi == null ? 0 : id.spi, proto);
        return key.withMark(mark).withIfId(ifId);
    }

    // ------------------------------------------------------------------ allocspi

    /** {@code state allocspi ID [ mode MODE ] [ mark MARK ] [ reqid REQID ] [ seq SEQ ] [ min SPI max SPI ] ...}. */
    static AllocSpiRequest allocSpi(List<String> args) {
        Tokens t = new Tokens(args);
        Id id = new Id(false);
        int mode = SaInfo.MODE_TRANSPORT;
        int reqid = 0;
        int seq = 0;
        Mark mark = null;
        Integer ifId = null;
        Integer saDir = null;
        Long min = null;
        Long max = null;
        while (t.hasNext()) {
            String k = t.next();
            if (id.accept(k, t)) {
                continue;
            }
            switch (k) {
                case "mode" -> mode = XfrmSyntax.mode(t.value(k, "MODE"));
                case "reqid" -> reqid = XfrmSyntax.u32(t.value(k, "REQID"), "REQID");
                case "seq" -> seq = XfrmSyntax.u32(t.value(k, "SEQ"), "SEQ");
                case "mark" -> {
                    dup(mark, k);
                    mark = XfrmSyntax.mark(t, k);
                }
                case "if_id" -> {
                    dup(ifId, k);
                    ifId = XfrmSyntax.u32(t.value(k, "IF_ID"), "if_id");
                }
                case "dir" -> {
                    dup(saDir, k);
                    saDir = XfrmSyntax.saDir(t.value(k, "DIR"));
                }
                case "min" -> {
                    dup(min, k);
                    min = XfrmSyntax.unsigned(t.value(k, "SPI"), 32, "min");
                }
                case "max" -> {
                    dup(max, k);
                    max = XfrmSyntax.unsigned(t.value(k, "SPI"), 32, "max");
                }
                default -> throw Tokens.unknown(k, "state allocspi");
            }
        }
        if (id.isEmpty()) {
            throw new UsageException("missing ID: src ADDR dst ADDR proto XFRM-PROTO");
        }
        int proto = id.requireProto();
        if (id.spi != null && id.spi != 0) {
            throw new UsageException("\"spi\" must not be given to allocspi (use min SPI max SPI)");
        }
        if ((min == null) != (max == null)) {
            throw new UsageException(min == null ? "missing \"min SPI\" (give both min and max)"
                    : "missing \"max SPI\" (give both min and max)");
        }
        long lo;
        long hi;
        if (min == null) {
            // iproute2's defaults, from PF_KEY; IPCOMP's CPI has 16 bits
            lo = 0x100;
            hi = proto == XfrmId.PROTO_COMP ? 0xffff : 0x0fffffff;
        } else {
            lo = min;
            hi = max;
            if (lo > hi) {
                throw new UsageException("\"min\" " + min + " is larger than \"max\" " + max);
            }
        }
        int family = id.family();
        SaInfo info = new SaInfo(Selector.any(AddressFamily.UNSPEC), new XfrmId(id.dstAddress(), 0, proto),
                id.srcAddress(), new LifetimeConfig(0, 0, 0, 0, 0, 0, 0, 0), LifetimeCurrent.ZERO, SaStats.ZERO, seq,
                reqid, family, mode, 0, 0);
        return new AllocSpiRequest(new SpiRange(info, (int) lo, (int) hi), mark, ifId, null, saDir, List.of());
    }

    // ------------------------------------------------------------------ list / flush

    /** The filter of {@code state list}: ID (addresses may be prefixes), mode, reqid, flags. */
    record Filter(XfrmSyntax.Prefix src, XfrmSyntax.Prefix dst, Integer proto, Integer spi, Integer mode,
                  Integer reqid, Integer flags) {

        /** The kernel's own dump filter (XFRMA_ADDRESS_FILTER), or null. */
        AddressFilter addressFilter() {
            if (src == null && dst == null) {
                return null;
            }
            int family = dst != null ? dst.family() : src.family();
            InetAddress any = XfrmStructs.any(family);
            return new AddressFilter(src == null ? any : src.address(), dst == null ? any : dst.address(), family,
                    src == null ? 0 : src.length(), dst == null ? 0 : dst.length());
        }

        /** The rest of the filter, applied to what the kernel returned (as iproute2 does). */
        boolean matches(SecurityAssociation sa) {
            if (src != null && !(sa.family() == src.family()
                    && SelectorSpec.inPrefix(sa.source(), src.address(), src.length()))) {
                return false;
            }
            if (dst != null && !(sa.family() == dst.family()
                    && SelectorSpec.inPrefix(sa.destination(), dst.address(), dst.length()))) {
                return false;
            }
            if (proto != null && sa.proto() != proto) {
                return false;
            }
            if (spi != null && sa.spi() != spi) {
                return false;
            }
            if (mode != null && sa.info().mode() != mode) {
                return false;
            }
            if (reqid != null && sa.reqid() != reqid) {
                return false;
            }
            return flags == null || (sa.info().flags() & flags) != 0;
        }
    }

    static Filter filter(List<String> args) {
        Tokens t = new Tokens(args);
        Id id = new Id(true);
        Integer mode = null;
        Integer reqid = null;
        Integer flags = null;
        while (t.hasNext()) {
            String k = t.next();
            if (id.accept(k, t)) {
                continue;
            }
            switch (k) {
                case "nokeys" -> {
                    // keys are hidden unless --keys is given; accepted for iproute2 compatibility
                }
                case "mode" -> mode = XfrmSyntax.mode(t.value(k, "MODE"));
                case "reqid" -> reqid = XfrmSyntax.u32(t.value(k, "REQID"), "REQID");
                case "flag" -> flags = XfrmSyntax.flagList(t, k, 8, XfrmSyntax::stateFlag,
                        "noecn, decap-dscp, nopmtudisc, wildrecv, icmp, af-unspec, align4, esn or 0xHEX");
                default -> throw Tokens.unknown(k, "state list");
            }
        }
        id.family(); // src and dst of one family
        return new Filter(id.src, id.dst, id.proto, id.spi, mode, reqid, flags);
    }

    /** {@code state flush [ proto XFRM-PROTO ]}: the protocol to flush (ipsec-any by default). */
    static int flushProto(List<String> args) {
        Tokens t = new Tokens(args);
        int proto = XfrmId.PROTO_IPSEC_ANY;
        while (t.hasNext()) {
            String k = t.next();
            if (k.equals("proto")) {
                proto = XfrmSyntax.xfrmProto(t.value(k, "XFRM-PROTO"));
            } else {
                throw Tokens.unknown(k, "state flush");
            }
        }
        return proto;
    }
}
