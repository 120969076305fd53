package io.cxt.xfrm;

import java.net.InetAddress;
import java.nio.ByteBuffer;

/**
 * {@code struct xfrm_address_filter} (XFRMA_ADDRESS_FILTER, 36 octets): restricts an SA dump to
 * SAs whose source is in {@code saddr/splen} and destination in {@code daddr/dplen}, of
 * {@code family} (AF_UNSPEC: any family, prefixes of 0 then match everything).
 */
public record AddressFilter(InetAddress saddr, InetAddress daddr, int family, int splen, int dplen) {

    public static final int LENGTH = 36;
    private static final int FAMILY_OFFSET = 32;

    /** The filter iproute2 sends with every {@code ip xfrm state list}: all zero, matches all. */
    public static final AddressFilter ANY = new AddressFilter(XfrmStructs.any(AddressFamily.UNSPEC),
            XfrmStructs.any(AddressFamily.UNSPEC), AddressFamily.UNSPEC, 0, 0);

    public AddressFilter {
        StateCodec.checkU16(family, "family");
        StateCodec.checkU8(splen, "source prefix length");
        StateCodec.checkU8(dplen, "destination prefix length");
        StateCodec.checkFamily(saddr, family, "source");
        StateCodec.checkFamily(daddr, family, "destination");
    }

    /** SAs from {@code src/srcPrefix} to {@code dst/dstPrefix}. */
    public static AddressFilter of(InetAddress src, int srcPrefix, InetAddress dst, int dstPrefix) {
        int family = AddressFamily.of(dst);
        if (AddressFamily.of(src) != family) {
            throw new IllegalArgumentException("filter addresses of different families: " + src + " " + dst);
        }
        return new AddressFilter(src, dst, family, srcPrefix, dstPrefix);
    }

    public static AddressFilter decode(ByteBuffer b) {
        XfrmStructs.need(b, LENGTH, "xfrm_address_filter");
        int family = Short.toUnsignedInt(b.getShort(b.position() + FAMILY_OFFSET));
        InetAddress s = XfrmStructs.readAddress(b, family);
        InetAddress d = XfrmStructs.readAddress(b, family);
        XfrmStructs.getU16(b); // family, read above
        return new AddressFilter(s, d, family, XfrmStructs.getU8(b), XfrmStructs.getU8(b));
    }

    public void encode(ByteBuffer b) {
        XfrmStructs.writeAddress(b, saddr);
        XfrmStructs.writeAddress(b, daddr);
        b.putShort((short) family);
        b.put((byte) splen).put((byte) dplen);
    }
}
