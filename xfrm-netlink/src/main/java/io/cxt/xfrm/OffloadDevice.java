package io.cxt.xfrm;

import java.nio.ByteBuffer;

/** {@code struct xfrm_user_offload} (XFRMA_OFFLOAD_DEV, 8 octets with padding): hardware offload. */
public record OffloadDevice(int ifindex, int flags) {
    public static final int LENGTH = 8;
    public static final int FLAG_IPV6 = 1;
    public static final int FLAG_INBOUND = 2;
    public static final int FLAG_PACKET = 4;

    public static OffloadDevice decode(ByteBuffer b) {
        XfrmStructs.need(b, 5, "xfrm_user_offload");
        int ifindex = b.getInt();
        int flags = XfrmStructs.getU8(b);
        if (b.remaining() >= 3) {
            XfrmStructs.skip(b, 3);
        }
        return new OffloadDevice(ifindex, flags);
    }

    public void encode(ByteBuffer b) {
        b.putInt(ifindex);
        b.put((byte) flags);
        XfrmStructs.pad(b, 3);
    }
}
