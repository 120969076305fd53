package io.cxt.ike;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import java.nio.ByteBuffer;
import java.security.SecureRandom;
import java.util.Arrays;
import java.util.EnumSet;
import java.util.List;
import java.util.Set;

import org.junit.jupiter.api.Test;


import io.cxt.ike.IkeRejectedException.Reason;
import io.cxt.xfrm.KeyBytes;
import io.cxt.testing.Gen;
import io.cxt.testing.SeededTest;

class SkProtectorTest {
    private static final SecureRandom RANDOM = new SecureRandom();
    private static final IkeHeader HEADER = IkeHeader.of(IkeFixtures.SPI_I, IkeFixtures.SPI_R,
            ExchangeType.INFORMATIONAL, false, true, 9);
    private static final List<IkePayload> CONTENT = List.of(CxtExtension.vendorIdPayload(),
            NotifyPayload.of(NotifyType.UPDATE_SA_ADDRESSES),
            new UpdateSpiNotify(ProtocolId.ESP, 0xc2000002L, 0xc2000099L, SpiOwner.RESPONDER).toNotify());



    private static SkProtector sender(IkeAlgorithms alg) {
        return SkProtector.outbound(IkeFixtures.mobileNode(alg), RANDOM);
    }

    private static SkProtector receiver(IkeAlgorithms alg) {
        return SkProtector.inbound(IkeFixtures.accessRouter(alg));
    }

    @SeededTest(cases = 300)
    void protectedMessagesOpenToTheSamePayloads(Gen g) throws IkeRejectedException  {
        IkeAlgorithms alg = g.of(IkeFixtures.SUITES);
        List<IkePayload> payloads = IkeGen.plainChain(g);
        byte[] m = sender(alg).protect(HEADER, payloads);
        SkProtector.Opened o = receiver(alg).open(m);
        assertEquals(payloads, o.payloads());
        assertEquals(HEADER.withNextPayloadAndLength(PayloadType.ENCRYPTED, m.length), o.header());
        assertTrue(o.clearPayloads().isEmpty());
    }

    @SeededTest(cases = 100)
    void layoutFollowsRfc7296AndRfc5282(Gen g) throws IkeDecodeException  {
        IkeAlgorithms alg = g.of(IkeFixtures.SUITES);
        List<IkePayload> payloads = IkeGen.plainChain(g);
        byte[] m = sender(alg).protect(HEADER, payloads);
        IkeMessage decoded = IkeMessage.decode(m);
        assertEquals(PayloadType.ENCRYPTED, decoded.header().nextPayload());
        assertEquals(1, decoded.payloads().size());
        EncryptedPayload sk = (EncryptedPayload) decoded.payloads().get(0);
        assertEquals(PayloadChain.firstType(payloads), sk.firstInnerPayload());
        int inner = PayloadChain.encodedLength(payloads);
        EncryptionAlgorithm enc = alg.encryption();
        int cipher = sk.content().length - enc.ivLength() - alg.icvLength();
        if (enc.isAead()) {
            assertEquals(8, enc.ivLength());
            assertEquals(16, alg.icvLength());
            assertEquals(inner + 1, cipher, "GCM: no padding, just the pad length octet");
        } else {
            assertEquals(16, enc.ivLength());
            assertEquals(0, cipher % 16);
            assertTrue(cipher >= inner + 1 && cipher < inner + 1 + 16, "minimal CBC padding");
        }
    }

    @Test
    void ivsAreFreshForEveryMessage() {
        for (IkeAlgorithms alg : IkeFixtures.SUITES) {
            byte[] a = sender(alg).protect(HEADER, CONTENT);
            byte[] b = sender(alg).protect(HEADER, CONTENT);
            int ivStart = IkeHeader.LENGTH + 4;
            int ivEnd = ivStart + alg.encryption().ivLength();
            assertFalse(Arrays.equals(Arrays.copyOfRange(a, ivStart, ivEnd), Arrays.copyOfRange(b, ivStart, ivEnd)));
            assertNotEquals(Arrays.toString(a), Arrays.toString(b));
        }
    }

