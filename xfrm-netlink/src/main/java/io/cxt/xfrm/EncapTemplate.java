package io.cxt.xfrm;

import java.net.InetAddress;
import java.nio.ByteBuffer;
import java.util.Objects;

/**
 * {@code struct xfrm_encap_tmpl} (XFRMA_ENCAP, 24 octets): UDP (or TCP) encapsulation for NAT
 * traversal. Ports are host values here, network order on the wire; {@code originalAddress} (the
 * peer's address before NAT, "OA") has the SA's family.
 */
public record EncapTemplate(int type, int sport, int dport, InetAddress originalAddress) {

    public static final int LENGTH = 24;

    /** UDP_ENCAP_* / TCP_ENCAP_* types. */
    public static final int ESPINUDP_NON_IKE = 1;
    public static final int ESPINUDP = 2;
    public static final int ESPINTCP = 7;

    public EncapTemplate {
        StateCodec.checkU16(type, "encap type");
        StateCodec.checkU16(sport, "encap sport");
        StateCodec.checkU16(dport, "encap dport");
        Objects.requireNonNull(originalAddress, "original address");
    }

    public static EncapTemplate decode(ByteBuffer b, int family) {
        XfrmStructs.need(b, LENGTH, "xfrm_encap_tmpl");
        int type = XfrmStructs.getU16(b);
        int sport = XfrmStructs.getBe16(b);
        int dport = XfrmStructs.getBe16(b);
        XfrmStructs.skip(b, 2); // xfrm_address_t is 4-aligned
        InetAddress oa = XfrmStructs.readAddress(b, family);
        return new EncapTemplate(type, sport, dport, oa);
    }

    public void encode(ByteBuffer b) {
        b.putShort((short) type);
        XfrmStructs.putBe16(b, sport);
        XfrmStructs.putBe16(b, dport);
        XfrmStructs.pad(b, 2);
        XfrmStructs.writeAddress(b, originalAddress);
    }
}
