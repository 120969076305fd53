package io.cxt.link;

import java.io.IOException;
import java.net.InetAddress;

import io.cxt.nl.Netlink;
import io.cxt.nl.NetlinkMessage;
import io.cxt.nl.NetlinkSocket;
import io.cxt.nl.route.Rtnetlink;
import io.cxt.sys.NetNamespace;

/**
 * An address that exists for an instant: added to an interface and deleted again, so that daemons listening to
 * rtnetlink see an address event (what strongSwan's charon turns into a MOBIKE roam). Added deprecated (preferred
 * lifetime 0: never chosen as a source), without duplicate address detection, with a valid lifetime of
 * {@link #VALID_SECONDS} s, so the kernel removes it itself if the process dies between the two requests.
 */
public final class TransientAddress implements AutoCloseable {
    public static final int VALID_SECONDS = 10;

    private final NetlinkSocket socket;

    private TransientAddress(NetlinkSocket socket) {
        this.socket = socket;
    }

    /** In {@code namespace}, or the process's own when null. */
    public static TransientAddress open(NetNamespace namespace) throws IOException {
        return new TransientAddress(namespace == null ? NetlinkSocket.open(Netlink.NETLINK_ROUTE)
                : NetlinkSocket.open(Netlink.NETLINK_ROUTE, namespace));
    }

    /**
     * Adds {@code address} (full-length prefix) to the interface of the route to {@code towards} and deletes it.
     *
     * @return the interface index used
     */
    public int pulse(InetAddress address, InetAddress towards) throws IOException {
        int index = interfaceTowards(towards);
        int bits = address.getAddress().length * 8;
        socket.request(Rtnetlink.RTM_NEWADDR, Netlink.NLM_F_CREATE | Netlink.NLM_F_REPLACE,
                Rtnetlink.addressRequest(address, bits, index, Rtnetlink.IFA_F_NODAD, new int[] {0, VALID_SECONDS}));
        socket.request(Rtnetlink.RTM_DELADDR, 0, Rtnetlink.addressRequest(address, bits, index, 0, null));
        return index;
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
