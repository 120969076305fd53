package io.cxt.cxtp;

import static io.cxt.cxtp.TransportTestSupport.await;
import static io.cxt.cxtp.TransportTestSupport.ctar;
import static io.cxt.cxtp.TransportTestSupport.ctd;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.DatagramChannel;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import io.cxt.cxtp.TransportTestSupport.Delivery;
import io.cxt.cxtp.TransportTestSupport.Recorder;
import io.cxt.xfrm.KeyBytes;

/** UDP transport over real loopback sockets. */
class UdpTransportTest {

    static final InetSocketAddress LOOPBACK = new InetSocketAddress("127.0.0.1", 0);
    static final Duration WAIT = Duration.ofSeconds(5);

    /** Fast retransmission: 100, 200, 400, 400 ms waits, 5 transmissions, give up 400 ms after the last. */
    static final RetransmissionPolicy FAST = new RetransmissionPolicy(Duration.ofMillis(100), Duration.ofMillis(400),
            Duration.ofSeconds(10), 5);

    private final List<AutoCloseable> open = new ArrayList<>();

    @AfterEach
    void closeAll() throws Exception {
        for (AutoCloseable c : open) {
            c.close();
        }
    }

    UdpTransport transport(Recorder r, TransportOptions o) throws Exception {
        UdpTransport t = UdpTransport.open(LOOPBACK, r, o);
        open.add(t);
        return t;
    }

    DatagramChannel rawSocket() throws Exception {
        DatagramChannel ch = DatagramChannel.open(java.net.StandardProtocolFamily.INET);
        ch.bind(LOOPBACK);
        open.add(ch);
        return ch;
    }

    static TransportOptions fast() {
        return TransportOptions.defaults().withRetransmission(FAST);
    }

    @Test
    void retransmissionFollowsThePolicyUntilItGivesUp() throws Exception {
        DatagramChannel silentPeer = rawSocket();
        UdpTransport mn = transport(new Recorder(), fast());
        byte[] request = ctar("192.0.2.10", 1, true);
        long start = System.nanoTime();
        var result = mn.send((InetSocketAddress) silentPeer.getLocalAddress(), request);

        List<Long> arrivals = new ArrayList<>();
        ByteBuffer buf = ByteBuffer.allocate(2048);
        silentPeer.socket().setSoTimeout(3000);
        for (int i = 0; i < 5; i++) {
            buf.clear();
            java.net.DatagramPacket p = new java.net.DatagramPacket(new byte[2048], 2048);
            silentPeer.socket().receive(p);
            arrivals.add(System.nanoTime() - start);
            assertArrayEquals(request, Arrays.copyOf(p.getData(), p.getLength()), "retransmissions are identical");
        }
        SendResult r = result.get(5, TimeUnit.SECONDS);
        long[] expectedMs = {0, 100, 300, 700, 1100};
        for (int i = 0; i < 5; i++) {
            long ms = arrivals.get(i) / 1_000_000;
            assertTrue(ms >= expectedMs[i] - 5 && ms <= expectedMs[i] + 120,
                    "transmission " + (i + 1) + " at " + ms + " ms, expected about " + expectedMs[i]);
        }
        assertEquals(SendResult.Outcome.GAVE_UP, r.outcome());
        assertEquals(5, r.transmissions());
        assertTrue(r.elapsed().toMillis() >= 1500 && r.elapsed().toMillis() < 1700, "gave up at " + r.elapsed());
        assertEquals(4, mn.counters().get(TransportCounter.RETRANSMITTED));
        assertEquals(1, mn.counters().get(TransportCounter.GAVE_UP));
        // Nothing more after giving up.
        Thread.sleep(500);
        silentPeer.configureBlocking(false);
        assertNull(silentPeer.receive(ByteBuffer.allocate(2048)));
    }

    @Test
    void droppedRequestsAreRecoveredByRetransmission() throws Exception {
        Recorder arRecorder = new Recorder();
        UdpTransport ar = transport(arRecorder, fast());
        arRecorder.answerVia = ar;
        DropPolicy drop = DropPolicy.dropFirst(MessageType.CTAR, 2);
        UdpTransport mn = transport(new Recorder(), fast().withDropPolicy(drop));

        SendResult r = mn.send(ar.localAddress(), ctar("192.0.2.10", 7, true)).get(5, TimeUnit.SECONDS);

        assertEquals(SendResult.Outcome.ACKNOWLEDGED, r.outcome());
        assertEquals(3, r.transmissions());
        assertInstanceOf(ContextTransferActivateAcknowledge.class, r.acknowledgement());
        assertTrue(r.elapsed().toMillis() >= 300, "third transmission is due at 300 ms: " + r.elapsed());
        assertEquals(2, drop.dropped(MessageType.CTAR));
        assertEquals(2, mn.counters().get(TransportCounter.DROPPED_BY_POLICY));
        assertEquals(1, mn.counters().get(TransportCounter.TRANSMITTED));
        assertEquals(1, mn.counters().get(TransportCounter.ACK_MATCHED));
        assertEquals(1, arRecorder.deliveries.size(), "AR processed the CTAR once");
        assertEquals(0, mn.counters().get(TransportCounter.GAVE_UP));
    }

