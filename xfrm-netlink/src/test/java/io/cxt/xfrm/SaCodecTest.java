package io.cxt.xfrm;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.InetAddress;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.function.BiConsumer;
import java.util.function.Function;

import org.junit.jupiter.api.Test;

import io.cxt.nl.MalformedNetlinkException;
import io.cxt.nl.NlAttribute;
import io.cxt.testing.Gen;
import io.cxt.testing.SeededTest;

/** Pure codec properties of the SAD records: round trips, exact sizes, and malformed input. */
class SaCodecTest {

    /** A family-dependent value together with the family it was made for. */
    record InFamily<T>(int family, T value) {
    }

    private static ByteBuffer buffer(int size) {
        return ByteBuffer.allocate(size).order(ByteOrder.nativeOrder());
    }

    /** Encodes into exactly {@code size} octets, decodes, and checks the decoder used them all. */
    private static <T> T structRoundTrip(T value, int size, BiConsumer<T, ByteBuffer> encode,
                                         Function<ByteBuffer, T> decode) {
        ByteBuffer b = buffer(size);
        encode.accept(value, b);
        assertEquals(size, b.position(), "encoded length");
        b.flip();
        T back = decode.apply(b);
        assertFalse(b.hasRemaining(), "decoder left octets");
        return back;
    }

    // ------------------------------------------------------------------ fixed structs

    @SeededTest
    void xfrmIdRoundTrips(Gen g) {
        int family = SaGen.saFamily(g);
        InFamily<XfrmId> x = new InFamily<>(family, SaGen.xfrmId(g, family));
        assertEquals(x.value(), structRoundTrip(x.value(), XfrmId.LENGTH, XfrmId::encode,
                b -> XfrmId.decode(b, x.family())));
    }

    @Test
    void xfrmIdSpiIsNetworkOrderOnTheWire() {
        ByteBuffer b = buffer(XfrmId.LENGTH);
        new XfrmId(SaGen.v4("10.0.0.2"), 0x01020304, XfrmId.PROTO_ESP).encode(b);
        assertEquals("0a000002000000000000000000000000" + "01020304" + "32000000",
                HexFormat.of().formatHex(b.array()));
    }

    @SeededTest
    void statsRoundTrip(Gen g) {
        SaStats s = SaGen.stats(g);
        assertEquals(s, structRoundTrip(s, SaStats.LENGTH, SaStats::encode, SaStats::decode));
    }

    @SeededTest
    void saInfoIsExactly224OctetsAndRoundTrips(Gen g) {
        SaInfo info = SaGen.saInfo(g);
        ByteBuffer b = buffer(SaInfo.LENGTH);
        info.encode(b);
        assertEquals(224, b.position());
        for (int i = 217; i < 224; i++) {
            assertEquals(0, b.get(i), "trailing pad octet " + i);
        }
        assertEquals(info, structRoundTrip(info, SaInfo.LENGTH, SaInfo::encode, SaInfo::decode));
    }

    @Test
    void saInfoFieldOffsetsMatchTheKernelLayout() {
        SaInfo info = new SaInfo(Selector.any(AddressFamily.INET), new XfrmId(SaGen.v4("10.0.0.2"), 0x1000,
                XfrmId.PROTO_ESP), SaGen.v4("10.0.0.1"), LifetimeConfig.UNLIMITED, LifetimeCurrent.ZERO,
                new SaStats(1, 2, 3), 0x11, 0x22, AddressFamily.INET, SaInfo.MODE_TUNNEL, 32, SaInfo.FLAG_ESN);
        ByteBuffer b = buffer(SaInfo.LENGTH);
        info.encode(b);
        assertEquals(0x0a000002, Integer.reverseBytes(b.getInt(56)), "id.daddr at 56");
        assertEquals(0x1000, Integer.reverseBytes(b.getInt(72)), "id.spi at 72, network order");
        assertEquals(50, b.get(76), "id.proto at 76");
        assertEquals(0x0a000001, Integer.reverseBytes(b.getInt(80)), "saddr at 80");
        assertEquals(-1L, b.getLong(96), "lft at 96");
        assertEquals(1, b.getInt(192), "stats at 192");
        assertEquals(0x11, b.getInt(204), "seq at 204");
        assertEquals(0x22, b.getInt(208), "reqid at 208");
        assertEquals(2, b.getShort(212), "family at 212");
        assertEquals(1, b.get(214), "mode at 214");
        assertEquals(32, b.get(215), "replay_window at 215");
        assertEquals((byte) 0x80, b.get(216), "flags at 216");
    }

