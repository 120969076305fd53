package io.cxt.ike;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.ByteBuffer;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.List;

import org.junit.jupiter.api.Test;
import io.cxt.testing.Gen;
import io.cxt.testing.SeededTest;

class IkeCodecTest {
    private static final HexFormat HEX = HexFormat.of();

    @SeededTest
    void headerRoundTrips(Gen g) throws IkeDecodeException  {
        IkeHeader h = IkeGen.header(g);
        byte[] b = h.encode();
        assertEquals(IkeHeader.LENGTH, b.length);
        assertEquals(h, IkeHeader.decode(b));
    }

    @SeededTest
    void everyPayloadRecordRoundTripsAlone(Gen g) throws IkeDecodeException  {
        IkePayload p = payload(g);
        byte[] b = PayloadChain.encode(List.of(p));
        assertEquals(p.encodedLength(), b.length);
        assertEquals(List.of(p), PayloadChain.decode(p.type(), b, 0, b.length, false));
    }

    @SeededTest
    void messagesRoundTrip(Gen g) throws IkeDecodeException  {
        IkeMessage m = IkeGen.message(g);
        byte[] b = m.encode();
        assertEquals(m.header().length(), b.length);
        IkeMessage d = IkeMessage.decode(b);
        assertEquals(m, d);
        assertArrayEquals(b, d.encode());
    }

    @Test
    void headerFieldsAtTheirRfcOffsets() throws IkeDecodeException {
        byte[] b = HEX.parseHex("0102030405060708" + "1112131415161718" + "2e" + "20" + "25" + "08" + "00000005"
                + "00000050");
        IkeHeader h = IkeHeader.decode(b);
        assertEquals(0x0102030405060708L, h.initiatorSpi());
        assertEquals(0x1112131415161718L, h.responderSpi());
        assertEquals(PayloadType.ENCRYPTED, h.nextPayload());
        assertEquals(2, h.majorVersion());
        assertEquals(0, h.minorVersion());
        assertEquals(ExchangeType.INFORMATIONAL, h.exchangeType());
        assertTrue(h.initiator());
        assertFalse(h.response());
        assertFalse(h.higherVersion());
        assertEquals(5, h.messageId());
        assertEquals(0x50, h.length());
        assertArrayEquals(b, h.encode());
    }

    @Test
    void reservedFlagBitsAreIgnoredAndSentAsZero() throws IkeDecodeException {
        byte[] b = IkeHeader.of(1, 2, 37, true, false, 7).encode();
        b[19] = (byte) (b[19] | 0xc7);
        IkeHeader h = IkeHeader.decode(b);
        assertTrue(h.response());
        assertFalse(h.initiator());
        assertEquals(0x20, h.encode()[19]);
    }

    @Test
    void unsignedFieldsKeepTheirHighBit() throws IkeDecodeException {
        IkeHeader h = new IkeHeader(-1L, Long.MIN_VALUE, 0, 2, 0, 255, false, false, false, 0xffffffffL, 0x80000000L);
        assertEquals(h, IkeHeader.decode(h.encode()));
    }

    @Test
    void ikev1AndFutureMajorVersionsAreRejected() {
        for (int v : new int[] {0x10, 0x30, 0xf0}) {
            byte[] b = IkeHeader.of(1, 2, 37, false, true, 0).encode();
            b[17] = (byte) v;
            IkeDecodeException e = assertThrows(IkeDecodeException.class, () -> IkeHeader.decode(b));
            assertTrue(e.getMessage().contains("major version"), e.getMessage());
        }
    }

    @Test
    void minorVersionIsKeptButNotChecked() throws IkeDecodeException {
        byte[] b = IkeHeader.of(1, 2, 37, false, true, 0).encode();
        b[17] = 0x2f;
        assertEquals(15, IkeHeader.decode(b).minorVersion());
    }

