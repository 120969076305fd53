package io.cxt.xfrm;

import java.net.InetAddress;
import java.nio.ByteBuffer;
import java.util.Objects;

/**
 * {@code struct xfrm_selector} (56 octets): which traffic a policy or an SA applies to.
 * Ports and their masks are host values here (network order on the wire); {@code user} is a uid.
 */
public record Selector(InetAddress daddr, InetAddress saddr, int dport, int dportMask, int sport, int sportMask,
                       int family, int prefixlenD, int prefixlenS, int proto, int ifindex, int user) {

    public static final int LENGTH = 56;

    public Selector {
        Objects.requireNonNull(daddr, "daddr");
        Objects.requireNonNull(saddr, "saddr");
        checkRange(dport, 0xffff, "dport");
        checkRange(dportMask, 0xffff, "dport mask");
        checkRange(sport, 0xffff, "sport");
        checkRange(sportMask, 0xffff, "sport mask");
        checkRange(family, 0xffff, "family");
        checkRange(prefixlenD, 0xff, "dst prefix length");
        checkRange(prefixlenS, 0xff, "src prefix length");
        checkRange(proto, 0xff, "proto");
    }

    private static void checkRange(int v, int max, String what) {
        if (v < 0 || v > max) {
            throw new IllegalArgumentException(what + " out of range: " + v);
        }
    }

    /** A selector that matches everything of a family ("src 0.0.0.0/0 dst 0.0.0.0/0"). */
    public static Selector any(int family) {
        InetAddress z = XfrmStructs.any(family);
        return new Selector(z, z, 0, 0, 0, 0, family, 0, 0, 0, 0, 0);
    }

    /** Host-to-host selector for two addresses of one family, any protocol. */
    public static Selector between(InetAddress src, int srcPrefix, InetAddress dst, int dstPrefix) {
        int family = AddressFamily.of(src);
        if (family != AddressFamily.of(dst)) {
            throw new IllegalArgumentException("selector addresses of different families: " + src + " " + dst);
        }
        return new Selector(dst, src, 0, 0, 0, 0, family, dstPrefix, srcPrefix, 0, 0, 0);
    }

    public Selector withAddresses(InetAddress newSaddr, InetAddress newDaddr) {
        return new Selector(newDaddr, newSaddr, dport, dportMask, sport, sportMask, family, prefixlenD, prefixlenS,
                proto, ifindex, user);
    }

    public static Selector decode(ByteBuffer b) {
        XfrmStructs.need(b, LENGTH, "xfrm_selector");
        int start = b.position();
        b.position(start + 40);
        int family = XfrmStructs.getU16(b);
        b.position(start);
        InetAddress d = XfrmStructs.readAddress(b, family);
        InetAddress s = XfrmStructs.readAddress(b, family);
        int dport = XfrmStructs.getBe16(b);
        int dportMask = XfrmStructs.getBe16(b);
        int sport = XfrmStructs.getBe16(b);
        int sportMask = XfrmStructs.getBe16(b);
        XfrmStructs.getU16(b); // family, read above
        int pd = XfrmStructs.getU8(b);
        int ps = XfrmStructs.getU8(b);
        int proto = XfrmStructs.getU8(b);
        XfrmStructs.skip(b, 3); // alignment of ifindex
        int ifindex = b.getInt();
        int user = b.getInt();
        return new Selector(d, s, dport, dportMask, sport, sportMask, family, pd, ps, proto, ifindex, user);
    }

    public void encode(ByteBuffer b) {
        XfrmStructs.writeAddress(b, daddr);
        XfrmStructs.writeAddress(b, saddr);
        XfrmStructs.putBe16(b, dport);
        XfrmStructs.putBe16(b, dportMask);
        XfrmStructs.putBe16(b, sport);
        XfrmStructs.putBe16(b, sportMask);
        b.putShort((short) family);
        b.put((byte) prefixlenD);
        b.put((byte) prefixlenS);
        b.put((byte) proto);
        XfrmStructs.pad(b, 3);
        b.putInt(ifindex);
        b.putInt(user);
    }
}
