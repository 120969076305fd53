package io.cxt.agent.ha;

import java.io.IOException;
import java.net.InetAddress;

import io.cxt.link.TransientAddress;
import io.cxt.sys.NetNamespace;

/**
 * Makes the nAR's charon tell the MN its address right after activation: an address event on this router, which
 * charon's kernel-netlink plugin (with {@code roam_events = yes}, its default) turns into a roam, and a MOBIKE
 * responder that roams sends its address list to its peers (ike_sa.c roam(); ike_mobike.c). The MN, the original
 * initiator, moves its IKE and CHILD SAs to that message's source: the nAR (docs/strongswan.md, decision 5).
 *
 * <p>The event is an address cxagent adds and deletes at once: the operator's {@code [charon-ha]
 * roam-trigger-address}, a /128 no one else uses, on the interface of the route to the MN (charon ignores address
 * events on the loopback interface: seen in the lab). It is added deprecated (preferred lifetime 0, so never
 * chosen as a source), without duplicate address detection and without a prefix route, with a valid lifetime of
 * 10 s, so the kernel removes it itself if cxagent dies between the two requests ({@link TransientAddress}). cxt
 * touches no other address. The price: charon sends its address list to every MOBIKE peer it is responder for, not
 * only this MN, once or twice (the deletion is an address change too; it falls into the roam of the appearance
 * when charon handles it within ROAM_DELAY, 100 ms, of the appearance).
 *
 * <p>Why the address is deleted only after the kernel has announced it: charon sends the list only from a roam
 * with {@code address} TRUE (ike_sa.c roam(): "keeping connection path", then "sending address list update using
 * MOBIKE" only {@code if (supports_extension(this, EXT_MOBIKE) && address)}). kernel_netlink_net.c sets that flag
 * only in process_addr: an RTM_NEWADDR for an address not in its cache ("appeared on"), an RTM_DELADDR for one in its
 * cache ("disappeared from") or changed flags, each then {@code fire_roam_event(this, TRUE)}; route and rule events
 * (process_route, process_rule) fire {@code fire_roam_event(this, FALSE)}. An RTM_DELADDR for an address charon never
 * saw appear finds no cache entry and changes nothing. The kernel broadcasts a NODAD IPv6 address's RTM_NEWADDR
 * only from its DAD work item, which a delete sent right after the add cancels (addrconf.c; {@link
 * TransientAddress}): then charon saw only the /128's prefix route appear (address FALSE), roamed 100 ms later
 * (ROAM_DELAY) with "keeping connection path" and sent nothing: the lab failures, about one activation in two.
 */
final class CharonRoamTrigger implements AutoCloseable {
    private final InetAddress address;
    private final TransientAddress link;

    private CharonRoamTrigger(InetAddress address, TransientAddress link) {
        this.address = address;
        this.link = link;
    }

    /** A trigger for this router (its namespace, or the agent's own when null). */
    static CharonRoamTrigger open(InetAddress address, NetNamespace namespace) throws IOException {
        return new CharonRoamTrigger(address, TransientAddress.open(namespace));
    }

    InetAddress address() {
        return address;
    }

    /** The address event on the interface towards {@code mobileNode}; returns that interface's index. */
    int pulse(InetAddress mobileNode) throws IOException {
        return link.pulse(address, mobileNode);
    }

    @Override
    public void close() {
        link.close();
    }
}
