package io.cxt.bench.context;

import java.io.IOException;

import io.cxt.nl.Netlink;
import io.cxt.nl.NetlinkSocket;
import io.cxt.sys.NetNamespace;
import io.cxt.xfrm.XfrmClient;

/**
 * The benchmarks' reference side: a bare NETLINK_XFRM socket from native-bindings in the same
 * namespace as an XfrmClient, for the "raw" figures (pre-encoded requests, replies not decoded,
 * nothing of xfrm-netlink or the context engine in between). The product never does this; only
 * xfrm-netlink talks XFRM.
 */
final class RawSockets {

    private RawSockets() {
    }

    static NetlinkSocket beside(XfrmClient client) throws IOException {
        return NetlinkSocket.open(Netlink.NETLINK_XFRM,
                client.namespace() == null ? null : NetNamespace.named(client.namespace()));
    }
}
