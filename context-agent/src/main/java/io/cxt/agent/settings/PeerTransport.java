package io.cxt.agent.settings;

import java.util.Locale;

/** How CXTP travels between two access routers: SCTP (RFC 4067) or UDP with retransmission (fallback). */
public enum PeerTransport {
    UDP("udp"),
    SCTP("sctp");

    private final String spelling;

    PeerTransport(String spelling) {
        this.spelling = spelling;
    }

    /** As written in the configuration and shown in status output. */
    public String spelling() {
        return spelling;
    }

    /** From its spelling (any case); an {@link IllegalArgumentException} naming the choices otherwise. */
    public static PeerTransport parse(String s) {
        for (PeerTransport t : values()) {
            if (t.spelling.equals(s.toLowerCase(Locale.ROOT))) {
                return t;
            }
        }
        throw new IllegalArgumentException("unknown transport '" + s + "' (expected udp or sctp)");
    }
}
