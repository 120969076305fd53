package io.cxt.xfrm;

import java.net.InetAddress;
import java.nio.ByteBuffer;
import java.util.Objects;

/**
 * {@code struct xfrm_usersa_info}: the fixed part of every SA message, exactly 224 octets on
 * x86-64 (the u64 lifetimes align the struct to 8, leaving 7 pad octets after {@code flags}).
 * {@code family} is the family of {@code id.daddr} and {@code saddr}; the selector has its own.
 */
public record SaInfo(Selector selector, XfrmId id, InetAddress saddr, LifetimeConfig lifetime,
                     LifetimeCurrent current, SaStats stats, int seq, int reqid, int family, int mode,
                     int replayWindow, int flags) {

    public static final int LENGTH = 224;
    private static final int FAMILY_OFFSET = 212;

    /** XFRM_MODE_*. */
    public static final int MODE_TRANSPORT = 0;
    public static final int MODE_TUNNEL = 1;
    public static final int MODE_ROUTEOPTIMIZATION = 2;
    public static final int MODE_IN_TRIGGER = 3;
    public static final int MODE_BEET = 4;
    public static final int MODE_IPTFS = 5;

    /** XFRM_STATE_* flags. */
    public static final int FLAG_NOECN = 1;
    public static final int FLAG_DECAP_DSCP = 2;
    public static final int FLAG_NOPMTUDISC = 4;
    public static final int FLAG_WILDRECV = 8;
    public static final int FLAG_ICMP = 16;
    public static final int FLAG_AF_UNSPEC = 32;
    public static final int FLAG_ALIGN4 = 64;
    public static final int FLAG_ESN = 128;

    public SaInfo {
        Objects.requireNonNull(selector, "selector");
        Objects.requireNonNull(id, "id");
        Objects.requireNonNull(lifetime, "lifetime");
        Objects.requireNonNull(current, "current");
        Objects.requireNonNull(stats, "stats");
        StateCodec.checkU16(family, "family");
        StateCodec.checkU8(mode, "mode");
        StateCodec.checkU8(replayWindow, "replay window");
        StateCodec.checkU8(flags, "flags");
        StateCodec.checkFamily(id.daddr(), family, "destination");
        StateCodec.checkFamily(saddr, family, "source");
    }

    /**
     * The usual starting point: addresses, protocol, SPI, reqid and mode; selector of the
     * family's "any" (the kernel fills it in for SAs), no lifetime limits, nothing used yet.
     */
    public static SaInfo of(InetAddress src, InetAddress dst, int proto, int spi, int reqid, int mode) {
        int family = AddressFamily.of(dst);
        return new SaInfo(Selector.any(AddressFamily.UNSPEC), new XfrmId(dst, spi, proto), src, LifetimeConfig.UNLIMITED,
                LifetimeCurrent.ZERO, SaStats.ZERO, 0, reqid, family, mode, 0, 0);
    }

    public static SaInfo decode(ByteBuffer b) {
        XfrmStructs.need(b, LENGTH, "xfrm_usersa_info");
        int family = Short.toUnsignedInt(b.getShort(b.position() + FAMILY_OFFSET));
        Selector sel = Selector.decode(b);
        XfrmId id = XfrmId.decode(b, family);
        InetAddress saddr = XfrmStructs.readAddress(b, family);
        LifetimeConfig lft = LifetimeConfig.decode(b);
        LifetimeCurrent cur = LifetimeCurrent.decode(b);
        SaStats stats = SaStats.decode(b);
        int seq = b.getInt();
        int reqid = b.getInt();
        XfrmStructs.getU16(b); // family, read above
        int mode = XfrmStructs.getU8(b);
        int replayWindow = XfrmStructs.getU8(b);
        int flags = XfrmStructs.getU8(b);
        XfrmStructs.skip(b, 7);
        return new SaInfo(sel, id, saddr, lft, cur, stats, seq, reqid, family, mode, replayWindow, flags);
    }

    public void encode(ByteBuffer b) {
        selector.encode(b);
        id.encode(b);
        XfrmStructs.writeAddress(b, saddr);
        lifetime.encode(b);
        current.encode(b);
        stats.encode(b);
        b.putInt(seq).putInt(reqid);
        b.putShort((short) family);
        b.put((byte) mode).put((byte) replayWindow).put((byte) flags);
        XfrmStructs.pad(b, 7);
    }

    public boolean hasFlag(int flag) {
        return (flags & flag) != 0;
    }

    public SaInfo withId(XfrmId newId) {
        return new SaInfo(selector, newId, saddr, lifetime, current, stats, seq, reqid, family, mode, replayWindow, flags);
    }

    public SaInfo withSpi(int spi) {
        return withId(id.withSpi(spi));
    }

    /** New tunnel end points (and family); the selector is kept. */
    public SaInfo withAddresses(InetAddress src, InetAddress dst) {
        int f = AddressFamily.of(dst);
        if (AddressFamily.of(src) != f) {
            throw new IllegalArgumentException("SA addresses of different families: " + src + " " + dst);
        }
        return new SaInfo(selector, id.withDaddr(dst), src, lifetime, current, stats, seq, reqid, f, mode,
                replayWindow, flags);
    }

    public SaInfo withSelector(Selector s) {
        return new SaInfo(s, id, saddr, lifetime, current, stats, seq, reqid, family, mode, replayWindow, flags);
    }

    public SaInfo withLifetime(LifetimeConfig l) {
        return new SaInfo(selector, id, saddr, l, current, stats, seq, reqid, family, mode, replayWindow, flags);
    }

    public SaInfo withCurrent(LifetimeCurrent c) {
        return new SaInfo(selector, id, saddr, lifetime, c, stats, seq, reqid, family, mode, replayWindow, flags);
    }

    public SaInfo withStats(SaStats s) {
        return new SaInfo(selector, id, saddr, lifetime, current, s, seq, reqid, family, mode, replayWindow, flags);
    }

    public SaInfo withSeq(int s) {
        return new SaInfo(selector, id, saddr, lifetime, current, stats, s, reqid, family, mode, replayWindow, flags);
    }

    public SaInfo withReqid(int r) {
        return new SaInfo(selector, id, saddr, lifetime, current, stats, seq, r, family, mode, replayWindow, flags);
    }

    public SaInfo withMode(int m) {
        return new SaInfo(selector, id, saddr, lifetime, current, stats, seq, reqid, family, m, replayWindow, flags);
    }

    public SaInfo withReplayWindow(int w) {
        return new SaInfo(selector, id, saddr, lifetime, current, stats, seq, reqid, family, mode, w, flags);
    }

    public SaInfo withFlags(int f) {
        return new SaInfo(selector, id, saddr, lifetime, current, stats, seq, reqid, family, mode, replayWindow, f);
    }
}