    @Test
    void updateSaAddressesNotifyHasTheRfc4555Layout() {
        byte[] b = PayloadChain.encode(List.of(NotifyPayload.of(NotifyType.UPDATE_SA_ADDRESSES)));
        // next=0, C=0, length=8, protocol 0, SPI size 0, type 16400 (0x4010), no SPI, no data
        assertEquals("0000000800004010", HEX.formatHex(b));
    }

    @Test
    void chainLinksEachPayloadToTheNextAndSkToItsFirstInnerPayload() {
        IkeMessage m = new IkeMessage(IkeHeader.of(1, 2, 37, false, true, 3), List.of(
                CxtExtension.vendorIdPayload(), new OpaquePayload(200, true, new byte[] {9}),
                new EncryptedPayload(PayloadType.NOTIFY, new byte[] {1, 2})));
        byte[] b = m.encode();
        assertEquals(PayloadType.VENDOR_ID, b[16] & 0xff, "header names the first payload");
        int vid = IkeHeader.LENGTH;
        assertEquals(200, b[vid] & 0xff, "Vendor ID names the opaque payload");
        int opaque = vid + 4 + 16;
        assertEquals(PayloadType.ENCRYPTED, b[opaque] & 0xff);
        assertEquals(0x80, b[opaque + 1] & 0xff, "critical bit kept");
        int sk = opaque + 5;
        assertEquals(PayloadType.NOTIFY, b[sk] & 0xff, "SK names its first inner payload");
        assertEquals(6, ByteBuffer.wrap(b, sk + 2, 2).getShort());
        assertEquals(b.length, ByteBuffer.wrap(b, 24, 4).getInt());
    }

    @Test
    void unknownCriticalPayloadIsKeptAndFlagged() throws IkeDecodeException {
        byte[] b = new IkeMessage(IkeHeader.of(1, 2, 37, false, true, 0),
                List.of(new OpaquePayload(222, true, new byte[] {1, 2, 3}), new OpaquePayload(49, true, new byte[0])))
                .encode();
        IkeMessage m = IkeMessage.decode(b);
        OpaquePayload unknown = (OpaquePayload) m.payloads().get(0);
        assertTrue(unknown.critical());
        assertTrue(unknown.mustBeUnderstood());
        assertArrayEquals(new byte[] {1, 2, 3}, unknown.body());
        OpaquePayload known = (OpaquePayload) m.payloads().get(1);
        assertTrue(known.critical());
        assertTrue(known.mustBeUnderstood(), "49 is not an RFC 7296 payload type");
        assertFalse(new OpaquePayload(PayloadType.SECURITY_ASSOCIATION, true, new byte[0]).mustBeUnderstood());
        assertArrayEquals(b, m.encode());
    }

    @Test
    void encryptedPayloadMustBeLastAndNotNested() {
        IkeHeader h = IkeHeader.of(1, 2, 37, false, true, 0);
        EncryptedPayload sk = new EncryptedPayload(0, new byte[4]);
        assertThrows(IllegalArgumentException.class, () -> new IkeMessage(h, List.of(sk, NotifyPayload.of(1))));
        assertThrows(IllegalArgumentException.class, () -> PayloadChain.checkPlacement(List.of(sk), true));

        byte[] twoSk = new byte[] {46, 0, 0, 4};
        assertThrows(IkeDecodeException.class, () -> PayloadChain.decode(46, twoSk, 0, 4, true));
        byte[] afterSk = HEX.parseHex("00000004" + "00");
        assertThrows(IkeDecodeException.class, () -> PayloadChain.decode(46, afterSk, 0, afterSk.length, false));
    }

