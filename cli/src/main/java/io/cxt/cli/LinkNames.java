package io.cxt.cli;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import io.cxt.nl.Netlink;
import io.cxt.nl.NetlinkMessage;
import io.cxt.nl.NetlinkSocket;
import io.cxt.nl.NlAttribute;
import io.cxt.sys.NetNamespace;

/**
 * Interface names and indexes of one network namespace, read once with an RTM_GETLINK dump
 * (sysfs would show the namespace cxctl itself runs in, not the one given with -n).
 */
final class LinkNames {
    private static final int RTM_NEWLINK = 16;
    private static final int RTM_GETLINK = 18;
    private static final int IFINFOMSG_LENGTH = 16;
    private static final int IFLA_IFNAME = 3;

    private final String netns;
    private Map<Integer, String> byIndex;

    LinkNames(String netns) {
        this.netns = netns;
    }

    /** The name of an interface, or "if" and the index when it is not there (any more). */
    String name(int ifindex) {
        String n = links().get(ifindex);
        return n != null ? n : "if" + Integer.toUnsignedString(ifindex);
    }

    /** The index of an interface name; a usage error if there is none. */
    int index(String name) {
        for (Map.Entry<Integer, String> e : links().entrySet()) {
            if (e.getValue().equals(name)) {
                return e.getKey();
            }
        }
        throw new UsageException("no such device \"" + name + "\"" + (netns == null ? "" : " in namespace " + netns));
    }

    private Map<Integer, String> links() {
        if (byIndex == null) {
            try {
                byIndex = dump();
            } catch (IOException e) {
                throw new UncheckedIOException("cannot list network interfaces: " + e.getMessage(), e);
            }
        }
        return byIndex;
    }

    private Map<Integer, String> dump() throws IOException {
        NetNamespace ns = netns == null ? null : NetNamespace.named(netns);
        try (NetlinkSocket s = NetlinkSocket.open(Netlink.NETLINK_ROUTE, ns)) {
            List<NetlinkMessage> replies = s.dump(RTM_GETLINK, new byte[IFINFOMSG_LENGTH], m -> m);
            Map<Integer, String> out = new HashMap<>();
            for (NetlinkMessage m : replies) {
                if (m.type() != RTM_NEWLINK || m.payload().length < IFINFOMSG_LENGTH) {
                    continue;
                }
                ByteBuffer b = ByteBuffer.wrap(m.payload()).order(ByteOrder.nativeOrder());
                int index = b.getInt(4);
                b.position(IFINFOMSG_LENGTH);
                for (NlAttribute a : NlAttribute.parseAll(b)) {
                    if (a.kind() == IFLA_IFNAME) {
                        byte[] v = a.value();
                        int n = 0;
                        while (n < v.length && v[n] != 0) {
                            n++;
                        }
                        out.put(index, new String(v, 0, n, StandardCharsets.UTF_8));
                    }
                }
            }
            return out;
        }
    }
}
