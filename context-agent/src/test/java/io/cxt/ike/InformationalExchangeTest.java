package io.cxt.ike;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import java.security.SecureRandom;
import java.util.List;

import org.junit.jupiter.api.Test;

import io.cxt.ike.IkeRejectedException.Reason;
import io.cxt.ike.InformationalExchange.AcceptedRequest;
import io.cxt.ike.InformationalExchange.AcceptedResponse;
import io.cxt.ike.InformationalExchange.OutgoingRequest;
import io.cxt.testing.Gen;
import io.cxt.testing.SeededTest;

class InformationalExchangeTest {
    private static final SecureRandom RANDOM = new SecureRandom();
    private static final long AR_NEW_ESP_IN = 0xc2000099L;
    private static final long AR_NEW_SPI_R = 0x0badc0ffee000001L;

    /** The paper's request from the nAR: new addresses, its colliding inbound ESP SPI and its IKE SPI replaced. */
    private static InformationalContent paperRequest() {
        return InformationalContent.addressAndSpiUpdate(List.of(
                new UpdateSpiNotify(ProtocolId.ESP, IkeFixtures.AR_ESP_IN, AR_NEW_ESP_IN, SpiOwner.RESPONDER),
                new UpdateSpiNotify(ProtocolId.IKE, IkeFixtures.SPI_R, AR_NEW_SPI_R, SpiOwner.RESPONDER)));
    }

    /** Content the exchange carries as it is: no payload that it interprets itself. */
    private static InformationalContent informationalContent(Gen g) {
        return new InformationalContent(g.bool(), g.list(0, 4, () -> IkeGen.updateSpi(g)), g.list(0, 3, () -> {
            while (true) {
                IkePayload p = switch (g.between(0, 3)) {
                    case 0 -> IkeGen.delete(g);
                    case 1 -> IkeGen.opaque(g);
                    case 2 -> IkeGen.notifyPayload(g);
                    default -> IkeGen.vendorId(g);
                };
                boolean ok = !(p instanceof OpaquePayload o && o.mustBeUnderstood())
                        && !(p instanceof NotifyPayload n && (n.notifyType() == NotifyType.UPDATE_SA_ADDRESSES
                                || n.notifyType() == NotifyType.UPDATE_SPI))
                        && !(p instanceof VendorIdPayload v && CxtExtension.isCxtVendorId(v));
                if (ok) {
                    return p;
                }
            }
        }));
    }

    @SeededTest(cases = 200)
    void contentSurvivesEncryptionInBothDirections(Gen g) throws IkeRejectedException  {
        IkeAlgorithms alg = g.of(IkeFixtures.SUITES);
        InformationalContent content = informationalContent(g);
        IkeSaContext mn = IkeFixtures.mobileNode(alg);
        IkeSaContext ar = IkeFixtures.accessRouter(alg);
        OutgoingRequest req = InformationalExchange.buildRequest(ar, content, RANDOM);
        AcceptedRequest got = InformationalExchange.acceptRequest(mn, req.message());
        assertEquals(content, got.content());
        byte[] resp = InformationalExchange.buildResponse(got.context(), got.messageId(), content, RANDOM);
        AcceptedResponse back = InformationalExchange.acceptResponse(req.context(), req.messageId(), resp);
        assertEquals(content, back.content());
    }

