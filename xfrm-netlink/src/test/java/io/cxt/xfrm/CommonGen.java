package io.cxt.xfrm;

import java.net.InetAddress;
import java.net.UnknownHostException;

import io.cxt.testing.Gen;

/** Seeded generators for the structures shared by SAs and policies. */
public final class CommonGen {
    private CommonGen() {
    }

    public static int family(Gen g) {
        return g.ofInts(AddressFamily.INET, AddressFamily.INET6);
    }

    public static InetAddress address(Gen g, int family) {
        byte[] b = g.bytes(family == AddressFamily.INET ? 4 : 16);
        try {
            return family == AddressFamily.INET ? InetAddress.getByAddress(b) : XfrmStructs.ipv6(b);
        } catch (UnknownHostException e) {
            throw new IllegalStateException(e);
        }
    }

    public static Selector selector(Gen g, int family) {
        int max = AddressFamily.maxPrefix(family);
        return new Selector(address(g, family), address(g, family), g.u16(), g.u16(), g.u16(), g.u16(), family,
                g.betweenEdgy(0, max), g.betweenEdgy(0, max), g.u8(), g.u32(), g.u32());
    }

    public static Selector selector(Gen g) {
        return selector(g, family(g));
    }

    public static LifetimeConfig lifetimeConfig(Gen g) {
        return new LifetimeConfig(g.u64(), g.u64(), g.u64(), g.u64(), g.u64(), g.u64(), g.u64(), g.u64());
    }

    public static LifetimeCurrent lifetimeCurrent(Gen g) {
        return new LifetimeCurrent(g.u64(), g.u64(), g.u64(), g.u64());
    }

    static InetAddress v4(String a) {
        try {
            return InetAddress.getByName(a);
        } catch (UnknownHostException e) {
            throw new IllegalArgumentException(e);
        }
    }
}