    @SeededTest
    void algorithmsRoundTrip(Gen g) {
        Algorithm a = SaGen.algorithm(g);
        AuthAlgorithm t = SaGen.authAlgorithm(g);
        AeadAlgorithm e = SaGen.aeadAlgorithm(g);
        assertEquals(a, structRoundTrip(a, a.encodedLength(), Algorithm::encode, Algorithm::decode));
        assertEquals(t, structRoundTrip(t, t.encodedLength(), AuthAlgorithm::encode, AuthAlgorithm::decode));
        assertEquals(e, structRoundTrip(e, e.encodedLength(), AeadAlgorithm::encode, AeadAlgorithm::decode));
    }

    @Test
    void algorithmKeyLengthIsInBitsAndKeyOctetsFollow() {
        Algorithm a = new Algorithm("cbc(aes)", KeyBytes.ofHex("0x0102"), 12);
        ByteBuffer b = buffer(a.encodedLength());
        a.encode(b);
        assertEquals(70, b.position());
        assertEquals(12, b.getInt(64));
        assertEquals(0x0201, Short.toUnsignedInt(b.getShort(68)));
        assertThrows(IllegalArgumentException.class, () -> new Algorithm("x", KeyBytes.ofHex("0x0102"), 17));
        assertThrows(IllegalArgumentException.class, () -> Algorithm.of("a".repeat(64), KeyBytes.EMPTY));
        assertEquals(63, Algorithm.of("a".repeat(63), KeyBytes.EMPTY).name().length());
    }

    @SeededTest
    void encapRoundTrips(Gen g) {
        int family = SaGen.saFamily(g);
        InFamily<EncapTemplate> e = new InFamily<>(family, SaGen.encap(g, family));
        assertEquals(e.value(), structRoundTrip(e.value(), EncapTemplate.LENGTH, EncapTemplate::encode,
                b -> EncapTemplate.decode(b, e.family())));
    }

    @SeededTest
    void replayStatesRoundTrip(Gen g) {
        ReplayState r = SaGen.replayState(g);
        ReplayStateEsn e = SaGen.replayStateEsn(g);
        assertEquals(r, structRoundTrip(r, ReplayState.LENGTH, ReplayState::encode, ReplayState::decode));
        assertEquals(e, structRoundTrip(e, e.encodedLength(), ReplayStateEsn::encode, ReplayStateEsn::decode));
    }

    @Test
    void esnWindowOf4096NeedsAFullBitmapOf128Words() {
        ReplayStateEsn e = ReplayStateEsn.forWindow(4096, 1, 2, 3, 4);
        assertEquals(128, e.bmpLen());
        assertEquals(24 + 512, e.encodedLength());
        assertEquals(0x0000000300000001L, e.outboundSequence());
        assertThrows(IllegalArgumentException.class, () -> ReplayStateEsn.forWindow(4097, 0, 0, 0, 0));
        assertThrows(IllegalArgumentException.class, () -> new ReplayStateEsn(2, 0, 0, 0, 0, 64, new int[1]));
        int[] bits = {1, 2};
        ReplayStateEsn copy = new ReplayStateEsn(2, 0, 0, 0, 0, 64, bits);
        bits[0] = 99;
        assertEquals(1, copy.bitmap()[0], "bitmap is copied in");
        copy.bitmap()[1] = 99;
        assertEquals(2, copy.bitmap()[1], "bitmap is copied out");
    }

