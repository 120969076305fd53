package io.cxt.xfrm;

import java.net.InetAddress;
import java.util.List;
import java.util.Set;

import io.cxt.nl.Netlink;
import io.cxt.nl.NlAttribute;
import io.cxt.testing.Gen;

/** Seeded generators for the SPD records. */
public final class PolicyGen {
    private PolicyGen() {
    }

    /** Families including ones the kernel does not know, whose addresses are kept as 16 raw octets. */
    public static int anyFamily(Gen g) {
        int pick = g.between(0, 8);
        return pick < 4 ? AddressFamily.INET : pick < 8 ? AddressFamily.INET6 : g.u16();
    }

    public static InetAddress address(Gen g, int family) {
        return CommonGen.address(g, family == AddressFamily.INET ? AddressFamily.INET : AddressFamily.INET6);
    }

    /** Attributes of types the given codec does not decode (flag bits included), with random values. */
    public static List<NlAttribute> extraAttributes(Gen g, Set<Integer> knownTypes) {
        return g.list(0, 3, () -> {
            int type;
            do {
                type = switch (g.between(0, 2)) {
                    case 0 -> g.between(0, 60);
                    case 1 -> g.between(0, 60) | Netlink.NLA_F_NESTED;
                    default -> g.u16();
                };
            } while (knownTypes.contains(type));
            return new NlAttribute(type, g.bytes(0, 24));
        });
    }

    public static UserTemplate template(Gen g) {
        int f = anyFamily(g);
        return new UserTemplate(address(g, f), g.u32(), g.u8(), f, address(g, f), g.u32(), g.u8(), g.u8(), g.u8(),
                g.u32(), g.u32(), g.u32());
    }

    public static PolicyInfo policyInfo(Gen g) {
        return new PolicyInfo(CommonGen.selector(g), CommonGen.lifetimeConfig(g), CommonGen.lifetimeCurrent(g),
                g.u32(), g.u32(), g.u8(), g.u8(), g.u8(), g.u8());
    }

    public static PolicyType policyType(Gen g) {
        return new PolicyType(g.u8());
    }

    public static Mark mark(Gen g) {
        return new Mark(g.u32(), g.u32());
    }

    public static SecurityContext securityContext(Gen g) {
        return SaGen.securityContext(g);
    }

    public static OffloadDevice offload(Gen g) {
        return new OffloadDevice(g.u32(), g.u8());
    }

    public static SecurityPolicy securityPolicy(Gen g) {
        return new SecurityPolicy(policyInfo(g), g.list(0, 4, () -> template(g)), g.orNull(0.4, () -> mark(g)),
                g.orNull(0.4, g::u32), g.orNull(0.6, () -> securityContext(g)), g.orNull(0.4, () -> policyType(g)),
                g.orNull(0.7, () -> offload(g)), extraAttributes(g, PolicyAttributes.POLICY_KINDS));
    }

    public static PolicyId policyId(Gen g) {
        return new PolicyId(CommonGen.selector(g), g.u32(), g.u8(), g.orNull(0.5, () -> mark(g)),
                g.orNull(0.5, g::u32), g.orNull(0.5, () -> policyType(g)), g.orNull(0.7, () -> securityContext(g)),
                extraAttributes(g, PolicyAttributes.ID_KINDS));
    }

    public static PolicyExpire policyExpire(Gen g) {
        return new PolicyExpire(securityPolicy(g), g.bool());
    }

    public static UserMigrate userMigrate(Gen g) {
        int of = anyFamily(g);
        int nf = anyFamily(g);
        return new UserMigrate(address(g, of), address(g, of), address(g, nf), address(g, nf), g.u8(), g.u8(),
                g.u32(), of, nf);
    }

    public static KmAddress kmAddress(Gen g) {
        int f = anyFamily(g);
        return new KmAddress(address(g, f), address(g, f), g.u32(), f);
    }

    static final Set<Integer> MIGRATE_KINDS = Set.of(XfrmAttrType.MIGRATE, XfrmAttrType.POLICY_TYPE,
            XfrmAttrType.KMADDRESS, XfrmAttrType.ENCAP, XfrmAttrType.IF_ID, XfrmAttrType.OFFLOAD_DEV);

    public static MigrateRequest migrateRequest(Gen g) {
        return new MigrateRequest(CommonGen.selector(g), g.u32(), g.u8(), g.list(1, 6, () -> userMigrate(g)),
                g.orNull(0.4, () -> policyType(g)), g.orNull(0.5, () -> kmAddress(g)),
                g.orNull(0.5, () -> new NlAttribute(XfrmAttrType.ENCAP, g.bytes(0, 30))), g.orNull(0.5, g::u32),
                g.orNull(0.6, () -> offload(g)), extraAttributes(g, MIGRATE_KINDS));
    }

    static final Set<Integer> SPD_KINDS = Set.of(XfrmAttrType.SPD_INFO, XfrmAttrType.SPD_HINFO,
            XfrmAttrType.SPD_IPV4_HTHRESH, XfrmAttrType.SPD_IPV6_HTHRESH);

    public static SpdInfo spdInfo(Gen g) {
        return new SpdInfo(g.u32(),
                g.orNull(0.3, () -> new SpdInfo.Counts(g.u32(), g.u32(), g.u32(), g.u32(), g.u32(), g.u32())),
                g.orNull(0.3, () -> new SpdInfo.HashInfo(g.u32(), g.u32())),
                g.orNull(0.3, () -> new SpdInfo.HashThreshold(g.u8(), g.u8())),
                g.orNull(0.3, () -> new SpdInfo.HashThreshold(g.u8(), g.u8())),
                extraAttributes(g, SPD_KINDS));
    }

    public static PolicyDefault policyDefault(Gen g) {
        return new PolicyDefault(g.u8(), g.u8(), g.u8());
    }

    public static PolicyFlush policyFlush(Gen g) {
        return new PolicyFlush(g.orNull(0.5, () -> policyType(g)), extraAttributes(g, Set.of(XfrmAttrType.POLICY_TYPE)));
    }

    /** Acquires whose SA addresses are of the family the decoder infers (see AcquireEvent). */
    public static AcquireEvent acquireEvent(Gen g) {
        while (true) {
            int spi = g.u32();
            int proto = g.u8();
            Selector sel = CommonGen.selector(g);
            SecurityPolicy pol = securityPolicy(g);
            int a = g.u32();
            int e = g.u32();
            int c = g.u32();
            int seq = g.u32();
            int f = AcquireEvent.inferredFamily(proto, sel, pol);
            AcquireEvent ev = new AcquireEvent(address(g, f), spi, proto, address(g, f), sel, pol, a, e, c, seq);
            if (ev.addressesInferable()) {
                return ev;
            }
        }
    }

    public static ReportEvent reportEvent(Gen g) {
        int proto = g.u8();
        Selector sel = CommonGen.selector(g);
        List<NlAttribute> extra = extraAttributes(g, Set.of(XfrmAttrType.COADDR));
        return new ReportEvent(proto, sel, g.orNull(0.3, () -> address(g, sel.family())), extra);
    }

    public static MappingEvent mappingEvent(Gen g) {
        int f = anyFamily(g);
        return new MappingEvent(address(g, f), g.u32(), f, g.u8(), g.u32(), address(g, f), address(g, f), g.u16(),
                g.u16(), extraAttributes(g, Set.of()));
    }
}
