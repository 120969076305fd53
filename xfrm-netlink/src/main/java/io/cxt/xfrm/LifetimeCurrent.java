package io.cxt.xfrm;

import java.nio.ByteBuffer;

/**
 * {@code struct xfrm_lifetime_cur} (32 octets): what an SA or policy has used so far. Times are
 * seconds since the epoch (0 = never used).
 */
public record LifetimeCurrent(long bytes, long packets, long addTime, long useTime) {

    public static final int LENGTH = 32;
    public static final LifetimeCurrent ZERO = new LifetimeCurrent(0, 0, 0, 0);

    public static LifetimeCurrent decode(ByteBuffer b) {
        XfrmStructs.need(b, LENGTH, "xfrm_lifetime_cur");
        return new LifetimeCurrent(b.getLong(), b.getLong(), b.getLong(), b.getLong());
    }

    public void encode(ByteBuffer b) {
        b.putLong(bytes).putLong(packets).putLong(addTime).putLong(useTime);
    }
}
