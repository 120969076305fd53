package io.cxt.agent.ha;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.InputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.DatagramChannel;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import io.cxt.agent.EventSink;
import io.cxt.agent.view.IkeSaView;
import io.cxt.context.IkeContextSlot;
import io.cxt.context.MobileNodeIdentity;
import io.cxt.ha.HaAttributeType;
import io.cxt.ha.HaMessage;
import io.cxt.ha.HaMessageCodec;
import io.cxt.ha.HaMessageType;
import io.cxt.ha.HaSaBundle;
import io.cxt.ha.HaValue;

/**
 * The relay on loopback with a stand-in for charon's HA socket (a UDP socket on charon's address and port)
 * that plays back the datagrams charon 5.9.8 sent in the lab (src/test/resources/ha-vectors).
 */
class HaRelayTest {
    private static final InetAddress MN = addr("2001:db8:1::10");
    private static final InetAddress MN_HOME = addr("2001:db8:100::10");
    private static final InetAddress NAR = addr("2001:db8:2::1");

    private DatagramChannel charon;
    private HaRelay relay;
    private InetSocketAddress relayAddress;

    static InetAddress addr(String s) {
        try {
            return InetAddress.getByName(s);
        } catch (IOException e) {
            throw new AssertionError(e);
        }
    }

    static List<String[]> vectors() throws IOException {
        try (InputStream in = HaRelayTest.class.getResourceAsStream("/ha-vectors/charon-5.9.8-ikev2-psk.txt")) {
            List<String[]> out = new ArrayList<>();
            for (String l : new String(in.readAllBytes(), StandardCharsets.US_ASCII).split("\n")) {
                if (!l.isBlank() && !l.startsWith("#")) {
                    out.add(l.trim().split(" "));
                }
            }
            return out;
        }
    }

    @BeforeEach
    void open() throws IOException {
        charon = DatagramChannel.open().bind(new InetSocketAddress("127.0.0.1", 0));
        charon.socket().setSoTimeout(2000);
        int port = ((InetSocketAddress) charon.getLocalAddress()).getPort();
        relay = HaRelay.open(new HaRelay.Endpoints(new InetSocketAddress("127.0.0.2", 0), new InetSocketAddress("127.0.0.1", port)),
                null, new HaSaStore(16, Clock.systemUTC()), new HaRejections(Duration.ofSeconds(10)));
        relayAddress = new InetSocketAddress("127.0.0.2", relay.localAddress().getPort());
    }

    @AfterEach
    void close() throws IOException {
        relay.close();
        charon.close();
    }

    private void fromCharon(byte[] d) throws IOException {
        charon.send(ByteBuffer.wrap(d), relayAddress);
    }

    private void playCapture() throws Exception {
        for (String[] v : vectors()) {
            if (v[0].equals("rx")) {
                fromCharon(HexFormat.of().parseHex(v[2]));
            }
        }
        awaitReceived(6);
    }

    private void awaitReceived(long n) throws InterruptedException {
        for (int i = 0; i < 500 && relay.handled() < n; i++) {
            Thread.sleep(10);
        }
        assertEquals(n, relay.handled());
    }

    private HaMessage toCharon() throws Exception {
        ByteBuffer b = ByteBuffer.allocate(4096);
        charon.configureBlocking(true);
        long end = System.nanoTime() + 2_000_000_000L;
        charon.configureBlocking(false);
        while (charon.receive(b) == null) {
            if (System.nanoTime() > end) {
                throw new AssertionError("nothing sent to charon");
            }
            Thread.sleep(5);
        }
        b.flip();
        byte[] d = new byte[b.remaining()];
        b.get(d);
        return HaMessageCodec.decode(d);
    }

    @Test
    void recordsTheSaCharonSyncedKeyedByTheMobileNode() throws Exception {
        playCapture();
        HaSaStore store = relay.store();
        assertEquals(1, store.size());
        HaIkeSaState s = store.findByMobileNode(MN).orElseThrow();
        assertEquals(s, store.findByMobileNode(addr("192.0.2.1"), MN_HOME).orElseThrow(), "found by the MN's inner address too");
        assertEquals(0x734f0f17b70c3cd1L, s.id().initiatorSpi());
        assertEquals(2, s.midResponder());
        assertEquals(1, s.children().size());
        assertTrue(s.complete());
        assertEquals(0, relay.rejections().total());
        IkeSaView v = HaHandover.view(s, new CharonHaControl(relay, 1));
        if (ByteOrder.nativeOrder() == ByteOrder.LITTLE_ENDIAN) {
            assertEquals(List.of("ESP in 0xccb97af4 out 0xc717b1e7"), v.childSas(), "the pAR kernel's SPIs");
        }
        assertEquals("mn@cxt.lab", v.peerIdentity());
        assertEquals("responder", v.role());
        assertEquals(0L, store.segments().activeMask(), "the capture ends with par's SEGMENT_DROP 1 (FIFO -1)");
    }

