package io.cxt.xfrm;

import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;

import io.cxt.nl.NlAttribute;

/**
 * The GETSADINFO answer (XFRM_MSG_NEWSADINFO): a u32 of flags (the request's, echoed), then
 * XFRMA_SAD_CNT, the number of SAs, and XFRMA_SAD_HINFO ({@code struct xfrmu_sadhinfo}: hash
 * buckets in use and the most the table may grow to).
 */
public record SadInfo(int flags, Integer saCount, Integer hashBuckets, Integer maxHashBuckets,
                      List<NlAttribute> unknownAttributes) {

    public static final int HEADER_LENGTH = 4;
    private static final int HINFO_LENGTH = 8;

    public SadInfo {
        if ((hashBuckets == null) != (maxHashBuckets == null)) {
            throw new IllegalArgumentException("hash bucket counts come together (XFRMA_SAD_HINFO)");
        }
        unknownAttributes = unknownAttributes == null ? List.of() : List.copyOf(unknownAttributes);
    }

    public List<NlAttribute> attributes() {
        List<NlAttribute> out = new ArrayList<>();
        if (saCount != null) {
            out.add(StateCodec.u32Attr(XfrmAttrType.SAD_CNT, saCount));
        }
        if (hashBuckets != null) {
            out.add(StateCodec.structAttr(XfrmAttrType.SAD_HINFO, HINFO_LENGTH,
                    b -> b.putInt(hashBuckets).putInt(maxHashBuckets)));
        }
        out.addAll(unknownAttributes);
        return out;
    }

    public byte[] toBytes() {
        return StateCodec.payload(HEADER_LENGTH, b -> b.putInt(flags), attributes());
    }

    /** The GETSADINFO request: the u32 flags word alone (iproute2 sends all ones). */
    public static byte[] request(int flags) {
        return StateCodec.payload(HEADER_LENGTH, b -> b.putInt(flags), List.of());
    }

    public static SadInfo decode(ByteBuffer payload) {
        return StateCodec.guard("xfrm SAD info", () -> {
            ByteBuffer b = payload.duplicate().order(java.nio.ByteOrder.nativeOrder());
            List<NlAttribute> attrs = StateCodec.attributesAfter(b, HEADER_LENGTH, "SAD info flags");
            int flags = b.getInt();
            Integer count = null;
            Integer buckets = null;
            Integer max = null;
            List<NlAttribute> unknown = new ArrayList<>();
            for (NlAttribute a : attrs) {
                if (a.type() == XfrmAttrType.SAD_CNT && count == null) {
                    count = StateCodec.u32(a, "XFRMA_SAD_CNT");
                } else if (a.type() == XfrmAttrType.SAD_HINFO && buckets == null) {
                    ByteBuffer h = a.valueBuffer();
                    io.cxt.nl.MalformedNetlinkException.check(h.remaining() == HINFO_LENGTH,
                            "XFRMA_SAD_HINFO must be 8 octets, has " + h.remaining());
                    buckets = h.getInt();
                    max = h.getInt();
                } else {
                    unknown.add(a);
                }
            }
            return new SadInfo(flags, count, buckets, max, unknown);
        });
    }

    public static SadInfo decode(byte[] payload) {
        return decode(StateCodec.wrap(payload));
    }
}
