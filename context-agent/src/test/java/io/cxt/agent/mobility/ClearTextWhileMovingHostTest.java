package io.cxt.agent.mobility;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.StandardProtocolFamily;
import java.nio.ByteBuffer;
import java.nio.channels.DatagramChannel;
import java.util.ArrayList;
import java.util.List;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import io.cxt.testing.NetnsExtension;
import io.cxt.testing.TestNamespace;

/**
 * docs/roles.md "While the MN waits": between the link move and the MN's own rewrite the MN keeps its
 * IPsec policies (the rewrite changes them in place with UPDPOLICY), so its traffic never leaves in
 * clear text and clear text to its home address is not accepted. Shown in this kernel (no ESP here: the
 * outbound template finds no SA, so the packet is held for an SA and dropped, never sent plain); each
 * case has a control without the policy in which the same datagram does get through, so the test
 * could fail.
 */
@ExtendWith(NetnsExtension.class)
class ClearTextWhileMovingHostTest {

    private static final String HOA = "2001:db8:100::10";
    private static final String CN = "2001:db8:200::5";

    /** MN attached to the "nAR" (also standing in for the CN) after a move; old tunnel policies still in place. */
    private static void movedMobileNode(TestNamespace mn, TestNamespace nar, boolean policies) {
        mn.ip("link", "add", "mn0", "type", "veth", "peer", "name", "mn1", "netns", nar.name());
        mn.ip("addr", "add", HOA + "/128", "dev", "lo", "nodad");
        nar.ip("addr", "add", CN + "/128", "dev", "lo", "nodad");
        nar.ip("addr", "add", "2001:db8:b::1/64", "dev", "mn1", "nodad");
        mn.ip("link", "set", "mn0", "up");
        nar.ip("link", "set", "mn1", "up");
        mn.ip("addr", "add", "2001:db8:b::10/64", "dev", "mn0", "nodad");
        mn.ip("route", "add", "default", "via", "2001:db8:b::1", "dev", "mn0");
        nar.ip("route", "add", HOA + "/128", "via", "2001:db8:b::10", "dev", "mn1");
        if (policies) { // as IKE left them at the pAR: CoA 2001:db8:a::10, pAR 2001:db8:a::1
            mn.ip("xfrm", "policy", "add", "src", HOA + "/128", "dst", "2001:db8:200::/48", "dir", "out", "tmpl", "src",
                    "2001:db8:a::10", "dst", "2001:db8:a::1", "proto", "esp", "reqid", "1", "mode", "tunnel");
            mn.ip("xfrm", "policy", "add", "src", "2001:db8:200::/48", "dst", HOA + "/128", "dir", "in", "tmpl", "src",
                    "2001:db8:a::1", "dst", "2001:db8:a::10", "proto", "esp", "reqid", "1", "mode", "tunnel");
        }
    }

    @Test
    void theMobileNodesTrafficNeverLeavesInClearText(TestNamespace mn, TestNamespace nar) throws Exception {
        movedMobileNode(mn, nar, true);
        assertNull(send(mn, HOA, nar, CN), "a datagram HoA -> CN left the MN in clear text");
    }

    @Test
    void controlWithoutPoliciesTheSameDatagramArrives(TestNamespace mn, TestNamespace nar) throws Exception {
        movedMobileNode(mn, nar, false);
        assertEquals("cxt-probe", send(mn, HOA, nar, CN));
    }

    @Test
    void clearTextToTheHomeAddressIsNotAccepted(TestNamespace mn, TestNamespace nar) throws Exception {
        movedMobileNode(mn, nar, true);
        assertNull(send(nar, CN, mn, HOA), "the MN accepted clear text from the CN");
        assertEquals("cxt-probe", send(nar, "2001:db8:b::1", mn, "2001:db8:b::10"),
                "traffic outside the selectors still flows (the link works)");
    }

    /** Sends one datagram from {@code from}'s {@code src} to {@code to}'s {@code dst}; returns what arrived in 4 s, or null. */
    private static String send(TestNamespace from, String src, TestNamespace to, String dst) throws IOException {
        List<DatagramChannel> rx = new ArrayList<>();
        List<DatagramChannel> tx = new ArrayList<>();
        to.netns().runInside(() -> {
            DatagramChannel c = DatagramChannel.open(StandardProtocolFamily.INET6);
            c.bind(new InetSocketAddress(dst, 9000));
            rx.add(c);
            return 0;
        });
        from.netns().runInside(() -> {
            DatagramChannel c = DatagramChannel.open(StandardProtocolFamily.INET6);
            c.bind(new InetSocketAddress(src, 0));
            tx.add(c);
            return 0;
        });
        try (DatagramChannel r = rx.get(0); DatagramChannel t = tx.get(0)) {
            r.configureBlocking(false);
            ByteBuffer b = ByteBuffer.allocate(64);
            // Keep sending for 4 s: a freshly up veth's link-local address is tentative for 1-2 s, and
            // neighbour discovery for a source not on the link waits for it (tests/lab/README.md).
            long end = System.nanoTime() + 4_000_000_000L;
            while (System.nanoTime() < end) {
                try {
                    t.send(ByteBuffer.wrap("cxt-probe".getBytes()), new InetSocketAddress(dst, 9000));
                } catch (IOException refused) {
                    // EAGAIN/EPERM from the XFRM larval path: not sent, which is what the test wants
                }
                for (int i = 0; i < 10; i++) {
                    if (r.receive(b) != null) {
                        return new String(b.array(), 0, b.position());
                    }
                    try {
                        Thread.sleep(20);
                    } catch (InterruptedException e) {
                        Thread.currentThread().interrupt();
                        return null;
                    }
                }
            }
            return null;
        }
    }
}