    @Test
    void keepsMessageIdsChildrenAndDeletesCurrent() throws Exception {
        playCapture();
        HaIkeSaState s = relay.store().list().get(0);
        HaValue.IkeSaId id = s.id();
        HaMessage mid = HaMessage.of(HaMessageType.IKE_MID_INITIATOR, new io.cxt.ha.HaAttribute(HaAttributeType.IKE_ID, id),
                io.cxt.ha.HaAttribute.number(HaAttributeType.MID, 5));
        HaMessage lower = HaMessage.of(HaMessageType.IKE_MID_INITIATOR, new io.cxt.ha.HaAttribute(HaAttributeType.IKE_ID, id),
                io.cxt.ha.HaAttribute.number(HaAttributeType.MID, 3));
        HaMessage childDelete = HaMessage.of(HaMessageType.CHILD_DELETE, new io.cxt.ha.HaAttribute(HaAttributeType.IKE_ID, id),
                io.cxt.ha.HaAttribute.number(HaAttributeType.INBOUND_SPI, s.childSpis().get(0)[0]));
        fromCharon(HaMessageCodec.encode(mid));
        fromCharon(HaMessageCodec.encode(lower));
        awaitReceived(8);
        assertEquals(5, relay.store().list().get(0).midInitiator());
        assertEquals(1, relay.rejections().count(HaRejections.Kind.OUT_OF_ORDER));
        fromCharon(HaMessageCodec.encode(childDelete));
        awaitReceived(9);
        assertEquals(0, relay.store().list().get(0).children().size());
        // the same CHILD_SA deleted again, as charon deletes one this relay never knew (after a resync's rekey):
        // the store has nothing to change, and nothing is refused
        long refused = relay.rejections().total();
        fromCharon(HaMessageCodec.encode(childDelete));
        awaitReceived(10);
        assertEquals(refused, relay.rejections().total());
        assertEquals(1, relay.store().size());
        fromCharon(HaMessageCodec.encode(HaMessage.of(HaMessageType.IKE_DELETE, new io.cxt.ha.HaAttribute(HaAttributeType.IKE_ID, id))));
        awaitReceived(11);
        assertEquals(0, relay.store().size());
    }

    @Test
    void refusesStrangersMalformedUnknownAndOtherVersionsWithoutChangingAnything() throws Exception {
        playCapture();
        HaIkeSaState before = relay.store().list().get(0);
        try (DatagramChannel stranger = DatagramChannel.open().bind(new InetSocketAddress("127.0.0.1", 0))) {
            byte[] add = HexFormat.of().parseHex(vectors().get(1)[2]);
            add[10] ^= 1; // another SA
            stranger.send(ByteBuffer.wrap(add), relayAddress);
        }
        fromCharon(new byte[] {5, 1, 36, 2});                    // strongSwan 6.0.2+
        fromCharon(new byte[] {3, 1, 1, 2});                     // truncated IKE_ID
        fromCharon(new byte[] {3, 99});                          // unknown type
        byte[] unknownSa = HexFormat.of().parseHex(vectors().get(2)[2]);
        unknownSa[5] ^= 1;
        fromCharon(unknownSa);                                   // MID for an SA never added
        awaitReceived(11);
        HaRejections r = relay.rejections();
        assertEquals(1, r.count(HaRejections.Kind.WRONG_PEER));
        assertEquals(1, r.count(HaRejections.Kind.VERSION));
        assertEquals(1, r.count(HaRejections.Kind.TRUNCATED));
        assertEquals(1, r.count(HaRejections.Kind.UNKNOWN_TYPE));
        assertEquals(1, r.count(HaRejections.Kind.UNKNOWN_SA), r.snapshot().toString());
        assertEquals(1, relay.store().size());
        assertEquals(before, relay.store().list().get(0));
    }

