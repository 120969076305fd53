package io.cxt.link;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;

import io.cxt.nl.Netlink;
import io.cxt.nl.NetlinkSocket;
import io.cxt.nl.route.Rtnetlink;

/** Link state changes of the calling thread's network namespace ({@code ip link set ... up}). */
public final class LinkControl {
    private LinkControl() {
    }

    /** {@code ip link set INDEX up}: RTM_NEWLINK with IFF_UP in flags and change mask. */
    public static void up(int index) throws IOException {
        ByteBuffer b = ByteBuffer.allocate(Rtnetlink.IFINFOMSG_LENGTH).order(ByteOrder.nativeOrder());
        b.put((byte) 0).put((byte) 0).putShort((short) 0).putInt(index).putInt(Rtnetlink.IFF_UP).putInt(Rtnetlink.IFF_UP);
        try (NetlinkSocket nl = NetlinkSocket.open(Netlink.NETLINK_ROUTE)) {
            nl.request(Rtnetlink.RTM_NEWLINK, 0, b.array());
        }
    }
}
