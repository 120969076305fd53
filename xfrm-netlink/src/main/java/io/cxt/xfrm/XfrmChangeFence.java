package io.cxt.xfrm;

import java.io.IOException;
import java.net.InetAddress;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;

import io.cxt.nl.NetlinkMessage;
import io.cxt.nl.NetlinkOverrunException;
import io.cxt.nl.NetlinkSocket;

/**
 * An event fence over the SAD and SPD: a second socket in the client's namespace that joins the SA,
 * policy and expire notification groups, so a reader can tell whether anything changed between
 * {@link #arm} and {@link #crossed} (two dumps cannot be read atomically together).
 *
 * <p>A change counts when its message contains one of the given addresses' octets (deliberately
 * coarse: a false positive costs the caller a retry, a false negative could lose an SA), and always
 * for a flush or a receive-buffer overrun (events were lost).
 */
public final class XfrmChangeFence implements IpsecKernel.ChangeFence {

    private static final int[] GROUPS = {XfrmMsgType.GRP_SA, XfrmMsgType.GRP_POLICY, XfrmMsgType.GRP_EXPIRE};

    private final NetlinkSocket socket;
    private final List<NetlinkMessage> events = new ArrayList<>();

    XfrmChangeFence(XfrmClient client) throws IOException {
        this.socket = client.openEventSocket(GROUPS);
    }

    /** Forgets every notification so far: what {@link #crossed} sees starts now. */
    @Override
    public void arm() throws IOException {
        try {
            socket.drain(m -> { });
        } catch (NetlinkOverrunException e) {
            // Nothing before the arm matters; the overrun is cleared by the read.
        }
    }

    /**
     * Whether, since {@link #arm}, the kernel announced a change that may concern one of
     * {@code addresses} (null entries are skipped), or a flush, or lost notifications.
     */
    @Override
    public boolean crossed(Collection<InetAddress> addresses) throws IOException {
        events.clear();
        try {
            socket.drain(events::add);
        } catch (NetlinkOverrunException e) {
            return true;
        }
        for (NetlinkMessage m : events) {
            if (m.type() == XfrmMsgType.FLUSHSA || m.type() == XfrmMsgType.FLUSHPOLICY) {
                return true;
            }
            for (InetAddress a : addresses) {
                if (contains(m.payload(), a)) {
                    return true;
                }
            }
        }
        return false;
    }

    /** Whether {@code hay} contains the octets of {@code a} (false for null). */
    static boolean contains(byte[] hay, InetAddress a) {
        if (a == null) {
            return false;
        }
        byte[] needle = a.getAddress();
        outer:
        for (int i = 0; i + needle.length <= hay.length; i++) {
            for (int j = 0; j < needle.length; j++) {
                if (hay[i + j] != needle[j]) {
                    continue outer;
                }
            }
            return true;
        }
        return false;
    }

    @Override
    public void close() {
        socket.close();
    }
}
