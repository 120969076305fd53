package io.cxt.agent.config;

import java.util.Locale;

/**
 * Where the CXTP authorisation-token key shared by a mobile node and its access router comes from
 * (RFC 4067 2.5.1): configured per MN, or derived from the MN's IKE SA (io.cxt.agent.ike).
 */
public enum TokenKeySource {
    CONFIGURED("configured"),
    IKE("ike");

    private final String spelling;

    TokenKeySource(String spelling) {
        this.spelling = spelling;
    }

    public String spelling() {
        return spelling;
    }

    static TokenKeySource parse(String s) {
        for (TokenKeySource t : values()) {
            if (t.spelling.equals(s.toLowerCase(Locale.ROOT))) {
                return t;
            }
        }
        throw new IllegalArgumentException("unknown token key source '" + s + "' (expected configured or ike)");
    }
}