    @Test
    void responderInitiatedAddressAndSpiUpdateAsInThePaper() throws IkeRejectedException, IkeDecodeException {
        for (IkeAlgorithms alg : IkeFixtures.SUITES) {
            IkeSaContext mn = IkeFixtures.mobileNode(alg);
            IkeSaContext ar = IkeFixtures.accessRouter(alg);

            OutgoingRequest req = InformationalExchange.buildRequest(ar, paperRequest(), RANDOM);
            IkeHeader h = IkeHeader.decode(req.message());
            assertEquals(ExchangeType.INFORMATIONAL, h.exchangeType());
            assertFalse(h.initiator(), "sent by the original responder: I clear");
            assertFalse(h.response(), "a request: R clear");
            assertEquals(2, h.messageId());
            assertEquals(0x00, req.message()[19], "flags octet");
            assertEquals(3, req.context().messageIds().nextRequestToSend());

            AcceptedRequest got = InformationalExchange.acceptRequest(mn, req.message());
            assertTrue(got.content().updateSaAddresses());
            assertEquals(paperRequest().spiUpdates(), got.content().spiUpdates());
            assertEquals(3, got.context().messageIds().nextRequestExpected());
            assertEquals(2, got.context().messageIds().nextRequestToSend(), "the MN's own counter is untouched");

            byte[] resp = InformationalExchange.buildResponse(got.context(), got.messageId(),
                    InformationalContent.empty(), RANDOM);
            assertEquals(0x28, resp[19], "response from the original initiator: I and R set");
            AcceptedResponse ok = InformationalExchange.acceptResponse(req.context(), req.messageId(), resp);
            assertEquals(InformationalContent.empty(), ok.content());

            // Both ends now apply the update: the nAR changes its inbound SPI, the MN its outbound one.
            IkeSaContext mnAfter = got.context();
            IkeSaContext arAfter = req.context();
            for (UpdateSpiNotify u : got.content().spiUpdates()) {
                mnAfter = mnAfter.applySpiUpdate(u);
                arAfter = arAfter.applySpiUpdate(u);
            }
            assertEquals(new ChildSa(ProtocolId.ESP, AR_NEW_ESP_IN, IkeFixtures.MN_ESP_IN), arAfter.childSas().get(0));
            assertEquals(new ChildSa(ProtocolId.ESP, IkeFixtures.MN_ESP_IN, AR_NEW_ESP_IN), mnAfter.childSas().get(0));
            assertEquals(AR_NEW_SPI_R, mnAfter.responderSpi());
            assertEquals(AR_NEW_SPI_R, arAfter.responderSpi());

            // The IKE SA keeps working under the new SPI.
            OutgoingRequest next = InformationalExchange.buildRequest(mnAfter, InformationalContent.empty(), RANDOM);
            assertEquals(0x08, next.message()[19], "request from the original initiator: I set");
            assertEquals(AR_NEW_SPI_R, IkeHeader.decode(next.message()).responderSpi());
            assertEquals(2, InformationalExchange.acceptRequest(arAfter, next.message()).messageId());
        }
    }

    @Test
    void aTamperedByteAnywhereIsRejectedAndYieldsNothing() {
        for (IkeAlgorithms alg : IkeFixtures.SUITES) {
            IkeSaContext mn = IkeFixtures.mobileNode(alg);
            OutgoingRequest req = InformationalExchange.buildRequest(IkeFixtures.accessRouter(alg), paperRequest(),
                    RANDOM);
            byte[] m = req.message();
            for (int i = 0; i < m.length; i++) {
                for (int bit = 0; bit < 8; bit++) {
                    byte[] t = m.clone();
                    t[i] ^= (byte) (1 << bit);
                    try {
                        AcceptedRequest a = InformationalExchange.acceptRequest(mn, t);
                        fail(alg + ": octet " + i + " bit " + bit + " tampered, yet accepted: " + a);
                    } catch (IkeRejectedException e) {
                        assertTrue(e.getMessage().length() > e.reason().name().length() + 2, "a reason with detail");
                    }
                }
            }
        }
    }

    @Test
    void tamperingIsReportedWithTheRightReason() {
        IkeSaContext mn = IkeFixtures.mobileNode(IkeFixtures.CBC_SHA256);
        byte[] m = InformationalExchange.buildRequest(IkeFixtures.accessRouter(IkeFixtures.CBC_SHA256),
                paperRequest(), RANDOM).message();
        assertReason(Reason.UNKNOWN_IKE_SA, mn, flip(m, 3));
        assertReason(Reason.UNKNOWN_IKE_SA, mn, flip(m, 12));
        assertReason(Reason.MALFORMED, mn, flip(m, 17)); // major version
        assertReason(Reason.WRONG_EXCHANGE_TYPE, mn, flip(m, 18));
        assertReason(Reason.WRONG_FLAGS, mn, flipBit(m, 19, 0x08)); // I
        assertReason(Reason.WRONG_FLAGS, mn, flipBit(m, 19, 0x20)); // R
        assertReason(Reason.INTEGRITY_CHECK_FAILED, mn, flipBit(m, 19, 0x01)); // reserved bit: only the ICV sees it
        assertReason(Reason.UNEXPECTED_MESSAGE_ID, mn, flipBit(m, 22, 0x01));
        assertReason(Reason.REPLAYED_MESSAGE_ID, mn, flipBit(m, 23, 0x02)); // ID 2 -> 0
        assertReason(Reason.MALFORMED, mn, flip(m, 27)); // length
        assertReason(Reason.INTEGRITY_CHECK_FAILED, mn, flip(m, 40)); // IV
        assertReason(Reason.INTEGRITY_CHECK_FAILED, mn, flip(m, m.length - 20)); // ciphertext
        assertReason(Reason.INTEGRITY_CHECK_FAILED, mn, flip(m, m.length - 1)); // ICV
    }

    private static byte[] flip(byte[] m, int i) {
        return flipBit(m, i, 0xff);
    }

    private static byte[] flipBit(byte[] m, int i, int mask) {
        byte[] t = m.clone();
        t[i] ^= (byte) mask;
        return t;
    }

    private static void assertReason(Reason expected, IkeSaContext sa, byte[] m) {
        IkeRejectedException e = assertThrows(IkeRejectedException.class, () -> InformationalExchange.acceptRequest(sa, m));
        assertEquals(expected, e.reason(), e.getMessage());
    }

