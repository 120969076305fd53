package io.cxt.xfrm;

import java.net.InetAddress;
import java.util.ArrayList;
import java.util.List;
import java.util.function.BiFunction;
import java.util.function.UnaryOperator;

import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;

import io.cxt.nl.Netlink;
import io.cxt.nl.NlAttribute;

/** jqwik generators for the SAD records. */
public final class SaArbitraries {
    private SaArbitraries() {
    }

    /** Mostly AF_INET/AF_INET6, sometimes another number (addresses then stay 16-octet IPv6). */
    public static Arbitrary<Integer> saFamily() {
        return Arbitraries.frequencyOf(
                net.jqwik.api.Tuple.of(5, Arbitraries.just(AddressFamily.INET)),
                net.jqwik.api.Tuple.of(5, Arbitraries.just(AddressFamily.INET6)),
                net.jqwik.api.Tuple.of(1, CommonArbitraries.u16()));
    }

    public static Arbitrary<XfrmId> xfrmId(int family) {
        return Combinators.combine(CommonArbitraries.address(family), CommonArbitraries.u32(), CommonArbitraries.u8())
                .as(XfrmId::new);
    }

    public static Arbitrary<SaStats> stats() {
        return Combinators.combine(CommonArbitraries.u32(), CommonArbitraries.u32(), CommonArbitraries.u32())
                .as(SaStats::new);
    }

    public static Arbitrary<SaInfo> saInfo() {
        return saFamily().flatMap(SaArbitraries::saInfo);
    }

    public static Arbitrary<SaInfo> saInfo(int family) {
        Arbitrary<SaInfo> base = Combinators.combine(CommonArbitraries.selector(), xfrmId(family),
                CommonArbitraries.address(family), CommonArbitraries.lifetimeConfig(),
                CommonArbitraries.lifetimeCurrent(), stats())
                .as((sel, id, saddr, lft, cur, st) -> new SaInfo(sel, id, saddr, lft, cur, st, 0, 0, family, 0, 0, 0));
        return base.flatMap(i -> Combinators.combine(CommonArbitraries.u32(), CommonArbitraries.u32(),
                CommonArbitraries.u8(), CommonArbitraries.u8(), CommonArbitraries.u8())
                .as((seq, reqid, mode, win, flags) -> new SaInfo(i.selector(), i.id(), i.saddr(), i.lifetime(),
                        i.current(), i.stats(), seq, reqid, family, mode, win, flags)));
    }

    public static Arbitrary<String> algorithmName() {
        return Arbitraries.strings().withCharRange((char) 0x20, (char) 0x7e).ofMaxLength(63);
    }

    public static Arbitrary<KeyBytes> key() {
        return Arbitraries.bytes().array(byte[].class).ofMaxSize(72).map(KeyBytes::of);
    }

    /** Key bits for a key: whole octets, or up to 7 bits fewer (the last octet partly used). */
    private static Arbitrary<Integer> keyBits(KeyBytes k) {
        return k.length() == 0 ? Arbitraries.just(0) : Arbitraries.integers().between(k.length() * 8 - 7, k.length() * 8);
    }

    public static Arbitrary<Algorithm> algorithm() {
        return Combinators.combine(algorithmName(), key()).as((n, k) -> new Object[] {n, k})
                .flatMap(o -> keyBits((KeyBytes) o[1]).map(bits -> new Algorithm((String) o[0], (KeyBytes) o[1], bits)));
    }

    public static Arbitrary<AuthAlgorithm> authAlgorithm() {
        return Combinators.combine(algorithm(), CommonArbitraries.u32())
                .as((a, t) -> new AuthAlgorithm(a.name(), a.key(), a.keyBits(), t));
    }

    public static Arbitrary<AeadAlgorithm> aeadAlgorithm() {
        return Combinators.combine(algorithm(), CommonArbitraries.u32())
                .as((a, t) -> new AeadAlgorithm(a.name(), a.key(), a.keyBits(), t));
    }

    public static Arbitrary<EncapTemplate> encap(int family) {
        return Combinators.combine(CommonArbitraries.u16(), CommonArbitraries.u16(), CommonArbitraries.u16(),
                CommonArbitraries.address(family)).as(EncapTemplate::new);
    }

    public static Arbitrary<ReplayState> replayState() {
        return Combinators.combine(CommonArbitraries.u32(), CommonArbitraries.u32(), CommonArbitraries.u32())
                .as(ReplayState::new);
    }

    public static Arbitrary<ReplayStateEsn> replayStateEsn() {
        return Combinators.combine(Arbitraries.integers().between(0, ReplayStateEsn.MAX_BMP_LEN),
                CommonArbitraries.u32(), CommonArbitraries.u32(), CommonArbitraries.u32(), CommonArbitraries.u32(),
                CommonArbitraries.u32(), Arbitraries.of(true, false))
                .as((len, oseq, seq, oseqHi, seqHi, win, withBitmap) -> new Object[] {len, oseq, seq, oseqHi, seqHi, win, withBitmap})
                .flatMap(o -> {
                    int len = (Integer) o[0];
                    Arbitrary<int[]> bmp = (Boolean) o[6]
                            ? Arbitraries.integers().array(int[].class).ofSize(len)
                            : Arbitraries.just(new int[0]);
                    return bmp.map(b -> new ReplayStateEsn(len, (Integer) o[1], (Integer) o[2], (Integer) o[3],
                            (Integer) o[4], (Integer) o[5], b));
                });
    }

