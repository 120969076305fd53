package io.cxt.cli;

/**
 * Help text shared by the {@code cxctl xfrm} commands, written like the ip-xfrm(8) man page.
 * Picocli reads these as format strings: %n is a line break (and a literal percent sign would
 * have to be doubled).
 */
final class XfrmHelp {
    private XfrmHelp() {
    }

    static final String EXIT_STATUS = "%nExit status:%n"
            + "  0  success%n"
            + "  1  the kernel refused the request (the message gives the kernel's own words and the errno"
            + " name) or the system failed%n"
            + "  2  bad command line: an unknown keyword, a bad or missing value (the message names the token)";

    static final String VALUES = "%nValues:%n"
            + "  Numbers are decimal, 0x hexadecimal or 0-prefixed octal, as in ip(8). Addresses are IPv4 or IPv6"
            + " literals (no host names); src and dst of one SA or selector must be of one family.%n"
            + "  Keys (ALGO-KEYMAT) are 0x followed by hex digits, or any other string, whose bytes are the key"
            + " (quote it for the shell). Keys are never printed unless --keys is given.";

    static final String ID = "ID := [ src ADDR ] [ dst ADDR ] [ proto XFRM-PROTO ] [ spi SPI ]%n"
            + "XFRM-PROTO := esp | ah | comp | route2 | hao | NUMBER%n";

    static final String MODE = "MODE := transport | tunnel | beet | ro | in_trigger%n";

    static final String SELECTOR = "SELECTOR := [ src ADDR[/PLEN] ] [ dst ADDR[/PLEN] ] [ dev DEV ] [ UPSPEC ]%n"
            + "UPSPEC := proto { { tcp | udp | sctp | dccp } [ sport PORT ] [ dport PORT ] |%n"
            + "                  { icmp | ipv6-icmp | mobility-header } [ type NUMBER ] [ code NUMBER ] |%n"
            + "                  gre [ key { DOTTED-QUAD | NUMBER } ] | PROTO }%n";

    static final String LIMIT = "LIMIT-LIST := [ LIMIT-LIST ] limit LIMIT%n"
            + "LIMIT := { time-soft | time-hard | time-use-soft | time-use-hard } SECONDS |%n"
            + "         { byte-soft | byte-hard } SIZE | { packet-soft | packet-hard } COUNT%n";

    static final String STATE_ADD_GRAMMAR = ID
            + "ALGO-LIST := [ ALGO-LIST ] ALGO%n"
            + "ALGO := { enc | auth } ALGO-NAME ALGO-KEYMAT |%n"
            + "        auth-trunc ALGO-NAME ALGO-KEYMAT ALGO-TRUNC-LEN |%n"
            + "        aead ALGO-NAME ALGO-KEYMAT ALGO-ICV-LEN |%n"
            + "        comp ALGO-NAME%n"
            + MODE
            + "FLAG-LIST := [ FLAG-LIST ] FLAG%n"
            + "FLAG := noecn | decap-dscp | nopmtudisc | wildrecv | icmp | af-unspec | align4 | esn | 0xHEX%n"
            + "EXTRA-FLAG-LIST := [ EXTRA-FLAG-LIST ] EXTRA-FLAG%n"
            + "EXTRA-FLAG := dont-encap-dscp | oseq-may-wrap | 0xHEX%n"
            + SELECTOR
            + LIMIT
            + "ENCAP := { espinudp | espinudp-nonike | espintcp } SPORT DPORT OADDR%n"
            + "DIR := in | out";