    @Test
    void logsAtMostOnceperKindAndInterval() {
        AtomicLong now = new AtomicLong();
        HaRejections r = new HaRejections(Duration.ofSeconds(10), now::get);
        int logged = 0;
        for (int i = 0; i < 10_000; i++) {
            logged += r.reject(HaRejections.Kind.TRUNCATED, "x") ? 1 : 0;
        }
        assertEquals(1, logged);
        assertTrue(r.reject(HaRejections.Kind.VERSION, "another kind logs on its own"));
        now.addAndGet(Duration.ofSeconds(11).toNanos());
        assertTrue(r.reject(HaRejections.Kind.TRUNCATED, "after the interval"));
        assertEquals(10_001, r.count(HaRejections.Kind.TRUNCATED));
    }

    @Test
    void nextRouterGetsTheSaRewrittenAsCharonAcceptedItThenActivationThenForget() throws Exception {
        playCapture();
        CharonHaControl control = new CharonHaControl(relay, 1);
        HaHandover pAR = new HaHandover(control, EventSink.NONE);
        IkeContextSlot slot = pAR.snapshot(new MobileNodeIdentity(MN_HOME, MN));
        assertNotNull(slot);
        assertTrue(HaSaBundle.isBundle(slot.encoded()));
        assertFalse(slot.toString().contains(HexFormat.of().formatHex(slot.encoded()).substring(40, 80)), "slot prints its bytes");
        HaIkeSaState transferred = HaHandover.transferred(slot).orElseThrow();
        assertEquals(relay.store().list().get(0), withTimes(transferred, relay.store().list().get(0)));

        // the nAR's side (same stand-in charon)
        relay.store().remove(transferred.id().initiatorSpi(), transferred.id().responderSpi());
        HaHandover nAR = new HaHandover(control, EventSink.NONE);
        assertTrue(nAR.held(MN, slot, NAR, null));
        List<HaMessage> got = new ArrayList<>();
        for (int i = 0; i < 4; i++) {
            got.add(toCharon());
        }
        assertEquals(List.of(HaMessageType.IKE_ADD, HaMessageType.IKE_MID_RESPONDER, HaMessageType.IKE_UPDATE, HaMessageType.CHILD_ADD),
                got.stream().map(HaMessage::type).toList());
        byte[] accepted = HexFormat.of().parseHex(vectors().stream().filter(v -> v[0].equals("nar-tx") && v[1].equals("IKE_UPDATE"))
                .findFirst().orElseThrow()[2]);
        assertArrayEquals(accepted, HaMessageCodec.encode(got.get(2)), "the IKE_UPDATE nar's charon accepted in the lab");
        assertEquals(1, relay.store().size(), "seeded: later syncs from this charon are recognised");

        assertTrue(nAR.activate(MN));
        assertEquals(HaMessageType.SEGMENT_TAKE, toCharon().type());
        assertEquals(HaMessageType.SEGMENT_DROP, toCharon().type());

        pAR.moved(new MobileNodeIdentity(MN_HOME, MN));
        HaMessage del = toCharon();
        assertEquals(HaMessageType.IKE_DELETE, del.type());
        assertEquals(transferred.id(), del.ikeSaId().orElseThrow());
        assertEquals(0, relay.store().size());
    }

