package io.cxt.agent.ike;

import static io.cxt.agent.ike.IkeAgentFixtures.AR_ESP_IN;
import static io.cxt.agent.ike.IkeAgentFixtures.CBC;
import static io.cxt.agent.ike.IkeAgentFixtures.GCM;
import static io.cxt.agent.ike.IkeAgentFixtures.NCOA;
import static io.cxt.agent.ike.IkeAgentFixtures.SPI_I;
import static io.cxt.agent.ike.IkeAgentFixtures.await;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.InetSocketAddress;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import io.cxt.agent.ike.IkeAgentFixtures.Events;
import io.cxt.agent.ike.IkeAgentFixtures.RecordingApplier;
import io.cxt.ike.IkeAlgorithms;
import io.cxt.ike.IkeSaContext;
import io.cxt.ike.InformationalContent;
import io.cxt.ike.InformationalExchange;
import io.cxt.ike.InformationalExchange.OutgoingRequest;
import io.cxt.ike.ProtocolId;
import io.cxt.ike.SpiOwner;
import io.cxt.ike.UpdateSpiNotify;
import io.cxt.ike.UpdateSpiRefusal;
import io.cxt.testing.NetnsExtension;
import io.cxt.testing.TestNamespace;

/** The MN's responder against tampered, replayed, retransmitted and foreign requests, over UDP. */
@ExtendWith(NetnsExtension.class)
class SpiUpdateResponderTest {
    static final UpdateSpiNotify ESP_CHANGE = new UpdateSpiNotify(ProtocolId.ESP, AR_ESP_IN, 0xc0000777L, SpiOwner.RESPONDER);

    Events events;
    IkeSaStore store;
    RecordingApplier applier;
    SpiUpdateResponder responder;
    IkeUdpEndpoint mnEndpoint;
    IkeUdpEndpoint narEndpoint;
    final List<byte[]> responses = new CopyOnWriteArrayList<>();

    @BeforeEach
    void setUp(TestNamespace mn, TestNamespace nar) throws Exception {
        IkeAgentFixtures.link(mn, nar);
        events = new Events();
        store = new IkeSaStore(events);
        applier = new RecordingApplier();
        responder = new SpiUpdateResponder(store, applier, events, new SecureRandom());
        mnEndpoint = IkeUdpEndpoint.open(500, mn.netns(), responder::received);
        narEndpoint = IkeUdpEndpoint.open(500, nar.netns(), (from, msg, via) -> responses.add(msg));
    }

    @AfterEach
    void tearDown() throws Exception {
        narEndpoint.close();
        mnEndpoint.close();
    }

    void setUp(IkeAlgorithms alg) {
        store.put(IkeAgentFixtures.mobileNode(alg, 3, 5), "2001:db8:100::10");
    }

    static OutgoingRequest request(IkeAlgorithms alg, long messageId, List<UpdateSpiNotify> changes) {
        IkeSaContext ar = IkeAgentFixtures.accessRouter(alg, messageId, 3);
        return InformationalExchange.buildRequest(ar, InformationalContent.addressAndSpiUpdate(changes), new SecureRandom());
    }

    void send(byte[] message) throws Exception {
        narEndpoint.send(new InetSocketAddress(NCOA, 500), message);
    }

    /** Sends, then sends a valid probe with the next ID and waits for its answer: the first was processed by then. */
    void sendAndSettle(byte[] message, int expectedResponses) throws Exception {
        send(message);
        await(expectedResponses + " responses", Duration.ofSeconds(3), () -> responses.size() >= expectedResponses
                && mnEndpoint.receivedCount() >= 1);
        Thread.sleep(100);
    }

    IkeSaContext mnSa() {
        return store.get(SPI_I).orElseThrow();
    }

    @Test
    void aTamperedRequestIsDroppedAndNothingApplied() throws Exception {
        setUp(CBC);
        byte[] bad = request(CBC, 5, List.of(ESP_CHANGE)).message();
        bad[bad.length - 20] ^= 0x01; // inside the ciphertext / ICV
        send(bad);
        await("the drop", Duration.ofSeconds(3), () -> responder.rejectedCount() == 1);
        assertEquals(1L, responder.counters().get("integrity-check-failed"));
        assertTrue(applier.calls.isEmpty());
        assertEquals(5, mnSa().messageIds().nextRequestExpected(), "a forged request consumes no message ID");
        assertEquals(AR_ESP_IN, mnSa().childSas().get(0).outboundSpi());
        assertEquals(1, events.of("ike-rejected").size());
        Thread.sleep(200);
        assertTrue(responses.isEmpty(), "no answer to a forgery");

        // The genuine request with that ID is still accepted afterwards.
        sendAndSettle(request(CBC, 5, List.of(ESP_CHANGE)).message(), 1);
        assertEquals(1, applier.calls.size());
        assertEquals(0xc0000777L, mnSa().childSas().get(0).outboundSpi());
    }

