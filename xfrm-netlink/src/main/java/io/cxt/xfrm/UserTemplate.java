package io.cxt.xfrm;

import java.net.InetAddress;
import java.nio.ByteBuffer;

/**
 * {@code struct xfrm_user_tmpl} (64 octets, one element of XFRMA_TMPL): which SA a policy needs.
 * Layout: {@code xfrm_id} (daddr 16, spi 4 network order, proto 1, 3 pad) at 0, family at 24 (2 pad),
 * saddr at 28, reqid at 44, mode/share/optional at 48..50 (1 pad), aalgos/ealgos/calgos at 52..60.
 *
 * <p>{@code family} is the template's own (tunnel endpoint) family and may differ from the policy
 * selector's; it decides how both addresses are read. {@code optional} is iproute2's "level":
 * 0 = required, 1 = use. The algorithm masks are bit sets of SADB algorithm ids; all ones (what
 * iproute2 sets) allows every algorithm.
 */
public record UserTemplate(InetAddress daddr, int spi, int proto, int family, InetAddress saddr, int reqid,
                           int mode, int share, int optional, int aalgos, int ealgos, int calgos) {

    public static final int LENGTH = 64;

    public static final int MODE_TRANSPORT = 0;
    public static final int MODE_TUNNEL = 1;
    public static final int MODE_ROUTEOPTIMIZATION = 2;
    public static final int MODE_IN_TRIGGER = 3;
    public static final int MODE_BEET = 4;

    public static final int SHARE_ANY = 0;
    public static final int SHARE_SESSION = 1;
    public static final int SHARE_USER = 2;
    public static final int SHARE_UNIQUE = 3;

    public static final int PROTO_ESP = 50;
    public static final int PROTO_AH = 51;
    public static final int PROTO_COMP = 108;

    /** Algorithm mask allowing every algorithm. */
    public static final int ALL_ALGORITHMS = -1;

    public UserTemplate {
        PolicyWire.u16(family, "template family");
        PolicyWire.address(daddr, family, "template daddr");
        PolicyWire.address(saddr, family, "template saddr");
        PolicyWire.u8(proto, "template proto");
        PolicyWire.u8(mode, "template mode");
        PolicyWire.u8(share, "template share");
        PolicyWire.u8(optional, "template optional");
    }

    /** A tunnel-mode template between two endpoints (one family), any SPI, all algorithms, level required. */
    public static UserTemplate tunnel(int proto, InetAddress src, InetAddress dst, int reqid) {
        int family = AddressFamily.of(src);
        if (family != AddressFamily.of(dst)) {
            throw new IllegalArgumentException("tunnel endpoints of different families: " + src + " " + dst);
        }
        return new UserTemplate(dst, 0, proto, family, src, reqid, MODE_TUNNEL, SHARE_ANY, 0, ALL_ALGORITHMS,
                ALL_ALGORITHMS, ALL_ALGORITHMS);
    }

    /** A transport-mode template without addresses (the kernel takes them from the flow). */
    public static UserTemplate transport(int family, int proto, int reqid) {
        InetAddress any = XfrmStructs.any(family);
        return new UserTemplate(any, 0, proto, family, any, reqid, MODE_TRANSPORT, SHARE_ANY, 0, ALL_ALGORITHMS,
                ALL_ALGORITHMS, ALL_ALGORITHMS);
    }

    /** iproute2's "level use": the SA is optional. */
    public boolean isOptional() {
        return optional != 0;
    }

    public UserTemplate withOptional(boolean use) {
        return new UserTemplate(daddr, spi, proto, family, saddr, reqid, mode, share, use ? 1 : 0, aalgos, ealgos,
                calgos);
    }

    /** New endpoints; the family follows the addresses. */
    public UserTemplate withAddresses(InetAddress newSaddr, InetAddress newDaddr) {
        int f = AddressFamily.of(newDaddr);
        return new UserTemplate(newDaddr, spi, proto, f, newSaddr, reqid, mode, share, optional, aalgos, ealgos,
                calgos);
    }

    public UserTemplate withReqid(int newReqid) {
        return new UserTemplate(daddr, spi, proto, family, saddr, newReqid, mode, share, optional, aalgos, ealgos,
                calgos);
    }

    public UserTemplate withSpi(int newSpi) {
        return new UserTemplate(daddr, newSpi, proto, family, saddr, reqid, mode, share, optional, aalgos, ealgos,
                calgos);
    }

    public UserTemplate withMode(int newMode) {
        return new UserTemplate(daddr, spi, proto, family, saddr, reqid, newMode, share, optional, aalgos, ealgos,
                calgos);
    }

    public static UserTemplate decode(ByteBuffer in) {
        ByteBuffer b = PolicyWire.nativeOrder(in);
        XfrmStructs.need(b, LENGTH, "xfrm_user_tmpl");
        int start = b.position();
        int family = Short.toUnsignedInt(b.getShort(start + 24));
        InetAddress daddr = XfrmStructs.readAddress(b, family);
        int spi = XfrmStructs.getBe32(b);
        int proto = XfrmStructs.getU8(b);
        XfrmStructs.skip(b, 3);
        XfrmStructs.getU16(b); // family, read above
        XfrmStructs.skip(b, 2);
        InetAddress saddr = XfrmStructs.readAddress(b, family);
        int reqid = b.getInt();
        int mode = XfrmStructs.getU8(b);
        int share = XfrmStructs.getU8(b);
        int optional = XfrmStructs.getU8(b);
        XfrmStructs.skip(b, 1);
        int aalgos = b.getInt();
        int ealgos = b.getInt();
        int calgos = b.getInt();
        return new UserTemplate(daddr, spi, proto, family, saddr, reqid, mode, share, optional, aalgos, ealgos, calgos);
    }

    public void encode(ByteBuffer b) {
        XfrmStructs.writeAddress(b, daddr);
        XfrmStructs.putBe32(b, spi);
        b.put((byte) proto);
        XfrmStructs.pad(b, 3);
        b.putShort((short) family);
        XfrmStructs.pad(b, 2);
        XfrmStructs.writeAddress(b, saddr);
        b.putInt(reqid);
        b.put((byte) mode);
        b.put((byte) share);
        b.put((byte) optional);
        XfrmStructs.pad(b, 1);
        b.putInt(aalgos);
        b.putInt(ealgos);
        b.putInt(calgos);
    }

    /** iproute2's mode names. */
    public static String modeName(int mode) {
        return switch (mode) {
            case MODE_TRANSPORT -> "transport";
            case MODE_TUNNEL -> "tunnel";
            case MODE_ROUTEOPTIMIZATION -> "ro";
            case MODE_IN_TRIGGER -> "in_trigger";
            case MODE_BEET -> "beet";
            default -> Integer.toString(mode);
        };
    }
}
