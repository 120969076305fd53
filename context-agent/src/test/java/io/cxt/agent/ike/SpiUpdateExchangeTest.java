package io.cxt.agent.ike;

import static io.cxt.agent.ike.IkeAgentFixtures.AR_ESP_IN;
import static io.cxt.agent.ike.IkeAgentFixtures.CBC;
import static io.cxt.agent.ike.IkeAgentFixtures.GCM;
import static io.cxt.agent.ike.IkeAgentFixtures.MN_ESP_IN;
import static io.cxt.agent.ike.IkeAgentFixtures.NAR;
import static io.cxt.agent.ike.IkeAgentFixtures.NCOA;
import static io.cxt.agent.ike.IkeAgentFixtures.PAR;
import static io.cxt.agent.ike.IkeAgentFixtures.PCOA;
import static io.cxt.agent.ike.IkeAgentFixtures.SPI_I;
import static io.cxt.agent.ike.IkeAgentFixtures.SPI_R;
import static io.cxt.agent.ike.IkeAgentFixtures.await;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

import io.cxt.agent.ActivationListener.Activation;
import io.cxt.agent.ike.IkeAgentFixtures.Applied;
import io.cxt.agent.ike.IkeAgentFixtures.Events;
import io.cxt.agent.ike.IkeAgentFixtures.RecordingApplier;
import io.cxt.agent.ike.SpiUpdateInitiator.Outcome;
import io.cxt.context.IkeContextSlot;
import io.cxt.context.SpiMapping;
import io.cxt.ike.ChildSa;
import io.cxt.ike.IkeAlgorithms;
import io.cxt.ike.IkeSaContext;
import io.cxt.ike.InformationalContent;
import io.cxt.ike.InformationalExchange;
import io.cxt.ike.ProtocolId;
import io.cxt.ike.SpiOwner;
import io.cxt.ike.UpdateSpiNotify;
import io.cxt.testing.NetnsExtension;
import io.cxt.testing.TestNamespace;

/**
 * The nAR's UPDATE_SA_ADDRESSES + UPDATE_SPI request and the MN's answer, over UDP between two
 * network namespaces, with the transferred IKE SA carried in an IkeContextSlot as the pAR encodes it.
 */
@ExtendWith(NetnsExtension.class)
class SpiUpdateExchangeTest {
    static final long NEW_AR_ESP_IN = 0xc0000777L;
    static final long NEW_SPI_R = 0x0123456789abcdefL;
    /** The pAR's SA had sent 5 requests and received 3; the MN's copy agrees. */
    static final long AR_NEXT_SEND = 5;
    static final long MN_NEXT_SEND = 3;

    private final List<AutoCloseable> open = new ArrayList<>();

    @AfterEach
    void closeAll() throws Exception {
        for (int i = open.size() - 1; i >= 0; i--) {
            open.get(i).close();
        }
    }

    <T extends AutoCloseable> T keep(T c) {
        open.add(c);
        return c;
    }

    static SpiUpdateInitiator.Options fast(int port, int rounds, Duration timer, List<String> hook) {
        return new SpiUpdateInitiator.Options(port, rounds, timer, Duration.ofMillis(100), hook);
    }

    /** The slot as the pAR put it into the context blocks (its copy of the IKE SA). */
    static IkeContextSlot transferred(IkeAlgorithms alg, long nextSend) {
        return IkeContextSlots.of(IkeAgentFixtures.accessRouter(alg, nextSend, MN_NEXT_SEND));
    }

    /** The nAR replaced its inbound ESP SPI and the IKE SA's responder SPI (both collided). */
    static Activation activation(IkeContextSlot slot) {
        List<SpiMapping> changes = List.of(
                SpiMapping.ipsec(50, NAR, (int) AR_ESP_IN, (int) NEW_AR_ESP_IN, true),
                new SpiMapping(1, null, SPI_R, NEW_SPI_R, true, true));
        return new Activation(null, null, changes, PCOA, NCOA, PAR, NAR, slot);
    }

    final class Pair {
        final Events narEvents = new Events();
        final Events mnEvents = new Events();
        final IkeSaStore narStore = new IkeSaStore(narEvents);
        final IkeSaStore mnStore = new IkeSaStore(mnEvents);
        final RecordingApplier applier = new RecordingApplier();
        SpiChangeApplier mnApplier = applier;
        IkeUdpEndpoint narEndpoint;
        IkeUdpEndpoint mnEndpoint;
        SpiUpdateResponder responder;
        SpiUpdateInitiator initiator;

