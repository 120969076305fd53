package io.cxt.xfrm;

import java.util.List;

import io.cxt.nl.Netlink;
import io.cxt.nl.NlAttribute;
import io.cxt.testing.Gen;

/** Seeded generators for the SAD records. */
public final class SaGen {
    private SaGen() {
    }

    /** Mostly AF_INET/AF_INET6, sometimes another number (addresses then stay 16-octet IPv6). */
    public static int saFamily(Gen g) {
        int pick = g.between(0, 10);
        return pick < 5 ? AddressFamily.INET : pick < 10 ? AddressFamily.INET6 : g.u16();
    }

    public static XfrmId xfrmId(Gen g, int family) {
        return new XfrmId(CommonGen.address(g, family), g.u32(), g.u8());
    }

    public static SaStats stats(Gen g) {
        return new SaStats(g.u32(), g.u32(), g.u32());
    }

    public static SaInfo saInfo(Gen g) {
        return saInfo(g, saFamily(g));
    }

    public static SaInfo saInfo(Gen g, int family) {
        return new SaInfo(CommonGen.selector(g), xfrmId(g, family), CommonGen.address(g, family),
                CommonGen.lifetimeConfig(g), CommonGen.lifetimeCurrent(g), stats(g), g.u32(), g.u32(), family,
                g.u8(), g.u8(), g.u8());
    }

    public static String algorithmName(Gen g) {
        return g.ascii(0, 63);
    }

    public static KeyBytes key(Gen g) {
        return KeyBytes.of(g.bytes(0, 72));
    }

    /** Key bits for a key: whole octets, or up to 7 bits fewer (the last octet partly used). */
    private static int keyBits(Gen g, KeyBytes k) {
        return k.length() == 0 ? 0 : g.between(k.length() * 8 - 7, k.length() * 8);
    }

    public static Algorithm algorithm(Gen g) {
        KeyBytes k = key(g);
        return new Algorithm(algorithmName(g), k, keyBits(g, k));
    }

    public static AuthAlgorithm authAlgorithm(Gen g) {
        Algorithm a = algorithm(g);
        return new AuthAlgorithm(a.name(), a.key(), a.keyBits(), g.u32());
    }

    public static AeadAlgorithm aeadAlgorithm(Gen g) {
        Algorithm a = algorithm(g);
        return new AeadAlgorithm(a.name(), a.key(), a.keyBits(), g.u32());
    }

    public static EncapTemplate encap(Gen g, int family) {
        return new EncapTemplate(g.u16(), g.u16(), g.u16(), CommonGen.address(g, family));
    }

    public static ReplayState replayState(Gen g) {
        return new ReplayState(g.u32(), g.u32(), g.u32());
    }

    public static ReplayStateEsn replayStateEsn(Gen g) {
        int len = g.betweenEdgy(0, ReplayStateEsn.MAX_BMP_LEN);
        int oseq = g.u32();
        int seq = g.u32();
        int oseqHi = g.u32();
        int seqHi = g.u32();
        int win = g.u32();
        int[] bmp = new int[0];
        if (g.bool()) {
            bmp = new int[len];
            for (int i = 0; i < len; i++) {
                bmp[i] = g.anyInt();
            }
        }
        return new ReplayStateEsn(len, oseq, seq, oseqHi, seqHi, win, bmp);
    }

    public static Mark mark(Gen g) {
        return new Mark(g.u32(), g.u32());
    }

    public static SecurityContext securityContext(Gen g) {
        return new SecurityContext(g.u16(), g.u8(), g.u8(), g.bytes(0, 40));
    }

    public static OffloadDevice offload(Gen g) {
        return new OffloadDevice(g.u32(), g.u8());
    }

    /**
     * Attributes the SA codec does not type: other XFRMA numbers (IPTFS, PAD, policy ones, new
     * ones) and known numbers with a flag bit, which must stay raw too.
     */
    public static NlAttribute unknownSaAttribute(Gen g) {
        int type = switch (g.between(0, 2)) {
            case 0 -> g.ofInts(0, 5, 6, 7, 16, 17, 19, 25, 26, 27, 36, 37, 38, 39, 40, 41);
            case 1 -> g.between(42, 0x3fff);
            default -> g.between(1, 41) | Netlink.NLA_F_NESTED;
        };
        return new NlAttribute(type, g.bytes(0, 40));
    }

    private static boolean present(Gen g) {
        return g.between(0, 9) >= 6; // each optional part is absent 60% of the time
    }

    public static SecurityAssociation securityAssociation(Gen g) {
        return securityAssociation(g, saFamily(g));
    }

