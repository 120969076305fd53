package io.cxt.xfrm;

import java.net.InetAddress;
import java.nio.ByteBuffer;

/**
 * {@code struct xfrm_user_kmaddress} (XFRMA_KMADDRESS, 40 octets: local 16, remote 16, reserved u32 at 32,
 * family u16 at 36, 2 pad): the addresses the key manager should use to talk to the peer after a
 * MIGRATE. The kernel passes {@code reserved} through unchanged, so it is kept.
 */
public record KmAddress(InetAddress local, InetAddress remote, int reserved, int family) {

    public static final int LENGTH = 40;

    public KmAddress {
        PolicyWire.u16(family, "family");
        PolicyWire.address(local, family, "local");
        PolicyWire.address(remote, family, "remote");
    }

    public static KmAddress of(InetAddress local, InetAddress remote) {
        return new KmAddress(local, remote, 0, AddressFamily.of(local));
    }

    public static KmAddress decode(ByteBuffer in) {
        ByteBuffer b = PolicyWire.nativeOrder(in);
        XfrmStructs.need(b, LENGTH, "xfrm_user_kmaddress");
        int family = Short.toUnsignedInt(b.getShort(b.position() + 36));
        InetAddress local = XfrmStructs.readAddress(b, family);
        InetAddress remote = XfrmStructs.readAddress(b, family);
        int reserved = b.getInt();
        XfrmStructs.skip(b, 4);
        return new KmAddress(local, remote, reserved, family);
    }

    public void encode(ByteBuffer b) {
        XfrmStructs.writeAddress(b, local);
        XfrmStructs.writeAddress(b, remote);
        b.putInt(reserved);
        b.putShort((short) family);
        XfrmStructs.pad(b, 2);
    }
}
