package io.cxt.xfrm;

import java.net.InetAddress;
import java.nio.ByteBuffer;
import java.util.Objects;

/**
 * {@code struct xfrm_usersa_id} (24 octets with padding): how GETSA, DELSA and the AE messages
 * name an SA, by destination, SPI (host value; network order on the wire), family and protocol.
 */
public record SaId(InetAddress daddr, int spi, int family, int proto) {

    public static final int LENGTH = 24;
    private static final int FAMILY_OFFSET = 20;

    public SaId {
        StateCodec.checkU16(family, "family");
        StateCodec.checkU8(proto, "proto");
        StateCodec.checkFamily(daddr, family, "destination");
    }

    /** The id of an SA to {@code dst}, family taken from the address. */
    public static SaId of(InetAddress dst, int spi, int proto) {
        Objects.requireNonNull(dst, "destination");
        return new SaId(dst, spi, AddressFamily.of(dst), proto);
    }

    public static SaId decode(ByteBuffer b) {
        XfrmStructs.need(b, LENGTH, "xfrm_usersa_id");
        int family = Short.toUnsignedInt(b.getShort(b.position() + FAMILY_OFFSET));
        InetAddress d = XfrmStructs.readAddress(b, family);
        int spi = XfrmStructs.getBe32(b);
        XfrmStructs.getU16(b); // family, read above
        int proto = XfrmStructs.getU8(b);
        XfrmStructs.skip(b, 1);
        return new SaId(d, spi, family, proto);
    }

    public void encode(ByteBuffer b) {
        XfrmStructs.writeAddress(b, daddr);
        XfrmStructs.putBe32(b, spi);
        b.putShort((short) family);
        b.put((byte) proto);
        XfrmStructs.pad(b, 1);
    }

    @Override
    public String toString() {
        return "SaId[" + daddr.getHostAddress() + " " + XfrmId.protoName(proto) + " spi 0x"
                + String.format("%08x", spi) + "]";
    }
}