    @SeededTest
    void addressFilterRoundTrips(Gen g) {
        AddressFilter f = SaGen.addressFilter(g);
        assertEquals(f, structRoundTrip(f, AddressFilter.LENGTH, AddressFilter::encode, AddressFilter::decode));
    }

    @SeededTest
    void saIdAndAeventIdRoundTrip(Gen g) {
        AeventId id = SaGen.aeventId(g);
        assertEquals(id.saId(), structRoundTrip(id.saId(), SaId.LENGTH, SaId::encode, SaId::decode));
        assertEquals(id, structRoundTrip(id, AeventId.LENGTH, AeventId::encode, AeventId::decode));
    }

    @SeededTest
    void spiRangeRoundTrips(Gen g) {
        SpiRange r = SaGen.spiRange(g);
        assertEquals(r, structRoundTrip(r, SpiRange.LENGTH, SpiRange::encode, SpiRange::decode));
    }

    // ------------------------------------------------------------------ whole messages

    @SeededTest(cases = 500)
    void securityAssociationRoundTrips(Gen g) {
        SecurityAssociation sa = SaGen.securityAssociation(g);
        byte[] bytes = sa.toBytes();
        SecurityAssociation back = SecurityAssociation.decode(bytes);
        assertEquals(sa, back);
        assertArrayEquals(bytes, back.toBytes(), "encode(decode(bytes)) == bytes");
    }

    @SeededTest(cases = 300)
    void attributeOrderDoesNotMatterToDecoding(Gen g) {
        SecurityAssociation sa = SaGen.securityAssociation(g);
        long seed = g.anyLong();
        List<NlAttribute> attrs = new ArrayList<>(sa.attributes());
        // unknown attributes keep their relative order; shuffle only the typed ones among themselves
        List<NlAttribute> typed = new ArrayList<>(attrs.subList(0, attrs.size() - sa.unknownAttributes().size()));
        java.util.Collections.shuffle(typed, new java.util.Random(seed));
        typed.addAll(sa.unknownAttributes());
        ByteBuffer b = buffer(SaInfo.LENGTH + NlAttribute.encodedLength(typed));
        sa.info().encode(b);
        typed.forEach(a -> a.writeTo(b));
        SecurityAssociation back = SecurityAssociation.decode(b.array());
        assertEquals(sa, back);
        assertEquals(new java.util.HashSet<>(attrs), new java.util.HashSet<>(back.attributes()));
    }

    @SeededTest(cases = 200)
    void keysNeverShowInToString(Gen g) {
        SecurityAssociation sa = SaGen.securityAssociation(g);
        String s = sa.toString();
        for (KeyBytes k : keysOf(sa)) {
            if (k.length() >= 4) {
                String hex = k.revealHex().substring(2);
                assertFalse(s.contains(hex), "key material in toString");
            }
        }
    }

    private static List<KeyBytes> keysOf(SecurityAssociation sa) {
        List<KeyBytes> keys = new ArrayList<>();
        if (sa.aead() != null) {
            keys.add(sa.aead().key());
        }
        if (sa.auth() != null) {
            keys.add(sa.auth().key());
        }
        if (sa.authTrunc() != null) {
            keys.add(sa.authTrunc().key());
        }
        if (sa.crypt() != null) {
            keys.add(sa.crypt().key());
        }
        return keys;
    }

    @SeededTest(cases = 300)
    void saKeysRoundTrip(Gen g) {
        SaKey k = SaGen.saKey(g);
        byte[] bytes = k.toBytes();
        assertEquals(k, SaKey.decode(bytes));
        assertArrayEquals(bytes, SaKey.decode(bytes).toBytes());
    }