    @Test
    void everyTamperedByteIsRejected() {
        for (IkeAlgorithms alg : IkeFixtures.SUITES) {
            byte[] m = sender(alg).protect(HEADER, CONTENT);
            SkProtector rx = receiver(alg);
            for (int i = 0; i < m.length; i++) {
                for (int bit : new int[] {0x01, 0x80}) {
                    byte[] t = m.clone();
                    t[i] ^= (byte) bit;
                    try {
                        rx.open(t);
                        fail(alg + ": flipping bit " + bit + " of octet " + i + " was not detected");
                    } catch (IkeRejectedException e) {
                        assertTrue(Set.of(Reason.INTEGRITY_CHECK_FAILED, Reason.MALFORMED).contains(e.reason()),
                                e.getMessage());
                    }
                }
            }
        }
    }

    @Test
    void theOtherDirectionsKeysDoNotOpenAMessage() {
        for (IkeAlgorithms alg : IkeFixtures.SUITES) {
            byte[] fromMn = sender(alg).protect(HEADER, CONTENT);
            // The MN opening its own message uses the responder's keys: must fail.
            IkeRejectedException e = assertThrows(IkeRejectedException.class,
                    () -> SkProtector.inbound(IkeFixtures.mobileNode(alg)).open(fromMn));
            assertEquals(Reason.INTEGRITY_CHECK_FAILED, e.reason());
        }
    }

    @Test
    void cbcChecksTheIcvBeforeDecrypting() throws Exception {
        IkeAlgorithms alg = IkeFixtures.CBC_SHA256;
        IkeKeys keys = IkeFixtures.mobileNode(alg).keys();
        // A correctly authenticated message whose ciphertext is garbage: decrypting it gives a
        // malformed payload chain, so it is refused as MALFORMED after the ICV passed...
        byte[] m = sender(alg).protect(HEADER, CONTENT);
        int ivEnd = IkeHeader.LENGTH + 4 + 16;
        int icvStart = m.length - 16;
        for (int i = ivEnd; i < icvStart; i++) {
            m[i] = (byte) (i * 37);
        }
        byte[] icv = IkeCrypto.integrityChecksum(alg.integrity(), keys.skAi(), m, 0, icvStart);
        System.arraycopy(icv, 0, m, icvStart, 16);
        assertEquals(Reason.MALFORMED, assertThrows(IkeRejectedException.class, () -> receiver(alg).open(m)).reason());
        // ...while the same garbage with a wrong ICV never gets decrypted.
        m[icvStart] ^= 1;
        assertEquals(Reason.INTEGRITY_CHECK_FAILED,
                assertThrows(IkeRejectedException.class, () -> receiver(alg).open(m)).reason());
    }

    @Test
    void receiverAcceptsAnyPaddingThatAligns() throws Exception {
        // RFC 7296 3.14: the recipient MUST accept any pad length that results in proper alignment.
        IkeAlgorithms alg = IkeFixtures.CBC_SHA512;
        IkeKeys keys = IkeFixtures.mobileNode(alg).keys();
        byte[] inner = PayloadChain.encode(CONTENT);
        int padLength = 16 - (inner.length + 1) % 16 + 32;
        byte[] plain = Arrays.copyOf(inner, inner.length + padLength + 1);
        Arrays.fill(plain, inner.length, plain.length - 1, (byte) 0x5a);
        plain[plain.length - 1] = (byte) padLength;
        assertEquals(0, plain.length % 16);
        byte[] iv = new byte[16];
        RANDOM.nextBytes(iv);
        int total = IkeHeader.LENGTH + 4 + 16 + plain.length + 32;
        ByteBuffer b = ByteBuffer.allocate(total);
        HEADER.withNextPayloadAndLength(PayloadType.ENCRYPTED, total).encode(b);
        b.put((byte) PayloadType.VENDOR_ID).put((byte) 0).putShort((short) (total - IkeHeader.LENGTH)).put(iv);
        b.put(IkeCrypto.aesCbc(true, keys.skEi().bytes(), iv, plain, 0, plain.length));
        b.put(IkeCrypto.integrityChecksum(alg.integrity(), keys.skAi(), b.array(), 0, total - 32));
        assertEquals(CONTENT, receiver(alg).open(b.array()).payloads());
    }

