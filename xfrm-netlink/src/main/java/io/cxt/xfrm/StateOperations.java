package io.cxt.xfrm;

import io.cxt.nl.NetlinkSocket;

/** SAD operations (filled in by the SA work). */
public final class StateOperations {
    private final NetlinkSocket socket;

    StateOperations(NetlinkSocket socket) {
        this.socket = socket;
    }
}
