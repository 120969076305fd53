package io.cxt.nl;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.List;

/**
 * One netlink attribute ({@code struct nlattr} plus value). {@code type} keeps the
 * NLA_F_NESTED / NLA_F_NET_BYTEORDER bits exactly as received, so re-encoding is lossless.
 */
public record NlAttribute(int type, byte[] value) {

    public static final int HEADER_LENGTH = 4;

    public NlAttribute {
        if (type < 0 || type > 0xffff) {
            throw new IllegalArgumentException("attribute type out of range: " + type);
        }
        value = value == null ? new byte[0] : value;
        if (value.length > 0xffff - HEADER_LENGTH) {
            throw new IllegalArgumentException("attribute value too long: " + value.length);
        }
    }

    /** Type without the flag bits. */
    public int kind() {
        return type & Netlink.NLA_TYPE_MASK;
    }

    public int encodedLength() {
        return Netlink.align(HEADER_LENGTH + value.length);
    }

    public ByteBuffer valueBuffer() {
        return ByteBuffer.wrap(value).order(ByteOrder.nativeOrder());
    }

    public void writeTo(ByteBuffer b) {
        b.putShort((short) (HEADER_LENGTH + value.length));
        b.putShort((short) type);
        b.put(value);
        for (int i = HEADER_LENGTH + value.length; i < encodedLength(); i++) {
            b.put((byte) 0);
        }
    }

    /**
     * Parses the attributes between the buffer's position and limit. The last attribute's
     * padding may be missing (the kernel sometimes omits it at the end of a message).
     */
    public static List<NlAttribute> parseAll(ByteBuffer in) {
        ByteBuffer b = in.duplicate().order(ByteOrder.nativeOrder());
        if (!b.hasRemaining()) {
            return Collections.emptyList();
        }
        List<NlAttribute> out = new ArrayList<>();
        while (b.remaining() >= HEADER_LENGTH) {
            int start = b.position();
            int len = Short.toUnsignedInt(b.getShort());
            int type = Short.toUnsignedInt(b.getShort());
            MalformedNetlinkException.check(len >= HEADER_LENGTH, "attribute " + type + " has length " + len);
            MalformedNetlinkException.check(len <= b.limit() - start,
                    "attribute " + (type & Netlink.NLA_TYPE_MASK) + " length " + len + " exceeds the "
                            + (b.limit() - start) + " octets left");
            byte[] v = new byte[len - HEADER_LENGTH];
            b.get(v);
            out.add(new NlAttribute(type, v));
            b.position(Math.min(b.limit(), start + Netlink.align(len)));
        }
        MalformedNetlinkException.check(!b.hasRemaining(), b.remaining() + " stray octets after attributes");
        return out;
    }

    public static int encodedLength(List<NlAttribute> attrs) {
        int n = 0;
        for (NlAttribute a : attrs) {
            n += a.encodedLength();
        }
        return n;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof NlAttribute a && a.type == type && Arrays.equals(a.value, value);
    }

    @Override
    public int hashCode() {
        return type * 31 + Arrays.hashCode(value);
    }

    @Override
    public String toString() {
        return "NlAttribute[type=" + kind() + ((type & Netlink.NLA_F_NESTED) != 0 ? "|NESTED" : "") + ", len="
                + value.length + "]";
    }
}
