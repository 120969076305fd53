package io.cxt.xfrm;

import java.nio.ByteBuffer;
import java.util.Objects;

/**
 * {@code struct xfrm_userpolicy_info} (168 octets): selector (56) at 0, configured lifetime (64) at 56,
 * current lifetime (32) at 120, priority at 152, index at 156, dir/action/flags/share at 160..163 and
 * 4 octets of tail padding (the struct is 8-aligned for its u64 fields).
 *
 * <p>{@code index} 0 asks the kernel to assign one; the kernel's indexes carry the direction in their
 * low 3 bits ({@code index & 7 == dir}) and it refuses a given index that does not.
 */
public record PolicyInfo(Selector selector, LifetimeConfig lifetime, LifetimeCurrent current, int priority, int index,
                         int direction, int action, int flags, int share) {

    public static final int LENGTH = 168;

    public static final int DIR_IN = 0;
    public static final int DIR_OUT = 1;
    public static final int DIR_FWD = 2;

    public static final int ACTION_ALLOW = 0;
    public static final int ACTION_BLOCK = 1;

    /** XFRM_POLICY_LOCALOK: allow a user to override the global policy. */
    public static final int FLAG_LOCALOK = 1;
    /** XFRM_POLICY_ICMP: also match ICMP errors about the selected traffic. */
    public static final int FLAG_ICMP = 2;

    public PolicyInfo {
        Objects.requireNonNull(selector, "selector");
        Objects.requireNonNull(lifetime, "lifetime");
        Objects.requireNonNull(current, "current");
        PolicyWire.u8(direction, "direction");
        PolicyWire.u8(action, "action");
        PolicyWire.u8(flags, "flags");
        PolicyWire.u8(share, "share");
    }

    /** What iproute2 sends when only a selector and a direction are given: unlimited, allow, priority 0. */
    public static PolicyInfo of(Selector selector, int direction) {
        return new PolicyInfo(selector, LifetimeConfig.UNLIMITED, LifetimeCurrent.ZERO, 0, 0, direction,
                ACTION_ALLOW, 0, UserTemplate.SHARE_ANY);
    }

    public PolicyInfo withSelector(Selector s) {
        return new PolicyInfo(s, lifetime, current, priority, index, direction, action, flags, share);
    }

    public PolicyInfo withLifetime(LifetimeConfig l) {
        return new PolicyInfo(selector, l, current, priority, index, direction, action, flags, share);
    }

    public PolicyInfo withCurrent(LifetimeCurrent c) {
        return new PolicyInfo(selector, lifetime, c, priority, index, direction, action, flags, share);
    }

    public PolicyInfo withPriority(int p) {
        return new PolicyInfo(selector, lifetime, current, p, index, direction, action, flags, share);
    }

    public PolicyInfo withIndex(int i) {
        return new PolicyInfo(selector, lifetime, current, priority, i, direction, action, flags, share);
    }

    public PolicyInfo withDirection(int d) {
        return new PolicyInfo(selector, lifetime, current, priority, index, d, action, flags, share);
    }

    public PolicyInfo withAction(int a) {
        return new PolicyInfo(selector, lifetime, current, priority, index, direction, a, flags, share);
    }

    public PolicyInfo withFlags(int f) {
        return new PolicyInfo(selector, lifetime, current, priority, index, direction, action, f, share);
    }

    public PolicyInfo withShare(int s) {
        return new PolicyInfo(selector, lifetime, current, priority, index, direction, action, flags, s);
    }

    public static PolicyInfo decode(ByteBuffer in) {
        ByteBuffer b = PolicyWire.nativeOrder(in);
        XfrmStructs.need(b, LENGTH, "xfrm_userpolicy_info");
        Selector sel = Selector.decode(b);
        LifetimeConfig lft = LifetimeConfig.decode(b);
        LifetimeCurrent cur = LifetimeCurrent.decode(b);
        int priority = b.getInt();
        int index = b.getInt();
        int dir = XfrmStructs.getU8(b);
        int action = XfrmStructs.getU8(b);
        int flags = XfrmStructs.getU8(b);
        int share = XfrmStructs.getU8(b);
        XfrmStructs.skip(b, 4);
        return new PolicyInfo(sel, lft, cur, priority, index, dir, action, flags, share);
    }

    public void encode(ByteBuffer b) {
        selector.encode(b);
        lifetime.encode(b);
        current.encode(b);
        b.putInt(priority);
        b.putInt(index);
        b.put((byte) direction);
        b.put((byte) action);
        b.put((byte) flags);
        b.put((byte) share);
        XfrmStructs.pad(b, 4);
    }

    /** iproute2's direction names (in, out, fwd), or the number. */
    public static String directionName(int dir) {
        return switch (dir) {
            case DIR_IN -> "in";
            case DIR_OUT -> "out";
            case DIR_FWD -> "fwd";
            default -> Integer.toString(dir);
        };
    }
}
