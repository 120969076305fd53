package io.cxt.link;

/** One decoded rtnetlink message about a link, an interface address or a route. */
public sealed interface RtnetlinkEvent permits LinkInfo, AddressInfo, RouteInfo {

    /** True for RTM_DEL* (the object is gone). */
    boolean deleted();
}