    @SeededTest(cases = 300)
    void replayLifetimeStatesRoundTrip(Gen g) {
        ReplayLifetimeState s = SaGen.replayLifetimeState(g);
        byte[] bytes = s.toBytes();
        assertEquals(s, ReplayLifetimeState.decode(bytes));
        assertArrayEquals(bytes, ReplayLifetimeState.decode(bytes).toBytes());
    }

    @SeededTest(cases = 300)
    void allocSpiRequestsRoundTrip(Gen g) {
        AllocSpiRequest r = SaGen.allocSpiRequest(g);
        byte[] bytes = r.toBytes();
        assertEquals(r, AllocSpiRequest.decode(bytes));
        assertArrayEquals(bytes, AllocSpiRequest.decode(bytes).toBytes());
    }

    @SeededTest(cases = 300)
    void expiresRoundTrip(Gen g) {
        SaExpire e = SaGen.saExpire(g);
        byte[] bytes = e.toBytes();
        assertEquals(232, SaExpire.LENGTH);
        assertEquals(e.hard(), bytes[224] & 0xff, "hard right after xfrm_usersa_info");
        assertEquals(e, SaExpire.decode(bytes));
        assertArrayEquals(bytes, SaExpire.decode(bytes).toBytes());
    }

    @SeededTest
    void flushAndSadInfoRoundTrip(Gen g) {
        SaFlush f = SaGen.saFlush(g);
        SadInfo i = SaGen.sadInfo(g);
        assertEquals(1, f.toBytes().length);
        assertEquals(f, SaFlush.decode(f.toBytes()));
        byte[] bytes = i.toBytes();
        assertEquals(i, SadInfo.decode(bytes));
        assertArrayEquals(bytes, SadInfo.decode(bytes).toBytes());
    }

    // ------------------------------------------------------------------ examples on attribute handling

    private static SecurityAssociation sampleSa() {
        return SecurityAssociation.builder(SaInfo.of(SaGen.v4("10.0.0.1"), SaGen.v4("10.0.0.2"),
                XfrmId.PROTO_ESP, 0x1000, 7, SaInfo.MODE_TUNNEL))
                .crypt(Algorithm.of("cbc(aes)", KeyBytes.ofHex("00112233445566778899aabbccddeeff")))
                .mark(new Mark(1, 0xff))
                .build();
    }

    @Test
    void repeatedKnownAttributeIsKeptRawAndReEmitted() {
        SecurityAssociation sa = sampleSa();
        NlAttribute secondMark = new NlAttribute(XfrmAttrType.MARK, new byte[] {2, 0, 0, 0, -1, 0, 0, 0});
        List<NlAttribute> attrs = new ArrayList<>(sa.attributes());
        attrs.add(secondMark);
        ByteBuffer b = buffer(SaInfo.LENGTH + NlAttribute.encodedLength(attrs));
        sa.info().encode(b);
        attrs.forEach(a -> a.writeTo(b));
        SecurityAssociation back = SecurityAssociation.decode(b.array());
        assertEquals(new Mark(1, 0xff), back.mark(), "first one is typed");
        assertEquals(List.of(secondMark), back.unknownAttributes());
        assertArrayEquals(b.array(), back.toBytes());
    }