    public static SecurityAssociation securityAssociation(Gen g, int family) {
        SecurityAssociation.Builder b = SecurityAssociation.builder(saInfo(g, family));
        if (present(g)) {
            b = b.aead(aeadAlgorithm(g));
        }
        if (present(g)) {
            b = b.auth(algorithm(g));
        }
        if (present(g)) {
            b = b.authTrunc(authAlgorithm(g));
        }
        if (present(g)) {
            b = b.crypt(algorithm(g));
        }
        if (present(g)) {
            b = b.comp(algorithm(g));
        }
        if (present(g)) {
            b = b.encap(encap(g, family));
        }
        if (present(g)) {
            b = b.mark(mark(g));
        }
        if (present(g)) {
            b = b.setMark(g.u32());
        }
        if (present(g)) {
            b = b.setMarkMask(g.u32());
        }
        if (present(g)) {
            b = b.ifId(g.u32());
        }
        if (present(g)) {
            b = b.replay(replayState(g));
        }
        if (present(g)) {
            b = b.replayEsn(replayStateEsn(g));
        }
        if (present(g)) {
            b = b.coaddr(CommonGen.address(g, family));
        }
        if (present(g)) {
            b = b.srcaddr(CommonGen.address(g, family));
        }
        if (present(g)) {
            b = b.lastUsed(g.u64());
        }
        if (present(g)) {
            b = b.ltimeVal(CommonGen.lifetimeCurrent(g));
        }
        if (present(g)) {
            b = b.replayThresh(g.u32());
        }
        if (present(g)) {
            b = b.etimerThresh(g.u32());
        }
        if (present(g)) {
            b = b.mtimerThresh(g.u32());
        }
        if (present(g)) {
            b = b.saExtraFlags(g.u32());
        }
        if (present(g)) {
            b = b.tfcPad(g.u32());
        }
        if (present(g)) {
            b = b.secCtx(securityContext(g));
        }
        if (present(g)) {
            b = b.offload(offload(g));
        }
        if (present(g)) {
            b = b.saDir(g.u8());
        }
        if (present(g)) {
            b = b.natKeepaliveInterval(g.u32());
        }
        if (present(g)) {
            b = b.pcpu(g.u32());
        }
        b = b.unknownAttributes(g.list(0, 3, () -> unknownSaAttribute(g)));
        return b.build();
    }

    public static SaId saId(Gen g) {
        int f = saFamily(g);
        return new SaId(CommonGen.address(g, f), g.u32(), f, g.u8());
    }

    public static SaKey saKey(Gen g) {
        SaId id = saId(g);
        return new SaKey(id, g.orNull(0.5, () -> CommonGen.address(g, id.family())), g.orNull(0.5, () -> mark(g)),
                g.orNull(0.5, g::u32), g.list(0, 2, () -> unknownSaAttribute(g)));
    }

    public static AeventId aeventId(Gen g) {
        SaId id = saId(g);
        return new AeventId(id, CommonGen.address(g, id.family()), g.u32(), g.u32());
    }

    public static ReplayLifetimeState replayLifetimeState(Gen g) {
        return new ReplayLifetimeState(aeventId(g), g.orNull(0.5, () -> replayState(g)),
                g.orNull(0.5, () -> replayStateEsn(g)), g.orNull(0.5, () -> CommonGen.lifetimeCurrent(g)),
                g.orNull(0.5, g::u32), g.orNull(0.5, g::u32), g.orNull(0.5, () -> mark(g)), g.orNull(0.5, g::u32),
                g.orNull(0.5, g::u32), g.orNull(0.5, g::u8), g.list(0, 2, () -> unknownSaAttribute(g)));
    }

    public static SpiRange spiRange(Gen g) {
        return new SpiRange(saInfo(g), g.u32(), g.u32());
    }

    public static AllocSpiRequest allocSpiRequest(Gen g) {
        return new AllocSpiRequest(spiRange(g), g.orNull(0.5, () -> mark(g)), g.orNull(0.5, g::u32),
                g.orNull(0.5, g::u32), g.orNull(0.5, g::u8), g.list(0, 2, () -> unknownSaAttribute(g)));
    }

    public static SaExpire saExpire(Gen g) {
        return new SaExpire(saInfo(g), g.u8(), g.orNull(0.5, () -> mark(g)), g.orNull(0.5, g::u32),
                g.orNull(0.5, g::u32), g.orNull(0.5, g::u8), g.list(0, 2, () -> unknownSaAttribute(g)));
    }

    public static SaFlush saFlush(Gen g) {
        return new SaFlush(g.u8());
    }

    public static SadInfo sadInfo(Gen g) {
        int flags = g.u32();
        Integer count = g.orNull(0.3, g::u32);
        int[] h = g.orNull(0.3, () -> new int[] {g.u32(), g.u32()});
        List<NlAttribute> raw = g.list(0, 2, () -> new NlAttribute(g.between(3, 0x7fff), g.bytes(0, 12)));
        return new SadInfo(flags, count, h == null ? null : h[0], h == null ? null : h[1], raw);
    }

    public static AddressFilter addressFilter(Gen g) {
        int f = saFamily(g);
        return new AddressFilter(CommonGen.address(g, f), CommonGen.address(g, f), f, g.u8(), g.u8());
    }

    static java.net.InetAddress v4(String a) {
        return CommonGen.v4(a);
    }
}
