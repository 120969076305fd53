package io.cxt.link;

import io.cxt.nl.route.Rtnetlink;

/**
 * A link as RTM_NEWLINK / RTM_DELLINK describe it ({@code ifinfomsg} + IFLA_IFNAME, IFLA_OPERSTATE).
 *
 * @param index interface index
 * @param name IFLA_IFNAME ("" when absent)
 * @param flags {@code ifi_flags} (IFF_*)
 * @param operState IFLA_OPERSTATE (RFC 2863: 6 = up; -1 when absent)
 * @param deleted RTM_DELLINK
 */
public record LinkInfo(int index, String name, int flags, int operState, boolean deleted) implements RtnetlinkEvent {

    public LinkInfo {
        name = name == null ? "" : name;
    }

    /** Administratively up with carrier (IFF_UP and IFF_LOWER_UP), and not deleted. */
    public boolean carrierUp() {
        return !deleted && (flags & Rtnetlink.IFF_UP) != 0 && (flags & Rtnetlink.IFF_LOWER_UP) != 0;
    }
}
