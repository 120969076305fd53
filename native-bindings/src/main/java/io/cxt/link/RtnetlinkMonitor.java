package io.cxt.link;

import io.cxt.nl.route.Rtnetlink;

import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.function.Consumer;

import io.cxt.nl.Netlink;
import io.cxt.nl.NetlinkMessage;
import io.cxt.nl.NetlinkSocket;
import io.cxt.sys.NetNamespace;

/**
 * Watches links, interface addresses and routes of one network namespace: a NETLINK_ROUTE socket
 * joined to RTNLGRP_LINK, RTNLGRP_IPV{4,6}_IFADDR and RTNLGRP_IPV{4,6}_ROUTE, plus a second socket
 * for the dumps of the state as it is when the monitor opens ({@link #currentState}; a dump on the
 * monitor socket would interleave with notifications). Join first, dump second: nothing that
 * happens in between is missed (it may be seen twice, which the consumer must tolerate).
 *
 * <p>Not thread-safe: one thread polls. {@link #close} may be called from another thread once that
 * thread has stopped polling (poll returns at least every {@code timeout}).
 */
public final class RtnetlinkMonitor implements AutoCloseable {

    private static final int AF_UNSPEC = 0;
    private static final int RECEIVE_BUFFER = 256 << 10;
    private static final int SEND_BUFFER = 4 << 10;

    private final NetlinkSocket events;
    private final NetNamespace namespace;
    private int timeoutMillis = -1;

    private RtnetlinkMonitor(NetlinkSocket events, NetNamespace namespace) {
        this.events = events;
        this.namespace = namespace;
    }

    /** Opens the monitor in {@code ns} (null: this process's namespace) and joins the groups. */
    public static RtnetlinkMonitor open(NetNamespace ns) throws IOException {
        NetlinkSocket s = NetlinkSocket.open(Netlink.NETLINK_ROUTE, ns, RECEIVE_BUFFER, SEND_BUFFER);
        try {
            for (int g : new int[] {Rtnetlink.RTNLGRP_LINK, Rtnetlink.RTNLGRP_IPV4_IFADDR, Rtnetlink.RTNLGRP_IPV6_IFADDR,
                    Rtnetlink.RTNLGRP_IPV4_ROUTE, Rtnetlink.RTNLGRP_IPV6_ROUTE}) {
                s.joinGroup(g);
            }
            return new RtnetlinkMonitor(s, ns);
        } catch (IOException | RuntimeException e) {
            s.close();
            throw e;
        }
    }

    /** Links, then addresses, then routes, as the kernel holds them now (one dump each). */
    public List<RtnetlinkEvent> currentState() throws IOException {
        List<RtnetlinkEvent> out = new ArrayList<>();
        try (NetlinkSocket s = NetlinkSocket.open(Netlink.NETLINK_ROUTE, namespace, 1 << 20, SEND_BUFFER)) {
            out.addAll(s.dump(Rtnetlink.RTM_GETLINK, Rtnetlink.linkDumpRequest(), RtnetlinkCodec::decode));
            out.addAll(s.dump(Rtnetlink.RTM_GETADDR, Rtnetlink.addressDumpRequest(AF_UNSPEC), RtnetlinkCodec::decode));
            out.addAll(s.dump(Rtnetlink.RTM_GETROUTE, Rtnetlink.routeDumpRequest(AF_UNSPEC), RtnetlinkCodec::decode));
        }
        out.removeIf(Objects::isNull);
        return out;
    }

    /**
     * Waits at most {@code timeoutMillis} (at least 1) for one datagram of notifications and hands
     * each decoded event to {@code sink}. Returns false when the time passed with nothing received.
     *
     * @throws LinkEventsLostException the kernel dropped notifications (ENOBUFS): the
     *         caller must resynchronise with {@link #currentState}
     */
    public boolean poll(int timeoutMillis, Consumer<RtnetlinkEvent> sink) throws IOException {
        int t = Math.max(1, timeoutMillis);
        if (t != this.timeoutMillis) {
            events.setReceiveTimeoutMillis(t);
            this.timeoutMillis = t;
        }
        try {
            return events.receive((NetlinkMessage m) -> {
                RtnetlinkEvent e = RtnetlinkCodec.decode(m);
                if (e != null) {
                    sink.accept(e);
                }
            });
        } catch (io.cxt.nl.NetlinkOverrunException e) {
            throw new LinkEventsLostException("rtnetlink notifications lost (receive buffer overrun)", e);
        }
    }

    @Override
    public void close() {
        events.close();
    }
}
