package io.cxt.agent.role;

/** How CTAR and CTAA travel between a mobile node and an access router. */
public enum MobileTransport {
    /** ICMPv6 type 150 / ICMPv4 type 41 (RFC 4067 section 3.2); needs CAP_NET_RAW. */
    ICMP,
    /** UDP datagrams on {@link RouterSettings#mobileUdpPort()} (RFC 4067 section 3.2 allows a UDP protocol). */
    UDP;

    public String spelling() {
        return name().toLowerCase(java.util.Locale.ROOT);
    }
}
