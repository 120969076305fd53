package io.cxt.agent.mobility;

import java.net.Inet4Address;
import java.net.Inet6Address;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

import io.cxt.agent.settings.IpPrefix;
import io.cxt.link.AddressInfo;
import io.cxt.link.LinkInfo;
import io.cxt.link.RouteInfo;
import io.cxt.link.RtnetlinkEvent;

/**
 * Decides when the MN has moved, from rtnetlink events (pure: no clock, no socket; times are given).
 * A configured interface is a candidate attachment when its carrier is up, it has a usable global
 * address of the care-of address's family and its access router is known (default route gateway or
 * configured). A move is due {@code debounce} after the last change on that interface, and only if
 * (address, router) differs from where the MN is now and from the last move decided on that
 * interface since its carrier came up: one trigger per move, none for a link that flaps back to
 * where the MN already is, none for interfaces not configured.
 *
 * <p>Not thread-safe: one thread (the watcher's) feeds and asks it.
 */
public final class MovementDetector {

    private final MovementSettings settings;
    private final Map<String, Attachment> byName = new LinkedHashMap<>();
    private final Map<Integer, Attachment> byIndex = new LinkedHashMap<>();

    /** What one configured interface looks like now. */
    private static final class Attachment {
        final String name;
        int index = -1;
        boolean carrier;
        long linkUpNanos = -1;
        long firstChangeNanos = -1;
        long deadline = Long.MAX_VALUE;
        String cause = "";
        final Map<InetAddress, Integer> addresses = new LinkedHashMap<>(); // usable global address -> prefix length
        final Map<InetAddress, Long> gateways = new LinkedHashMap<>();     // default route gateway -> metric
        String lastDecided;

        Attachment(String name) {
            this.name = name;
        }
    }

    public MovementDetector(MovementSettings settings) {
        this.settings = settings;
        for (String n : settings.interfaces()) {
            byName.put(n, new Attachment(n));
        }
    }

    /** Takes the state at start (a dump): nothing it shows is a move. */
    public void seed(List<RtnetlinkEvent> state) {
        for (RtnetlinkEvent e : state) {
            apply(e, 0, false);
        }
    }

    /** Takes one notification received at {@code nanos}. */
    public void accept(RtnetlinkEvent e, long nanos) {
        apply(e, nanos, true);
    }

    /** When {@link #due} next has something to decide ({@link Long#MAX_VALUE}: nothing pending). */
    public long nextDeadline() {
        long d = Long.MAX_VALUE;
        for (Attachment a : byName.values()) {
            d = Math.min(d, a.deadline);
        }
        return d;
    }

    /**
     * The move due at {@code nanos}, if any, given where the MN is now. Call until empty: each call
     * decides at most one interface.
     */
    public Optional<Movement> due(long nanos, InetAddress currentCareOf, InetAddress currentRouter) {
        for (Attachment a : byName.values()) {
            if (a.deadline > nanos) {
                continue;
            }
            a.deadline = Long.MAX_VALUE;
            if (!a.carrier) {
                a.firstChangeNanos = -1;
                continue;
            }
            InetAddress coa = chooseAddress(a, currentCareOf);
            InetAddress router = coa == null ? null : router(a, coa);
            if (coa == null || router == null) {
                continue; // not attached yet: wait for the address or the router (a later change re-arms)
            }
            String key = coa.getHostAddress() + " " + router.getHostAddress();
            long first = a.firstChangeNanos;
            String cause = a.cause;
            a.firstChangeNanos = -1;
            a.cause = "";
            if (sameAddress(coa, currentCareOf) && sameAddress(router, currentRouter) || key.equals(a.lastDecided)) {
                continue; // already there, or this move was already decided
            }
            a.lastDecided = key;
            return Optional.of(new Movement(a.name, a.index, coa, router, a.linkUpNanos, first < 0 ? nanos : first, nanos,
                    cause));
        }
        return Optional.empty();
    }

    // ---------------------------------------------------------------- state