    @Test
    void withersChangeOnlyWhatTheySay() throws Exception {
        SecurityAssociation sa = sampleSa();
        InetAddress a = XfrmStructs.ipv6(InetAddress.getByName("2001:db8::1").getAddress());
        InetAddress d = XfrmStructs.ipv6(InetAddress.getByName("2001:db8::2").getAddress());
        SecurityAssociation moved = sa.withAddresses(a, d).withSpi(0xabcd).withReplay(new ReplayState(5, 6, 7))
                .withIfId(9).withSaDir(SecurityAssociation.DIR_OUT);
        assertEquals(AddressFamily.INET6, moved.family());
        assertEquals(a, moved.source());
        assertEquals(d, moved.destination());
        assertEquals(0xabcd, moved.spi());
        assertEquals(new ReplayState(5, 6, 7), moved.replay());
        assertEquals(9, moved.ifId());
        assertEquals(SecurityAssociation.DIR_OUT, moved.saDir());
        assertEquals(sa.crypt(), moved.crypt());
        assertEquals(sa.mark(), moved.mark());
        assertEquals(0x1000, sa.spi(), "the original is unchanged");
        assertNull(sa.replay());
        SaKey key = moved.key();
        assertEquals(new SaId(d, 0xabcd, AddressFamily.INET6, XfrmId.PROTO_ESP), key.id());
        assertEquals(a, key.srcAddr());
        assertEquals(sa.mark(), key.mark());
        assertThrows(IllegalArgumentException.class, () -> sa.withAddresses(a, SaGen.v4("10.0.0.9")));
        // an encap address of the old family no longer fits
        SecurityAssociation withEncap = sa.withEncap(new EncapTemplate(EncapTemplate.ESPINUDP, 4500, 4500,
                SaGen.v4("0.0.0.0")));
        assertThrows(IllegalArgumentException.class, () -> withEncap.withAddresses(a, d));
    }

    @Test
    void esnHeaderOnlyAndFullFormsStayApart() {
        ReplayStateEsn headerOnly = new ReplayStateEsn(4, 1, 2, 0, 0, 128, new int[0]);
        ReplayStateEsn full = ReplayStateEsn.forWindow(128, 1, 2, 0, 0);
        SecurityAssociation a = sampleSa().withReplayEsn(headerOnly);
        SecurityAssociation b = sampleSa().withReplayEsn(full);
        assertEquals(a.toBytes().length + 16, b.toBytes().length);
        assertEquals(headerOnly, SecurityAssociation.decode(a.toBytes()).replayEsn());
        assertEquals(full, SecurityAssociation.decode(b.toBytes()).replayEsn());
        assertFalse(headerOnly.equals(full));
    }

    @Test
    void wrongSizedAttributesAreMalformed() {
        SecurityAssociation sa = sampleSa();
        for (int type : new int[] {XfrmAttrType.IF_ID, XfrmAttrType.MARK, XfrmAttrType.REPLAY_VAL, XfrmAttrType.ENCAP,
            XfrmAttrType.SA_DIR, XfrmAttrType.LASTUSED, XfrmAttrType.COADDR}) {
            NlAttribute bad = new NlAttribute(type, new byte[3]);
            ByteBuffer b = buffer(SaInfo.LENGTH + bad.encodedLength());
            sa.info().encode(b);
            bad.writeTo(b);
            MalformedNetlinkException e = assertThrows(MalformedNetlinkException.class,
                    () -> SecurityAssociation.decode(b.array()), "attribute " + type);
            assertTrue(e.getMessage().contains("XFRMA_"), e.getMessage());
        }
    }

    // ------------------------------------------------------------------ malformed input

    /** Every decoder of this module's SAD side, fed the same bytes. */
    private static final List<Function<byte[], Object>> DECODERS = List.of(
            SecurityAssociation::decode,
            SaKey::decode,
            ReplayLifetimeState::decode,
            AllocSpiRequest::decode,
            SaExpire::decode,
            SaFlush::decode,
            SadInfo::decode,
            b -> SaInfo.decode(StateCodec.wrap(b)),
            b -> XfrmId.decode(StateCodec.wrap(b), AddressFamily.INET),
            b -> XfrmId.decode(StateCodec.wrap(b), AddressFamily.INET6),
            b -> SaStats.decode(StateCodec.wrap(b)),
            b -> Algorithm.decode(StateCodec.wrap(b)),
            b -> AuthAlgorithm.decode(StateCodec.wrap(b)),
            b -> AeadAlgorithm.decode(StateCodec.wrap(b)),
            b -> EncapTemplate.decode(StateCodec.wrap(b), AddressFamily.INET),
            b -> EncapTemplate.decode(StateCodec.wrap(b), AddressFamily.INET6),
            b -> ReplayState.decode(StateCodec.wrap(b)),
            b -> ReplayStateEsn.decode(StateCodec.wrap(b)),
            b -> SaId.decode(StateCodec.wrap(b)),
            b -> AeventId.decode(StateCodec.wrap(b)),
            b -> SpiRange.decode(StateCodec.wrap(b)),
            b -> AddressFilter.decode(StateCodec.wrap(b)));

