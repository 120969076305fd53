package io.cxt.sys;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import io.cxt.testing.NetnsExtension;
import io.cxt.testing.TestNamespace;

/**
 * {@link NativeUdpSocket} and the {@link SocketFilter} programs against the running kernel, in a
 * namespace of their own: batched receive, the router channel's source filter, the MN port's
 * reuseport steering, truncation and a close that wakes a blocked receive.
 */
@ExtendWith(NetnsExtension.class)
class NativeUdpSocketTest {

    static final NativeUdpSocket.Options OPTS = NativeUdpSocket.Options.defaults().withBatch(8, 2048);

    private static InetAddress a(String s) throws IOException {
        return InetAddress.getByName(s);
    }

    private static NativeUdpSocket open(TestNamespace ns, String addr, int port, NativeUdpSocket.Options o) throws IOException {
        NativeUdpSocket[] s = new NativeUdpSocket[1];
        ns.netns().runInside(() -> {
            s[0] = NativeUdpSocket.open(new InetSocketAddress(a(addr), port), o);
            return 0;
        });
        return s[0];
    }

    /**
     * Adds the addresses and waits for their local routes: the kernel inserts those from the address's DAD work
     * item even with nodad, and on a loaded machine that ran late (a datagram sent before it was dropped).
     */
    private static void addresses(TestNamespace ns, String... addrs) {
        for (String x : addrs) {
            ns.ip("addr", "add", x + "/128", "dev", "lo", "nodad");
        }
        long until = System.nanoTime() + 10_000_000_000L;
        while (true) {
            String local = ns.ip("-6", "route", "show", "table", "local");
            if (java.util.Arrays.stream(addrs).allMatch(a -> local.contains("local " + a + " "))) {
                return;
            }
            assertTrue(System.nanoTime() < until, "no local routes for the addresses after 10 s:\n" + local);
            try {
                Thread.sleep(10);
            } catch (InterruptedException e) {
                throw new AssertionError(e);
            }
        }
    }

    /**
     * The next {@code n} datagrams (failing if one takes over 10 s: a loaded machine may run the
     * loopback's softirq late), then none within 300 ms; their sources are added to {@code sources}.
     */
    private static List<byte[]> take(NativeUdpSocket s, int n, List<InetSocketAddress> sources) throws IOException {
        List<byte[]> got = new ArrayList<>();
        s.setReceiveTimeout(Duration.ofSeconds(10));
        while (got.size() < n) {
            NativeUdpSocket.Batch b = s.receive();
            assertTrue(b != null && b.count() > 0, "datagram " + (got.size() + 1) + " of " + n + " did not arrive");
            for (int i = 0; i < b.count(); i++) {
                got.add(b.copy(i));
                sources.add(b.source(i));
            }
        }
        s.setReceiveTimeout(Duration.ofMillis(300));
        NativeUdpSocket.Batch more = s.receive();
        assertEquals(0, more.count(), "more datagrams than " + n);
        return got;
    }

    private static NativeUdpSocket.Options quick(NativeUdpSocket.Options o) {
        return new NativeUdpSocket.Options(o.reusePort(), o.batch(), o.slotSize(), o.receiveBuffer(), Duration.ofSeconds(10));
    }

    @Test
    void datagramsQueuedBeforeAReceiveComeInOneBatchWithTheirSources(TestNamespace ns) throws IOException {
        addresses(ns, "2001:db8::1", "2001:db8::2");
        try (NativeUdpSocket rx = open(ns, "2001:db8::1", 0, quick(OPTS));
             NativeUdpSocket tx = open(ns, "2001:db8::2", 0, OPTS)) {
            assertTrue(rx.localAddress().getPort() > 0, "ephemeral port read back");
            for (int i = 0; i < 5; i++) {
                tx.send(rx.localAddress(), new byte[] {(byte) i, 1, 2, 3});
            }
            NativeUdpSocket.Batch b = rx.receive();
            if (b.count() < 5) { // the loopback's softirq ran late (loaded machine): let the rest arrive, read again
                take(rx, 5 - b.count(), new ArrayList<>());
                org.junit.jupiter.api.Assumptions.abort("the five datagrams did not arrive together; batching not checked");
            }
            assertEquals(5, b.count(), "one recvmmsg call read all five");
            for (int i = 0; i < 5; i++) {
                assertArrayEquals(new byte[] {(byte) i, 1, 2, 3}, b.copy(i));
                assertEquals(tx.localAddress(), b.source(i));
                assertEquals(i, b.octet(i, 0));
                assertFalse(b.truncated(i));
            }
            rx.setReceiveTimeout(Duration.ofMillis(200));
            assertEquals(0, rx.receive().count(), "nothing more: the receive timeout returns an empty batch");
        }
    }