    @Test
    void aReplayedRequestIsRejected() throws IkeRejectedException {
        IkeSaContext mn = IkeFixtures.mobileNode(IkeFixtures.GCM);
        OutgoingRequest req = InformationalExchange.buildRequest(IkeFixtures.accessRouter(IkeFixtures.GCM),
                paperRequest(), RANDOM);
        AcceptedRequest first = InformationalExchange.acceptRequest(mn, req.message());
        IkeRejectedException e = assertThrows(IkeRejectedException.class,
                () -> InformationalExchange.acceptRequest(first.context(), req.message()));
        assertEquals(Reason.REPLAYED_MESSAGE_ID, e.reason());
        assertTrue(e.getMessage().contains("already processed"), e.getMessage());
    }

    @Test
    void aRequestBeyondTheWindowIsRejected() {
        IkeSaContext ar = IkeFixtures.accessRouter(IkeFixtures.CBC_SHA512);
        OutgoingRequest r1 = InformationalExchange.buildRequest(ar, InformationalContent.empty(), RANDOM);
        OutgoingRequest r2 = InformationalExchange.buildRequest(r1.context(), InformationalContent.empty(), RANDOM);
        assertEquals(r1.messageId() + 1, r2.messageId());
        IkeRejectedException e = assertThrows(IkeRejectedException.class,
                () -> InformationalExchange.acceptRequest(IkeFixtures.mobileNode(IkeFixtures.CBC_SHA512), r2.message()));
        assertEquals(Reason.UNEXPECTED_MESSAGE_ID, e.reason());
    }

    @Test
    void aResponseToAnOlderRequestIsRejected() throws IkeRejectedException {
        IkeAlgorithms alg = IkeFixtures.CBC_SHA256;
        IkeSaContext mn = IkeFixtures.mobileNode(alg);
        IkeSaContext ar = IkeFixtures.accessRouter(alg);
        OutgoingRequest r1 = InformationalExchange.buildRequest(mn, InformationalContent.empty(), RANDOM);
        AcceptedRequest a1 = InformationalExchange.acceptRequest(ar, r1.message());
        byte[] resp1 = InformationalExchange.buildResponse(a1.context(), a1.messageId(), InformationalContent.empty(),
                RANDOM);
        InformationalExchange.acceptResponse(r1.context(), r1.messageId(), resp1);
        OutgoingRequest r2 = InformationalExchange.buildRequest(r1.context(), InformationalContent.empty(), RANDOM);
        IkeRejectedException e = assertThrows(IkeRejectedException.class,
                () -> InformationalExchange.acceptResponse(r2.context(), r2.messageId(), resp1));
        assertEquals(Reason.REPLAYED_MESSAGE_ID, e.reason());
        // A request is not a response, and our own messages are not the peer's.
        assertEquals(Reason.WRONG_FLAGS, assertThrows(IkeRejectedException.class,
                () -> InformationalExchange.acceptResponse(r2.context(), r2.messageId(), r2.message())).reason());
        assertEquals(Reason.WRONG_FLAGS, assertThrows(IkeRejectedException.class,
                () -> InformationalExchange.acceptRequest(mn, r1.message())).reason());
    }

    @Test
    void messageIdsAdvanceOnBothSidesInBothDirections() throws IkeRejectedException {
        IkeAlgorithms alg = IkeFixtures.GCM;
        IkeSaContext mn = IkeFixtures.mobileNode(alg);
        IkeSaContext ar = IkeFixtures.accessRouter(alg);
        for (int round = 0; round < 3; round++) {
            // nAR -> MN
            OutgoingRequest req = InformationalExchange.buildRequest(ar, InformationalContent.empty(), RANDOM);
            assertEquals(2 + round, req.messageId());
            AcceptedRequest got = InformationalExchange.acceptRequest(mn, req.message());
            InformationalExchange.acceptResponse(req.context(), req.messageId(), InformationalExchange.buildResponse(
                    got.context(), got.messageId(), InformationalContent.empty(), RANDOM));
            ar = req.context();
            mn = got.context();
            // MN -> nAR, twice per round
            for (int k = 0; k < 2; k++) {
                OutgoingRequest r = InformationalExchange.buildRequest(mn, InformationalContent.empty(), RANDOM);
                assertEquals(2 + 2 * round + k, r.messageId());
                AcceptedRequest a = InformationalExchange.acceptRequest(ar, r.message());
                InformationalExchange.acceptResponse(r.context(), r.messageId(), InformationalExchange.buildResponse(
                        a.context(), a.messageId(), InformationalContent.empty(), RANDOM));
                mn = r.context();
                ar = a.context();
            }
        }
        assertEquals(new IkeMessageIds(2 + 6, 2 + 3), mn.messageIds());
        assertEquals(new IkeMessageIds(2 + 3, 2 + 6), ar.messageIds());
    }

