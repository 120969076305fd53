package io.cxt.xfrm;

import java.nio.ByteBuffer;

/** {@code struct xfrm_mark} (XFRMA_MARK): a packet mark value and mask, host order. */
public record Mark(int value, int mask) {
    public static final int LENGTH = 8;

    public static Mark decode(ByteBuffer b) {
        XfrmStructs.need(b, LENGTH, "xfrm_mark");
        return new Mark(b.getInt(), b.getInt());
    }

    public void encode(ByteBuffer b) {
        b.putInt(value).putInt(mask);
    }

    /** iproute2's notation: {@code 0x1/0xffffffff}. */
    @Override
    public String toString() {
        return "0x" + Integer.toHexString(value) + "/0x" + Integer.toHexString(mask);
    }
}
