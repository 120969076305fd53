package io.cxt.cxtp;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.net.InetAddress;
import java.util.HexFormat;
import java.util.List;

import org.junit.jupiter.api.Test;

import io.cxt.xfrm.KeyBytes;

/**
 * Hand-built octets, field by field from the figures of RFC 4067 section 2.5, for every message
 * type in its IPv6 (V = 0) and IPv4 (V = 1) form: the encoder must produce them and the decoder
 * must read them back into the same record.
 */
class CxtpCodecFiguresTest {

    static final InetAddress MN6 = addr("2001:db8:1::10");
    static final InetAddress AR6 = addr("2001:db8:2::1");
    static final InetAddress MN4 = addr("192.0.2.10");
    static final InetAddress AR4 = addr("198.51.100.1");

    static InetAddress addr(String s) {
        try {
            return InetAddress.getByName(s);
        } catch (java.net.UnknownHostException e) {
            throw new IllegalStateException(e);
        }
    }

    /** Concatenates hex strings (spaces ignored) and address octets. */
    static byte[] octets(Object... parts) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        for (Object p : parts) {
            if (p instanceof String s) {
                out.writeBytes(HexFormat.of().parseHex(s.replace(" ", "")));
            } else if (p instanceof InetAddress a) {
                out.writeBytes(a.getAddress());
            } else if (p instanceof byte[] b) {
                out.writeBytes(b);
            } else {
                throw new IllegalArgumentException(String.valueOf(p));
            }
        }
        return out.toByteArray();
    }

    static void assertWire(CxtpMessage m, byte[] wire) throws CxtpDecodeException {
        assertEquals(HexFormat.of().formatHex(wire), HexFormat.of().formatHex(CxtpCodec.encode(m)));
        assertEquals(m, CxtpCodec.decode(wire));
    }

    /** RFC 4067 Appendix B: MLD context = 16-octet subnet prefix + 16-octet multicast address. */
    static final byte[] MLD_CONTEXT = octets(addr("2001:db8:2::"), addr("ff02::1:ff00:10"));

    // ------------------------------------------------------------------ CTAR

    @Test
    void ctarIpv6WithAckAndOneRequestBlock() throws Exception {
        byte[] wire = octets(
                "21",            // Vers. = 1 (001), Type = CTAR (00001)
                "40",            // V = 0 (IPv6), A = 1, Reserved = 0
                "0034",          // Length = 52 octets
                MN6,             // MN's Previous IP Address
                AR6,             // Previous (New) AR IP Address
                "01020304",      // Sequence Number
                "deadbeef",      // MN Authorization Token
                "0001 01 00",    // Requested CDB: FPT 1, Length 1 word, P = 0
                "00000000");     // zero padding to 8 octets
        assertWire(new ContextTransferActivateRequest(true, MN6, AR6, 0x01020304L, 0xdeadbeef,
                List.of(ContextDataBlock.request(1))), wire);
    }

    @Test
    void ctarIpv4WithoutAckAndPresenceVectorRequest() throws Exception {
        byte[] wire = octets(
                "21",            // Vers. 1, CTAR
                "80",            // V = 1 (IPv4), A = 0
                "001c",          // Length = 28
                MN4, AR4,
                "fffffffe",      // Sequence Number (unsigned)
                "00000001",      // Token
                "0102 01 80",    // CDB: FPT 0x0102, Length 1, P = 1
                "a5a5a5a5");     // Presence Vector
        assertWire(new ContextTransferActivateRequest(false, MN4, AR4, 0xfffffffeL, 1,
                List.of(ContextDataBlock.request(0x0102, 0xa5a5a5a5))), wire);
    }

    @Test
    void ctarWithoutBlocksRequestsAllContexts() throws Exception {
        byte[] wire = octets("21 40 002c", MN6, AR6, "00000007", "12345678");
        assertWire(new ContextTransferActivateRequest(true, MN6, AR6, 7, 0x12345678, List.of()), wire);
        assertEquals(44, wire.length);
    }

    // ------------------------------------------------------------------ CTAA

    @Test
    void ctaaIpv6WithTwoFailedContexts() throws Exception {
        byte[] wire = octets(
                "22",            // Vers. 1, CTAA
                "00",            // V = 0
                "001c",          // Length = 28
                MN6,
                "0001 05 00",    // FPT 1, Status 5, Reserved
                "fffe ff 00");   // FPT 0xfffe, Status 255, Reserved
        assertWire(new ContextTransferActivateAcknowledge(MN6,
                List.of(new FeatureStatus(1, 5), new FeatureStatus(0xfffe, 255))), wire);
    }

    @Test
    void ctaaIpv4Empty() throws Exception {
        byte[] wire = octets("22", "80", "0008", MN4);
        assertWire(new ContextTransferActivateAcknowledge(MN4, List.of()), wire);
    }

    // ------------------------------------------------------------------ CTD

    @Test
    void ctdIpv6WithMldContext() throws Exception {
        byte[] wire = octets(
                "23",            // Vers. 1, CTD
                "40",            // V = 0, A = 1
                "0040",          // Length = 64
                "00000064",      // Elapsed Time = 100 ms
                MN6,             // MN's Previous Care-of Address
                "0001 05 00",    // CDB: FPT 1 (IPv6 multicast listener), 5 words = 40 octets, P = 0
                MLD_CONTEXT,     // 32 octets of context data
                "00000000");     // padding 36 -> 40
        assertWire(new ContextTransferData(true, 100, MN6, List.of(ContextDataBlock.of(1, MLD_CONTEXT))), wire);
    }

    @Test
    void ctdIpv4WithPresenceVectorAndPadding() throws Exception {
        byte[] wire = octets(
                "23", "80",      // CTD, V = 1, A = 0
                "001c",          // Length = 28
                "ffffffff",      // Elapsed Time
                MN4,
                "8001 02 80",    // CDB: FPT 0x8001, 2 words, P = 1
                "00000005",      // Presence Vector
                "aabbcc 00000000 00"); // 3 data octets + 5 padding
        ContextDataBlock cdb = ContextDataBlock.withPresenceVector(0x8001, 5, new byte[] {(byte) 0xaa, (byte) 0xbb, (byte) 0xcc});
        assertWire(new ContextTransferData(false, 0xffffffffL, MN4, List.of(cdb)), wire);
    }

    // ------------------------------------------------------------------ PCTD

    @Test
    void pctdIpv6WithHmacSha1Key() throws Exception {
        byte[] key = HexFormat.of().parseHex("000102030405060708090a0b0c0d0e0f10111213");
        byte[] wire = octets(
                "24", "40",      // PCTD, V = 0, A = 1
                "0048",          // Length = 72
                "00000000",      // Elapsed Time
                MN6,
                "0001",          // Algorithm = HMAC_SHA1
                "0014",          // Key Length = 20
                key,             // Key (20 octets, already 4-aligned)
                "0001 03 00",    // CDB: FPT 1, 3 words
                HexFormat.of().parseHex("11".repeat(20))); // 20 data octets
        assertWire(new PredictiveContextTransferData(true, 0, MN6, TokenKeyMaterial.hmacSha1(KeyBytes.of(key)),
                List.of(ContextDataBlock.of(1, HexFormat.of().parseHex("11".repeat(20))))), wire);
    }

    @Test
    void pctdIpv4KeyIsPaddedToFourOctets() throws Exception {
        byte[] wire = octets(
                "24", "80",      // PCTD, V = 1, A = 0
                "0020",          // Length = 32
                "00000010",      // Elapsed Time 16
                MN4,
                "0001 0005",     // Algorithm 1, Key Length 5
                "0102030405 000000", // key + 3 octets padding
                "0001 01 00 00000000"); // request-shaped CDB
        assertWire(new PredictiveContextTransferData(false, 16, MN4,
                TokenKeyMaterial.hmacSha1(KeyBytes.ofHex("0102030405")), List.of(ContextDataBlock.request(1))), wire);
    }

    // ------------------------------------------------------------------ CTDR

    @Test
    void ctdrIpv6Success() throws Exception {
        byte[] wire = octets("25", "40", "0018", MN6, "0001 00 00"); // CTDR, S = 1, Length 24
        assertWire(new ContextTransferDataReply(true, MN6, List.of(new FeatureStatus(1, 0))), wire);
    }

    @Test
    void ctdrIpv4BadChecksum() throws Exception {
        byte[] wire = octets("25", "80", "000c", MN4, "0001 01 00"); // S = 0, BAD_CHECKSUM
        assertWire(new ContextTransferDataReply(false, MN4, List.of(new FeatureStatus(1, FeatureStatus.BAD_CHECKSUM))), wire);
    }

    // ------------------------------------------------------------------ CTC

    @Test
    void ctcIpv6() throws Exception {
        assertWire(new ContextTransferCancel(MN6), octets("26", "00", "0014", MN6));
    }

    @Test
    void ctcIpv4() throws Exception {
        assertWire(new ContextTransferCancel(MN4), octets("26", "80", "0008", MN4));
    }

    // ------------------------------------------------------------------ CT-Req

    @Test
    void ctReqIpv6CopiedFromCtar() throws Exception {
        ContextTransferActivateRequest ctar = new ContextTransferActivateRequest(true, MN6, AR6, 0x01020304L,
                0xdeadbeef, List.of(ContextDataBlock.request(1)));
        byte[] wire = octets(
                "27", "00",      // CT-Req, V = 0
                "0024",          // Length = 36
                MN6,
                "01020304",      // Sequence Number (from CTAR)
                "deadbeef",      // Token (from CTAR)
                "0001 01 00 00000000");
        assertWire(ContextTransferRequest.forActivateRequest(ctar), wire);
    }

    @Test
    void ctReqIpv4NullToken() throws Exception {
        byte[] wire = octets("27", "80", "0010", MN4, "00000009", "00000000");
        ContextTransferRequest r = new ContextTransferRequest(MN4, 9, 0, List.of());
        assertWire(r, wire);
        assertTrue(r.hasNullToken());
    }

    // ------------------------------------------------------------------ receiver rules

    @Test
    void reservedBitsAreIgnoredOnReceipt() throws Exception {
        byte[] wire = octets("21", "7f", "002c", MN6, AR6, "00000007", "12345678"); // A + all reserved bits
        ContextTransferActivateRequest r = (ContextTransferActivateRequest) CxtpCodec.decode(wire);
        assertTrue(r.acknowledgementRequested());
        assertFalse(r.ipv4Addresses());
        byte[] ctaa = octets("22", "7f", "000c", MN4, "0001 05 ff"); // V + reserved; reserved entry octet
        ContextTransferActivateAcknowledge a = (ContextTransferActivateAcknowledge) CxtpCodec.decode(octets("22", "bf", "000c", MN4, "0001 05 ff"));
        assertEquals(List.of(new FeatureStatus(1, 5)), a.failedContexts());
        assertThrows(CxtpDecodeException.class, () -> CxtpCodec.decode(ctaa), "without V, 4 octets cannot be an IPv6 address");
        byte[] cdbReserved = octets("23 00 0020 00000000", MN6, "0001 01 7f 00000000");
        assertEquals(ContextDataBlock.request(1), ((ContextTransferData) CxtpCodec.decode(cdbReserved)).contexts().get(0));
    }

    @Test
    void malformedInputIsRejectedWithReason() {
        assertMalformed(octets("21 40"), "truncated");
        assertMalformed(octets("41 40 002c", MN6, AR6, "00000007 12345678"), "version 2");
        assertMalformed(octets("20 40 0014", MN6), "type 0");
        assertMalformed(octets("28 40 0014", MN6), "type 8");
        assertMalformed(octets("26 00 0015", MN6), "Length field");
        assertMalformed(octets("26 00 0018", MN6, "00000000"), "after the CTC");
        assertMalformed(octets("22 00 0016", MN6, "0001"), "multiple of 4");
        assertMalformed(octets("23 00 0020 00000000", MN6, "0001 00 00 00000000"), "Length 0");
        assertMalformed(octets("23 00 0020 00000000", MN6, "0001 02 00 00000000"), "overruns");
        assertMalformed(octets("24 00 0020 00000000", MN6, "0001 0009 00000000"), "key of 9");
        assertMalformed(octets("21 80 000e", MN4, AR4, "0000"), "sequence number");
    }

    private static void assertMalformed(byte[] wire, String reasonFragment) {
        CxtpDecodeException e = assertThrows(CxtpDecodeException.class, () -> CxtpCodec.decode(wire));
        assertTrue(e.getMessage().contains(reasonFragment), e.getMessage() + " should mention " + reasonFragment);
    }

    @Test
    void vFlagFollowsAddressFamilyAndMixedFamiliesAreRefused() {
        assertThrows(IllegalArgumentException.class,
                () -> new ContextTransferActivateRequest(false, MN4, AR6, 1, 1, List.of()));
        InetAddress mapped = io.cxt.xfrm.XfrmStructs.ipv6(octets("00000000 00000000 0000ffff c000020a"));
        ContextTransferCancel c = new ContextTransferCancel(mapped);
        assertFalse(c.ipv4Addresses(), "::ffff:192.0.2.10 stays an IPv6 address");
        assertEquals(20, CxtpCodec.encode(c).length);
    }

    @Test
    void scopedAddressesLoseTheirScope() throws Exception {
        InetAddress scoped = java.net.Inet6Address.getByAddress(null, addr("fe80::1").getAddress(), 3);
        ContextTransferCancel c = new ContextTransferCancel(scoped);
        assertEquals(c, CxtpCodec.decode(CxtpCodec.encode(c)));
        assertInstanceOf(java.net.Inet6Address.class, c.previousAddress());
        assertEquals(0, ((java.net.Inet6Address) c.previousAddress()).getScopeId());
    }

    @Test
    void oversizedMessageIsRefusedByTheEncoder() {
        ContextDataBlock big = ContextDataBlock.of(1, new byte[CxtpConstants.MAX_CDB_LENGTH - 4]);
        List<ContextDataBlock> many = java.util.Collections.nCopies(33, big); // 33 * 2040 > 65535
        ContextTransferData d = new ContextTransferData(false, 0, MN6, many);
        assertThrows(IllegalArgumentException.class, () -> CxtpCodec.encode(d));
    }

    @Test
    void tokenKeyNeverPrints() {
        PredictiveContextTransferData p = new PredictiveContextTransferData(false, 0, MN6,
                TokenKeyMaterial.hmacSha1(KeyBytes.ofHex("00112233445566778899")), List.of());
        assertFalse(p.toString().contains("00112233"), p.toString());
        assertTrue(p.toString().contains("<redacted>"), p.toString());
        assertArrayEquals(HexFormat.of().parseHex("00112233445566778899"), p.tokenKey().key().bytes());
    }
}
