package io.cxt.xfrm;

import java.nio.ByteBuffer;

/**
 * {@code struct xfrm_lifetime_cfg} (64 octets): soft and hard limits. Values are unsigned 64-bit;
 * {@link #INFINITY} (all ones, XFRM_INF) means "no limit", which iproute2 prints as (INF).
 */
public record LifetimeConfig(long softByteLimit, long hardByteLimit, long softPacketLimit, long hardPacketLimit,
                             long softAddExpiresSeconds, long hardAddExpiresSeconds,
                             long softUseExpiresSeconds, long hardUseExpiresSeconds) {

    public static final int LENGTH = 64;
    public static final long INFINITY = -1L;

    /** No limits at all: what {@code ip xfrm} sets when none are given. */
    public static final LifetimeConfig UNLIMITED = new LifetimeConfig(INFINITY, INFINITY, INFINITY, INFINITY, 0, 0, 0, 0);

    public static LifetimeConfig decode(ByteBuffer b) {
        XfrmStructs.need(b, LENGTH, "xfrm_lifetime_cfg");
        return new LifetimeConfig(b.getLong(), b.getLong(), b.getLong(), b.getLong(), b.getLong(), b.getLong(),
                b.getLong(), b.getLong());
    }

    public void encode(ByteBuffer b) {
        b.putLong(softByteLimit).putLong(hardByteLimit).putLong(softPacketLimit).putLong(hardPacketLimit)
                .putLong(softAddExpiresSeconds).putLong(hardAddExpiresSeconds)
                .putLong(softUseExpiresSeconds).putLong(hardUseExpiresSeconds);
    }
}
