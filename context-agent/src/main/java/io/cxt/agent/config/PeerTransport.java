package io.cxt.agent.config;

import java.util.Locale;

/** How CXTP travels between two access routers: SCTP (RFC 4067) or UDP with retransmission (fallback). */
public enum PeerTransport {
    UDP("udp"),
    SCTP("sctp");

    private final String spelling;

    PeerTransport(String spelling) {
        this.spelling = spelling;
    }

    public String spelling() {
        return spelling;
    }

    static PeerTransport parse(String s) {
        for (PeerTransport t : values()) {
            if (t.spelling.equals(s.toLowerCase(Locale.ROOT))) {
                return t;
            }
        }
        throw new IllegalArgumentException("unknown transport '" + s + "' (expected udp or sctp)");
    }
}
