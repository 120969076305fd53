package io.cxt.agent.settings;

import java.util.Locale;

/** How CTAR and CTAA travel between a mobile node and an access router. */
public enum MobileTransport {
    /** ICMPv6 type 150 / ICMPv4 type 41 (RFC 4067 section 3.2); needs CAP_NET_RAW. */
    ICMP("icmp"),
    /** UDP datagrams on the router's mobile UDP port (RFC 4067 section 3.2 allows a UDP protocol). */
    UDP("udp");

    private final String spelling;

    MobileTransport(String spelling) {
        this.spelling = spelling;
    }

    /** As written in the configuration and shown in status output. */
    public String spelling() {
        return spelling;
    }

    /** From its spelling (any case); an {@link IllegalArgumentException} naming the choices otherwise. */
    public static MobileTransport parse(String s) {
        for (MobileTransport t : values()) {
            if (t.spelling.equals(s.toLowerCase(Locale.ROOT))) {
                return t;
            }
        }
        throw new IllegalArgumentException("unknown transport '" + s + "' (expected icmp or udp)");
    }
}
