package io.cxt.cxtp;

import java.net.Inet4Address;
import java.net.Inet6Address;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.List;

import io.cxt.xfrm.XfrmStructs;

/** Address and list normalisation shared by the message records. */
final class Addresses {
    private Addresses() {
    }

    /**
     * The address as the wire can carry it: no host name, no IPv6 scope (CXTP has no field for
     * one), and an IPv6 object even for {@code ::ffff:a.b.c.d}.
     */
    static InetAddress normalize(InetAddress a, String what) {
        if (a == null) {
            throw new IllegalArgumentException(what + " is required");
        }
        if (a instanceof Inet6Address) {
            return XfrmStructs.ipv6(a.getAddress());
        }
        try {
            return InetAddress.getByAddress(a.getAddress());
        } catch (UnknownHostException e) {
            throw new IllegalArgumentException(e);
        }
    }

    static void sameFamily(InetAddress a, InetAddress b, String what) {
        if ((a instanceof Inet4Address) != (b instanceof Inet4Address)) {
            throw new IllegalArgumentException(what + " must be of the same family as the MN's previous address"
                    + " (the V flag covers all addresses of a message)");
        }
    }

    static <T> List<T> copy(List<T> list) {
        return list == null ? List.of() : List.copyOf(list);
    }

    static long u32(long v, String what) {
        if (v < 0 || v > 0xffffffffL) {
            throw new IllegalArgumentException(what + " must be an unsigned 32-bit value: " + v);
        }
        return v;
    }
}