    /**
     * The pAR sent the context again (its charon's SA changed after the PCTD): the nAR's charon gets only the
     * difference (message IDs, CHILD_DELETE for the CHILD_SA gone, CHILD_ADD for the new one), not the SA anew; an
     * unchanged context sends nothing.
     */
    @Test
    void aNewerContextOfTheHeldSaIsGivenToCharonAsTheDifference() throws Exception {
        playCapture();
        CharonHaControl control = new CharonHaControl(relay, 1);
        IkeContextSlot slot = new HaHandover(control, EventSink.NONE).snapshot(new MobileNodeIdentity(MN_HOME, MN));
        HaIkeSaState first = HaHandover.transferred(slot).orElseThrow();
        relay.store().remove(first.id().initiatorSpi(), first.id().responderSpi());
        List<String> events = new ArrayList<>();
        HaHandover nAR = new HaHandover(control, (k, mn, d) -> events.add(k));
        assertTrue(nAR.held(MN, slot, NAR, null));
        for (int i = 0; i < 4; i++) {
            toCharon();
        }

        assertTrue(nAR.held(MN, slot, NAR, null), "the same context again");
        assertEquals(List.of("ike-ha-held", "ike-ha-updated"), events);
        HaMessage oldChild = first.children().get(0);
        HaMessage newChild = oldChild.map(HaAttributeType.INBOUND_SPI, v -> new HaValue.Number(0x0badcafeL))
                .map(HaAttributeType.OUTBOUND_SPI, v -> new HaValue.Number(0x0dec0deL));
        HaIkeSaState newer = new HaIkeSaState(first.id(), first.add(), first.update(), first.laterUpdates(),
                first.midInitiator(), first.midResponder() + 2, List.of(newChild), first.since(), first.updatedAt());
        IkeContextSlot newerSlot = new IkeContextSlot(slot.spiInitiator(), slot.spiResponder(), HaSaBundle.encode(newer.replay()));
        assertTrue(nAR.held(MN, newerSlot, NAR, null));
        List<HaMessage> got = new ArrayList<>();
        for (int i = 0; i < 3; i++) {
            got.add(toCharon());
        }
        assertEquals(List.of(HaMessageType.IKE_MID_RESPONDER, HaMessageType.CHILD_DELETE, HaMessageType.CHILD_ADD),
                got.stream().map(HaMessage::type).toList(), got.toString());
        assertEquals(first.midResponder() + 2, got.get(0).number(HaAttributeType.MID).orElseThrow());
        assertEquals(oldChild.number(HaAttributeType.INBOUND_SPI), got.get(1).number(HaAttributeType.INBOUND_SPI));
        assertEquals(0x0badcafeL, got.get(2).number(HaAttributeType.INBOUND_SPI).orElseThrow());
        charon.configureBlocking(false);
        Thread.sleep(100);
        assertEquals(null, charon.receive(ByteBuffer.allocate(4096)), "nothing else: no IKE_ADD, no IKE_DELETE");
        HaIkeSaState held = relay.store().get(first.id().initiatorSpi(), first.id().responderSpi()).orElseThrow();
        assertEquals(1, held.children().size());
        assertEquals(first.midResponder() + 2, held.midResponder());
    }

    /** A newer context of the MN that carries no charon state (an imported IKE SA, none) replaces the held one. */
    @Test
    void aNewerContextWithoutCharonStateMakesCharonForgetTheHeldCopy() throws Exception {
        playCapture();
        CharonHaControl control = new CharonHaControl(relay, 1);
        IkeContextSlot slot = new HaHandover(control, EventSink.NONE).snapshot(new MobileNodeIdentity(MN_HOME, MN));
        HaIkeSaState first = HaHandover.transferred(slot).orElseThrow();
        relay.store().remove(first.id().initiatorSpi(), first.id().responderSpi());
        HaHandover nAR = new HaHandover(control, EventSink.NONE);
        assertTrue(nAR.held(MN, slot, NAR, null));
        for (int i = 0; i < 4; i++) {
            toCharon();
        }
        assertFalse(nAR.held(MN, (IkeContextSlot) null, NAR, null), "not charon's");
        HaMessage del = toCharon();
        assertEquals(HaMessageType.IKE_DELETE, del.type());
        assertEquals(first.id(), del.ikeSaId().orElseThrow());
        assertFalse(nAR.activate(MN), "nothing of charon's left to activate");
    }

    @Test
    void aSecondHeldSaWaitsForItsCtar() throws Exception {
        playCapture();
        CharonHaControl control = new CharonHaControl(relay, 1);
        IkeContextSlot slot = new HaHandover(control, EventSink.NONE).snapshot(new MobileNodeIdentity(MN_HOME, MN));
        List<String> events = new ArrayList<>();
        HaHandover nAR = new HaHandover(control, (k, mn, d) -> events.add(k + " " + mn));
        assertTrue(nAR.held(MN, slot, NAR, null));
        assertTrue(nAR.held(addr("2001:db8:1::99"), slot, NAR, null));
        assertEquals(List.of("ike-ha-held 2001:db8:1::10", "ike-ha-deferred 2001:db8:1::99"), events);
        nAR.activate(MN);
        assertEquals("ike-ha-held 2001:db8:1::99", events.get(3), events.toString());
    }

