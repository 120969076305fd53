package io.cxt.xfrm;

/** XFRM netlink message types ({@code enum} in linux/xfrm.h). */
public final class XfrmMsgType {
    private XfrmMsgType() {
    }

    public static final int NEWSA = 0x10;
    public static final int DELSA = 0x11;
    public static final int GETSA = 0x12;
    public static final int NEWPOLICY = 0x13;
    public static final int DELPOLICY = 0x14;
    public static final int GETPOLICY = 0x15;
    public static final int ALLOCSPI = 0x16;
    public static final int ACQUIRE = 0x17;
    public static final int EXPIRE = 0x18;
    public static final int UPDPOLICY = 0x19;
    public static final int UPDSA = 0x1a;
    public static final int POLEXPIRE = 0x1b;
    public static final int FLUSHSA = 0x1c;
    public static final int FLUSHPOLICY = 0x1d;
    public static final int NEWAE = 0x1e;
    public static final int GETAE = 0x1f;
    public static final int REPORT = 0x20;
    public static final int MIGRATE = 0x21;
    public static final int NEWSADINFO = 0x22;
    public static final int GETSADINFO = 0x23;
    public static final int NEWSPDINFO = 0x24;
    public static final int GETSPDINFO = 0x25;
    public static final int MAPPING = 0x26;
    public static final int SETDEFAULT = 0x27;
    public static final int GETDEFAULT = 0x28;

    private static final String[] NAMES = {"NEWSA", "DELSA", "GETSA", "NEWPOLICY", "DELPOLICY", "GETPOLICY",
        "ALLOCSPI", "ACQUIRE", "EXPIRE", "UPDPOLICY", "UPDSA", "POLEXPIRE", "FLUSHSA", "FLUSHPOLICY", "NEWAE",
        "GETAE", "REPORT", "MIGRATE", "NEWSADINFO", "GETSADINFO", "NEWSPDINFO", "GETSPDINFO", "MAPPING",
        "SETDEFAULT", "GETDEFAULT"};

    /** "NEWSA" etc., or the number. */
    public static String name(int type) {
        int i = type - NEWSA;
        return i >= 0 && i < NAMES.length ? NAMES[i] : Integer.toString(type);
    }

    /** Multicast groups (XFRMNLGRP_*), 1-based. */
    public static final int GRP_ACQUIRE = 1;
    public static final int GRP_EXPIRE = 2;
    public static final int GRP_SA = 3;
    public static final int GRP_POLICY = 4;
    public static final int GRP_AEVENTS = 5;
    public static final int GRP_REPORT = 6;
    public static final int GRP_MIGRATE = 7;
    public static final int GRP_MAPPING = 8;
    public static final int GRP_MAX = 8;
}
