package io.cxt.link;

import java.io.IOException;
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
 * Interface indexes and names of one network namespace, read with one RTM_GETLINK dump (sysfs
 * would show the namespace the process runs in, not the one asked for).
 */
public final class InterfaceNames {
    private static final int RTM_NEWLINK = 16;
    private static final int RTM_GETLINK = 18;
    private static final int IFINFOMSG_LENGTH = 16;
    private static final int IFLA_IFNAME = 3;

    private InterfaceNames() {
    }

    /** Index to name of every interface in {@code ns} (null: this process's namespace). */
    public static Map<Integer, String> dump(NetNamespace ns) throws IOException {
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