    public static Arbitrary<Mark> mark() {
        return Combinators.combine(CommonArbitraries.u32(), CommonArbitraries.u32()).as(Mark::new);
    }

    public static Arbitrary<SecurityContext> securityContext() {
        return Combinators.combine(CommonArbitraries.u16(), CommonArbitraries.u8(), CommonArbitraries.u8(),
                Arbitraries.bytes().array(byte[].class).ofMaxSize(40)).as(SecurityContext::new);
    }

    public static Arbitrary<OffloadDevice> offload() {
        return Combinators.combine(CommonArbitraries.u32(), CommonArbitraries.u8()).as(OffloadDevice::new);
    }

    /**
     * Attributes the SA codec does not type: other XFRMA numbers (IPTFS, PAD, policy ones, new
     * ones) and known numbers with a flag bit, which must stay raw too.
     */
    public static Arbitrary<NlAttribute> unknownSaAttribute() {
        Arbitrary<Integer> type = Arbitraries.oneOf(
                Arbitraries.of(0, 5, 6, 7, 16, 17, 19, 25, 26, 27, 36, 37, 38, 39, 40, 41),
                Arbitraries.integers().between(42, 0x3fff),
                Arbitraries.integers().between(1, 41).map(t -> t | Netlink.NLA_F_NESTED));
        return Combinators.combine(type, Arbitraries.bytes().array(byte[].class).ofMaxSize(40)).as(NlAttribute::new);
    }

    private static <T> Arbitrary<UnaryOperator<SecurityAssociation.Builder>> maybe(
            Arbitrary<T> value, BiFunction<SecurityAssociation.Builder, T, SecurityAssociation.Builder> setter) {
        return value.injectNull(0.6).map(v -> b -> v == null ? b : setter.apply(b, v));
    }

    public static Arbitrary<SecurityAssociation> securityAssociation() {
        return saFamily().flatMap(SaArbitraries::securityAssociation);
    }

    public static Arbitrary<SecurityAssociation> securityAssociation(int family) {
        List<Arbitrary<UnaryOperator<SecurityAssociation.Builder>>> parts = new ArrayList<>();
        parts.add(maybe(aeadAlgorithm(), SecurityAssociation.Builder::aead));
        parts.add(maybe(algorithm(), SecurityAssociation.Builder::auth));
        parts.add(maybe(authAlgorithm(), SecurityAssociation.Builder::authTrunc));
        parts.add(maybe(algorithm(), SecurityAssociation.Builder::crypt));
        parts.add(maybe(algorithm(), SecurityAssociation.Builder::comp));
        parts.add(maybe(encap(family), SecurityAssociation.Builder::encap));
        parts.add(maybe(mark(), SecurityAssociation.Builder::mark));
        parts.add(maybe(CommonArbitraries.u32(), SecurityAssociation.Builder::setMark));
        parts.add(maybe(CommonArbitraries.u32(), SecurityAssociation.Builder::setMarkMask));
        parts.add(maybe(CommonArbitraries.u32(), SecurityAssociation.Builder::ifId));
        parts.add(maybe(replayState(), SecurityAssociation.Builder::replay));
        parts.add(maybe(replayStateEsn(), SecurityAssociation.Builder::replayEsn));
        parts.add(maybe(CommonArbitraries.address(family), SecurityAssociation.Builder::coaddr));
        parts.add(maybe(CommonArbitraries.address(family), SecurityAssociation.Builder::srcaddr));
        parts.add(maybe(CommonArbitraries.u64(), SecurityAssociation.Builder::lastUsed));
        parts.add(maybe(CommonArbitraries.lifetimeCurrent(), SecurityAssociation.Builder::ltimeVal));
        parts.add(maybe(CommonArbitraries.u32(), SecurityAssociation.Builder::replayThresh));
        parts.add(maybe(CommonArbitraries.u32(), SecurityAssociation.Builder::etimerThresh));
        parts.add(maybe(CommonArbitraries.u32(), SecurityAssociation.Builder::mtimerThresh));
        parts.add(maybe(CommonArbitraries.u32(), SecurityAssociation.Builder::saExtraFlags));
        parts.add(maybe(CommonArbitraries.u32(), SecurityAssociation.Builder::tfcPad));
        parts.add(maybe(securityContext(), SecurityAssociation.Builder::secCtx));
        parts.add(maybe(offload(), SecurityAssociation.Builder::offload));
        parts.add(maybe(CommonArbitraries.u8(), SecurityAssociation.Builder::saDir));
        parts.add(maybe(CommonArbitraries.u32(), SecurityAssociation.Builder::natKeepaliveInterval));
        parts.add(maybe(CommonArbitraries.u32(), SecurityAssociation.Builder::pcpu));
        parts.add(unknownSaAttribute().list().ofMaxSize(3).map(l -> b -> b.unknownAttributes(l)));
        Arbitrary<List<UnaryOperator<SecurityAssociation.Builder>>> changes = Combinators.combine(parts).as(l -> l);
        return Combinators.combine(saInfo(family), changes).as((info, cs) -> {
            SecurityAssociation.Builder b = SecurityAssociation.builder(info);
            for (UnaryOperator<SecurityAssociation.Builder> c : cs) {
                b = c.apply(b);
            }
            return b.build();
        });
    }