    @Test
    void lostAcknowledgementIsReplayedForTheRepeatedRequest() throws Exception {
        Recorder arRecorder = new Recorder();
        UdpTransport ar = transport(arRecorder, fast().withDropPolicy(DropPolicy.dropFirst(MessageType.CTAA, 1)));
        arRecorder.answerVia = ar;
        Recorder mnRecorder = new Recorder();
        UdpTransport mn = transport(mnRecorder, fast());

        SendResult r = mn.send(ar.localAddress(), ctar("192.0.2.10", 8, true)).get(5, TimeUnit.SECONDS);

        assertEquals(SendResult.Outcome.ACKNOWLEDGED, r.outcome());
        assertEquals(2, r.transmissions());
        assertEquals(1, arRecorder.deliveries.size(), "the repeated CTAR was not processed again");
        assertEquals(1, ar.counters().get(TransportCounter.DUPLICATE_IGNORED));
        assertEquals(1, ar.counters().get(TransportCounter.REPLY_REPLAYED));
        await("CTAA delivered at the MN", WAIT, () -> mnRecorder.deliveries.size() == 1);
        Thread.sleep(200);
        assertEquals(1, mnRecorder.deliveries.size(), "MN got exactly the one CTAA that arrived");
    }

    @Test
    void repeatedSequenceNumberAndMnAddressAreIgnored() throws Exception {
        Recorder rec = new Recorder();
        UdpTransport ar = transport(rec, fast());
        DatagramChannel mn = rawSocket();
        InetSocketAddress to = ar.localAddress();
        byte[] first = ctar("192.0.2.10", 100, false);
        mn.send(ByteBuffer.wrap(first), to);
        mn.send(ByteBuffer.wrap(first), to);                                   // same octets
        mn.send(ByteBuffer.wrap(ctar("192.0.2.10", 100, true)), to);           // same pair, A flag differs
        mn.send(ByteBuffer.wrap(ctar("192.0.2.11", 100, false)), to);          // other MN, same sequence number
        mn.send(ByteBuffer.wrap(ctar("192.0.2.10", 101, false)), to);          // same MN, next sequence number
        await("5 datagrams processed", WAIT, () -> ar.counters().get(TransportCounter.DELIVERED)
                + ar.counters().get(TransportCounter.DUPLICATE_IGNORED) == 5);
        assertEquals(3, ar.counters().get(TransportCounter.DELIVERED));
        assertEquals(2, ar.counters().get(TransportCounter.DUPLICATE_IGNORED));
        List<String> seen = new ArrayList<>();
        for (Delivery d : rec.deliveries) {
            ContextTransferActivateRequest c = (ContextTransferActivateRequest) d.message();
            seen.add(c.previousAddress().getHostAddress() + "/" + c.sequenceNumber());
        }
        assertEquals(List.of("192.0.2.10/100", "192.0.2.11/100", "192.0.2.10/101"), seen);
    }

    @Test
    void repeatsAreRememberedOnlyForTheDuplicateMemory() throws Exception {
        Recorder rec = new Recorder();
        UdpTransport ar = transport(rec, fast().withDuplicateMemory(Duration.ofMillis(200)));
        DatagramChannel mn = rawSocket();
        byte[] c = ctar("192.0.2.10", 5, false);
        mn.send(ByteBuffer.wrap(c), ar.localAddress());
        await("first", WAIT, () -> rec.deliveries.size() == 1);
        mn.send(ByteBuffer.wrap(c), ar.localAddress());
        await("repeat ignored", WAIT, () -> ar.counters().get(TransportCounter.DUPLICATE_IGNORED) == 1);
        Thread.sleep(300);
        mn.send(ByteBuffer.wrap(c), ar.localAddress());
        await("delivered again after the memory expired", WAIT, () -> rec.deliveries.size() == 2);
    }

