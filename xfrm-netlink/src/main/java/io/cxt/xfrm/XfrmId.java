package io.cxt.xfrm;

import java.net.InetAddress;
import java.nio.ByteBuffer;
import java.util.Objects;

/**
 * {@code struct xfrm_id} (24 octets with padding): the triple that names an SA in the kernel,
 * destination address, SPI and IPsec protocol. The SPI is the host value here (0x1000 for
 * {@code spi 0x1000}); it is network order on the wire. The address family is not part of the
 * struct: it comes from the enclosing {@code xfrm_usersa_info}.
 */
public record XfrmId(InetAddress daddr, int spi, int proto) {

    public static final int LENGTH = 24;

    /** IP protocol numbers an SA can have. */
    public static final int PROTO_ESP = 50;
    public static final int PROTO_AH = 51;
    public static final int PROTO_COMP = 108;
    public static final int PROTO_ROUTING = 43;
    public static final int PROTO_DSTOPTS = 60;
    /** In a flush or a lookup: ESP, AH or IPCOMP. */
    public static final int PROTO_IPSEC_ANY = 255;

    public XfrmId {
        Objects.requireNonNull(daddr, "daddr");
        StateCodec.checkU8(proto, "proto");
    }

    public static XfrmId decode(ByteBuffer b, int family) {
        XfrmStructs.need(b, LENGTH, "xfrm_id");
        InetAddress d = XfrmStructs.readAddress(b, family);
        int spi = XfrmStructs.getBe32(b);
        int proto = XfrmStructs.getU8(b);
        XfrmStructs.skip(b, 3);
        return new XfrmId(d, spi, proto);
    }

    public void encode(ByteBuffer b) {
        XfrmStructs.writeAddress(b, daddr);
        XfrmStructs.putBe32(b, spi);
        b.put((byte) proto);
        XfrmStructs.pad(b, 3);
    }

    public XfrmId withSpi(int newSpi) {
        return new XfrmId(daddr, newSpi, proto);
    }

    public XfrmId withDaddr(InetAddress newDaddr) {
        return new XfrmId(newDaddr, spi, proto);
    }

    /** iproute2's protocol names. */
    public static String protoName(int proto) {
        return switch (proto) {
            case PROTO_ESP -> "esp";
            case PROTO_AH -> "ah";
            case PROTO_COMP -> "comp";
            case PROTO_ROUTING -> "route2";
            case PROTO_DSTOPTS -> "hao";
            case PROTO_IPSEC_ANY -> "ipsec-any";
            default -> Integer.toString(proto);
        };
    }

    @Override
    public String toString() {
        return "XfrmId[" + daddr.getHostAddress() + " " + protoName(proto) + " spi 0x"
                + String.format("%08x", spi) + "]";
    }
}
