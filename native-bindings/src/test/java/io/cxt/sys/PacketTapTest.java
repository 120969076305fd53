package io.cxt.sys;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import io.cxt.testing.NetnsExtension;
import io.cxt.testing.TestNamespace;

/**
 * {@link PacketTap} with {@link SocketFilter#outgoingIkeResponses} and {@link RawUdp6Sender}, against the running
 * kernel in a namespace of their own: of IKE-looking datagrams sent from ports 500, 4500 and others, with and
 * without the R flag, with and without the non-ESP marker, the tap gets exactly the responses, once each (the
 * loopback's receive side is not kept); the raw sender sends from a port another socket holds, with a correct
 * UDP checksum.
 */
@ExtendWith(NetnsExtension.class)
class PacketTapTest {
    static final String A = "2001:db8::1";
    static final String B = "2001:db8::2";

    private static InetAddress a(String s) throws IOException {
        return InetAddress.getByName(s);
    }

    private static void addresses(TestNamespace ns) throws Exception {
        ns.ip("addr", "add", A + "/128", "dev", "lo", "nodad");
        ns.ip("addr", "add", B + "/128", "dev", "lo", "nodad");
        long until = System.nanoTime() + 10_000_000_000L;
        while (!ns.ip("-6", "route", "show", "table", "local").contains("local " + B + " ")) {
            assertTrue(System.nanoTime() < until, "no local route for " + B);
            Thread.sleep(10);
        }
    }

    private static NativeUdpSocket udp(TestNamespace ns, String addr, int port) throws IOException {
        NativeUdpSocket[] s = new NativeUdpSocket[1];
        ns.netns().runInside(() -> {
            s[0] = NativeUdpSocket.open(new InetSocketAddress(a(addr), port),
                    NativeUdpSocket.Options.defaults().withBatch(4, 2048));
            return 0;
        });
        s[0].setReceiveTimeout(Duration.ofSeconds(5));
        return s[0];
    }

    /** An IKE header (SPIs, next payload 46 = SK, version 2.0, exchange type, flags, message ID, length) and a body. */
    static byte[] ike(int flags, int messageId, boolean marker) {
        byte[] m = new byte[(marker ? 4 : 0) + 28 + 8];
        int at = marker ? 4 : 0;
        for (int i = 0; i < 16; i++) {
            m[at + i] = (byte) (i + 1);
        }
        m[at + 16] = 46;
        m[at + 17] = 0x20;
        m[at + 18] = 37;
        m[at + 19] = (byte) flags;
        m[at + 23] = (byte) messageId;
        m[at + 27] = 36;
        return m;
    }

    private static List<byte[]> drain(PacketTap tap) throws IOException {
        List<byte[]> got = new ArrayList<>();
        byte[] b = new byte[2048];
        int n;
        while ((n = tap.receive(b)) > 0) {
            got.add(Arrays.copyOf(b, n));
        }
        return got;
    }

    @Test
    void theTapKeepsOnlyTheIkeResponsesThisHostSends(TestNamespace ns) throws Exception {
        addresses(ns);
        try (PacketTap tap = PacketTap.open(ns.netns(), SocketFilter.outgoingIkeResponses(), 2048, 0, Duration.ofMillis(700));
             NativeUdpSocket p4500 = udp(ns, A, 4500); NativeUdpSocket p500 = udp(ns, A, 500);
             NativeUdpSocket other = udp(ns, A, 4501); NativeUdpSocket peer = udp(ns, B, 0)) {
            InetSocketAddress to = peer.localAddress();
            p4500.send(to, ike(0x20, 1, true));        // response on 4500: kept
            p4500.send(to, ike(0x08, 2, true));        // request (I flag only): dropped
            byte[] esp = ike(0x20, 3, true);
            esp[0] = 0x11;                              // ESP in UDP (an SPI, no marker): dropped
            p4500.send(to, esp);
            p500.send(to, ike(0x20, 4, false));        // response on 500: kept
            p500.send(to, ike(0x00, 5, false));        // request on 500: dropped
            other.send(to, ike(0x20, 6, true));        // another port: dropped
            other.send(new InetSocketAddress(a(A), 4500), ike(0x20, 7, true)); // to 4500, from elsewhere: dropped
            List<byte[]> got = drain(tap);
            assertEquals(2, got.size(), "only the two responses, each once (the loopback's receive side dropped)");
            for (byte[] pkt : got) {
                assertEquals(0x60, pkt[0] & 0xf0, "from the IPv6 header on");
                assertEquals(17, pkt[6]);
            }
            assertArrayEquals(ike(0x20, 1, true), Arrays.copyOfRange(got.get(0), 48, got.get(0).length));
            assertEquals(4500, port(got.get(0), 40));
            assertArrayEquals(ike(0x20, 4, false), Arrays.copyOfRange(got.get(1), 48, got.get(1).length));
            assertEquals(500, port(got.get(1), 40));
        }
    }

