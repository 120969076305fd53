package io.cxt.context;

import java.net.InetAddress;
import java.util.Objects;

/**
 * Who a context belongs to: the mobile node's home address (stable, may be unknown when the MN
 * does not use Mobile IP) and its care-of address at the access router the context was taken from.
 */
public record MobileNodeIdentity(InetAddress homeAddress, InetAddress careOfAddress) {

    public MobileNodeIdentity {
        Objects.requireNonNull(careOfAddress, "care-of address");
    }

    /** Whether {@code a} is one of this MN's addresses. */
    public boolean owns(InetAddress a) {
        return a != null && (a.equals(careOfAddress) || a.equals(homeAddress));
    }

    /** The address used in logs: "MN 2001:db8::10 (HoA 2001:db8:1::10)". */
    public String label() {
        return "MN " + io.cxt.xfrm.AddressText.of(careOfAddress)
                + (homeAddress == null ? "" : " (HoA " + io.cxt.xfrm.AddressText.of(homeAddress) + ")");
    }
}
