package io.cxt.agent.config;

import java.util.Locale;

/**
 * Who owns a mobile node's IKE and CHILD SAs ({@code [mobile] sa-owner}): cxagent itself (default: at the CTAA it
 * moves the MN's kernel SAs and policies to the new care-of address, and answers the nAR's UPDATE_SPI on the IKE
 * port), or the MN's own IKE daemon, charon (docs/strongswan.md): cxagent then only sends the CTAR; it opens no IKE
 * port (500 and 4500 are charon's) and never changes a kernel SA or policy, which charon moves itself by MOBIKE.
 */
public enum SaOwner {
    CXAGENT("cxagent"),
    CHARON("charon");

    private final String spelling;

    SaOwner(String spelling) {
        this.spelling = spelling;
    }

    public String spelling() {
        return spelling;
    }

    static SaOwner parse(String s) {
        for (SaOwner o : values()) {
            if (o.spelling.equals(s.toLowerCase(Locale.ROOT))) {
                return o;
            }
        }
        throw new IllegalArgumentException("unknown SA owner '" + s + "' (expected cxagent or charon)");
    }
}