    @Test
    void ctarsBeyondTheRateAreDropped() throws Exception {
        Recorder rec = new Recorder();
        UdpTransport ar = transport(rec, fast().withCtarRatePerSecond(3));
        DatagramChannel mn = rawSocket();
        for (int i = 0; i < 10; i++) {
            mn.send(ByteBuffer.wrap(ctar("192.0.2.10", 1000 + i, false)), ar.localAddress());
        }
        await("10 processed", WAIT, () -> ar.counters().get(TransportCounter.DELIVERED)
                + ar.counters().get(TransportCounter.RATE_LIMITED) == 10);
        // One source gets its share of the rate (issue 12: one host must not take every token).
        int share = RequestRateLimiter.perSourceRate(3);
        assertTrue(rec.deliveries.size() >= share && rec.deliveries.size() <= share + 1, rec.deliveries.size() + " delivered");
        // Non-CTAR messages are not rate limited.
        long before = rec.deliveries.size();
        for (int i = 0; i < 5; i++) {
            mn.send(ByteBuffer.wrap(CxtpCodec.encode(new ContextTransferCancel(TransportTestSupport.addr("192.0.2." + i)))),
                    ar.localAddress());
        }
        await("CTCs delivered", WAIT, () -> rec.deliveries.size() >= before + 5);
        assertEquals(before + 5, rec.deliveries.size());
    }

    @Test
    void ctdIsAcknowledgedByCtdr() throws Exception {
        Recorder narRec = new Recorder();
        UdpTransport nar = transport(narRec, fast());
        narRec.answerVia = nar;
        UdpTransport par = transport(new Recorder(), fast());
        SendResult r = par.send(nar.localAddress(), ctd("2001:db8:1::10", true)).get(5, TimeUnit.SECONDS);
        assertEquals(SendResult.Outcome.ACKNOWLEDGED, r.outcome());
        ContextTransferDataReply reply = assertInstanceOf(ContextTransferDataReply.class, r.acknowledgement());
        assertTrue(reply.success());
        assertEquals(1, r.transmissions());
        SendResult noAck = par.send(nar.localAddress(), ctd("2001:db8:1::11", false)).get(1, TimeUnit.SECONDS);
        assertEquals(SendResult.Outcome.SENT, noAck.outcome());
    }

    @Test
    void retransmittedCtdIsProcessedOnceAndItsReplyReplayed() throws Exception {
        Recorder narRec = new Recorder();
        UdpTransport nar = transport(narRec, fast().withDropPolicy(DropPolicy.dropFirst(MessageType.CTDR, 1)));
        narRec.answerVia = nar;
        UdpTransport par = transport(new Recorder(), fast());
        SendResult r = par.send(nar.localAddress(), ctd("2001:db8:1::10", true)).get(5, TimeUnit.SECONDS);
        assertEquals(SendResult.Outcome.ACKNOWLEDGED, r.outcome());
        assertEquals(2, r.transmissions());
        assertEquals(1, narRec.deliveries.size());
        assertEquals(1, nar.counters().get(TransportCounter.REPLY_REPLAYED));
    }

    @Test
    void newRequestForTheSameMnSupersedesTheOld() throws Exception {
        DatagramChannel silentPeer = rawSocket();
        UdpTransport mn = transport(new Recorder(), fast());
        InetSocketAddress to = (InetSocketAddress) silentPeer.getLocalAddress();
        var first = mn.send(to, ctar("192.0.2.10", 1, true));
        var second = mn.send(to, ctar("192.0.2.10", 2, true));
        assertEquals(SendResult.Outcome.SUPERSEDED, first.get(1, TimeUnit.SECONDS).outcome());
        assertTrue(!second.isDone());
        mn.close();
        assertEquals(SendResult.Outcome.CLOSED, second.get(1, TimeUnit.SECONDS).outcome());
        assertThrows(java.nio.channels.ClosedChannelException.class, () -> mn.send(to, ctar("192.0.2.10", 3, true)));
    }

    @Test
    void ackFromAnotherPeerDoesNotMatch() throws Exception {
        DatagramChannel silentPeer = rawSocket();
        DatagramChannel stranger = rawSocket();
        Recorder rec = new Recorder();
        UdpTransport mn = transport(rec, fast());
        var pending = mn.send((InetSocketAddress) silentPeer.getLocalAddress(), ctar("192.0.2.10", 1, true));
        byte[] ctaa = CxtpCodec.encode(new ContextTransferActivateAcknowledge(TransportTestSupport.addr("192.0.2.10"), List.of()));
        stranger.send(ByteBuffer.wrap(ctaa), mn.localAddress());
        await("stranger's CTAA processed", WAIT, () -> mn.counters().get(TransportCounter.ACK_UNMATCHED) == 1);
        assertTrue(!pending.isDone());
        silentPeer.send(ByteBuffer.wrap(ctaa), mn.localAddress());
        assertEquals(SendResult.Outcome.ACKNOWLEDGED, pending.get(2, TimeUnit.SECONDS).outcome());
    }

