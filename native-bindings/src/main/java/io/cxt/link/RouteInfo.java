package io.cxt.link;

import io.cxt.nl.route.Rtnetlink;

import java.net.InetAddress;

/**
 * A route as RTM_NEWROUTE / RTM_DELROUTE describe it ({@code rtmsg} + RTA_DST, RTA_GATEWAY,
 * RTA_OIF, RTA_PRIORITY, RTA_TABLE).
 *
 * @param family AF_INET or AF_INET6
 * @param destinationLength {@code rtm_dst_len} (0: a default route)
 * @param table RTA_TABLE when present, {@code rtm_table} otherwise
 * @param protocol {@code rtm_protocol} (RTPROT_RA 9: learnt from a Router Advertisement)
 * @param type {@code rtm_type} (RTN_UNICAST 1)
 * @param destination RTA_DST, or null (default route)
 * @param gateway RTA_GATEWAY, or null (on-link route); a link-local gateway has no scope id here
 * @param outputInterface RTA_OIF, or 0
 * @param priority RTA_PRIORITY (metric), or 0
 * @param deleted RTM_DELROUTE
 */
public record RouteInfo(int family, int destinationLength, int table, int protocol, int type, InetAddress destination,
        InetAddress gateway, int outputInterface, long priority, boolean deleted) implements RtnetlinkEvent {

    /** A unicast default route through a gateway in the main table. */
    public boolean isDefaultViaGateway() {
        return destinationLength == 0 && gateway != null && type == Rtnetlink.RTN_UNICAST && table == Rtnetlink.RT_TABLE_MAIN;
    }
}