    public static Arbitrary<SaId> saId() {
        return saFamily().flatMap(f -> Combinators.combine(CommonArbitraries.address(f), CommonArbitraries.u32(),
                CommonArbitraries.u8()).as((d, spi, proto) -> new SaId(d, spi, f, proto)));
    }

    public static Arbitrary<SaKey> saKey() {
        return saId().flatMap(id -> Combinators.combine(CommonArbitraries.address(id.family()).injectNull(0.5),
                mark().injectNull(0.5), CommonArbitraries.u32().injectNull(0.5),
                unknownSaAttribute().list().ofMaxSize(2))
                .as((src, m, ifId, raw) -> new SaKey(id, src, m, ifId, raw)));
    }

    public static Arbitrary<AeventId> aeventId() {
        return saId().flatMap(id -> Combinators.combine(CommonArbitraries.address(id.family()),
                CommonArbitraries.u32(), CommonArbitraries.u32()).as((s, f, r) -> new AeventId(id, s, f, r)));
    }

    public static Arbitrary<ReplayLifetimeState> replayLifetimeState() {
        Arbitrary<Object[]> a = Combinators.combine(aeventId(), replayState().injectNull(0.5),
                replayStateEsn().injectNull(0.5), CommonArbitraries.lifetimeCurrent().injectNull(0.5),
                CommonArbitraries.u32().injectNull(0.5), CommonArbitraries.u32().injectNull(0.5))
                .as((id, r, e, l, rt, et) -> new Object[] {id, r, e, l, rt, et});
        return a.flatMap(o -> Combinators.combine(mark().injectNull(0.5), CommonArbitraries.u32().injectNull(0.5),
                CommonArbitraries.u32().injectNull(0.5), CommonArbitraries.u8().injectNull(0.5),
                unknownSaAttribute().list().ofMaxSize(2))
                .as((m, ifId, pcpu, dir, raw) -> new ReplayLifetimeState((AeventId) o[0], (ReplayState) o[1],
                        (ReplayStateEsn) o[2], (LifetimeCurrent) o[3], (Integer) o[4], (Integer) o[5], m, ifId, pcpu,
                        dir, raw)));
    }

    public static Arbitrary<SpiRange> spiRange() {
        return Combinators.combine(saInfo(), CommonArbitraries.u32(), CommonArbitraries.u32()).as(SpiRange::new);
    }

    public static Arbitrary<AllocSpiRequest> allocSpiRequest() {
        return Combinators.combine(spiRange(), mark().injectNull(0.5), CommonArbitraries.u32().injectNull(0.5),
                CommonArbitraries.u32().injectNull(0.5), CommonArbitraries.u8().injectNull(0.5),
                unknownSaAttribute().list().ofMaxSize(2))
                .as(AllocSpiRequest::new);
    }

    public static Arbitrary<SaExpire> saExpire() {
        return Combinators.combine(saInfo(), CommonArbitraries.u8(), mark().injectNull(0.5),
                CommonArbitraries.u32().injectNull(0.5), CommonArbitraries.u32().injectNull(0.5),
                CommonArbitraries.u8().injectNull(0.5), unknownSaAttribute().list().ofMaxSize(2))
                .as(SaExpire::new);
    }

    public static Arbitrary<SaFlush> saFlush() {
        return CommonArbitraries.u8().map(SaFlush::new);
    }

    public static Arbitrary<SadInfo> sadInfo() {
        Arbitrary<NlAttribute> raw = Combinators.combine(Arbitraries.integers().between(3, 0x7fff),
                Arbitraries.bytes().array(byte[].class).ofMaxSize(12)).as(NlAttribute::new);
        return Combinators.combine(CommonArbitraries.u32(), CommonArbitraries.u32().injectNull(0.3),
                Combinators.combine(CommonArbitraries.u32(), CommonArbitraries.u32()).as((a, b) -> new int[] {a, b})
                        .injectNull(0.3),
                raw.list().ofMaxSize(2))
                .as((f, c, h, r) -> new SadInfo(f, c, h == null ? null : h[0], h == null ? null : h[1], r));
    }

    public static Arbitrary<AddressFilter> addressFilter() {
        return saFamily().flatMap(f -> Combinators.combine(CommonArbitraries.address(f), CommonArbitraries.address(f),
                CommonArbitraries.u8(), CommonArbitraries.u8()).as((s, d, sp, dp) -> new AddressFilter(s, d, f, sp, dp)));
    }

    static InetAddress v4(String a) {
        try {
            return InetAddress.getByName(a);
        } catch (java.net.UnknownHostException e) {
            throw new IllegalArgumentException(e);
        }
    }
}