        Pair(TestNamespace mn, TestNamespace nar, IkeAlgorithms alg, int port, SpiUpdateInitiator.Options options,
                SpiChangeApplier mnApplierOverride, boolean mnAnswers, SpiUpdateInitiator.SpiReallocator reallocator)
                throws Exception {
            IkeAgentFixtures.link(mn, nar);
            if (mnApplierOverride != null) {
                mnApplier = mnApplierOverride;
            }
            mnStore.put(IkeAgentFixtures.mobileNode(alg, MN_NEXT_SEND, AR_NEXT_SEND), "2001:db8:100::10");
            responder = new SpiUpdateResponder(mnStore, mnApplier, mnEvents, new SecureRandom());
            mnEndpoint = keep(IkeUdpEndpoint.open(port, mn.netns(), mnAnswers ? responder::received : null));
            narEndpoint = keep(IkeUdpEndpoint.open(port, nar.netns(), null));
            initiator = keep(new SpiUpdateInitiator(narStore, narEndpoint, narEvents, options, reallocator));
            narEndpoint.setHandler(IkeUdpEndpoint.byDirection(null, initiator::received));
        }
    }

    @Test
    void narTellsTheMnItsNewSpisAndBothEndsApplyThem(TestNamespace mn, TestNamespace nar) throws Exception {
        Pair p = new Pair(mn, nar, CBC, 500, fast(500, 3, Duration.ofSeconds(5), List.of()), null, true, null);
        Outcome o = p.initiator.start(activation(transferred(CBC, AR_NEXT_SEND))).get(10, TimeUnit.SECONDS);
        assertEquals(Outcome.ACKNOWLEDGED, o);

        assertEquals(1, p.applier.calls.size());
        Applied a = p.applier.calls.get(0);
        assertEquals(NAR, a.newPeer(), "the MN learns the nAR from the request's source address");
        assertEquals(List.of(new UpdateSpiNotify(ProtocolId.ESP, AR_ESP_IN, NEW_AR_ESP_IN, SpiOwner.RESPONDER),
                new UpdateSpiNotify(ProtocolId.IKE, SPI_R, NEW_SPI_R, SpiOwner.RESPONDER)), a.changes());

        // MN: message ID consumed, the router's ESP SPI (its outbound) and the IKE SPIr replaced.
        IkeSaContext mnSa = p.mnStore.get(SPI_I).orElseThrow();
        assertEquals(AR_NEXT_SEND + 1, mnSa.messageIds().nextRequestExpected());
        assertEquals(MN_NEXT_SEND, mnSa.messageIds().nextRequestToSend());
        assertEquals(List.of(new ChildSa(ProtocolId.ESP, MN_ESP_IN, NEW_AR_ESP_IN)), mnSa.childSas());
        assertEquals(NEW_SPI_R, mnSa.responderSpi());
        // nAR: the transferred SA continues from the pAR's message ID, with the same changes.
        IkeSaContext narSa = p.narStore.get(SPI_I).orElseThrow();
        assertEquals(AR_NEXT_SEND + 1, narSa.messageIds().nextRequestToSend());
        assertEquals(List.of(new ChildSa(ProtocolId.ESP, NEW_AR_ESP_IN, MN_ESP_IN)), narSa.childSas());
        assertEquals(NEW_SPI_R, narSa.responderSpi());

        assertEquals(1, p.narEvents.of("spi-update-sent").size());
        assertTrue(p.narEvents.of("spi-update-sent").get(0).detail().contains("message 5"));
        assertEquals(1, p.narEvents.of("spi-update-acknowledged").size());
        assertTrue(p.narEvents.of("spi-update-acknowledged").get(0).detail().contains("0xc0000777"));
        assertEquals(1, p.mnEvents.of("spi-update-applied").size());
        assertEquals(0, p.responder.rejectedCount());

        // The next exchange on the updated SA (new SPIr) works too: message 6.
        IkeSaContext narNow = p.narStore.get(SPI_I).orElseThrow();
        var req = InformationalExchange.buildRequest(narNow, InformationalContent.empty(), new SecureRandom());
        assertEquals(6, req.messageId());
        assertTrue(p.responder.handle(new InetSocketAddress(NAR, 500), req.message()).isPresent());
    }

    @Test
    void messageIdsContinueFromTheTransferredSaAndAStaleCopyIsRefused(TestNamespace mn, TestNamespace nar)
            throws Exception {
        // The nAR got a copy from before the pAR's last request (next ID 4, the MN expects 5).
        Pair p = new Pair(mn, nar, GCM, 500, fast(500, 3, Duration.ofMillis(1200), List.of()), null, true, null);
        Outcome o = p.initiator.start(activation(transferred(GCM, AR_NEXT_SEND - 1))).get(10, TimeUnit.SECONDS);
        assertEquals(Outcome.FULL_NEGOTIATION_REQUIRED, o);
        assertTrue(p.applier.calls.isEmpty());
        assertTrue(p.responder.counters().get("replayed-message-id") >= 1, p.responder.counters().toString());
        assertEquals(AR_NEXT_SEND, p.mnStore.get(SPI_I).orElseThrow().messageIds().nextRequestExpected());
        assertEquals(AR_ESP_IN, p.mnStore.get(SPI_I).orElseThrow().childSas().get(0).outboundSpi());
    }