    @Test
    void malformedInputAndFailingReceiversDoNotStopTheTransport() throws Exception {
        List<CxtpMessage> got = new ArrayList<>();
        CxtpReceiver flaky = (from, m, b) -> {
            got.add(m);
            if (got.size() == 1) {
                throw new IllegalStateException("receiver bug");
            }
        };
        UdpTransport ar = UdpTransport.open(LOOPBACK, flaky, fast());
        open.add(ar);
        DatagramChannel mn = rawSocket();
        mn.send(ByteBuffer.wrap(new byte[] {0x21, 0, 0, 9, 1, 2, 3, 4, 5}), ar.localAddress());
        mn.send(ByteBuffer.wrap(new byte[0]), ar.localAddress());
        mn.send(ByteBuffer.wrap(ctar("192.0.2.10", 1, false)), ar.localAddress());
        mn.send(ByteBuffer.wrap(ctar("192.0.2.10", 2, false)), ar.localAddress());
        await("two delivered", WAIT, () -> ar.counters().get(TransportCounter.DELIVERED) == 2);
        assertEquals(2, ar.counters().get(TransportCounter.MALFORMED));
        assertEquals(1, ar.counters().get(TransportCounter.RECEIVER_FAILED));
        assertEquals(2, got.size());
        assertThrows(IllegalArgumentException.class, () -> ar.send(mn.getLocalAddress() instanceof InetSocketAddress a ? a : null,
                new byte[] {1, 2, 3}));
    }

    @Test
    void ipv6LoopbackWorks() throws Exception {
        Recorder arRec = new Recorder();
        UdpTransport ar = UdpTransport.open(new InetSocketAddress("::1", 0), arRec, fast());
        open.add(ar);
        arRec.answerVia = ar;
        UdpTransport mn = UdpTransport.open(new InetSocketAddress("::1", 0), new Recorder(), fast());
        open.add(mn);
        SendResult r = mn.send(ar.localAddress(), ctar("2001:db8:1::10", 9, true)).get(5, TimeUnit.SECONDS);
        assertEquals(SendResult.Outcome.ACKNOWLEDGED, r.outcome());
    }

    // ---------------------------------------------------------------- with router channel protection

    static final KeyBytes KEY = KeyBytes.ofHex("000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f");

    @Test
    void protectedChannelCarriesCtdAndRefusesPlaintextAndStrangers() throws Exception {
        RouterChannelProtection parProt = new RouterChannelProtection(1);
        RouterChannelProtection narProt = new RouterChannelProtection(2);
        // Retransmission is not the subject here: a 1 s first retry keeps the counts exact.
        TransportOptions o = TransportOptions.defaults()
                .withRetransmission(new RetransmissionPolicy(Duration.ofSeconds(1), Duration.ofSeconds(2), Duration.ofSeconds(5), 3));
        Recorder narRec = new Recorder();
        UdpTransport nar = transport(narRec, o.withProtection(narProt));
        narRec.answerVia = nar;
        UdpTransport par = transport(new Recorder(), o.withProtection(parProt));
        parProt.addPeer(new RouterPeer(2, nar.localAddress(), KEY));
        narProt.addPeer(new RouterPeer(1, par.localAddress(), KEY));

        SendResult r = par.send(nar.localAddress(), ctd("2001:db8:1::10", true)).get(5, TimeUnit.SECONDS);
        assertEquals(SendResult.Outcome.ACKNOWLEDGED, r.outcome());
        assertEquals(1, r.transmissions());
        assertEquals(1, narProt.acceptedCount());
        assertEquals(1, parProt.acceptedCount());
        assertEquals(0, narProt.rejectedCount());
        assertEquals(0, parProt.rejectedCount());

        DatagramChannel attacker = rawSocket();
        attacker.send(ByteBuffer.wrap(ctd("2001:db8:1::66", true)), nar.localAddress());            // plaintext
        RouterChannelProtection forger = new RouterChannelProtection(1);
        forger.addPeer(new RouterPeer(2, nar.localAddress(), KeyBytes.of(new byte[32])));
        attacker.send(ByteBuffer.wrap(forger.seal(2, ctd("2001:db8:1::67", true))), nar.localAddress()); // wrong source
        await("both rejected", WAIT, () -> nar.counters().get(TransportCounter.PROTECTION_REJECTED) == 2);
        assertEquals(1, narRec.deliveries.size(), "only the genuine CTD was delivered");
        assertEquals(1, narProt.rejectedCount(RouterChannelProtection.RejectionReason.WRONG_SOURCE));
        assertEquals(1, narProt.rejectedCount(RouterChannelProtection.RejectionReason.MALFORMED)
                + narProt.rejectedCount(RouterChannelProtection.RejectionReason.UNSUPPORTED_VERSION)
                + narProt.rejectedCount(RouterChannelProtection.RejectionReason.UNKNOWN_PEER)
                + narProt.rejectedCount(RouterChannelProtection.RejectionReason.BAD_TAG));
        assertThrows(IllegalArgumentException.class,
                () -> par.send((InetSocketAddress) attacker.getLocalAddress(), ctd("2001:db8:1::10", false)),
                "no peer configured there");
    }