    private void apply(RtnetlinkEvent e, long nanos, boolean notify) {
        if (e instanceof LinkInfo l) {
            link(l, nanos, notify);
        } else if (e instanceof AddressInfo ai) {
            Attachment a = byIndex.get(ai.index());
            if (a == null) {
                return;
            }
            boolean changed = ai.usableGlobal()
                    ? !Integer.valueOf(ai.prefixLength()).equals(a.addresses.put(ai.address(), ai.prefixLength()))
                    : a.addresses.remove(ai.address()) != null;
            if (changed && notify) {
                changed(a, nanos, ai.usableGlobal() ? "new address" : "address removed");
            }
        } else if (e instanceof RouteInfo r) {
            Attachment a = byIndex.get(r.outputInterface());
            if (a == null || !r.isDefaultViaGateway()) {
                return;
            }
            boolean changed = r.deleted() ? a.gateways.remove(r.gateway()) != null
                    : !Long.valueOf(r.priority()).equals(a.gateways.put(r.gateway(), r.priority()));
            if (changed && notify) {
                changed(a, nanos, r.deleted() ? "router removed" : "new router");
            }
        }
    }

    private void link(LinkInfo l, long nanos, boolean notify) {
        Attachment a = l.deleted() ? null : byName.get(l.name());
        Attachment old = byIndex.get(l.index());
        if (old != null && old != a) { // renamed away or deleted
            byIndex.remove(l.index());
            old.index = -1;
            old.carrier = false;
            old.addresses.clear();
            old.gateways.clear();
            old.lastDecided = null;
        }
        if (a == null) {
            return;
        }
        if (a.index != l.index()) {
            byIndex.remove(a.index);
            a.index = l.index();
            byIndex.put(a.index, a);
        }
        boolean up = l.carrierUp();
        if (up == a.carrier) {
            return;
        }
        a.carrier = up;
        if (up) {
            a.linkUpNanos = notify ? nanos : -1;
            if (notify) {
                changed(a, nanos, "link up");
            }
        } else {
            a.linkUpNanos = -1;
            a.lastDecided = null; // coming back is a new attachment
            if (l.deleted() || (l.flags() & io.cxt.nl.route.Rtnetlink.IFF_UP) == 0) {
                a.gateways.clear(); // an administratively downed link loses its routes (IPv4 without notifications)
            }
            a.deadline = Long.MAX_VALUE;
            a.firstChangeNanos = -1;
            a.cause = "";
        }
    }

    private void changed(Attachment a, long nanos, String cause) {
        if (a.firstChangeNanos < 0) {
            a.firstChangeNanos = nanos;
            a.cause = cause;
        } else if (!a.cause.contains(cause)) {
            a.cause = a.cause + ", " + cause;
        }
        a.deadline = nanos + settings.debounce().toNanos();
    }

    // ---------------------------------------------------------------- choices

    /** A usable global address of the CoA's family: one on another prefix than the current CoA first. */
    private static InetAddress chooseAddress(Attachment a, InetAddress currentCareOf) {
        InetAddress same = null;
        for (Map.Entry<InetAddress, Integer> e : a.addresses.entrySet()) {
            InetAddress x = e.getKey();
            if ((x instanceof Inet6Address) != (currentCareOf instanceof Inet6Address)) {
                continue;
            }
            if (!new IpPrefix(x, e.getValue()).contains(currentCareOf)) {
                return x;
            }
            if (same == null) {
                same = x;
            }
        }
        return same;
    }

    private InetAddress router(Attachment a, InetAddress coa) {
        if (settings.routerSource() == MovementSettings.RouterSource.CONFIGURED) {
            for (Map.Entry<IpPrefix, InetAddress> e : settings.routersByPrefix().entrySet()) {
                if (e.getKey().contains(coa)) {
                    return e.getValue();
                }
            }
            return settings.routersByInterface().get(a.name);
        }
        InetAddress best = null;
        long metric = Long.MAX_VALUE;
        for (Map.Entry<InetAddress, Long> e : a.gateways.entrySet()) {
            if ((e.getKey() instanceof Inet4Address) == (coa instanceof Inet4Address) && e.getValue() < metric) {
                best = e.getKey();
                metric = e.getValue();
            }
        }
        return best == null ? null : scoped(best, a.index);
    }

    /** A link-local gateway (a Router Advertisement's source) only means something with its interface. */
    private static InetAddress scoped(InetAddress gw, int index) {
        if (gw instanceof Inet6Address v6 && v6.isLinkLocalAddress() && v6.getScopeId() == 0) {
            try {
                return Inet6Address.getByAddress(null, v6.getAddress(), index);
            } catch (UnknownHostException e) {
                return gw;
            }
        }
        return gw;
    }

    private static boolean sameAddress(InetAddress a, InetAddress b) {
        return a != null && b != null && java.util.Arrays.equals(a.getAddress(), b.getAddress());
    }
}
