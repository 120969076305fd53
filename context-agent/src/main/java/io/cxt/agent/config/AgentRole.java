package io.cxt.agent.config;

import java.util.Locale;

/** What the agent is: an access router (pAR for some MNs, nAR for others) or a mobile node. */
public enum AgentRole {
    ACCESS_ROUTER("access-router"),
    MOBILE_NODE("mobile-node");

    private final String spelling;

    AgentRole(String spelling) {
        this.spelling = spelling;
    }

    /** The configuration spelling ("access-router", "mobile-node"). */
    public String spelling() {
        return spelling;
    }

    static AgentRole parse(String s) {
        for (AgentRole r : values()) {
            if (r.spelling.equals(s.toLowerCase(Locale.ROOT))) {
                return r;
            }
        }
        throw new IllegalArgumentException("unknown role '" + s + "' (expected access-router or mobile-node)");
    }
}