    @Test
    void aBurstSendsItsDatagramsInOneCall(TestNamespace ns) throws IOException {
        addresses(ns, "2001:db8::1", "2001:db8::2");
        try (NativeUdpSocket rx = open(ns, "2001:db8::1", 0, quick(OPTS));
             NativeUdpSocket tx = open(ns, "2001:db8::2", 0, OPTS)) {
            NativeUdpSocket.Burst burst = tx.prepareBurst(rx.localAddress(), List.of(new byte[] {1}, new byte[] {2, 2}, new byte[] {3, 3, 3}));
            assertEquals(3, tx.send(burst));
            assertEquals(3, tx.send(burst), "a burst is reusable");
            List<InetSocketAddress> from = new ArrayList<>();
            List<byte[]> got = take(rx, 6, from);
            assertArrayEquals(new byte[] {1}, got.get(0));
            assertArrayEquals(new byte[] {2, 2}, got.get(1));
            assertArrayEquals(new byte[] {3, 3, 3}, got.get(5));
            assertEquals(java.util.Collections.nCopies(6, tx.localAddress()), from);
        }
    }

    @Test
    void aLongerDatagramIsReportedTruncated(TestNamespace ns) throws IOException {
        addresses(ns, "2001:db8::1");
        try (NativeUdpSocket rx = open(ns, "2001:db8::1", 0, quick(OPTS.withBatch(2, 16)));
             NativeUdpSocket tx = open(ns, "2001:db8::1", 0, OPTS)) {
            tx.send(rx.localAddress(), new byte[40]);
            NativeUdpSocket.Batch b = rx.receive(); // blocks up to 10 s for it
            assertEquals(1, b.count());
            assertTrue(b.truncated(0));
            assertEquals(16, b.length(0));
            assertEquals(16, b.copy(0).length);
        }
    }

    @Test
    void theSourceFilterKeepsOnlyTheConfiguredAddressAndPort(TestNamespace ns) throws IOException {
        addresses(ns, "2001:db8::1", "2001:db8::2", "2001:db8::3");
        try (NativeUdpSocket rx = open(ns, "2001:db8::1", 0, quick(OPTS));
             NativeUdpSocket peer = open(ns, "2001:db8::2", 0, OPTS);
             NativeUdpSocket samePeerOtherPort = open(ns, "2001:db8::2", 0, OPTS);
             NativeUdpSocket stranger = open(ns, "2001:db8::3", 0, OPTS)) {
            rx.attachFilter(SocketFilter.admitOnlySources(List.of(
                    new InetSocketAddress(a("2001:db8::9"), 7), peer.localAddress()), true));
            long dropsBefore = rx.drops();
            stranger.send(rx.localAddress(), new byte[] {1});
            samePeerOtherPort.send(rx.localAddress(), new byte[] {2});
            peer.send(rx.localAddress(), new byte[] {3});
            List<InetSocketAddress> from = new ArrayList<>();
            List<byte[]> got = take(rx, 1, from); // sent last: the two before it were handled first
            assertArrayEquals(new byte[] {3}, got.get(0));
            assertEquals(List.of(peer.localAddress()), from);
            assertEquals(dropsBefore + 2, rx.drops(), "the kernel counted the two it dropped");

            rx.attachFilter(SocketFilter.admitOnlySources(List.of(), true));
            peer.send(rx.localAddress(), new byte[] {4});
            rx.setReceiveTimeout(Duration.ofMillis(500));
            assertEquals(0, rx.receive().count(), "a replaced filter with no peers keeps nothing");
        }
    }

    static byte[] ctar(String previousAddress, boolean v) throws IOException {
        byte[] prev = a(previousAddress).getAddress();
        byte[] m = new byte[4 + 2 * prev.length + 8];
        m[0] = 0x21;
        m[1] = (byte) (v ? 0x80 : 0);
        m[3] = (byte) m.length;
        System.arraycopy(prev, 0, m, 4, prev.length);
        return m;
    }