    private static void decodeOrMalformed(byte[] bytes) {
        for (Function<byte[], Object> d : DECODERS) {
            try {
                d.apply(bytes);
            } catch (MalformedNetlinkException expected) {
                // the only failure a decoder may have
            }
        }
    }

    @SeededTest(cases = 2000)
    void randomBytesAreDecodedOrMalformed(Gen g) {
        byte[] bytes = g.bytes(0, 700);
        decodeOrMalformed(bytes);
    }

    private static byte[] validEncoding(Gen g) {
        return switch (g.between(0, 5)) {
            case 0 -> SaGen.securityAssociation(g).toBytes();
            case 1 -> SaGen.saKey(g).toBytes();
            case 2 -> SaGen.replayLifetimeState(g).toBytes();
            case 3 -> SaGen.allocSpiRequest(g).toBytes();
            case 4 -> SaGen.saExpire(g).toBytes();
            default -> SaGen.sadInfo(g).toBytes();
        };
    }

    /** Valid messages with some octets overwritten: reaches deep into the attribute decoders. */
    @SeededTest(cases = 1000)
    void corruptedMessagesAreDecodedOrMalformed(Gen g) {
        byte[] bytes = validEncoding(g);
        List<Integer> positions = g.list(1, 8, () -> g.between(0, 100000));
        byte[] values = g.bytes(8, 8);
        byte[] b = bytes.clone();
        for (int i = 0; i < positions.size(); i++) {
            if (b.length > 0) {
                b[positions.get(i) % b.length] = values[i];
            }
        }
        decodeOrMalformed(b);
    }

    @SeededTest(cases = 1000)
    void truncatedMessagesAreDecodedOrMalformed(Gen g) {
        byte[] bytes = validEncoding(g);
        int cut = g.betweenEdgy(0, 100000);
        decodeOrMalformed(java.util.Arrays.copyOf(bytes, cut % (bytes.length + 1)));
    }

    @SeededTest(cases = 300)
    void saTruncatedInsideItsHeaderOrAnAttributeIsMalformed(Gen g) {
        SecurityAssociation sa = SaGen.securityAssociation(g);
        int cutSeed = g.betweenEdgy(0, 100000);
        byte[] bytes = sa.toBytes();
        int cut = cutSeed % bytes.length;
        // a cut between two attributes (or inside the last one's alignment padding, which the
        // kernel may omit) leaves a shorter but valid SA
        boolean between = cut == SaInfo.LENGTH;
        int pos = SaInfo.LENGTH;
        for (NlAttribute a : sa.attributes()) {
            int valueEnd = pos + NlAttribute.HEADER_LENGTH + a.value().length;
            pos += a.encodedLength();
            between |= cut >= valueEnd && cut <= pos;
        }
        byte[] t = java.util.Arrays.copyOf(bytes, cut);
        if (between) {
            SecurityAssociation.decode(t);
        } else {
            assertThrows(MalformedNetlinkException.class, () -> SecurityAssociation.decode(t));
        }
    }