    static final String STATE_ADD_KEYWORDS = "%nKeywords:%n"
            + "  src ADDR, dst ADDR    the SA's end points (outer addresses in tunnel mode).%n"
            + "  proto XFRM-PROTO      esp (50), ah (51), comp (IPCOMP, 108), route2 and hao (Mobile IPv6).%n"
            + "  spi SPI               the security parameter index (32 bits; 16 for comp).%n"
            + "  enc NAME KEY          encryption: the kernel crypto name, e.g. cbc(aes), and the key.%n"
            + "  auth NAME KEY         integrity with the algorithm's default ICV length, e.g. hmac(sha1).%n"
            + "  auth-trunc NAME KEY LEN  integrity with an ICV truncated to LEN bits, e.g. hmac(sha256) KEY 128.%n"
            + "  aead NAME KEY ICVLEN  combined mode, e.g. rfc4106(gcm(aes)) with a key that ends in the 4-octet"
            + " salt, ICV 128 bits.%n"
            + "  comp NAME             IPCOMP algorithm, e.g. deflate.%n"
            + "  mode MODE             transport (default), tunnel, beet; ro and in_trigger for route2/hao.%n"
            + "  reqid REQID           ties the SA to policy templates with the same reqid.%n"
            + "  seq SEQ               the sequence number of the ACQUIRE this SA answers.%n"
            + "  replay-window SIZE    anti-replay window in packets; above 32 (or with flag esn) the ESN"
            + " replay state is used, up to 4096.%n"
            + "  replay-seq SEQ, replay-oseq SEQ         initial inbound and outbound sequence numbers.%n"
            + "  replay-seq-hi SEQ, replay-oseq-hi SEQ   their upper 32 bits (ESN only).%n"
            + "  flag FLAG-LIST        XFRM_STATE_* flags, by name or as one 0x number.%n"
            + "  extra-flag LIST       XFRMA_SA_EXTRA_FLAGS: dont-encap-dscp, oseq-may-wrap.%n"
            + "  sel SELECTOR          the traffic the SA may carry (the kernel fills it in when omitted).%n"
            + "  limit LIMIT           soft and hard lifetimes; may be repeated.%n"
            + "  encap TYPE SPORT DPORT OADDR   UDP (or TCP) encapsulation for NAT traversal, with the peer's"
            + " original address.%n"
            + "  coa ADDR              care-of address (route2/hao only).%n"
            + "  ctx CTX               security context (an LSM label).%n"
            + "  mark MARK [mask MASK], or mark MARK/MASK   only packets with this mark use the SA"
            + " (mask defaults to 0xffffffff).%n"
            + "  output-mark MARK [mask MASK]   (alias set-mark) the mark set on packets after the"
            + " transformation.%n"
            + "  if_id IF_ID           the xfrm interface the SA belongs to.%n"
            + "  tfcpad LENGTH         traffic flow confidentiality padding.%n"
            + "  offload [crypto|packet] [dev DEV] dir DIR   hardware offload on DEV.%n"
            + "  dir DIR               SA direction (XFRMA_SA_DIR, Linux 6.10 and later): in or out.";

    static final String POLICY_ADD_GRAMMAR = SELECTOR
            + "DIR := in | out | fwd%n"
            + "PTYPE := main | sub%n"
            + "ACTION := allow | block%n"
            + "FLAG-LIST := [ FLAG-LIST ] FLAG%n"
            + "FLAG := localok | icmp | 0xHEX%n"
            + LIMIT
            + "TMPL-LIST := [ TMPL-LIST ] tmpl TMPL%n"
            + "TMPL := ID [ mode MODE ] [ reqid REQID ] [ level LEVEL ]%n"
            + ID
            + MODE
            + "LEVEL := required | use";

    static final String POLICY_ADD_KEYWORDS = "%nKeywords:%n"
            + "  src ADDR[/PLEN], dst ADDR[/PLEN]   the traffic selector's addresses (a plain address is a /32"
            + " or /128).%n"
            + "  dev DEV               only traffic through this interface.%n"
            + "  proto PROTO           upper-layer protocol: a name from /etc/protocols or a number; with tcp,"
            + " udp, sctp and dccp also sport and dport, with icmp, ipv6-icmp and mobility-header type and code,"
            + " with gre key.%n"
            + "  dir DIR               in, out or fwd (required).%n"
            + "  priority PRIORITY     lower values are tried first (default 0).%n"
            + "  index INDEX           ask for this kernel index (its low 3 bits must equal the direction:"
            + " in 0, out 1, fwd 2); by default the kernel chooses.%n"
            + "  ptype PTYPE           main (default) or sub policy database.%n"
            + "  action ACTION         allow (default) or block.%n"
            + "  flag FLAG-LIST        localok, icmp.%n"
            + "  mark MARK [mask MASK], or mark MARK/MASK   only packets with this mark match.%n"
            + "  if_id IF_ID           the xfrm interface the policy belongs to.%n"
            + "  ctx CTX               security context (an LSM label).%n"
            + "  limit LIMIT           soft and hard lifetimes; may be repeated.%n"
            + "  tmpl TMPL             one SA the traffic needs, in order of application; may be repeated."
            + " Within a template: src and dst (tunnel end points; omit them in transport mode), proto (required),"
            + " spi, mode, reqid (matches the SA's reqid; 0 matches any), level required (default) or use"
            + " (optional SA).%n"
            + "  offload [packet] dev DEV   packet offload on DEV.";

    static final String NUMBERS_AND_KEYS = VALUES;
}
