package io.cxt.xfrm;

import java.net.InetAddress;
import java.util.List;
import java.util.Set;

import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;

import io.cxt.nl.Netlink;
import io.cxt.nl.NlAttribute;

/** jqwik generators for the SPD records. */
public final class PolicyArbitraries {
    private PolicyArbitraries() {
    }

    /** Families including ones the kernel does not know, whose addresses are kept as 16 raw octets. */
    public static Arbitrary<Integer> anyFamily() {
        return Arbitraries.frequencyOf(
                net.jqwik.api.Tuple.of(4, Arbitraries.just(AddressFamily.INET)),
                net.jqwik.api.Tuple.of(4, Arbitraries.just(AddressFamily.INET6)),
                net.jqwik.api.Tuple.of(1, CommonArbitraries.u16()));
    }

    public static Arbitrary<InetAddress> address(int family) {
        return CommonArbitraries.address(family == AddressFamily.INET ? AddressFamily.INET : AddressFamily.INET6);
    }

    /** Attributes of types the given codec does not decode (flag bits included), with random values. */
    public static Arbitrary<List<NlAttribute>> extraAttributes(Set<Integer> knownTypes) {
        Arbitrary<Integer> type = Arbitraries.oneOf(Arbitraries.integers().between(0, 60),
                        Arbitraries.integers().between(0, 60).map(t -> t | Netlink.NLA_F_NESTED),
                        CommonArbitraries.u16())
                .filter(t -> !knownTypes.contains(t));
        Arbitrary<byte[]> value = Arbitraries.bytes().array(byte[].class).ofMaxSize(24);
        return Combinators.combine(type, value).as(NlAttribute::new).list().ofMaxSize(3);
    }

    public static Arbitrary<UserTemplate> template() {
        return anyFamily().flatMap(f -> Combinators.combine(address(f), address(f), CommonArbitraries.u32(),
                        CommonArbitraries.u8(), CommonArbitraries.u32(), CommonArbitraries.u8(), CommonArbitraries.u8(),
                        CommonArbitraries.u8())
                .as((d, s, spi, proto, reqid, mode, share, opt) -> new UserTemplate(d, spi, proto, f, s, reqid, mode,
                        share, opt, 0, 0, 0))
                .flatMap(t -> Combinators.combine(CommonArbitraries.u32(), CommonArbitraries.u32(),
                                CommonArbitraries.u32())
                        .as((a, e, c) -> new UserTemplate(t.daddr(), t.spi(), t.proto(), f, t.saddr(), t.reqid(),
                                t.mode(), t.share(), t.optional(), a, e, c))));
    }

    public static Arbitrary<PolicyInfo> policyInfo() {
        return Combinators.combine(CommonArbitraries.selector(), CommonArbitraries.lifetimeConfig(),
                        CommonArbitraries.lifetimeCurrent(), CommonArbitraries.u32(), CommonArbitraries.u32(),
                        CommonArbitraries.u8(), CommonArbitraries.u8(), CommonArbitraries.u8())
                .as((sel, lft, cur, prio, index, dir, action, flags) -> new PolicyInfo(sel, lft, cur, prio, index, dir,
                        action, flags, 0))
                .flatMap(i -> CommonArbitraries.u8().map(i::withShare));
    }

