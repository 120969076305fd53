package io.cxt.link;

import io.cxt.nl.route.Rtnetlink;

import java.net.InetAddress;
import java.util.Objects;

/**
 * An interface address as RTM_NEWADDR / RTM_DELADDR describe it ({@code ifaddrmsg} + IFA_LOCAL or
 * IFA_ADDRESS, IFA_FLAGS).
 *
 * @param family AF_INET or AF_INET6
 * @param prefixLength {@code ifa_prefixlen}
 * @param flags IFA_FLAGS when present (32 bits), {@code ifa_flags} otherwise
 * @param scope {@code ifa_scope} (0 universe, 253 link)
 * @param index interface index
 * @param address the local address (IFA_LOCAL, else IFA_ADDRESS)
 * @param deleted RTM_DELADDR
 */
public record AddressInfo(int family, int prefixLength, int flags, int scope, int index, InetAddress address,
        boolean deleted) implements RtnetlinkEvent {

    public AddressInfo {
        Objects.requireNonNull(address, "address");
    }

    /** A global address usable as a source now: universe scope, not tentative, not failed DAD, not deprecated. */
    public boolean usableGlobal() {
        return !deleted && scope == Rtnetlink.RT_SCOPE_UNIVERSE
                && (flags & (Rtnetlink.IFA_F_TENTATIVE | Rtnetlink.IFA_F_DADFAILED | Rtnetlink.IFA_F_DEPRECATED)) == 0;
    }
}
