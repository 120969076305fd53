package io.cxt.nl;

/** Netlink protocol constants from {@code linux/netlink.h}. */
public final class Netlink {
    private Netlink() {
    }

    public static final int NETLINK_ROUTE = 0;
    public static final int NETLINK_XFRM = 6;

    public static final int HEADER_LENGTH = 16;
    public static final int ALIGNTO = 4;

    public static final int NLMSG_NOOP = 1;
    public static final int NLMSG_ERROR = 2;
    public static final int NLMSG_DONE = 3;
    public static final int NLMSG_OVERRUN = 4;

    public static final int NLM_F_REQUEST = 0x01;
    public static final int NLM_F_MULTI = 0x02;
    public static final int NLM_F_ACK = 0x04;
    public static final int NLM_F_ECHO = 0x08;
    public static final int NLM_F_DUMP_INTR = 0x10;
    public static final int NLM_F_DUMP_FILTERED = 0x20;
    /** GET requests. */
    public static final int NLM_F_ROOT = 0x100;
    public static final int NLM_F_MATCH = 0x200;
    public static final int NLM_F_ATOMIC = 0x400;
    public static final int NLM_F_DUMP = NLM_F_ROOT | NLM_F_MATCH;
    /** NEW requests. */
    public static final int NLM_F_REPLACE = 0x100;
    public static final int NLM_F_EXCL = 0x200;
    public static final int NLM_F_CREATE = 0x400;
    public static final int NLM_F_APPEND = 0x800;
    /** Flags on an NLMSG_ERROR acknowledgement. */
    public static final int NLM_F_CAPPED = 0x100;
    public static final int NLM_F_ACK_TLVS = 0x200;

    public static final int NLMSGERR_ATTR_MSG = 1;
    public static final int NLMSGERR_ATTR_OFFS = 2;
    public static final int NLMSGERR_ATTR_COOKIE = 3;
    public static final int NLMSGERR_ATTR_MISS_TYPE = 5;

    public static final int NLA_F_NESTED = 0x8000;
    public static final int NLA_F_NET_BYTEORDER = 0x4000;
    public static final int NLA_TYPE_MASK = ~(NLA_F_NESTED | NLA_F_NET_BYTEORDER) & 0xffff;

    /** Rounds up to the 4-octet netlink alignment. */
    public static int align(int len) {
        return (len + ALIGNTO - 1) & ~(ALIGNTO - 1);
    }
}