    @Test
    void aRetransmissionGetsTheCachedResponseAndAReplayIsDropped() throws Exception {
        setUp(GCM);
        byte[] req = request(GCM, 5, List.of(ESP_CHANGE)).message();
        sendAndSettle(req, 1);
        assertEquals(1, applier.calls.size());
        assertEquals(6, mnSa().messageIds().nextRequestExpected());

        send(req); // the nAR did not get our answer and retransmits
        await("second answer", Duration.ofSeconds(3), () -> responses.size() == 2);
        assertArrayEquals(responses.get(0), responses.get(1), "the cached response, byte for byte");
        assertEquals(1, applier.calls.size(), "a retransmission is not applied twice");
        assertEquals(1L, responder.counters().get("retransmissions-answered"));

        // A different message with an old ID (replayed from earlier, or forged) is dropped.
        send(request(GCM, 4, List.of(ESP_CHANGE)).message());
        byte[] sameIdOtherBytes = request(GCM, 5, List.of(ESP_CHANGE)).message(); // fresh IV: other bytes
        send(sameIdOtherBytes);
        await("replay drops", Duration.ofSeconds(3), () -> responder.rejectedCount() == 2);
        assertEquals(2L, responder.counters().get("replayed-message-id"));
        assertEquals(1, applier.calls.size());
        assertEquals(2, responses.size());
        assertEquals(6, mnSa().messageIds().nextRequestExpected());

        // An ID beyond the window of one is dropped too.
        send(request(GCM, 7, List.of(ESP_CHANGE)).message());
        await("unexpected id", Duration.ofSeconds(3), () -> responder.counters().get("unexpected-message-id") == 1);
        assertEquals(1, applier.calls.size());
    }

    @Test
    void aRequestForAnUnknownIkeSaIsDropped() throws Exception {
        setUp(CBC);
        IkeSaContext foreign = new IkeSaContext(0x0badcafe0badcafeL, 0x77L, false, CBC,
                IkeAgentFixtures.accessRouter(CBC, 5, 3).keys(), java.util.Optional.empty(),
                new io.cxt.ike.IkeMessageIds(5, 3), IkeAgentFixtures.accessRouter(CBC, 5, 3).lifetime(),
                IkeAgentFixtures.accessRouter(CBC, 5, 3).peer(), List.of());
        send(InformationalExchange.buildRequest(foreign, InformationalContent.addressAndSpiUpdate(List.of(ESP_CHANGE)),
                new SecureRandom()).message());
        await("unknown SA drop", Duration.ofSeconds(3), () -> responder.rejectedCount() == 1);
        assertEquals(1L, responder.counters().get("unknown-ike-sa"));
        assertTrue(applier.calls.isEmpty());
        assertEquals(5, mnSa().messageIds().nextRequestExpected());
        Thread.sleep(100);
        assertTrue(responses.isEmpty());
    }

    @Test
    void anUpdateNamingAnSaTheIkeSaDoesNotGovernIsRefusedAsAWhole() throws Exception {
        setUp(CBC);
        UpdateSpiNotify unknown = new UpdateSpiNotify(ProtocolId.ESP, 0xdead0001L, 0xdead0002L, SpiOwner.RESPONDER);
        IkeSaContext ar = IkeAgentFixtures.accessRouter(CBC, 5, 3);
        OutgoingRequest req = InformationalExchange.buildRequest(ar,
                InformationalContent.addressAndSpiUpdate(List.of(ESP_CHANGE, unknown)), new SecureRandom());
        sendAndSettle(req.message(), 1);
        assertTrue(applier.calls.isEmpty(), "all or nothing: the valid change is not applied either");
        assertEquals(AR_ESP_IN, mnSa().childSas().get(0).outboundSpi());
        assertEquals(6, mnSa().messageIds().nextRequestExpected(), "the request was processed");
        var answer = InformationalExchange.acceptResponse(ar, 5, responses.get(0));
        List<UpdateSpiRefusal> refusals = UpdateSpiRefusal.in(answer.content());
        assertEquals(List.of(UpdateSpiRefusal.of(unknown, UpdateSpiRefusal.Reason.UNKNOWN_SA)), refusals);
        assertEquals(1, events.of("spi-update-refused").size());
    }

    @Test
    void refusalNotifyLayout() {
        var n = UpdateSpiRefusal.of(ESP_CHANGE, UpdateSpiRefusal.Reason.COLLISION).toNotify();
        assertEquals(3, n.protocolId());
        assertEquals(0x2B00, n.notifyType());
        assertArrayEquals(new byte[] {(byte) 0xc0, 0, 0x07, 0x77}, n.spi());
        assertArrayEquals(new byte[] {0, 0, 0, 1}, n.data());
        var whole = UpdateSpiRefusal.whole(UpdateSpiRefusal.Reason.APPLY_FAILED).toNotify();
        assertEquals(0, whole.protocolId());
        assertEquals(0, whole.spi().length);
        assertArrayEquals(new byte[] {0, 0, 0, 3}, whole.data());
    }
}