    @Test
    void theRawSenderSendsFromAPortAnotherSocketHoldsWithAValidChecksum(TestNamespace ns) throws Exception {
        addresses(ns);
        try (PacketTap tap = PacketTap.open(ns.netns(), SocketFilter.outgoingIkeResponses(), 2048, 0, Duration.ofMillis(700));
             NativeUdpSocket charon = udp(ns, A, 4500); NativeUdpSocket peer = udp(ns, B, 4500);
             RawUdp6Sender raw = RawUdp6Sender.open(ns.netns(), a(A))) {
            byte[] response = ike(0x20, 9, true);
            raw.send(4500, a(B), 4500, response);
            NativeUdpSocket.Batch b = peer.receive();
            assertEquals(1, b.count(), "the peer got it");
            assertArrayEquals(response, b.copy(0));
            assertEquals(new InetSocketAddress(a(A), 4500), b.source(0));
            List<byte[]> got = drain(tap);
            assertEquals(1, got.size(), "the tap saw it leave");
            byte[] pkt = got.get(0);
            assertEquals(0, checksum(pkt), "UDP checksum over the pseudo-header verifies");
            assertTrue(port(pkt, 46) != 0, "a checksum was set");

            assertThrows(IllegalArgumentException.class, () -> raw.send(4500, a("192.0.2.1"), 4500, response));
        }
    }

    /** An IPsec policy covering the destination holds back a plain datagram, not the raw sender's (charon's bypass). */
    @Test
    void theRawSenderBypassesIpsecPoliciesAsCharonsSocketsDo(TestNamespace ns) throws Exception {
        addresses(ns);
        ns.ip("xfrm", "policy", "add", "src", A + "/128", "dst", B + "/128", "proto", "udp", "dir", "out",
                "tmpl", "src", A, "dst", B, "proto", "esp", "mode", "transport");
        try (NativeUdpSocket peer = udp(ns, B, 4500); NativeUdpSocket plain = udp(ns, A, 0);
             RawUdp6Sender raw = RawUdp6Sender.open(ns.netns(), a(A))) {
            try {
                plain.send(peer.localAddress(), new byte[] {1, 2, 3});
            } catch (IOException expected) {
                // no SA for the template: the kernel may refuse at once (EAGAIN) or drop
            }
            peer.setReceiveTimeout(Duration.ofMillis(300));
            assertEquals(0, peer.receive().count(), "the policy holds a plain datagram back (no SA to protect it)");
            byte[] response = ike(0x20, 11, true);
            raw.send(4500, a(B), 4500, response);
            peer.setReceiveTimeout(Duration.ofSeconds(5));
            NativeUdpSocket.Batch b = peer.receive();
            assertEquals(1, b.count(), "the raw sender's datagram went out unprotected");
            assertArrayEquals(response, b.copy(0));
        }
    }

    private static int port(byte[] pkt, int at) {
        return (pkt[at] & 0xff) << 8 | (pkt[at + 1] & 0xff);
    }

    /** The one's complement sum over the IPv6 pseudo-header and the UDP datagram: 0 when the checksum is right. */
    private static int checksum(byte[] pkt) {
        int udpLength = port(pkt, 44);
        long sum = 0;
        for (int i = 8; i < 40; i += 2) {
            sum += port(pkt, i);
        }
        sum += udpLength + 17;
        for (int i = 40; i < 40 + udpLength; i += 2) {
            sum += i + 1 < 40 + udpLength ? port(pkt, i) : (pkt[i] & 0xff) << 8;
        }
        while ((sum >> 16) != 0) {
            sum = (sum & 0xffff) + (sum >> 16);
        }
        return (int) (~sum & 0xffff);
    }
}
