package io.cxt.xfrm;

import java.nio.ByteBuffer;

/**
 * {@code struct xfrm_replay_state} (XFRMA_REPLAY_VAL, 12 octets): outbound sequence number,
 * highest inbound sequence number seen and the 32-packet replay bitmap.
 */
public record ReplayState(int oseq, int seq, int bitmap) {
    public static final int LENGTH = 12;
    public static final ReplayState ZERO = new ReplayState(0, 0, 0);

    public static ReplayState decode(ByteBuffer b) {
        XfrmStructs.need(b, LENGTH, "xfrm_replay_state");
        return new ReplayState(b.getInt(), b.getInt(), b.getInt());
    }

    public void encode(ByteBuffer b) {
        b.putInt(oseq).putInt(seq).putInt(bitmap);
    }
}
