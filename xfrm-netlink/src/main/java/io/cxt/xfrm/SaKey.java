package io.cxt.xfrm;

import java.net.InetAddress;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

import io.cxt.nl.NlAttribute;

/**
 * A GETSA or DELSA request: {@link SaId} plus the optional attributes that narrow the lookup,
 * XFRMA_SRCADDR (needed by the kernel only for protocols without an SPI, sent by iproute2
 * anyway), XFRMA_MARK (an SA with a mark is found only with that mark) and XFRMA_IF_ID.
 * Other attributes are kept as they are, so this also decodes the kernel's DELSA notification
 * (whose XFRMA_SA attribute stays in {@link #unknownAttributes()}).
 */
public record SaKey(SaId id, InetAddress srcAddr, Mark mark, Integer ifId, List<NlAttribute> unknownAttributes) {

    public SaKey {
        Objects.requireNonNull(id, "id");
        if (srcAddr != null) {
            StateCodec.checkFamily(srcAddr, id.family(), "source");
        }
        unknownAttributes = unknownAttributes == null ? List.of() : List.copyOf(unknownAttributes);
    }

    /** Destination, SPI and protocol: all the kernel needs to find an ESP or AH SA. */
    public static SaKey of(InetAddress dst, int spi, int proto) {
        return new SaKey(SaId.of(dst, spi, proto), null, null, null, List.of());
    }

    /** Like iproute2's {@code ip xfrm state get/delete src S dst D proto P spi X}. */
    public static SaKey of(InetAddress src, InetAddress dst, int spi, int proto) {
        return of(dst, spi, proto).withSource(src);
    }

    public SaKey withSource(InetAddress src) {
        return new SaKey(id, src, mark, ifId, unknownAttributes);
    }

    public SaKey withMark(Mark m) {
        return new SaKey(id, srcAddr, m, ifId, unknownAttributes);
    }

    public SaKey withIfId(Integer i) {
        return new SaKey(id, srcAddr, mark, i, unknownAttributes);
    }

    public List<NlAttribute> attributes() {
        List<NlAttribute> out = new ArrayList<>();
        if (srcAddr != null) {
            out.add(StateCodec.addressAttr(XfrmAttrType.SRCADDR, srcAddr));
        }
        if (mark != null) {
            out.add(StateCodec.structAttr(XfrmAttrType.MARK, Mark.LENGTH, mark::encode));
        }
        if (ifId != null) {
            out.add(StateCodec.u32Attr(XfrmAttrType.IF_ID, ifId));
        }
        out.addAll(unknownAttributes);
        return out;
    }

    public byte[] toBytes() {
        return StateCodec.payload(SaId.LENGTH, id::encode, attributes());
    }

    public static SaKey decode(ByteBuffer payload) {
        return StateCodec.guard("xfrm_usersa_id request", () -> {
            ByteBuffer b = payload.duplicate().order(java.nio.ByteOrder.nativeOrder());
            List<NlAttribute> attrs = StateCodec.attributesAfter(b, SaId.LENGTH, "xfrm_usersa_id");
            SaId id = SaId.decode(b);
            InetAddress src = null;
            Mark mark = null;
            Integer ifId = null;
            List<NlAttribute> unknown = new ArrayList<>();
            for (NlAttribute a : attrs) {
                if (a.type() == XfrmAttrType.SRCADDR && src == null) {
                    src = StateCodec.address(a, id.family(), "XFRMA_SRCADDR");
                } else if (a.type() == XfrmAttrType.MARK && mark == null) {
                    mark = StateCodec.exact(a, "XFRMA_MARK", Mark::decode);
                } else if (a.type() == XfrmAttrType.IF_ID && ifId == null) {
                    ifId = StateCodec.u32(a, "XFRMA_IF_ID");
                } else {
                    unknown.add(a);
                }
            }
            return new SaKey(id, src, mark, ifId, unknown);
        });
    }

    public static SaKey decode(byte[] payload) {
        return decode(StateCodec.wrap(payload));
    }
}