    @Test
    void specificMalformationsAreDecodeErrors() {
        byte[] tooShortPayload = HEX.parseHex("00000003");
        byte[] beyondEnd = HEX.parseHex("0000000a" + "0000000000");
        byte[] trailing = HEX.parseHex("00000004" + "ff");
        byte[] notifySpiTooLong = HEX.parseHex("0000000a" + "0309" + "4010" + "0000");
        byte[] notifyTooShort = HEX.parseHex("00000006" + "0000");
        byte[] deleteCountWrong = HEX.parseHex("0000000c" + "03040002" + "00000001");
        byte[] deleteSizeZeroWithCount = HEX.parseHex("00000008" + "01000001");
        assertDecodeError(PayloadType.VENDOR_ID, tooShortPayload);
        assertDecodeError(PayloadType.VENDOR_ID, beyondEnd);
        assertDecodeError(PayloadType.VENDOR_ID, trailing);
        assertDecodeError(PayloadType.NOTIFY, notifySpiTooLong);
        assertDecodeError(PayloadType.NOTIFY, notifyTooShort);
        assertDecodeError(PayloadType.DELETE, deleteCountWrong);
        assertDecodeError(PayloadType.DELETE, deleteSizeZeroWithCount);
        assertThrows(IkeDecodeException.class, () -> IkeHeader.decode(new byte[27]));
    }

    private static void assertDecodeError(int type, byte[] chain) {
        assertThrows(IkeDecodeException.class, () -> PayloadChain.decode(type, chain, 0, chain.length, false));
    }

    @Test
    void lengthFieldMustMatchTheDatagram() {
        byte[] b = new IkeMessage(IkeHeader.of(1, 2, 37, false, true, 0), List.of(NotifyPayload.of(16400))).encode();
        assertThrows(IkeDecodeException.class, () -> IkeMessage.decode(Arrays.copyOf(b, b.length + 1)));
        b[27]--;
        assertThrows(IkeDecodeException.class, () -> IkeMessage.decode(b));
    }

    @SeededTest
    void everyTruncationIsADecodeError(Gen g) {
        IkeMessage m = IkeGen.message(g);
        double f = g.between(0, 999) / 1000.0;
        byte[] b = m.encode();
        int cut = (int) (f * b.length);
        assertThrows(IkeDecodeException.class, () -> IkeMessage.decode(Arrays.copyOf(b, cut)));
    }

    @SeededTest(cases = 2000)
    void randomBytesOnlyEverFailWithDecodeException(Gen g) {
        byte[] b = g.bytes(0, 200);
        decodeAllowingOnlyDecodeException(b);
    }

    @SeededTest(cases = 2000)
    void randomBodiesBehindAValidHeaderOnlyFailWithDecodeException(Gen g) {
        IkeHeader h = IkeGen.header(g);
        byte[] body = g.bytes(0, 120);
        int next = g.bool() ? g.ofInts(0, 41, 42, 43, 46) : g.u8();
        byte[] b = new byte[IkeHeader.LENGTH + body.length];
        h.withNextPayloadAndLength(next, b.length).encode(ByteBuffer.wrap(b));
        System.arraycopy(body, 0, b, IkeHeader.LENGTH, body.length);
        decodeAllowingOnlyDecodeException(b);
    }

    @SeededTest(cases = 2000)
    void mutatedMessagesOnlyFailWithDecodeExceptionAndReencodeStably(Gen g)
            throws IkeDecodeException  {
        byte[] b = mutatedMessage(g);
        IkeMessage m = decodeAllowingOnlyDecodeException(b);
        if (m != null) {
            assertEquals(m, IkeMessage.decode(m.encode()));
        }
    }

    private static IkePayload payload(Gen g) {
        return switch (g.between(0, 4)) {
            case 0 -> IkeGen.notifyPayload(g);
            case 1 -> IkeGen.delete(g);
            case 2 -> IkeGen.vendorId(g);
            case 3 -> IkeGen.opaque(g);
            default -> IkeGen.encrypted(g);
        };
    }

    private static byte[] mutatedMessage(Gen g) {
        byte[] b = IkeGen.message(g).encode();
        int n = g.between(1, 4);
        for (int i = 0; i < n; i++) {
            b[g.between(0, 10000) % b.length] = (byte) g.anyInt();
        }
        return b;
    }

    private static IkeMessage decodeAllowingOnlyDecodeException(byte[] b) {
        try {
            return IkeMessage.decode(b);
        } catch (IkeDecodeException e) {
            assertFalse(e.getMessage() == null || e.getMessage().isEmpty());
            return null;
        }
    }
}
