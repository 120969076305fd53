package io.cxt.agent.config;

import java.util.Locale;

/** How CXTP travels between mobile node and access router (RFC 4067 3.x: ICMP; UDP as an option). */
public enum MobileTransport {
    ICMP("icmp"),
    UDP("udp");

    private final String spelling;

    MobileTransport(String spelling) {
        this.spelling = spelling;
    }

    public String spelling() {
        return spelling;
    }

    static MobileTransport parse(String s) {
        for (MobileTransport t : values()) {
            if (t.spelling.equals(s.toLowerCase(Locale.ROOT))) {
                return t;
            }
        }
        throw new IllegalArgumentException("unknown transport '" + s + "' (expected icmp or udp)");
    }
}