    /**
     * charon's last IKE response, as a packet tap at the pAR saw it leave, is kept for known SAs only, travels in the
     * IKE slot, and the nAR sends it to the MN's new address from charon's port at the activation, only when it
     * answers the last request the transferred state counts. On loopback: the "MN" is a UDP socket on ::1.
     */
    @Test
    void charonsLastResponseTravelsWithTheContextAndIsSentToTheMobileNodeAtTheActivation() throws Exception {
        playCapture();
        HaSaStore store = relay.store();
        HaIkeSaState sa = store.list().get(0);
        long spiI = sa.id().initiatorSpi(), spiR = sa.id().responderSpi();
        long last = sa.midResponder() - 1;
        try (DatagramChannel mnSocket = DatagramChannel.open().bind(new InetSocketAddress("::1", 0))) {
            int mnPort = ((InetSocketAddress) mnSocket.getLocalAddress()).getPort();
            byte[] ike = response(spiI, spiR, last);
            assertFalse(store.recordResponse(captured(spiI + 1, spiR, last, mnPort)), "another SA's response is not kept");
            assertFalse(store.recordResponse(captured(spiI, spiR, last, mnPort, addr("2001:db8:77::1"))),
                    "a packet this router forwards, with the SA's SPIs but not from its local address, is not charon's");
            assertTrue(store.recordResponse(captured(spiI, spiR, last, mnPort)));
            assertFalse(store.recordResponse(captured(spiI, spiR, last, mnPort)), "charon's repeat changes nothing");

            CharonHaControl control = new CharonHaControl(relay, 1);
            IkeContextSlot slot = new HaHandover(control, EventSink.NONE).snapshot(new MobileNodeIdentity(MN_HOME, MN));
            assertEquals(last, HaSaBundle.decodeResponse(slot.encoded(), spiI, spiR).orElseThrow().messageId());
            store.remove(spiI, spiR);
            assertTrue(store.lastResponse(spiI, spiR).isEmpty(), "forgotten with its SA");

            List<String> events = java.util.Collections.synchronizedList(new ArrayList<>());
            HaHandover nAR = new HaHandover(control, (k, mn, d) -> events.add(k + " " + d));
            InetAddress loop6 = addr("::1");
            assertTrue(nAR.held(MN, slot, loop6, loop6));
            for (int i = 0; i < 4; i++) {
                toCharon();
            }
            assertTrue(nAR.activate(MN));
            mnSocket.socket().setSoTimeout(5000);
            java.net.DatagramPacket dp = new java.net.DatagramPacket(new byte[2048], 2048);
            mnSocket.socket().receive(dp);
            byte[] withMarker = new byte[4 + ike.length];
            System.arraycopy(ike, 0, withMarker, 4, ike.length);
            assertArrayEquals(withMarker, Arrays.copyOf(dp.getData(), dp.getLength()), "the pAR's octets, marker included");
            assertEquals(4500, dp.getPort(), "from charon's port");
            // the event and the counter follow the send on the sequencer thread: the datagram may arrive first
            for (int i = 0; i < 500 && nAR.counters().get("charon-ha.answers-sent-again") < 1
                    || i < 500 && events.stream().noneMatch(e -> e.startsWith("ike-ha-answer")); i++) {
                Thread.sleep(10);
            }
            assertTrue(events.stream().anyMatch(e -> e.startsWith("ike-ha-answer") && e.contains("response " + last + ",")),
                    events.toString());
            assertEquals(1L, nAR.counters().get("charon-ha.answers-sent-again"));

            // a copy of an older exchange (the state counts a later request) is not sent
            store.remove(spiI, spiR);
            playCaptureAgain();
            assertTrue(store.recordResponse(captured(spiI, spiR, last - 1, mnPort)));
            IkeContextSlot older = new HaHandover(control, EventSink.NONE).snapshot(new MobileNodeIdentity(MN_HOME, MN));
            store.remove(spiI, spiR);
            HaHandover nAR2 = new HaHandover(control, EventSink.NONE);
            assertTrue(nAR2.held(MN, older, loop6, loop6));
            assertTrue(nAR2.activate(MN));
            mnSocket.socket().setSoTimeout(500);
            assertThrows(java.net.SocketTimeoutException.class, () -> mnSocket.socket().receive(dp), "nothing sent");
            nAR.close(); // closes the shared relay too: last
            nAR2.close();
        }
    }

