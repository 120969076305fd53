package io.cxt.xfrm;

import io.cxt.nl.NetlinkSocket;

/** SPD operations (filled in by the policy work). */
public final class PolicyOperations {
    private final NetlinkSocket socket;

    PolicyOperations(NetlinkSocket socket) {
        this.socket = socket;
    }
}