    @Test
    void exhaustedMessageIdsRefuseToSend() {
        IkeSaContext ar = IkeFixtures.accessRouter(IkeFixtures.GCM)
                .withMessageIds(new IkeMessageIds(IkeMessageIds.EXHAUSTED, 0));
        assertThrows(IllegalStateException.class,
                () -> InformationalExchange.buildRequest(ar, InformationalContent.empty(), RANDOM));
    }

    @Test
    void updateSpiWithoutCxtVendorIdIsSomeoneElsesNotify() throws IkeRejectedException {
        IkeAlgorithms alg = IkeFixtures.CBC_SHA256;
        IkeSaContext ar = IkeFixtures.accessRouter(alg);
        NotifyPayload foreign = paperRequest().spiUpdates().get(0).toNotify();
        byte[] m = SkProtector.outbound(ar, RANDOM).protect(IkeHeader.of(ar.initiatorSpi(), ar.responderSpi(),
                ExchangeType.INFORMATIONAL, false, false, 2), List.of(foreign));
        AcceptedRequest got = InformationalExchange.acceptRequest(IkeFixtures.mobileNode(alg), m);
        assertTrue(got.content().spiUpdates().isEmpty());
        assertEquals(List.of(foreign), got.content().otherPayloads());
    }

    @Test
    void malformedUpdateSpiAndCriticalUnknownPayloadsAreRefused() {
        IkeAlgorithms alg = IkeFixtures.CBC_SHA512;
        IkeSaContext ar = IkeFixtures.accessRouter(alg);
        IkeSaContext mn = IkeFixtures.mobileNode(alg);
        IkeHeader h = IkeHeader.of(ar.initiatorSpi(), ar.responderSpi(), ExchangeType.INFORMATIONAL, false, false, 2);
        byte[] badLayout = SkProtector.outbound(ar, RANDOM).protect(h, List.of(CxtExtension.vendorIdPayload(),
                new NotifyPayload(3, NotifyType.UPDATE_SPI, new byte[] {0, 0, 1, 0}, new byte[] {0, 0, 2, 0})));
        IkeRejectedException e = assertThrows(IkeRejectedException.class,
                () -> InformationalExchange.acceptRequest(mn, badLayout));
        assertEquals(Reason.MALFORMED, e.reason());
        assertTrue(e.getMessage().contains("expected 8"), e.getMessage());

        byte[] critical = SkProtector.outbound(ar, RANDOM).protect(h, List.of(new OpaquePayload(200, true, new byte[3])));
        assertEquals(Reason.UNSUPPORTED_CRITICAL_PAYLOAD, assertThrows(IkeRejectedException.class,
                () -> InformationalExchange.acceptRequest(mn, critical)).reason());
        byte[] nonCritical = SkProtector.outbound(ar, RANDOM).protect(h,
                List.of(new OpaquePayload(200, false, new byte[3])));
        try {
            assertEquals(1, InformationalExchange.acceptRequest(mn, nonCritical).content().otherPayloads().size());
        } catch (IkeRejectedException x) {
            fail("a non-critical unknown payload must be skipped, not refused: " + x.getMessage());
        }
    }

    @Test
    void cleartextPayloadsBesideSkAreRefused() throws IkeDecodeException {
        IkeAlgorithms alg = IkeFixtures.GCM;
        IkeSaContext ar = IkeFixtures.accessRouter(alg);
        byte[] clear = new IkeMessage(IkeHeader.of(ar.initiatorSpi(), ar.responderSpi(), ExchangeType.INFORMATIONAL,
                false, false, 2), paperRequest().toPayloads()).encode();
        assertEquals(Reason.NOT_PROTECTED, assertThrows(IkeRejectedException.class,
                () -> InformationalExchange.acceptRequest(IkeFixtures.mobileNode(alg), clear)).reason());
    }

    @Test
    void contentPutsTheVendorIdFirstOnlyWhenNeeded() {
        List<IkePayload> p = paperRequest().toPayloads();
        assertTrue(CxtExtension.isCxtVendorId(p.get(0)));
        assertEquals(NotifyType.UPDATE_SA_ADDRESSES, ((NotifyPayload) p.get(1)).notifyType());
        assertEquals(NotifyType.UPDATE_SPI, ((NotifyPayload) p.get(2)).notifyType());
        assertEquals(4, p.size());
        assertEquals(List.of(NotifyPayload.of(NotifyType.UPDATE_SA_ADDRESSES)),
                InformationalContent.addressAndSpiUpdate(List.of()).toPayloads());
        assertThrows(IllegalArgumentException.class, () -> new InformationalContent(false, List.of(),
                List.of(CxtExtension.vendorIdPayload())));
    }
}