    @SeededTest
    void truncatedFixedStructsAreMalformed(Gen g) {
        int len = g.betweenEdgy(0, 231);
        ByteBuffer b = StateCodec.wrap(new byte[len]);
        if (len < SaInfo.LENGTH) {
            assertThrows(MalformedNetlinkException.class, () -> SaInfo.decode(b.duplicate()));
        }
        if (len < SpiRange.LENGTH) {
            assertThrows(MalformedNetlinkException.class, () -> SpiRange.decode(b.duplicate()));
            assertThrows(MalformedNetlinkException.class, () -> SaExpire.decode(b.duplicate()));
        }
        if (len < AeventId.LENGTH) {
            assertThrows(MalformedNetlinkException.class, () -> AeventId.decode(b.duplicate()));
        }
        if (len < AddressFilter.LENGTH) {
            assertThrows(MalformedNetlinkException.class, () -> AddressFilter.decode(b.duplicate()));
        }
        if (len < XfrmId.LENGTH) {
            assertThrows(MalformedNetlinkException.class, () -> XfrmId.decode(b.duplicate(), AddressFamily.INET));
            assertThrows(MalformedNetlinkException.class, () -> SaId.decode(b.duplicate()));
            assertThrows(MalformedNetlinkException.class, () -> EncapTemplate.decode(b.duplicate(), AddressFamily.INET6));
            assertThrows(MalformedNetlinkException.class, () -> ReplayStateEsn.decode(b.duplicate()));
        }
        if (len < ReplayState.LENGTH) {
            assertThrows(MalformedNetlinkException.class, () -> ReplayState.decode(b.duplicate()));
            assertThrows(MalformedNetlinkException.class, () -> SaStats.decode(b.duplicate()));
        }
        if (len < Algorithm.HEADER_LENGTH) {
            assertThrows(MalformedNetlinkException.class, () -> Algorithm.decode(b.duplicate()));
        }
    }

    @Test
    void algorithmKeyLongerThanItsAttributeIsMalformed() {
        ByteBuffer b = buffer(Algorithm.HEADER_LENGTH + 2);
        Algorithm.of("cbc(aes)", KeyBytes.ofHex("0102")).encode(b);
        b.putInt(64, 24); // claims 3 octets, 2 present
        b.flip();
        assertThrows(MalformedNetlinkException.class, () -> Algorithm.decode(b));
        ByteBuffer huge = buffer(Algorithm.HEADER_LENGTH);
        huge.putInt(64, -1); // 2^32-1 bits
        assertThrows(MalformedNetlinkException.class, () -> Algorithm.decode(huge));
    }

    @Test
    void nonAsciiAlgorithmNameIsMalformedNotAnotherException() {
        ByteBuffer b = buffer(Algorithm.HEADER_LENGTH);
        b.put(0, (byte) 0xc3).put(1, (byte) 0xa9);
        assertThrows(MalformedNetlinkException.class, () -> Algorithm.decode(b));
    }

    @Test
    void esnBitmapNotMatchingBmpLenIsMalformed() {
        ByteBuffer b = buffer(ReplayStateEsn.HEADER_LENGTH + 4);
        b.putInt(0, 2); // bmp_len 2, one word present
        assertThrows(MalformedNetlinkException.class, () -> ReplayStateEsn.decode(b));
        ByteBuffer tooLong = buffer(ReplayStateEsn.HEADER_LENGTH);
        tooLong.putInt(0, 129);
        assertThrows(MalformedNetlinkException.class, () -> ReplayStateEsn.decode(tooLong));
    }

    @Test
    void unknownAttributeIsKeptAndReEmitted() {
        SecurityAssociation sa = sampleSa().toBuilder()
                .addUnknownAttribute(new NlAttribute(XfrmAttrType.IPTFS_PKT_SIZE, new byte[] {1, 2, 3, 4}))
                .build();
        SecurityAssociation back = SecurityAssociation.decode(sa.toBytes());
        assertEquals(1, back.unknownAttributes().size());
        assertEquals(XfrmAttrType.IPTFS_PKT_SIZE, back.unknownAttributes().get(0).type());
        assertEquals(sa, back);
    }
}
