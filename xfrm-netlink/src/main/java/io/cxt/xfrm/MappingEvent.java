package io.cxt.xfrm;

import java.net.InetAddress;
import java.nio.ByteBuffer;
import java.util.List;

import io.cxt.nl.NlAttribute;

/**
 * MAPPING: a NAT-traversal peer's address or port changed. {@code struct xfrm_user_mapping} (64 octets):
 * the SA's {@code xfrm_usersa_id} (daddr 16, spi 4 network order, family u16, proto u8, 1 pad) at 0,
 * reqid at 24, old_saddr at 28, new_saddr at 44, old_sport and new_sport (network order) at 60 and 62.
 * The addresses are read in the SA's family. The kernel sends no attributes; any are kept.
 */
public record MappingEvent(InetAddress daddr, int spi, int family, int proto, int reqid, InetAddress oldSaddr,
                           InetAddress newSaddr, int oldSport, int newSport, List<NlAttribute> extraAttributes) {

    public static final int LENGTH = 64;

    public MappingEvent {
        PolicyWire.u16(family, "family");
        PolicyWire.address(daddr, family, "daddr");
        PolicyWire.address(oldSaddr, family, "old saddr");
        PolicyWire.address(newSaddr, family, "new saddr");
        PolicyWire.u8(proto, "proto");
        PolicyWire.u16(oldSport, "old sport");
        PolicyWire.u16(newSport, "new sport");
        extraAttributes = PolicyWire.copy(extraAttributes);
    }

    public static MappingEvent decode(ByteBuffer in) {
        ByteBuffer b = PolicyWire.nativeOrder(in);
        XfrmStructs.need(b, LENGTH, "xfrm_user_mapping");
        int start = b.position();
        int family = Short.toUnsignedInt(b.getShort(start + 20));
        InetAddress daddr = XfrmStructs.readAddress(b, family);
        int spi = XfrmStructs.getBe32(b);
        XfrmStructs.getU16(b); // family, read above
        int proto = XfrmStructs.getU8(b);
        XfrmStructs.skip(b, 1);
        int reqid = b.getInt();
        InetAddress oldS = XfrmStructs.readAddress(b, family);
        InetAddress newS = XfrmStructs.readAddress(b, family);
        int oldSport = XfrmStructs.getBe16(b);
        int newSport = XfrmStructs.getBe16(b);
        List<NlAttribute> extra = PolicyWire.readAttributes(b);
        return new MappingEvent(daddr, spi, family, proto, reqid, oldS, newS, oldSport, newSport, extra);
    }

    public static MappingEvent decode(byte[] payload) {
        return decode(ByteBuffer.wrap(payload));
    }

    public int encodedLength() {
        return LENGTH + NlAttribute.encodedLength(extraAttributes);
    }

    public void encode(ByteBuffer b) {
        XfrmStructs.writeAddress(b, daddr);
        XfrmStructs.putBe32(b, spi);
        b.putShort((short) family);
        b.put((byte) proto);
        XfrmStructs.pad(b, 1);
        b.putInt(reqid);
        XfrmStructs.writeAddress(b, oldSaddr);
        XfrmStructs.writeAddress(b, newSaddr);
        XfrmStructs.putBe16(b, oldSport);
        XfrmStructs.putBe16(b, newSport);
        PolicyWire.writeAttributes(b, extraAttributes);
    }

    public byte[] toBytes() {
        ByteBuffer b = PolicyWire.allocate(encodedLength());
        encode(b);
        return b.array();
    }
}