    /** All kept responses together stay within the store's budget; a response over it is not kept, nor the older one. */
    @Test
    void keptResponsesStayWithinTheirBudget() throws Exception {
        HaSaStore store = new HaSaStore(16, Clock.systemUTC(), 100);
        for (String[] v : vectors()) {
            if (v[0].equals("rx")) {
                store.apply(HaMessageCodec.decode(HexFormat.of().parseHex(v[2])));
            }
        }
        HaIkeSaState sa = store.list().get(0);
        long spiI = sa.id().initiatorSpi(), spiR = sa.id().responderSpi();
        InetAddress local = sa.localAddress().orElseThrow();
        assertTrue(store.recordResponse(captured(spiI, spiR, 1, 4500, local)));
        assertEquals(72, store.responseOctets(), "marker and 68 octets of IKE");
        io.cxt.ha.IkeResponseCopy.Captured big = io.cxt.ha.IkeResponseCopy.parse(bigPacket(spiI, spiR, 2, local), 48 + 4 + 128)
                .orElseThrow();
        assertTrue(store.recordResponse(big), "the kept copy changed: it is gone");
        assertTrue(store.lastResponse(spiI, spiR).isEmpty(), "over the budget: not kept, and the older one no longer answers");
        assertEquals(0, store.responseOctets());
        assertTrue(store.recordResponse(captured(spiI, spiR, 3, 4500, local)));
        store.apply(HaMessage.of(HaMessageType.IKE_DELETE, new io.cxt.ha.HaAttribute(HaAttributeType.IKE_ID, sa.id())));
        assertEquals(0, store.responseOctets(), "forgotten with the SA");
    }

    private static byte[] bigPacket(long spiI, long spiR, long mid, InetAddress from) {
        ByteBuffer p = ByteBuffer.allocate(48 + 4 + 128);
        p.putInt(0x60000000).putShort((short) (12 + 128)).put((byte) 17).put((byte) 64).put(from.getAddress()).put(new byte[16]);
        p.putShort((short) 4500).putShort((short) 4500).putShort((short) (12 + 128)).putShort((short) 0);
        p.putInt(0).putLong(spiI).putLong(spiR).put((byte) 46).put((byte) 0x20).put((byte) 37).put((byte) 0x20).putInt((int) mid)
                .putInt(128);
        return p.array();
    }

    private void playCaptureAgain() throws Exception {
        long before = relay.handled();
        for (String[] v : vectors()) {
            if (v[0].equals("rx")) {
                fromCharon(HexFormat.of().parseHex(v[2]));
            }
        }
        awaitReceived(before + 6);
    }

    private static byte[] response(long spiI, long spiR, long mid) {
        ByteBuffer b = ByteBuffer.allocate(28 + 40);
        b.putLong(spiI).putLong(spiR).put((byte) 46).put((byte) 0x20).put((byte) 36).put((byte) 0x20).putInt((int) mid).putInt(68);
        return b.array();
    }

    /** The tap's view: an IPv6 packet from charon's port 4500 to the MN's port carrying the response. */
    private io.cxt.ha.IkeResponseCopy.Captured captured(long spiI, long spiR, long mid, int mnPort) {
        return captured(spiI, spiR, mid, mnPort, relay.store().list().get(0).localAddress().orElseThrow());
    }

    private static io.cxt.ha.IkeResponseCopy.Captured captured(long spiI, long spiR, long mid, int mnPort, InetAddress from) {
        byte[] ike = response(spiI, spiR, mid);
        ByteBuffer p = ByteBuffer.allocate(48 + 4 + ike.length);
        p.putInt(0x60000000).putShort((short) (12 + ike.length)).put((byte) 17).put((byte) 64).put(from.getAddress())
                .put(new byte[16]);
        p.putShort((short) 4500).putShort((short) mnPort).putShort((short) (12 + ike.length)).putShort((short) 0);
        p.putInt(0).put(ike);
        return io.cxt.ha.IkeResponseCopy.parse(p.array(), p.capacity()).orElseThrow();
    }

    private static HaIkeSaState withTimes(HaIkeSaState s, HaIkeSaState from) {
        return new HaIkeSaState(s.id(), s.add(), s.update(), s.laterUpdates(), s.midInitiator(), s.midResponder(), s.children(),
                from.since(), from.updatedAt());
    }

    @Test
    void bundleRefusesGarbage() {
        byte[] b = HaSaBundle.encode(List.of(HaMessage.of(HaMessageType.SEGMENT_DROP, io.cxt.ha.HaAttribute.number(HaAttributeType.SEGMENT, 1))));
        for (int n = 0; n < b.length; n++) {
            byte[] cut = Arrays.copyOf(b, n);
            try {
                HaSaBundle.decode(cut);
                throw new AssertionError("decoded a cut bundle of " + n);
            } catch (io.cxt.ha.HaDecodeException expected) {
                // refused
            }
        }
    }
}