    @Test
    void gcmAuthenticatesTheHeaderAsAad() {
        byte[] m = sender(IkeFixtures.GCM).protect(HEADER, CONTENT);
        m[23] ^= 1; // message ID
        IkeRejectedException e = assertThrows(IkeRejectedException.class, () -> receiver(IkeFixtures.GCM).open(m));
        assertEquals(Reason.INTEGRITY_CHECK_FAILED, e.reason());
        assertTrue(e.getMessage().contains("AES-GCM tag"), e.getMessage());
    }

    @Test
    void unprotectedAndShortMessagesAreRefused() {
        byte[] clear = new IkeMessage(HEADER, CONTENT).encode();
        assertEquals(Reason.NOT_PROTECTED,
                assertThrows(IkeRejectedException.class, () -> receiver(IkeFixtures.GCM).open(clear)).reason());
        for (IkeAlgorithms alg : List.of(IkeFixtures.CBC_SHA256, IkeFixtures.GCM)) {
            byte[] tooShort = new IkeMessage(HEADER, List.of(new EncryptedPayload(0, new byte[20]))).encode();
            IkeRejectedException e = assertThrows(IkeRejectedException.class, () -> receiver(alg).open(tooShort));
            assertEquals(Reason.MALFORMED, e.reason());
        }
    }

    @Test
    void keysMustFitTheAlgorithms() {
        IkeAlgorithms alg = IkeFixtures.CBC_SHA256;
        assertThrows(IllegalArgumentException.class,
                () -> SkProtector.of(alg, KeyBytes.of(new byte[16]), KeyBytes.of(new byte[32]), RANDOM));
        assertThrows(IllegalArgumentException.class,
                () -> SkProtector.of(alg, KeyBytes.of(new byte[32]), KeyBytes.of(new byte[16]), RANDOM));
        assertThrows(IllegalArgumentException.class, () -> SkProtector.of(IkeFixtures.GCM, KeyBytes.of(new byte[32]),
                KeyBytes.EMPTY, RANDOM), "GCM-256 needs 32 octets of key plus 4 of salt");
    }

    @Test
    void anOpenOnlyProtectorCannotProtect() {
        assertThrows(IllegalStateException.class, () -> receiver(IkeFixtures.GCM).protect(HEADER, CONTENT));
    }

    @Test
    void algorithmCombinationsAreChecked() {
        assertThrows(IllegalArgumentException.class, () -> new IkeAlgorithms(EncryptionAlgorithm.AES_GCM_16, 128,
                IntegrityAlgorithm.HMAC_SHA2_256_128, PrfAlgorithm.PRF_HMAC_SHA2_256, 19));
        assertThrows(IllegalArgumentException.class, () -> new IkeAlgorithms(EncryptionAlgorithm.AES_CBC, 128,
                IntegrityAlgorithm.NONE, PrfAlgorithm.PRF_HMAC_SHA2_256, 19));
        assertThrows(IllegalArgumentException.class, () -> new IkeAlgorithms(EncryptionAlgorithm.AES_CBC, 160,
                IntegrityAlgorithm.HMAC_SHA2_256_128, PrfAlgorithm.PRF_HMAC_SHA2_256, 19));
        assertThrows(IllegalArgumentException.class, () -> EncryptionAlgorithm.fromTransformId(3));
        assertEquals(EnumSet.allOf(EncryptionAlgorithm.class).size(), 2);
        assertEquals(36, IkeFixtures.GCM.encryptionKeyLength());
        assertEquals(3 * 32 + 2 * 36, IkeFixtures.GCM.keyMaterialLength());
    }
}
