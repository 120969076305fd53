package io.cxt.ike;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

import io.cxt.ike.IkeRejectedException.Reason;
import io.cxt.ike.StrongSwanVectors.Captured;

/**
 * cxt's IKEv2 codec against bytes a real IKEv2 implementation produced: strongSwan 5.9.8
 * (Debian's packages) in the lab, one IKE SA per proposal, its keys taken from charon's log
 * (resources strongswan-vectors/, made by tests/lab/strongswan-capture). Every captured message
 * decodes and re-encodes to the same bytes; every protected one opens with the logged keys and
 * says what strongSwan said it sent; cxt's own encoding of the INFORMATIONALs' contents is
 * strongSwan's to the octet; and no single flipped bit gets through.
 */
class StrongSwanVectorsTest {

    static Stream<StrongSwanVectors> vectors() {
        return StrongSwanVectors.NAMES.stream().map(StrongSwanVectors::load);
    }

    @Test
    void theThreeProposalsOfTheIssueWereCapturedAndOneOnPort4500() {
        List<IkeAlgorithms> algs = vectors().map(StrongSwanVectors::algorithms).toList();
        assertEquals(List.of(
                new IkeAlgorithms(EncryptionAlgorithm.AES_CBC, 128, IntegrityAlgorithm.HMAC_SHA2_256_128,
                        PrfAlgorithm.PRF_HMAC_SHA2_256, 14),
                new IkeAlgorithms(EncryptionAlgorithm.AES_CBC, 256, IntegrityAlgorithm.HMAC_SHA2_512_256,
                        PrfAlgorithm.PRF_HMAC_SHA2_512, 14),
                new IkeAlgorithms(EncryptionAlgorithm.AES_GCM_16, 256, IntegrityAlgorithm.NONE,
                        PrfAlgorithm.PRF_HMAC_SHA2_256, 14),
                new IkeAlgorithms(EncryptionAlgorithm.AES_CBC, 128, IntegrityAlgorithm.HMAC_SHA2_256_128,
                        PrfAlgorithm.PRF_HMAC_SHA2_256, 14)), algs);
        // UDP encapsulation forced: IKE_SA_INIT on 500, everything after on 4500 (non-ESP marker removed).
        StrongSwanVectors natt = StrongSwanVectors.load("aes128-sha256-prfsha256-modp2048-udp4500");
        for (Captured c : natt.messages()) {
            int port = c.exchange().equals("IKE_SA_INIT") ? 500 : 4500;
            assertEquals(List.of(port, port), c.udpPorts(), c.toString());
        }
        vectors().filter(v -> v != natt && !v.name().endsWith("udp4500")).flatMap(v -> v.messages().stream())
                .forEach(c -> assertEquals(List.of(500, 500), c.udpPorts(), c.toString()));
        vectors().forEach(v -> assertTrue(v.fields().get("version").contains("strongSwan 5.9.8"), v.name()));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("vectors")
    void informationalsCoverDpdAndDeletesInBothDirections(StrongSwanVectors v) {
        List<Captured> info = informationals(v);
        // DPD request, Child SA Delete request, IKE SA Delete request, and their responses.
        assertEquals(6, info.size(), () -> v + ": " + info);
        assertTrue(info.stream().anyMatch(c -> !c.response() && c.deletes().isEmpty()), "an empty request (DPD)");
        assertTrue(info.stream().anyMatch(c -> !c.response() && c.deletes().equals(List.of("IKE"))), "IKE SA Delete");
        assertTrue(info.stream().anyMatch(c -> !c.response() && c.deletes().size() == 1
                && c.deletes().get(0).startsWith("ESP ")), "Child SA Delete");
        assertTrue(info.stream().anyMatch(Captured::fromInitiator) && info.stream().anyMatch(c -> !c.fromInitiator()));
    }

    @Test
    void allFourRoleAndDirectionCombinationsOfEmptyAndDeleteRequestsAppearAcrossTheVectors() {
        List<Captured> all = vectors().flatMap(v -> informationals(v).stream()).toList();
        for (boolean fromInitiator : new boolean[] {true, false}) {
            assertTrue(all.stream().anyMatch(c -> c.fromInitiator() == fromInitiator && !c.response()
                    && c.deletes().isEmpty()), "DPD request from the " + role(fromInitiator));
            assertTrue(all.stream().anyMatch(c -> c.fromInitiator() == fromInitiator && !c.response()
                    && c.deletes().equals(List.of("IKE"))), "IKE SA Delete from the " + role(fromInitiator));
            assertTrue(all.stream().anyMatch(c -> c.fromInitiator() == fromInitiator && !c.response()
                    && !c.deletes().isEmpty() && c.deletes().get(0).startsWith("ESP")),
                    "Child SA Delete from the " + role(fromInitiator));
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("vectors")
    void prfPlusFromStrongSwansSkeyseedGivesTheKeysItLogged(StrongSwanVectors v) throws IkeDecodeException {
        SkeySeed seed = new SkeySeed(v.skeyseed(), v.nonce(true), v.nonce(false), v.initiatorSpi(), v.responderSpi());
        IkeKeys derived = seed.deriveKeys(v.algorithms());
        IkeKeys logged = v.keys();
        assertEquals(logged.skD().revealHex(), derived.skD().revealHex(), "SK_d");
        assertEquals(logged.skAi().revealHex(), derived.skAi().revealHex(), "SK_ai");
        assertEquals(logged.skAr().revealHex(), derived.skAr().revealHex(), "SK_ar");
        assertEquals(logged.skEi().revealHex(), derived.skEi().revealHex(), "SK_ei");
        assertEquals(logged.skEr().revealHex(), derived.skEr().revealHex(), "SK_er");
        assertEquals(logged.skPi().revealHex(), derived.skPi().revealHex(), "SK_pi");
        assertEquals(logged.skPr().revealHex(), derived.skPr().revealHex(), "SK_pr");
        logged.checkLengths(v.algorithms());
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("vectors")
    void everyMessageDecodesReencodesAndHasTheHeaderStrongSwanLogged(StrongSwanVectors v) throws IkeDecodeException {
        for (Captured c : v.messages()) {
            IkeMessage m = IkeMessage.decode(c.bytes());
            assertArrayEquals(c.bytes(), m.encode(), c.toString());
            IkeHeader h = m.header();
            assertEquals(v.initiatorSpi(), h.initiatorSpi(), c.toString());
            assertEquals(c.exchange().equals("IKE_SA_INIT") && !c.response() ? 0 : v.responderSpi(), h.responderSpi());
            assertEquals(exchangeNumber(c.exchange()), h.exchangeType(), c.toString());
            assertEquals(c.response(), h.response(), c.toString());
            assertEquals(c.fromInitiator(), h.initiator(), c.toString());
            assertEquals(c.messageId(), h.messageId(), c.toString());
            assertEquals(2, h.majorVersion());
            assertEquals(0, h.minorVersion());
            if (c.exchange().equals("IKE_SA_INIT")) {
                assertEquals(c.strongswanPayloads(), summary(m.payloads()), c.toString());
            } else {
                assertTrue(m.encryptedPayload().isPresent(), c.toString());
                assertEquals(1, m.payloads().size(), c + ": only SK after the header");
            }
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("vectors")
    void everyProtectedMessageOpensWithTheLoggedKeysAndHoldsWhatStrongSwanSent(StrongSwanVectors v)
            throws IkeRejectedException {
        for (Captured c : v.messages()) {
            if (c.exchange().equals("IKE_SA_INIT")) {
                continue;
            }
            SkProtector.Opened opened = v.protectorFor(c.fromInitiator()).open(c.bytes());
            assertEquals(List.of(), opened.clearPayloads(), c.toString());
            assertEquals(c.strongswanPayloads(), summary(opened.payloads()), c.toString());
            if (c.exchange().equals("INFORMATIONAL")) {
                assertEquals(expectedDeletes(c), opened.payloads(), c.toString());
            }
            // The other direction's keys must not open it.
            IkeRejectedException e = assertThrows(IkeRejectedException.class,
                    () -> v.protectorFor(!c.fromInitiator()).open(c.bytes()), c.toString());
            assertEquals(Reason.INTEGRITY_CHECK_FAILED, e.reason());
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("vectors")
    void informationalExchangeAcceptsStrongSwansRequestsAndResponsesAtTheRightEnd(StrongSwanVectors v)
            throws IkeRejectedException {
        for (Captured c : informationals(v)) {
            // The receiving end of c is the other role.
            boolean receiverIsInitiator = !c.fromInitiator();
            InformationalContent content;
            if (c.response()) {
                IkeSaContext requester = v.context(receiverIsInitiator, new IkeMessageIds(c.messageId() + 1, 0));
                content = InformationalExchange.acceptResponse(requester, c.messageId(), c.bytes()).content();
                IkeRejectedException e = assertThrows(IkeRejectedException.class,
                        () -> InformationalExchange.acceptResponse(requester, c.messageId() + 1, c.bytes()));
                assertEquals(Reason.REPLAYED_MESSAGE_ID, e.reason(), c.toString());
            } else {
                IkeSaContext responder = v.context(receiverIsInitiator, new IkeMessageIds(0, c.messageId()));
                InformationalExchange.AcceptedRequest accepted = InformationalExchange.acceptRequest(responder, c.bytes());
                assertEquals(c.messageId() + 1, accepted.context().messageIds().nextRequestExpected());
                content = accepted.content();
                // Replayed once processed; and the sender's own end must not take it as the peer's.
                IkeRejectedException replay = assertThrows(IkeRejectedException.class,
                        () -> InformationalExchange.acceptRequest(accepted.context(), c.bytes()));
                assertEquals(Reason.REPLAYED_MESSAGE_ID, replay.reason(), c.toString());
                IkeRejectedException own = assertThrows(IkeRejectedException.class, () -> InformationalExchange
                        .acceptRequest(v.context(c.fromInitiator(), new IkeMessageIds(0, c.messageId())), c.bytes()));
                assertEquals(Reason.WRONG_FLAGS, own.reason(), c.toString());
            }
            assertFalse(content.updateSaAddresses(), c.toString());
            assertEquals(List.of(), content.spiUpdates(), c.toString());
            assertEquals(expectedDeletes(c), content.otherPayloads(), c.toString());
        }
    }

    /**
     * What cxt would send for the same content with the same IV is what strongSwan sent. With
     * AES-GCM (no padding) that is the whole message. With AES-CBC strongSwan fills the padding
     * with random octets, cxt with zeros: the pad length must be the same (minimal) and cxt's
     * encoding of the payloads, encrypted with strongSwan's padding and IV and integrity-protected
     * with the logged keys, must give strongSwan's message octet for octet.
     */
    @ParameterizedTest(name = "{0}")
    @MethodSource("vectors")
    void cxtsEncodingOfTheInformationalsIsStrongSwans(StrongSwanVectors v) throws IkeRejectedException {
        IkeAlgorithms alg = v.algorithms();
        int ivLength = alg.encryption().ivLength();
        for (Captured c : v.messages()) {
            if (c.exchange().equals("IKE_SA_INIT")) {
                continue;
            }
            SkProtector.Opened opened = v.protectorFor(c.fromInitiator()).open(c.bytes());
            int skStart = IkeHeader.LENGTH + IkePayload.GENERIC_HEADER_LENGTH;
            byte[] iv = Arrays.copyOfRange(c.bytes(), skStart, skStart + ivLength);
            SkProtector cxt = SkProtector.of(alg, v.keys().encryptionKey(c.fromInitiator()),
                    v.keys().integrityKey(c.fromInitiator()), new FixedIv(iv));
            byte[] ours = cxt.protect(opened.header(), opened.payloads());
            assertEquals(c.bytes().length, ours.length, c + ": same length, so the same pad length");
            if (alg.encryption().isAead()) {
                assertArrayEquals(c.bytes(), ours, c.toString());
                continue;
            }
            int icv = alg.icvLength();
            byte[] key = v.keys().encryptionKey(c.fromInitiator()).bytes();
            byte[] theirPlain = IkeCrypto.aesCbc(false, key, iv, c.bytes(), skStart + ivLength,
                    c.bytes().length - skStart - ivLength - icv);
            byte[] inner = PayloadChain.encode(opened.payloads());
            int padLength = theirPlain[theirPlain.length - 1] & 0xff;
            assertEquals(theirPlain.length - inner.length - 1, padLength, c + ": pad length");
            assertEquals(padLength, (16 - (inner.length + 1) % 16) % 16, c + ": strongSwan pads minimally, as cxt does");
            byte[] ourPlain = Arrays.copyOf(inner, theirPlain.length);
            System.arraycopy(theirPlain, inner.length, ourPlain, inner.length, padLength + 1);
            byte[] rebuilt = Arrays.copyOf(c.bytes(), c.bytes().length);
            byte[] cipher = IkeCrypto.aesCbc(true, key, iv, ourPlain, 0, ourPlain.length);
            System.arraycopy(cipher, 0, rebuilt, skStart + ivLength, cipher.length);
            byte[] checksum = IkeCrypto.integrityChecksum(alg.integrity(), v.keys().integrityKey(c.fromInitiator()),
                    rebuilt, 0, rebuilt.length - icv);
            System.arraycopy(checksum, 0, rebuilt, rebuilt.length - icv, icv);
            assertArrayEquals(c.bytes(), rebuilt, c.toString());
            // And cxt's own message (zero padding) is identical up to the padding and opens to the same.
            int firstPaddedBlock = inner.length / 16 * 16;
            assertArrayEquals(Arrays.copyOf(c.bytes(), skStart + ivLength + firstPaddedBlock),
                    Arrays.copyOf(ours, skStart + ivLength + firstPaddedBlock), c.toString());
            assertEquals(opened.payloads(), v.protectorFor(c.fromInitiator()).open(ours).payloads());
            Arrays.fill(key, (byte) 0);
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("vectors")
    void aFlippedBitAnywhereInAnInformationalIsRejected(StrongSwanVectors v) {
        int checked = 0;
        for (Captured c : informationals(v)) {
            SkProtector protector = v.protectorFor(c.fromInitiator());
            byte[] m = c.bytes();
            for (int bit = 0; bit < m.length * 8; bit++) {
                byte[] flipped = m.clone();
                flipped[bit / 8] ^= (byte) (1 << (bit % 8));
                int b = bit;
                IkeRejectedException e = assertThrows(IkeRejectedException.class, () -> protector.open(flipped),
                        () -> c + ": bit " + b + " flipped was accepted");
                // A flip in the header's Next Payload hides the SK payload (NOT_PROTECTED); one in a
                // length field breaks the framing (MALFORMED); any other fails the ICV or tag.
                assertTrue(e.reason() == Reason.INTEGRITY_CHECK_FAILED || e.reason() == Reason.MALFORMED
                        || e.reason() == Reason.NOT_PROTECTED, () -> c + ": bit " + b + ": " + e.reason());
                checked++;
            }
        }
        assertEquals(informationals(v).stream().mapToInt(c -> c.bytes().length * 8).sum(), checked);
        assertTrue(checked >= 6 * 57 * 8, "six messages, each at least header, SK header, IV, pad length, ICV");
    }

    // --- helpers ---

    private static List<Captured> informationals(StrongSwanVectors v) {
        return v.messages().stream().filter(c -> c.exchange().equals("INFORMATIONAL")).toList();
    }

    private static String role(boolean initiator) {
        return initiator ? "initiator" : "responder";
    }

    private static int exchangeNumber(String name) {
        return switch (name) {
            case "IKE_SA_INIT" -> 34;
            case "IKE_AUTH" -> 35;
            case "CREATE_CHILD_SA" -> 36;
            case "INFORMATIONAL" -> ExchangeType.INFORMATIONAL;
            default -> throw new IllegalArgumentException(name);
        };
    }

    /** The Delete payloads strongSwan logged for the message (nothing else is in these INFORMATIONALs). */
    private static List<IkePayload> expectedDeletes(Captured c) {
        List<IkePayload> out = new ArrayList<>();
        for (String d : c.deletes()) {
            if (d.equals("IKE")) {
                out.add(DeletePayload.ikeSa());
            } else if (d.startsWith("ESP ")) {
                out.add(DeletePayload.childSas(ProtocolId.ESP, Long.parseLong(d.substring(4), 16)));
            } else {
                fail("unexpected delete " + d);
            }
        }
        return out;
    }

    private static final Map<Integer, String> PAYLOAD_NAMES = Map.ofEntries(Map.entry(33, "SA"), Map.entry(34, "KE"),
            Map.entry(35, "IDi"), Map.entry(36, "IDr"), Map.entry(37, "CERT"), Map.entry(38, "CERTREQ"),
            Map.entry(39, "AUTH"), Map.entry(40, "No"), Map.entry(42, "D"), Map.entry(43, "V"), Map.entry(44, "TSi"),
            Map.entry(45, "TSr"), Map.entry(47, "CP"), Map.entry(48, "EAP"));
    private static final Map<Integer, String> NOTIFY_NAMES = Map.of(16384, "INIT_CONTACT", 16388, "NATD_S_IP",
            16389, "NATD_D_IP", 16391, "USE_TRANSP", 16404, "MULT_AUTH", 16406, "REDIR_SUP", 16417, "EAP_ONLY",
            16418, "CHDLESS_SUP", 16420, "MSG_ID_SYN_SUP", 16431, "HASH_ALG");

    /** cxt's reading of a payload chain in strongSwan's log notation: SA KE No N(NATD_S_IP) ... */
    private static List<String> summary(List<IkePayload> payloads) {
        List<String> out = new ArrayList<>();
        for (IkePayload p : payloads) {
            if (p instanceof NotifyPayload n) {
                String name = NOTIFY_NAMES.get(n.notifyType());
                out.add("N(" + (name == null ? "type " + n.notifyType() : name) + ")");
            } else {
                String name = PAYLOAD_NAMES.get(p.type());
                out.add(name == null ? "type " + p.type() : name);
            }
        }
        return out;
    }

    /** Hands out the IV strongSwan used, so cxt's encoder can be compared octet for octet. */
    static final class FixedIv extends SecureRandom {
        private static final long serialVersionUID = 1L;
        private final byte[] iv;

        FixedIv(byte[] iv) {
            this.iv = iv.clone();
        }

        @Override
        public void nextBytes(byte[] bytes) {
            if (bytes.length != iv.length) {
                throw new IllegalStateException("asked for " + bytes.length + " random octets, have an IV of " + iv.length);
            }
            System.arraycopy(iv, 0, bytes, 0, bytes.length);
        }
    }

    static String hex(byte[] b) {
        return HexFormat.of().formatHex(b);
    }
}
