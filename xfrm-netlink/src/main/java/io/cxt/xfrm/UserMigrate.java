package io.cxt.xfrm;

import java.net.InetAddress;
import java.nio.ByteBuffer;

/**
 * {@code struct xfrm_user_migrate} (76 octets, one entry of XFRMA_MIGRATE): move the SAs and policy
 * templates with these old endpoints, protocol, mode and reqid to new endpoints (possibly of another
 * family). Layout: old_daddr, old_saddr, new_daddr, new_saddr (16 each), proto u8 at 64, mode u8,
 * reserved u16 (always zero), reqid at 68, old_family u16 at 72, new_family u16 at 74.
 * {@code reqid} 0 matches any reqid.
 */
public record UserMigrate(InetAddress oldDaddr, InetAddress oldSaddr, InetAddress newDaddr, InetAddress newSaddr,
                          int proto, int mode, int reqid, int oldFamily, int newFamily) {

    public static final int LENGTH = 76;

    public UserMigrate {
        PolicyWire.u16(oldFamily, "old family");
        PolicyWire.u16(newFamily, "new family");
        PolicyWire.address(oldDaddr, oldFamily, "old daddr");
        PolicyWire.address(oldSaddr, oldFamily, "old saddr");
        PolicyWire.address(newDaddr, newFamily, "new daddr");
        PolicyWire.address(newSaddr, newFamily, "new saddr");
        PolicyWire.u8(proto, "proto");
        PolicyWire.u8(mode, "mode");
    }

    /** Moves tunnel endpoints {@code oldSrc -> oldDst} to {@code newSrc -> newDst}; families follow the addresses. */
    public static UserMigrate tunnel(int proto, int reqid, InetAddress oldSrc, InetAddress oldDst, InetAddress newSrc,
                                     InetAddress newDst) {
        return new UserMigrate(oldDst, oldSrc, newDst, newSrc, proto, UserTemplate.MODE_TUNNEL, reqid,
                AddressFamily.of(oldDst), AddressFamily.of(newDst));
    }

    public static UserMigrate decode(ByteBuffer in) {
        ByteBuffer b = PolicyWire.nativeOrder(in);
        XfrmStructs.need(b, LENGTH, "xfrm_user_migrate");
        int start = b.position();
        int oldFamily = Short.toUnsignedInt(b.getShort(start + 72));
        int newFamily = Short.toUnsignedInt(b.getShort(start + 74));
        InetAddress oldD = XfrmStructs.readAddress(b, oldFamily);
        InetAddress oldS = XfrmStructs.readAddress(b, oldFamily);
        InetAddress newD = XfrmStructs.readAddress(b, newFamily);
        InetAddress newS = XfrmStructs.readAddress(b, newFamily);
        int proto = XfrmStructs.getU8(b);
        int mode = XfrmStructs.getU8(b);
        XfrmStructs.getU16(b); // reserved
        int reqid = b.getInt();
        XfrmStructs.skip(b, 4); // families, read above
        return new UserMigrate(oldD, oldS, newD, newS, proto, mode, reqid, oldFamily, newFamily);
    }

    public void encode(ByteBuffer b) {
        XfrmStructs.writeAddress(b, oldDaddr);
        XfrmStructs.writeAddress(b, oldSaddr);
        XfrmStructs.writeAddress(b, newDaddr);
        XfrmStructs.writeAddress(b, newSaddr);
        b.put((byte) proto);
        b.put((byte) mode);
        b.putShort((short) 0);
        b.putInt(reqid);
        b.putShort((short) oldFamily);
        b.putShort((short) newFamily);
    }
}
