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
            + "  1  the kernel refused the request (the message gives the kernel's own words and the errno%n"
            + "     name), or the system failed%n"
            + "  2  bad command line: an unknown keyword, a bad or missing value (the message names the token)";

    static final String VALUES = "%nValues:%n"
            + "  Numbers are decimal, 0x hexadecimal or 0-prefixed octal, as in ip(8).%n"
            + "  Addresses are IPv4 or IPv6 literals (no host names); src and dst of one SA or selector%n"
            + "  must be of one family.%n"
            + "  Keys (ALGO-KEYMAT) are 0x followed by hex digits, or any other string, whose bytes are%n"
            + "  the key (quote it for the shell). Keys are never printed unless --keys is given.";

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
            + "  src ADDR, dst ADDR    the SA's end points (the outer addresses in tunnel mode).%n"
            + "  proto XFRM-PROTO      esp (50), ah (51), comp (IPCOMP, 108), route2 and hao (Mobile IPv6), or a%n"
            + "                        number.%n"
            + "  spi SPI               the security parameter index (32 bits; 16 for comp).%n"
            + "  enc NAME KEY          encryption: a kernel crypto name such as cbc(aes), and the key.%n"
            + "  auth NAME KEY         integrity with the algorithm's default ICV length, e.g. hmac(sha1).%n"
            + "  auth-trunc NAME KEY LEN%n"
            + "                        integrity with the ICV truncated to LEN bits, e.g. hmac(sha256) KEY 128.%n"
            + "  aead NAME KEY ICV-LEN%n"
            + "                        combined mode, e.g. rfc4106(gcm(aes)) with a key that ends in the 4-octet salt%n"
            + "                        and a 128-bit ICV.%n"
            + "  comp NAME             IPCOMP algorithm, e.g. deflate.%n"
            + "  mode MODE             transport (default), tunnel or beet; ro and in_trigger with route2 and hao.%n"
            + "  reqid REQID           ties the SA to the policy templates with the same reqid.%n"
            + "  seq SEQ               the sequence number of the ACQUIRE this SA answers.%n"
            + "  replay-window SIZE    the anti-replay window in packets. Above 32, or with flag esn, the ESN replay%n"
            + "                        state (up to 4096 packets) is used.%n"
            + "  replay-seq SEQ        the highest inbound sequence number seen so far (replay-seq-hi: its upper 32%n"
            + "                        bits, ESN only).%n"
            + "  replay-oseq SEQ       the last outbound sequence number used (replay-oseq-hi: its upper 32 bits, ESN%n"
            + "                        only).%n"
            + "  flag FLAG-LIST        XFRM_STATE_* flags by name, or one 0x number.%n"
            + "  extra-flag LIST       XFRMA_SA_EXTRA_FLAGS: dont-encap-dscp, oseq-may-wrap, or one 0x number.%n"
            + "  sel SELECTOR          the inner traffic the SA may carry (optional).%n"
            + "  limit LIMIT           a soft or hard lifetime; may be repeated.%n"
            + "  encap TYPE SPORT DPORT OADDR%n"
            + "                        UDP (or TCP) encapsulation for NAT traversal; OADDR is the peer's original%n"
            + "                        address, of the SA's family.%n"
            + "  coa ADDR              the care-of address (route2 and hao only).%n"
            + "  ctx CTX               a security context (an LSM label).%n"
            + "  mark MARK [mask MASK]%n"
            + "                        only packets with this mark use the SA; also written MARK/MASK. The mask%n"
            + "                        defaults to 0xffffffff.%n"
            + "  output-mark MARK [mask MASK]%n"
            + "                        (alias set-mark) the mark set on packets after the transformation.%n"
            + "  if_id IF_ID           the xfrm interface the SA belongs to.%n"
            + "  tfcpad LENGTH         traffic flow confidentiality padding.%n"
            + "  offload [crypto|packet] [dev DEV] dir DIR%n"
            + "                        hardware offload on DEV.%n"
            + "  dir DIR               the SA's direction, in or out (XFRMA_SA_DIR, Linux 6.10 and later).";

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
            + "  src ADDR[/PLEN]       the selector's source; a plain address is a /32 or /128. Likewise dst.%n"
            + "  dev DEV               only traffic through this interface.%n"
            + "  proto PROTO           upper-layer protocol: a name from /etc/protocols, any, or a number. tcp, udp,%n"
            + "                        sctp and dccp take sport and dport; icmp, ipv6-icmp and mobility-header take%n"
            + "                        type and code; gre takes key.%n"
            + "  dir DIR               in, out or fwd (required).%n"
            + "  priority PRIORITY     lower values are tried first (default 0).%n"
            + "  index INDEX           ask for this kernel index; its low 3 bits must be the direction (in 0, out 1,%n"
            + "                        fwd 2). By default the kernel chooses.%n"
            + "  ptype PTYPE           main (default) or sub policy database.%n"
            + "  action ACTION         allow (default) or block.%n"
            + "  flag FLAG-LIST        localok, icmp, or one 0x number.%n"
            + "  mark MARK [mask MASK]%n"
            + "                        only packets with this mark match; also written MARK/MASK.%n"
            + "  if_id IF_ID           the xfrm interface the policy belongs to.%n"
            + "  ctx CTX               a security context (an LSM label).%n"
            + "  limit LIMIT           a soft or hard lifetime; may be repeated.%n"
            + "  tmpl TMPL             one SA the traffic needs, in the order they apply; may be repeated. In a%n"
            + "                        template: src and dst are the tunnel end points (leave them out in transport%n"
            + "                        mode), proto is required, spi and reqid narrow the SA (0: any), mode is%n"
            + "                        transport (default), tunnel or beet, level is required (default) or use (the SA%n"
            + "                        is optional).%n"
            + "  offload [packet] dev DEV%n"
            + "                        packet offload on DEV.";
}
