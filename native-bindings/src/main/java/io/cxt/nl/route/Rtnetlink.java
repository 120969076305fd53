package io.cxt.nl.route;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;

/**
 * rtnetlink (NETLINK_ROUTE) constants from {@code linux/rtnetlink.h}, {@code linux/if_link.h},
 * {@code linux/if_addr.h} and {@code linux/if.h}, and the fixed headers of dump requests. Only what
 * movement detection reads: links, interface addresses and routes.
 */
public final class Rtnetlink {
    private Rtnetlink() {
    }

    public static final int RTM_NEWLINK = 16;
    public static final int RTM_DELLINK = 17;
    public static final int RTM_GETLINK = 18;
    public static final int RTM_NEWADDR = 20;
    public static final int RTM_DELADDR = 21;
    public static final int RTM_GETADDR = 22;
    public static final int RTM_NEWROUTE = 24;
    public static final int RTM_DELROUTE = 25;
    public static final int RTM_GETROUTE = 26;

    /** Multicast groups (1-based, as {@code enum rtnetlink_groups}). */
    public static final int RTNLGRP_LINK = 1;
    public static final int RTNLGRP_IPV4_IFADDR = 5;
    public static final int RTNLGRP_IPV4_ROUTE = 7;
    public static final int RTNLGRP_IPV6_IFADDR = 9;
    public static final int RTNLGRP_IPV6_ROUTE = 11;

    /** {@code ifinfomsg.ifi_flags}. */
    public static final int IFF_UP = 0x1;
    public static final int IFF_RUNNING = 0x40;
    public static final int IFF_LOWER_UP = 0x10000;

    public static final int IFLA_IFNAME = 3;
    public static final int IFLA_OPERSTATE = 16;

    public static final int IFA_ADDRESS = 1;
    public static final int IFA_LOCAL = 2;
    public static final int IFA_FLAGS = 8;
    public static final int IFA_F_NODAD = 0x02;
    public static final int IFA_F_OPTIMISTIC = 0x04;
    public static final int IFA_F_DADFAILED = 0x08;
    public static final int IFA_F_DEPRECATED = 0x20;
    public static final int IFA_F_TENTATIVE = 0x40;
    /** No prefix route for the address (Linux 3.14+; only in IFA_FLAGS, it does not fit {@code ifa_flags}). */
    public static final int IFA_F_NOPREFIXROUTE = 0x200;
    public static final int RT_SCOPE_UNIVERSE = 0;
    public static final int RT_SCOPE_LINK = 253;

    public static final int RTA_DST = 1;
    public static final int RTA_OIF = 4;
    public static final int RTA_GATEWAY = 5;
    public static final int RTA_PRIORITY = 6;
    public static final int RTA_TABLE = 15;
    public static final int RT_TABLE_MAIN = 254;
    public static final int RTN_UNICAST = 1;
    /** Route learnt from a Router Advertisement. */
    public static final int RTPROT_RA = 9;

    public static final int IFINFOMSG_LENGTH = 16;
    public static final int IFADDRMSG_LENGTH = 8;
    public static final int RTMSG_LENGTH = 12;

    /** Payload of an RTM_GETLINK dump: an empty {@code ifinfomsg}. */
    public static byte[] linkDumpRequest() {
        return new byte[IFINFOMSG_LENGTH];
    }

    /** Payload of an RTM_GETADDR dump for {@code family} (AF_UNSPEC 0 for all). */
    public static byte[] addressDumpRequest(int family) {
        byte[] b = new byte[IFADDRMSG_LENGTH];
        b[0] = (byte) family;
        return b;
    }

    /** Payload of an RTM_GETROUTE dump for {@code family}. */
    public static byte[] routeDumpRequest(int family) {
        byte[] b = new byte[RTMSG_LENGTH];
        b[0] = (byte) family;
        return b;
    }

    public static final int IFA_CACHEINFO = 6;
    /** The loopback interface's index in every network namespace. */
    public static final int LOOPBACK_INDEX = 1;

    /**
     * Payload of an RTM_NEWADDR or RTM_DELADDR request: {@code ifaddrmsg}, IFA_LOCAL and IFA_ADDRESS, IFA_FLAGS and,
     * for a new address with lifetimes, IFA_CACHEINFO (preferred and valid lifetime in seconds; the kernel removes
     * the address itself when the valid lifetime ends).
     *
     * @param lifetimes {preferred, valid} seconds, or null for none (permanent, or a deletion)
     */
    public static byte[] addressRequest(java.net.InetAddress address, int prefixLength, int index, int flags, int[] lifetimes) {
        byte[] a = address.getAddress();
        int family = a.length == 16 ? 10 : 2;
        java.util.List<io.cxt.nl.NlAttribute> attrs = new java.util.ArrayList<>();
        attrs.add(new io.cxt.nl.NlAttribute(IFA_LOCAL, a.clone()));
        attrs.add(new io.cxt.nl.NlAttribute(IFA_ADDRESS, a.clone()));
        byte[] f = new byte[4];
        host(f).putInt(flags);
        attrs.add(new io.cxt.nl.NlAttribute(IFA_FLAGS, f));
        if (lifetimes != null) {
            byte[] ci = new byte[16];
            host(ci).putInt(lifetimes[0]).putInt(lifetimes[1]);
            attrs.add(new io.cxt.nl.NlAttribute(IFA_CACHEINFO, ci));
        }
        ByteBuffer b = host(new byte[IFADDRMSG_LENGTH + io.cxt.nl.NlAttribute.encodedLength(attrs)]);
        b.put((byte) family).put((byte) prefixLength).put((byte) (flags & 0xff)).put((byte) RT_SCOPE_UNIVERSE).putInt(index);
        for (io.cxt.nl.NlAttribute x : attrs) {
            x.writeTo(b);
        }
        return b.array();
    }

    /** Payload of an RTM_GETROUTE request for the route the kernel would use to reach {@code destination}. */
    public static byte[] routeGetRequest(java.net.InetAddress destination) {
        byte[] a = destination.getAddress();
        java.util.List<io.cxt.nl.NlAttribute> attrs = java.util.List.of(new io.cxt.nl.NlAttribute(RTA_DST, a.clone()));
        ByteBuffer b = host(new byte[RTMSG_LENGTH + io.cxt.nl.NlAttribute.encodedLength(attrs)]);
        b.put((byte) (a.length == 16 ? 10 : 2)).put((byte) (a.length * 8)).put((byte) 0).put((byte) 0)
                .put((byte) 0).put((byte) 0).put((byte) 0).put((byte) 0).putInt(0);
        for (io.cxt.nl.NlAttribute x : attrs) {
            x.writeTo(b);
        }
        return b.array();
    }

    /** A buffer over {@code b} in the host byte order netlink uses. */
    public static ByteBuffer host(byte[] b) {
        return ByteBuffer.wrap(b).order(ByteOrder.nativeOrder());
    }
}
