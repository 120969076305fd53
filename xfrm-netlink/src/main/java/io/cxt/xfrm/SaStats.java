package io.cxt.xfrm;

import java.nio.ByteBuffer;

/** {@code struct xfrm_stats} (12 octets): replay and integrity failure counters of an SA. */
public record SaStats(int replayWindow, int replay, int integrityFailed) {
    public static final int LENGTH = 12;
    public static final SaStats ZERO = new SaStats(0, 0, 0);

    public static SaStats decode(ByteBuffer b) {
        XfrmStructs.need(b, LENGTH, "xfrm_stats");
        return new SaStats(b.getInt(), b.getInt(), b.getInt());
    }

    public void encode(ByteBuffer b) {
        b.putInt(replayWindow).putInt(replay).putInt(integrityFailed);
    }
}