    @Test
    void algorithm1FallsBackWhenTheMnNeverAnswers(TestNamespace mn, TestNamespace nar, @TempDir Path tmp)
            throws Exception {
        Path marker = tmp.resolve("full-ike");
        List<String> hook = List.of("sh", "-c", "echo \"$0\" > " + marker, "%mn%");
        Pair p = new Pair(mn, nar, CBC, 500, fast(500, 3, Duration.ofMillis(1300), hook), null, false, null);
        List<byte[]> seen = new CopyOnWriteArrayList<>();
        p.mnEndpoint.setHandler((from, msg, via) -> seen.add(msg));
        long t0 = System.nanoTime();
        Outcome o = p.initiator.start(activation(transferred(CBC, AR_NEXT_SEND))).get(10, TimeUnit.SECONDS);
        long ms = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - t0);
        assertEquals(Outcome.FULL_NEGOTIATION_REQUIRED, o);
        assertTrue(ms >= 1200 && ms < 5000, "gave up after the timer: " + ms + " ms");
        // 100, 200, 400, 800 ms waits: sends at 0, 100, 300, 700 ms (the next would be at 1500).
        assertEquals(4, seen.size(), "retransmissions");
        for (byte[] b : seen) {
            assertArrayEquals(seen.get(0), b, "a retransmission repeats the same bytes");
        }
        assertEquals(1, p.narEvents.of("ike-full-negotiation-required").size());
        assertEquals("2001:db8:b::10", Files.readString(marker).trim(), "hook ran with %mn% replaced");
        // The old SAs stay: the nAR's SA keeps its SPIs; the message ID was used.
        IkeSaContext narSa = p.narStore.get(SPI_I).orElseThrow();
        assertEquals(SPI_R, narSa.responderSpi());
        assertEquals(AR_ESP_IN, narSa.childSas().get(0).inboundSpi());
        assertEquals(AR_NEXT_SEND + 1, narSa.messageIds().nextRequestToSend());
    }

    @Test
    void algorithm1GivesUpWhenTheCollisionPersistsMaxRoundTrips(TestNamespace mn, TestNamespace nar, @TempDir Path tmp)
            throws Exception {
        Path marker = tmp.resolve("full-ike");
        List<String> hook = List.of("sh", "-c", "echo \"$0\" >> " + marker, "%mn%");
        List<List<UpdateSpiNotify>> asked = new CopyOnWriteArrayList<>();
        SpiChangeApplier alwaysTaken = (sa, peer, changes) -> {
            asked.add(changes);
            throw new SpiChangeApplier.SpiCollisionException(changes.subList(0, 1));
        };
        Pair p = new Pair(mn, nar, CBC, 500, fast(500, 3, Duration.ofSeconds(8), hook), alwaysTaken, true, null);
        Outcome o = p.initiator.start(activation(transferred(CBC, AR_NEXT_SEND))).get(15, TimeUnit.SECONDS);
        assertEquals(Outcome.FULL_NEGOTIATION_REQUIRED, o);
        assertEquals(3, asked.size(), "MAX_ROUND_TRIPS requests were answered with a collision");
        assertEquals(3, p.narEvents.of("spi-update-sent").size());
        assertTrue(p.narEvents.of("spi-update-sent").get(2).detail().contains("message 7"));
        assertEquals(3, p.mnEvents.of("spi-update-refused").size());
        assertEquals(1, p.narEvents.of("ike-full-negotiation-required").size());
        assertTrue(p.narEvents.of("ike-full-negotiation-required").get(0).detail().contains("3 round trips"));
        assertEquals(List.of("2001:db8:b::10"), Files.readAllLines(marker));
        // Nothing applied anywhere, message IDs consumed in step on both ends.
        IkeSaContext mnSa = p.mnStore.get(SPI_I).orElseThrow();
        assertEquals(AR_NEXT_SEND + 3, mnSa.messageIds().nextRequestExpected());
        assertEquals(AR_ESP_IN, mnSa.childSas().get(0).outboundSpi());
        assertEquals(SPI_R, mnSa.responderSpi());
        IkeSaContext narSa = p.narStore.get(SPI_I).orElseThrow();
        assertEquals(AR_NEXT_SEND + 3, narSa.messageIds().nextRequestToSend());
        assertEquals(AR_ESP_IN, narSa.childSas().get(0).inboundSpi());
    }

    @Test
    void aReallocatedSpiEndsTheCollisionInTheNextRoundTrip(TestNamespace mn, TestNamespace nar) throws Exception {
        long taken = NEW_AR_ESP_IN;
        long other = 0xc0000888L;
        RecordingApplier recorder = new RecordingApplier();
        SpiChangeApplier mnSide = (sa, peer, changes) -> {
            for (UpdateSpiNotify u : changes) {
                if (u.newSpi() == taken) {
                    throw new SpiChangeApplier.SpiCollisionException(List.of(u));
                }
            }
            recorder.apply(sa, peer, changes);
        };
        SpiUpdateInitiator.SpiReallocator realloc = (act, sa, refused) -> refused.stream()
                .map(u -> new UpdateSpiNotify(u.protocol(), u.oldSpi(), other, u.owner())).toList();
        Pair p = new Pair(mn, nar, GCM, 500, fast(500, 3, Duration.ofSeconds(5), List.of()), mnSide, true, realloc);
        assertEquals(Outcome.ACKNOWLEDGED,
                p.initiator.start(activation(transferred(GCM, AR_NEXT_SEND))).get(10, TimeUnit.SECONDS));
        assertEquals(1, recorder.calls.size());
        assertTrue(recorder.calls.get(0).changes().contains(
                new UpdateSpiNotify(ProtocolId.ESP, AR_ESP_IN, other, SpiOwner.RESPONDER)));
        assertEquals(other, p.mnStore.get(SPI_I).orElseThrow().childSas().get(0).outboundSpi());
        assertEquals(other, p.narStore.get(SPI_I).orElseThrow().childSas().get(0).inboundSpi());
        assertEquals(AR_NEXT_SEND + 2, p.narStore.get(SPI_I).orElseThrow().messageIds().nextRequestToSend());
    }

    @Test
    void port4500CarriesTheNonEspMarker(TestNamespace mn, TestNamespace nar) throws Exception {
        Pair p = new Pair(mn, nar, CBC, 4500, fast(4500, 3, Duration.ofSeconds(5), List.of()), null, true, null);
        assertTrue(p.mnEndpoint.nonEspMarker());
        assertEquals(Outcome.ACKNOWLEDGED,
                p.initiator.start(activation(transferred(CBC, AR_NEXT_SEND))).get(10, TimeUnit.SECONDS));
        assertEquals(1, p.applier.calls.size());
        assertEquals(1, p.mnEndpoint.receivedCount());
        assertEquals(0, p.mnEndpoint.droppedCount());
        // An ESP-in-UDP packet (non-zero SPI first) and a NAT keepalive are not IKE: dropped, counted.
        try (IkeUdpEndpoint raw = IkeUdpEndpoint.open(new InetSocketAddress(0), nar.netns(), false, null)) {
            byte[] esp = new byte[64];
            esp[3] = 7;
            raw.send(new InetSocketAddress(NCOA, 4500), esp);
            raw.send(new InetSocketAddress(NCOA, 4500), new byte[] {(byte) 0xff});
            await("dropped datagrams", Duration.ofSeconds(3), () -> p.mnEndpoint.droppedCount() == 2);
        }
        assertEquals(1, p.mnEndpoint.receivedCount());
        assertEquals(1, p.applier.calls.size());
    }

    @Test
    void activationNeverBlocksTheCaller(TestNamespace mn, TestNamespace nar) throws Exception {
        Pair p = new Pair(mn, nar, CBC, 500, fast(500, 3, Duration.ofMillis(800), List.of()), null, false, null);
        long t0 = System.nanoTime();
        p.initiator.activated(activation(transferred(CBC, AR_NEXT_SEND)));
        long ms = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - t0);
        assertTrue(ms < 100, "activated() returned after " + ms + " ms");
        await("the give-up", Duration.ofSeconds(5), () -> !p.narEvents.of("ike-full-negotiation-required").isEmpty());
        assertTrue(TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - t0) >= 800);
    }

    @Test
    void nothingToSayMeansNoExchange(TestNamespace mn, TestNamespace nar) throws Exception {
        Pair p = new Pair(mn, nar, CBC, 500, fast(500, 3, Duration.ofSeconds(2), List.of()), null, true, null);
        Activation same = new Activation(null, null, List.of(), NCOA, NCOA, NAR, NAR, transferred(CBC, AR_NEXT_SEND));
        assertEquals(Outcome.NOTHING_TO_DO, p.initiator.start(same).get(5, TimeUnit.SECONDS));
        // No IKE context travelled and the store has none for this MN.
        Activation noIke = new Activation(null, null, List.of(), PCOA, IkeAgentFixtures.ip("2001:db8:b::99"), PAR, NAR,
                null);
        assertEquals(Outcome.NOTHING_TO_DO, p.initiator.start(noIke).get(5, TimeUnit.SECONDS));
        assertTrue(p.narEvents.of("spi-update-sent").isEmpty());
        assertFalse(p.applier.calls.size() > 0);
    }
}
