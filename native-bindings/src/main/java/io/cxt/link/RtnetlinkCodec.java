package io.cxt.link;

import io.cxt.nl.route.Rtnetlink;

import java.net.InetAddress;
import java.net.UnknownHostException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;

import io.cxt.nl.MalformedNetlinkException;
import io.cxt.nl.NetlinkMessage;
import io.cxt.nl.NlAttribute;

/**
 * Pure decoder of rtnetlink link, address and route messages. Bad input throws
 * {@link MalformedNetlinkException} and nothing else (fuzzable); messages of other types decode to
 * null. Unknown attributes are skipped: these records are views for movement detection, not
 * round-trip copies.
 */
public final class RtnetlinkCodec {
    private RtnetlinkCodec() {
    }

    private static final int AF_INET = 2;
    private static final int AF_INET6 = 10;

    /** The event a message describes, or null when it is not a link, address or route message. */
    public static RtnetlinkEvent decode(NetlinkMessage m) {
        return switch (m.type()) {
            case Rtnetlink.RTM_NEWLINK, Rtnetlink.RTM_DELLINK -> link(m);
            case Rtnetlink.RTM_NEWADDR, Rtnetlink.RTM_DELADDR -> address(m);
            case Rtnetlink.RTM_NEWROUTE, Rtnetlink.RTM_DELROUTE -> route(m);
            default -> null;
        };
    }

    static LinkInfo link(NetlinkMessage m) {
        byte[] p = m.payload();
        MalformedNetlinkException.check(p.length >= Rtnetlink.IFINFOMSG_LENGTH,
                "link message of " + p.length + " octets, shorter than ifinfomsg");
        ByteBuffer b = Rtnetlink.host(p);
        int index = b.getInt(4);
        int flags = b.getInt(8);
        String name = "";
        int oper = -1;
        for (NlAttribute a : NlAttribute.parseAll(b.position(Rtnetlink.IFINFOMSG_LENGTH))) {
            if (a.kind() == Rtnetlink.IFLA_IFNAME) {
                name = cString(a.value());
            } else if (a.kind() == Rtnetlink.IFLA_OPERSTATE && a.value().length >= 1) {
                oper = Byte.toUnsignedInt(a.value()[0]);
            }
        }
        return new LinkInfo(index, name, flags, oper, m.type() == Rtnetlink.RTM_DELLINK);
    }

    static AddressInfo address(NetlinkMessage m) {
        byte[] p = m.payload();
        MalformedNetlinkException.check(p.length >= Rtnetlink.IFADDRMSG_LENGTH,
                "address message of " + p.length + " octets, shorter than ifaddrmsg");
        ByteBuffer b = Rtnetlink.host(p);
        int family = Byte.toUnsignedInt(p[0]);
        int prefixLength = Byte.toUnsignedInt(p[1]);
        int flags = Byte.toUnsignedInt(p[2]);
        int scope = Byte.toUnsignedInt(p[3]);
        int index = b.getInt(4);
        checkFamily(family, "address");
        MalformedNetlinkException.check(prefixLength <= (family == AF_INET ? 32 : 128), "prefix length " + prefixLength);
        InetAddress local = null;
        InetAddress address = null;
        for (NlAttribute a : NlAttribute.parseAll(b.position(Rtnetlink.IFADDRMSG_LENGTH))) {
            switch (a.kind()) {
                case Rtnetlink.IFA_LOCAL -> local = inet(family, a.value(), "IFA_LOCAL");
                case Rtnetlink.IFA_ADDRESS -> address = inet(family, a.value(), "IFA_ADDRESS");
                case Rtnetlink.IFA_FLAGS -> {
                    MalformedNetlinkException.check(a.value().length >= 4, "IFA_FLAGS of " + a.value().length + " octets");
                    flags = a.valueBuffer().getInt(0);
                }
                default -> { }
            }
        }
        InetAddress chosen = local != null ? local : address;
        MalformedNetlinkException.check(chosen != null, "address message without IFA_LOCAL or IFA_ADDRESS");
        return new AddressInfo(family, prefixLength, flags, scope, index, chosen, m.type() == Rtnetlink.RTM_DELADDR);
    }

    static RouteInfo route(NetlinkMessage m) {
        byte[] p = m.payload();
        MalformedNetlinkException.check(p.length >= Rtnetlink.RTMSG_LENGTH,
                "route message of " + p.length + " octets, shorter than rtmsg");
        int family = Byte.toUnsignedInt(p[0]);
        int dstLen = Byte.toUnsignedInt(p[1]);
        int table = Byte.toUnsignedInt(p[4]);
        int protocol = Byte.toUnsignedInt(p[5]);
        int type = Byte.toUnsignedInt(p[7]);
        InetAddress dst = null;
        InetAddress gw = null;
        int oif = 0;
        long priority = 0;
        boolean inet = family == AF_INET || family == AF_INET6;
        for (NlAttribute a : NlAttribute.parseAll(Rtnetlink.host(p).position(Rtnetlink.RTMSG_LENGTH))) {
            switch (a.kind()) {
                case Rtnetlink.RTA_DST -> dst = inet ? inet(family, a.value(), "RTA_DST") : null;
                case Rtnetlink.RTA_GATEWAY -> gw = inet ? inet(family, a.value(), "RTA_GATEWAY") : null;
                case Rtnetlink.RTA_OIF -> oif = u32(a, "RTA_OIF");
                case Rtnetlink.RTA_PRIORITY -> priority = Integer.toUnsignedLong(u32(a, "RTA_PRIORITY"));
                case Rtnetlink.RTA_TABLE -> table = u32(a, "RTA_TABLE");
                default -> { }
            }
        }
        return new RouteInfo(family, dstLen, table, protocol, type, dst, gw, oif, priority,
                m.type() == Rtnetlink.RTM_DELROUTE);
    }

    private static int u32(NlAttribute a, String what) {
        MalformedNetlinkException.check(a.value().length >= 4, what + " of " + a.value().length + " octets");
        return a.valueBuffer().getInt(0);
    }

    private static void checkFamily(int family, String what) {
        MalformedNetlinkException.check(family == AF_INET || family == AF_INET6, what + " message of family " + family);
    }

    private static InetAddress inet(int family, byte[] v, String what) {
        int want = family == AF_INET ? 4 : 16;
        MalformedNetlinkException.check(v.length == want, what + " of " + v.length + " octets for family " + family);
        try {
            return InetAddress.getByAddress(v);
        } catch (UnknownHostException e) {
            throw new MalformedNetlinkException(what + ": " + e.getMessage());
        }
    }

    private static String cString(byte[] v) {
        int n = 0;
        while (n < v.length && v[n] != 0) {
            n++;
        }
        return new String(v, 0, n, StandardCharsets.UTF_8);
    }
}
