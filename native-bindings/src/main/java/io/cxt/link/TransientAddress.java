package io.cxt.link;

import java.io.IOException;
import java.net.InetAddress;
import java.util.concurrent.TimeUnit;

import io.cxt.nl.Netlink;
import io.cxt.nl.NetlinkMessage;
import io.cxt.nl.NetlinkSocket;
import io.cxt.nl.route.Rtnetlink;
import io.cxt.sys.NetNamespace;

/**
 * An address that exists for an instant: added to an interface and deleted again, so that daemons listening to
 * rtnetlink see an address event (what strongSwan's charon turns into a MOBIKE roam). Added deprecated (preferred
 * lifetime 0: never chosen as a source), without duplicate address detection, without a prefix route, with a valid
 * lifetime of {@link #VALID_SECONDS} s, so the kernel removes it itself if the process dies between the two requests.
 *
 * <p><b>Announced before deleted.</b> The delete is sent only once the kernel has broadcast the address's
 * RTM_NEWADDR (this class listens on the same multicast group as the daemons). For an IPv6 address without DAD the
 * kernel does not broadcast RTM_NEWADDR while handling the request: {@code inet6_addr_add} (net/ipv6/addrconf.c)
 * notifies at once only {@code if (!(ifp->flags & (IFA_F_OPTIMISTIC | IFA_F_NODAD)))}, and leaves the RTM_NEWADDR to
 * the DAD work item ({@code addrconf_dad_start} queues {@code addrconf_dad_work} on a workqueue;
 * {@code addrconf_dad_begin} sees IFA_F_NODAD and calls {@code addrconf_dad_completed}, which calls
 * {@code ipv6_ifa_notify(RTM_NEWADDR)}). A delete that comes before that work has run marks the address DEAD and
 * cancels the work ({@code ipv6_del_addr}): the only address message ever broadcast is RTM_DELADDR, for an address
 * no listener knew. Add-then-delete at once therefore lost the announcement whenever the kernel's worker ran after
 * the delete (14 of 20 pulses on a 6.18 host, about one in two in the 7.2 lab kernel). Waiting for the broadcast
 * instead of a delay makes it deterministic: the kernel hands one RTM_NEWADDR to every member of the group in one
 * {@code rtnl_notify}, so once it is in this socket it is queued in the daemons' sockets too, ahead of the
 * RTM_DELADDR that follows.
 *
 * <p>No prefix route (IFA_F_NOPREFIXROUTE): a /128 would otherwise get a route in the main table, whose
 * RTM_NEWROUTE/RTM_DELROUTE are route events of their own (charon: roams without an address change) and which the
 * kernel may leave until the valid lifetime ends.
 */
public final class TransientAddress implements AutoCloseable {
    public static final int VALID_SECONDS = 10;
    /** How long the kernel may take to broadcast the added address (its DAD work item runs at once; milliseconds). */
    public static final int ANNOUNCE_WAIT_MILLIS = 1000;
    /** Flags of the added address. */
    public static final int FLAGS = Rtnetlink.IFA_F_NODAD | Rtnetlink.IFA_F_NOPREFIXROUTE;

    private final NetlinkSocket socket;
    private final NetNamespace namespace;

    private TransientAddress(NetlinkSocket socket, NetNamespace namespace) {
        this.socket = socket;
        this.namespace = namespace;
    }

    /** In {@code namespace}, or the process's own when null. */
    public static TransientAddress open(NetNamespace namespace) throws IOException {
        return new TransientAddress(namespace == null ? NetlinkSocket.open(Netlink.NETLINK_ROUTE)
                : NetlinkSocket.open(Netlink.NETLINK_ROUTE, namespace), namespace);
    }

    /**
     * Adds {@code address} (full-length prefix) to the interface of the route to {@code towards}, waits until the
     * kernel has broadcast its RTM_NEWADDR, and deletes it (also when that wait fails).
     *
     * @return the interface index used
     * @throws IOException a request was refused, or the kernel did not announce the address within
     *         {@link #ANNOUNCE_WAIT_MILLIS} ms (listeners may have seen only its deletion)
     */
    public int pulse(InetAddress address, InetAddress towards) throws IOException {
        int index = interfaceTowards(towards);
        int bits = address.getAddress().length * 8;
        try (NetlinkSocket watch = NetlinkSocket.open(Netlink.NETLINK_ROUTE, namespace, 64 << 10, 4 << 10)) {
            watch.joinGroup(bits == 128 ? Rtnetlink.RTNLGRP_IPV6_IFADDR : Rtnetlink.RTNLGRP_IPV4_IFADDR);
            socket.request(Rtnetlink.RTM_NEWADDR, Netlink.NLM_F_CREATE | Netlink.NLM_F_REPLACE,
                    Rtnetlink.addressRequest(address, bits, index, FLAGS, new int[] {0, VALID_SECONDS}));
            boolean announced = false;
            try {
                announced = awaitAnnouncement(watch, address, index);
            } finally {
                socket.request(Rtnetlink.RTM_DELADDR, 0, Rtnetlink.addressRequest(address, bits, index, 0, null));
            }
            if (!announced) {
                throw new IOException("the kernel did not announce " + address.getHostAddress() + " on interface "
                        + index + " within " + ANNOUNCE_WAIT_MILLIS + " ms (removed again; listeners saw only its deletion)");
            }
        }
        return index;
    }

    private static boolean awaitAnnouncement(NetlinkSocket watch, InetAddress address, int index) throws IOException {
        long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(ANNOUNCE_WAIT_MILLIS);
        boolean[] seen = {false};
        while (!seen[0]) {
            long left = TimeUnit.NANOSECONDS.toMillis(deadline - System.nanoTime());
            if (left <= 0) {
                return false;
            }
            watch.setReceiveTimeoutMillis((int) Math.max(1, left));
            watch.receive(m -> seen[0] |= announces(m, address, index));
        }
        return true;
    }

    static boolean announces(NetlinkMessage m, InetAddress address, int index) {
        return m.type() == Rtnetlink.RTM_NEWADDR && RtnetlinkCodec.decode(m) instanceof AddressInfo a
                && !a.deleted() && a.index() == index && a.address().equals(address);
    }

    /** The output interface of the kernel's route to {@code destination} (RTM_GETROUTE). */
    public int interfaceTowards(InetAddress destination) throws IOException {
        for (NetlinkMessage m : socket.request(Rtnetlink.RTM_GETROUTE, 0, Rtnetlink.routeGetRequest(destination))) {
            if (RtnetlinkCodec.decode(m) instanceof RouteInfo r && r.outputInterface() > 0) {
                return r.outputInterface();
            }
        }
        throw new IOException("no route to " + destination.getHostAddress());
    }

    @Override
    public void close() {
        socket.close();
    }
}
