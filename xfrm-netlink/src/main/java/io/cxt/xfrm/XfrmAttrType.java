package io.cxt.xfrm;

/**
 * XFRM netlink attribute types ({@code enum xfrm_attr_type_t}). The machine's header stops at
 * MTIMER_THRESH; the later ones are from the kernel's current uapi header.
 */
public final class XfrmAttrType {
    private XfrmAttrType() {
    }

    public static final int UNSPEC = 0;
    public static final int ALG_AUTH = 1;          // struct xfrm_algo
    public static final int ALG_CRYPT = 2;         // struct xfrm_algo
    public static final int ALG_COMP = 3;          // struct xfrm_algo
    public static final int ENCAP = 4;             // struct xfrm_encap_tmpl
    public static final int TMPL = 5;              // 1..n struct xfrm_user_tmpl
    public static final int SA = 6;                // struct xfrm_usersa_info
    public static final int POLICY = 7;            // struct xfrm_userpolicy_info
    public static final int SEC_CTX = 8;           // struct xfrm_user_sec_ctx + string
    public static final int LTIME_VAL = 9;         // struct xfrm_lifetime_cur
    public static final int REPLAY_VAL = 10;       // struct xfrm_replay_state
    public static final int REPLAY_THRESH = 11;    // u32
    public static final int ETIMER_THRESH = 12;    // u32
    public static final int SRCADDR = 13;          // xfrm_address_t
    public static final int COADDR = 14;           // xfrm_address_t
    public static final int LASTUSED = 15;         // u64
    public static final int POLICY_TYPE = 16;      // struct xfrm_userpolicy_type
    public static final int MIGRATE = 17;          // 1..n struct xfrm_user_migrate
    public static final int ALG_AEAD = 18;         // struct xfrm_algo_aead
    public static final int KMADDRESS = 19;        // struct xfrm_user_kmaddress
    public static final int ALG_AUTH_TRUNC = 20;   // struct xfrm_algo_auth
    public static final int MARK = 21;             // struct xfrm_mark
    public static final int TFCPAD = 22;           // u32
    public static final int REPLAY_ESN_VAL = 23;   // struct xfrm_replay_state_esn
    public static final int SA_EXTRA_FLAGS = 24;   // u32
    public static final int PROTO = 25;            // u8
    public static final int ADDRESS_FILTER = 26;   // struct xfrm_address_filter
    public static final int PAD = 27;
    public static final int OFFLOAD_DEV = 28;      // struct xfrm_user_offload
    public static final int SET_MARK = 29;         // u32
    public static final int SET_MARK_MASK = 30;    // u32
    public static final int IF_ID = 31;            // u32
    public static final int MTIMER_THRESH = 32;    // u32
    public static final int SA_DIR = 33;           // u8 (linux 6.10)
    public static final int NAT_KEEPALIVE_INTERVAL = 34; // u32 (6.11)
    public static final int SA_PCPU = 35;          // u32 (6.13)
    public static final int IPTFS_DROP_TIME = 36;  // u32 (6.14)
    public static final int IPTFS_REORDER_WINDOW = 37; // u16
    public static final int IPTFS_DONT_FRAG = 38;  // flag
    public static final int IPTFS_INIT_DELAY = 39; // u32
    public static final int IPTFS_MAX_QSIZE = 40;  // u32
    public static final int IPTFS_PKT_SIZE = 41;   // u32

    /** SADINFO attributes. */
    public static final int SAD_CNT = 1;
    public static final int SAD_HINFO = 2;
    /** SPDINFO attributes. */
    public static final int SPD_INFO = 1;
    public static final int SPD_HINFO = 2;
    public static final int SPD_IPV4_HTHRESH = 3;
    public static final int SPD_IPV6_HTHRESH = 4;
}