    public static Arbitrary<PolicyType> policyType() {
        return CommonArbitraries.u8().map(PolicyType::new);
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

    public static Arbitrary<SecurityPolicy> securityPolicy() {
        return Combinators.combine(policyInfo(), template().list().ofMaxSize(4), mark().injectNull(0.4),
                        CommonArbitraries.u32().injectNull(0.4), securityContext().injectNull(0.6),
                        policyType().injectNull(0.4), offload().injectNull(0.7),
                        extraAttributes(PolicyAttributes.POLICY_KINDS))
                .as(SecurityPolicy::new);
    }

    public static Arbitrary<PolicyId> policyId() {
        return Combinators.combine(CommonArbitraries.selector(), CommonArbitraries.u32(), CommonArbitraries.u8(),
                        mark().injectNull(0.5), CommonArbitraries.u32().injectNull(0.5), policyType().injectNull(0.5),
                        securityContext().injectNull(0.7), extraAttributes(PolicyAttributes.ID_KINDS))
                .as(PolicyId::new);
    }

    public static Arbitrary<PolicyExpire> policyExpire() {
        return Combinators.combine(securityPolicy(), Arbitraries.of(true, false)).as(PolicyExpire::new);
    }

    public static Arbitrary<UserMigrate> userMigrate() {
        return Combinators.combine(anyFamily(), anyFamily()).flatAs((of, nf) -> Combinators.combine(address(of),
                        address(of), address(nf), address(nf), CommonArbitraries.u8(), CommonArbitraries.u8(),
                        CommonArbitraries.u32())
                .as((od, os, nd, ns, proto, mode, reqid) -> new UserMigrate(od, os, nd, ns, proto, mode, reqid, of, nf)));
    }

    public static Arbitrary<KmAddress> kmAddress() {
        return anyFamily().flatMap(f -> Combinators.combine(address(f), address(f), CommonArbitraries.u32())
                .as((l, r, res) -> new KmAddress(l, r, res, f)));
    }

    static final Set<Integer> MIGRATE_KINDS = Set.of(XfrmAttrType.MIGRATE, XfrmAttrType.POLICY_TYPE,
            XfrmAttrType.KMADDRESS, XfrmAttrType.ENCAP, XfrmAttrType.IF_ID, XfrmAttrType.OFFLOAD_DEV);

    public static Arbitrary<MigrateRequest> migrateRequest() {
        Arbitrary<NlAttribute> encap = Arbitraries.bytes().array(byte[].class).ofMaxSize(30)
                .map(v -> new NlAttribute(XfrmAttrType.ENCAP, v));
        return Combinators.combine(CommonArbitraries.selector(), CommonArbitraries.u32(), CommonArbitraries.u8(),
                        userMigrate().list().ofMinSize(1).ofMaxSize(6), policyType().injectNull(0.4),
                        kmAddress().injectNull(0.5), encap.injectNull(0.5), CommonArbitraries.u32().injectNull(0.5))
                .as((sel, index, dir, ms, type, km, en, ifId) -> new MigrateRequest(sel, index, dir, ms, type, km, en,
                        ifId, null, List.of()))
                .flatMap(r -> Combinators.combine(offload().injectNull(0.6), extraAttributes(MIGRATE_KINDS))
                        .as((off, extra) -> new MigrateRequest(r.selector(), r.index(), r.direction(), r.migrations(),
                                r.policyType(), r.kmAddress(), r.encap(), r.ifId(), off, extra)));
    }

    static final Set<Integer> SPD_KINDS = Set.of(XfrmAttrType.SPD_INFO, XfrmAttrType.SPD_HINFO,
            XfrmAttrType.SPD_IPV4_HTHRESH, XfrmAttrType.SPD_IPV6_HTHRESH);

    public static Arbitrary<SpdInfo> spdInfo() {
        Arbitrary<Integer> u = CommonArbitraries.u32();
        Arbitrary<SpdInfo.Counts> counts = Combinators.combine(u, u, u, u, u, u).as(SpdInfo.Counts::new);
        Arbitrary<SpdInfo.HashInfo> hinfo = Combinators.combine(u, u).as(SpdInfo.HashInfo::new);
        Arbitrary<SpdInfo.HashThreshold> t = Combinators.combine(CommonArbitraries.u8(), CommonArbitraries.u8())
                .as(SpdInfo.HashThreshold::new);
        return Combinators.combine(u, counts.injectNull(0.3), hinfo.injectNull(0.3), t.injectNull(0.3),
                t.injectNull(0.3), extraAttributes(SPD_KINDS)).as(SpdInfo::new);
    }

    public static Arbitrary<PolicyDefault> policyDefault() {
        return Combinators.combine(CommonArbitraries.u8(), CommonArbitraries.u8(), CommonArbitraries.u8())
                .as(PolicyDefault::new);
    }

    public static Arbitrary<PolicyFlush> policyFlush() {
        return Combinators.combine(policyType().injectNull(0.5), extraAttributes(Set.of(XfrmAttrType.POLICY_TYPE)))
                .as(PolicyFlush::new);
    }

    /** Acquires whose SA addresses are of the family the decoder infers (see AcquireEvent). */
    public static Arbitrary<AcquireEvent> acquireEvent() {
        return Combinators.combine(CommonArbitraries.u32(), CommonArbitraries.u8(), CommonArbitraries.selector(),
                        securityPolicy(), CommonArbitraries.u32(), CommonArbitraries.u32(), CommonArbitraries.u32(),
                        CommonArbitraries.u32())
                .flatAs((spi, proto, sel, pol, a, e, c, seq) -> {
                    int f = AcquireEvent.inferredFamily(proto, sel, pol);
                    return Combinators.combine(address(f), address(f)).as((d, s) ->
                            new AcquireEvent(d, spi, proto, s, sel, pol, a, e, c, seq));
                })
                .filter(AcquireEvent::addressesInferable);
    }

    public static Arbitrary<ReportEvent> reportEvent() {
        return Combinators.combine(CommonArbitraries.u8(), CommonArbitraries.selector(),
                        extraAttributes(Set.of(XfrmAttrType.COADDR)))
                .flatAs((proto, sel, extra) -> address(sel.family()).injectNull(0.3)
                        .map(co -> new ReportEvent(proto, sel, co, extra)));
    }

    public static Arbitrary<MappingEvent> mappingEvent() {
        return anyFamily().flatMap(f -> Combinators.combine(address(f), CommonArbitraries.u32(), CommonArbitraries.u8(),
                        CommonArbitraries.u32(), address(f), address(f), CommonArbitraries.u16(), CommonArbitraries.u16())
                .as((d, spi, proto, reqid, os, ns, op, np) -> new MappingEvent(d, spi, f, proto, reqid, os, ns, op, np,
                        List.of())))
                .flatMap(m -> extraAttributes(Set.of()).map(extra -> new MappingEvent(m.daddr(), m.spi(), m.family(),
                        m.proto(), m.reqid(), m.oldSaddr(), m.newSaddr(), m.oldSport(), m.newSport(), extra)));
    }
}
