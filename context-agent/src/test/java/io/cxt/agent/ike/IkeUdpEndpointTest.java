package io.cxt.agent.ike;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.InetSocketAddress;
import java.net.StandardProtocolFamily;
import java.nio.ByteBuffer;
import java.nio.channels.DatagramChannel;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import io.cxt.testing.NetnsExtension;
import io.cxt.testing.TestNamespace;

@ExtendWith(NetnsExtension.class)
class IkeUdpEndpointTest {

    static byte[] fakeIke(int fill) {
        byte[] b = new byte[40];
        java.util.Arrays.fill(b, (byte) fill);
        return b;
    }

    @Test
    void framingOnPort4500AddsAndRequiresTheNonEspMarker() {
        byte[] ike = fakeIke(0x11);
        byte[] framed = IkeUdpEndpoint.frame(ike, true);
        assertEquals(44, framed.length);
        assertArrayEquals(new byte[4], java.util.Arrays.copyOf(framed, 4));
        assertArrayEquals(ike, IkeUdpEndpoint.unframe(framed, true));
        assertArrayEquals(ike, IkeUdpEndpoint.frame(ike, false));
        assertArrayEquals(ike, IkeUdpEndpoint.unframe(ike, false));
        assertNull(IkeUdpEndpoint.unframe(ike, true), "ESP in UDP: non-zero SPI where the marker would be");
        assertNull(IkeUdpEndpoint.unframe(new byte[] {(byte) 0xff}, true), "NAT keepalive");
        assertNull(IkeUdpEndpoint.unframe(new byte[10], false), "shorter than an IKE header");
    }

    /** The socket lives in the namespace: it receives on the namespace's loopback, with the marker on the wire. */
    @Test
    void socketIsCreatedInsideTheNamespace(TestNamespace ns) throws Exception {
        ns.ip("link", "set", "lo", "up");
        List<byte[]> got = new CopyOnWriteArrayList<>();
        try (IkeUdpEndpoint e = IkeUdpEndpoint.open(IkeUdpEndpoint.NAT_T_PORT, ns.netns(), (from, msg, via) -> got.add(msg))) {
            assertTrue(e.nonEspMarker());
            assertEquals(4500, e.localAddress().getPort());
            // A plain socket in the test's own namespace cannot reach it ...
            // ... a raw peer inside the namespace sees and sends marker-framed datagrams.
            DatagramChannel[] peer = new DatagramChannel[1];
            ns.netns().runInside(() -> {
                peer[0] = DatagramChannel.open(StandardProtocolFamily.INET6);
                peer[0].bind(new InetSocketAddress("::1", 0));
                return 0;
            });
            try (DatagramChannel p = peer[0]) {
                p.send(ByteBuffer.wrap(IkeUdpEndpoint.frame(fakeIke(0x22), true)), new InetSocketAddress("::1", 4500));
                IkeAgentFixtures.await("delivery", Duration.ofSeconds(3), () -> got.size() == 1);
                assertArrayEquals(fakeIke(0x22), got.get(0));
                e.send((InetSocketAddress) p.getLocalAddress(), fakeIke(0x33));
                ByteBuffer buf = ByteBuffer.allocate(100);
                p.receive(buf);
                buf.flip();
                byte[] wire = new byte[buf.remaining()];
                buf.get(wire);
                assertArrayEquals(IkeUdpEndpoint.frame(fakeIke(0x33), true), wire);
            }
        }
    }
}