    static final int BASE_NICE = io.cxt.sys.RealtimeThreads.currentThreadNice();

    /** Who delivered what: the receive thread's name and nice (relative to the test's) per CTAR's MN previous address. */
    static final class ThreadRecorder implements CxtpReceiver {
        final java.util.concurrent.BlockingQueue<String> seen = new java.util.concurrent.LinkedBlockingQueue<>();

        @Override
        public void received(InetSocketAddress from, CxtpMessage message, byte[] bytes) {
            String t = Thread.currentThread().getName();
            seen.add(message.previousAddress().getHostAddress() + " " + t.substring(t.lastIndexOf('-') + 1)
                    + " nice+" + (io.cxt.sys.RealtimeThreads.currentThreadNice() - BASE_NICE));
        }
    }

    @Test
    void ctarsOfHeldMobileNodesTakeThePriorityLaneAndOthersTheSharedQueue() throws Exception {
        ThreadRecorder r = new ThreadRecorder();
        UdpTransport ar = UdpTransport.openWithPriorityLane(LOOPBACK, r, TransportOptions.defaults());
        open.add(ar);
        assertTrue(ar.hasPriorityLane(), ar.toString());
        DatagramChannel mn = rawSocket();
        ar.steerCtarsFor(List.of(java.net.InetAddress.getByName("192.0.2.10")));
        mn.send(ByteBuffer.wrap(ctar("192.0.2.10", 1, false)), ar.localAddress());
        assertEquals("192.0.2.10 priority nice+0", r.seen.poll(5, TimeUnit.SECONDS));
        mn.send(ByteBuffer.wrap(ctar("192.0.2.11", 1, false)), ar.localAddress());
        String nicer = " nice+" + (Math.min(19, BASE_NICE + 10) - BASE_NICE);
        assertEquals("192.0.2.11 receive" + nicer, r.seen.poll(5, TimeUnit.SECONDS), "the shared queue's reader yields the CPU");
        ar.steerCtarsFor(List.of());
        mn.send(ByteBuffer.wrap(ctar("192.0.2.10", 2, false)), ar.localAddress());
        assertEquals("192.0.2.10 receive" + nicer, r.seen.poll(5, TimeUnit.SECONDS), "released: the selector was replaced");
    }

    @Test
    void aSecondTransportCannotJoinALanedPort() throws Exception {
        UdpTransport first = UdpTransport.openWithPriorityLane(LOOPBACK, new Recorder(), TransportOptions.defaults());
        open.add(first);
        java.net.BindException e = assertThrows(java.net.BindException.class,
                () -> UdpTransport.openWithPriorityLane(first.localAddress(), new Recorder(), TransportOptions.defaults()));
        assertTrue(e.getMessage().startsWith("cannot bind UDP 127.0.0.1:" + first.localAddress().getPort()), e.getMessage());
        assertTrue(e.getMessage().contains("Address already in use"), e.getMessage());
    }

    @Test
    void theSourceFilterDropsStrangersInTheKernelAndKeepsThePeer() throws Exception {
        Recorder r = new Recorder();
        UdpTransport ar = transport(r, TransportOptions.defaults());
        DatagramChannel peer = rawSocket();
        DatagramChannel stranger = rawSocket();
        ar.admitOnlyFrom(List.of((InetSocketAddress) peer.getLocalAddress()));
        long drops = ar.kernelDrops();
        stranger.send(ByteBuffer.wrap(ctar("192.0.2.20", 1, false)), ar.localAddress());
        peer.send(ByteBuffer.wrap(ctar("192.0.2.21", 1, false)), ar.localAddress());
        Delivery d = r.deliveries.poll(5, TimeUnit.SECONDS);
        assertEquals("192.0.2.21", d.message().previousAddress().getHostAddress());
        assertNull(r.deliveries.poll(300, TimeUnit.MILLISECONDS), "the stranger's CTAR never reached the agent");
        assertEquals(drops + 1, ar.kernelDrops());
    }
}