    @Test
    void theReusePortSelectorSteersCtarsOfHeldMobileNodesToTheFirstSocket(TestNamespace ns) throws IOException {
        addresses(ns, "2001:db8::1", "2001:db8::2");
        NativeUdpSocket.Options group = quick(OPTS.withReusePort(true));
        try (NativeUdpSocket priority = open(ns, "::", 0, group);
             NativeUdpSocket bulk = open(ns, "::", priority.localAddress().getPort(), group);
             NativeUdpSocket mn = open(ns, "2001:db8::2", 0, OPTS)) {
            priority.attachReusePortSelector(SocketFilter.steerCtarsFor(List.of(a("2001:db8:a::1"), a("2001:db8:a::2")), true));
            InetSocketAddress to = new InetSocketAddress(a("2001:db8::1"), priority.localAddress().getPort());
            mn.send(to, ctar("2001:db8:a::2", false));          // held: priority
            mn.send(to, ctar("2001:db8:a::3", false));          // not held: bulk
            byte[] otherType = ctar("2001:db8:a::1", false);
            otherType[0] = 0x22;
            mn.send(to, otherType);                              // not a CTAR: bulk
            mn.send(to, new byte[] {0x21, 0, 0, 4});             // too short to hold an address: bulk
            mn.send(to, ctar("2001:db8:a::1", true));           // V flag on an IPv6 socket: bulk
            mn.send(to, ctar("2001:db8:a::1", false));          // held: priority
            List<byte[]> p = take(priority, 2, new ArrayList<>()); // the two CTARs of held MNs
            List<byte[]> q = take(bulk, 4, new ArrayList<>());  // everything else
            assertEquals(a("2001:db8:a::2"), InetAddress.getByAddress(java.util.Arrays.copyOfRange(p.get(0), 4, 20)));
            assertEquals(a("2001:db8:a::1"), InetAddress.getByAddress(java.util.Arrays.copyOfRange(p.get(1), 4, 20)));
            assertEquals(4, q.size());

            priority.attachReusePortSelector(SocketFilter.steerCtarsFor(List.of(), true));
            mn.send(to, ctar("2001:db8:a::1", false));
            take(bulk, 1, new ArrayList<>()); // and none to the priority socket: the selector was replaced
            priority.setReceiveTimeout(Duration.ofMillis(300));
            assertEquals(0, priority.receive().count(), "no longer held");
        }
    }

    @Test
    void closeWakesABlockedReceive(TestNamespace ns) throws Exception {
        addresses(ns, "2001:db8::1");
        NativeUdpSocket.Options slow = new NativeUdpSocket.Options(false, 4, 2048, 0, Duration.ofSeconds(30));
        NativeUdpSocket rx = open(ns, "2001:db8::1", 0, slow);
        CompletableFuture<NativeUdpSocket.Batch> r = CompletableFuture.supplyAsync(() -> {
            try {
                return rx.receive();
            } catch (IOException e) {
                throw new IllegalStateException(e);
            }
        });
        Thread.sleep(200);
        assertFalse(r.isDone());
        rx.shutdown();
        assertNull(r.get(5, TimeUnit.SECONDS), "the shutdown ended the receive well before its 30 s timeout");
        rx.close();
        assertFalse(rx.isOpen());
        assertThrows(java.nio.channels.ClosedChannelException.class, () -> rx.send(new InetSocketAddress(a("::1"), 9), new byte[1]));
    }

    @Test
    void programsAreCheckedBeforeTheKernelSeesThem() throws IOException {
        assertThrows(IllegalArgumentException.class, () -> new SocketFilter(List.of(
                new SocketFilter.Instruction(SocketFilter.JEQ_K, 3, 0, 1), new SocketFilter.Instruction(SocketFilter.RET_K, 0, 0, 0))));
        assertThrows(IllegalArgumentException.class, () -> new SocketFilter(List.of(
                new SocketFilter.Instruction(SocketFilter.LD_W_LEN, 0, 0, 0))), "must end with a return");
        List<InetAddress> many = new ArrayList<>();
        for (int i = 0; i < 1000; i++) {
            many.add(a("2001:db8:a::" + Integer.toHexString(i + 1)));
        }
        SocketFilter f = SocketFilter.steerCtarsFor(many, true);
        assertTrue(f.length() <= SocketFilter.MAX_INSTRUCTIONS, "capped at MAX_STEERED addresses: " + f.length());
        assertEquals(10 + 9 * SocketFilter.MAX_STEERED, f.length());
        assertEquals(8 * f.length(), f.encode().length);
    }
}
