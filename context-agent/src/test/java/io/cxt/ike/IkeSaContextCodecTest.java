package io.cxt.ike;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Arrays;

import org.junit.jupiter.api.Test;

import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.constraints.IntRange;

import io.cxt.agent.ike.IkeContextSlots;
import io.cxt.context.IkeContextSlot;

class IkeSaContextCodecTest {

    @Provide
    Arbitrary<IkeSaContext> contexts() {
        return IkeArbitraries.context();
    }

    @Property(tries = 300)
    void roundTripKeepsEveryField(@ForAll("contexts") IkeSaContext sa) throws Exception {
        byte[] encoded = IkeSaContextCodec.encode(sa);
        IkeSaContext back = IkeSaContextCodec.decode(encoded);
        assertEquals(sa, back);
        // equals covers keys by content; check the parts records compare loosely too
        assertEquals(sa.keys(), back.keys());
        assertEquals(sa.keySeed(), back.keySeed());
        assertEquals(sa.messageIds(), back.messageIds());
        assertEquals(sa.lifetime(), back.lifetime());
        assertEquals(sa.peer(), back.peer());
        assertEquals(sa.childSas(), back.childSas());
        assertEquals(sa.originalInitiator(), back.originalInitiator());
        assertArrayEquals(encoded, IkeSaContextCodec.encode(back), "encoding is deterministic");
    }

    @Property(tries = 200)
    void slotRoundTripAndSpisInClear(@ForAll("contexts") IkeSaContext sa) throws Exception {
        IkeContextSlot slot = IkeContextSlots.of(sa);
        assertEquals(sa.initiatorSpi(), slot.spiInitiator());
        assertEquals(sa.responderSpi(), slot.spiResponder());
        assertEquals(sa, IkeContextSlots.decode(slot));
        assertTrue(slot.toString().contains("redacted"));
    }

    @Property(tries = 200)
    void everyTruncationIsRefusedCleanly(@ForAll("contexts") IkeSaContext sa, @ForAll @IntRange(min = 0, max = 10_000) int cut) {
        byte[] encoded = IkeSaContextCodec.encode(sa);
        int len = cut % encoded.length;
        assertThrows(IkeDecodeException.class, () -> IkeSaContextCodec.decode(Arrays.copyOf(encoded, len)));
    }

    @Property(tries = 200)
    void trailingOctetsAreRefused(@ForAll("contexts") IkeSaContext sa) {
        byte[] encoded = IkeSaContextCodec.encode(sa);
        assertThrows(IkeDecodeException.class, () -> IkeSaContextCodec.decode(Arrays.copyOf(encoded, encoded.length + 1)));
    }

    /** Garbage and corrupted encodings: a valid context or IkeDecodeException, nothing else. */
    @Property(tries = 1000)
    void garbageYieldsOnlyIkeDecodeException(@ForAll("garbage") byte[] bytes) {
        try {
            IkeSaContextCodec.decode(bytes);
        } catch (IkeDecodeException e) {
            assertFalse(e.getMessage().isEmpty());
        }
    }

    @Property(tries = 500)
    void corruptedOctetYieldsContextOrIkeDecodeException(@ForAll("contexts") IkeSaContext sa,
            @ForAll @IntRange(min = 0, max = 100_000) int at, @ForAll @IntRange(min = 1, max = 255) int xor) {
        byte[] encoded = IkeSaContextCodec.encode(sa);
        encoded[at % encoded.length] ^= (byte) xor;
        try {
            IkeSaContext other = IkeSaContextCodec.decode(encoded);
            assertNotEquals(sa, other);
        } catch (IkeDecodeException e) {
            assertFalse(e.getMessage().isEmpty());
        }
    }

    @Provide
    Arbitrary<byte[]> garbage() {
        Arbitrary<byte[]> random = IkeArbitraries.bytes(0, 600);
        // Random bytes after a valid version and flags get deeper into the decoder.
        Arbitrary<byte[]> versioned = IkeArbitraries.bytes(0, 600).map(b -> {
            byte[] out = new byte[b.length + 2];
            out[0] = 1;
            out[1] = (byte) (b.length % 4);
            System.arraycopy(b, 0, out, 2, b.length);
            return out;
        });
        return Arbitraries.oneOf(random, versioned);
    }

    @Test
    void unknownVersionAndFlagsAreRefused() {
        byte[] encoded = IkeSaContextCodec.encode(IkeFixtures.accessRouter(IkeFixtures.CBC_SHA256));
        byte[] v2 = encoded.clone();
        v2[0] = 2;
        IkeDecodeException e = assertThrows(IkeDecodeException.class, () -> IkeSaContextCodec.decode(v2));
        assertTrue(e.getMessage().contains("version 2"), e.getMessage());
        byte[] flags = encoded.clone();
        flags[1] |= 0x10;
        assertThrows(IkeDecodeException.class, () -> IkeSaContextCodec.decode(flags));
        assertThrows(IkeDecodeException.class, () -> IkeSaContextCodec.decode(null));
    }

    @Test
    void layoutStartsWithVersionFlagsAndSpis() {
        IkeSaContext sa = IkeFixtures.mobileNode(IkeFixtures.GCM);
        byte[] e = IkeSaContextCodec.encode(sa);
        assertEquals(1, e[0]);
        assertEquals(3, e[1], "original initiator and key seed present");
        assertEquals(0x11, e[2] & 0xff);
        assertEquals(0x00, e[17] & 0xff);
        assertEquals(0, e[18]);
        assertEquals(20, e[19], "ENCR_AES_GCM_16");
    }

    @Test
    void errorsNeverQuoteKeyMaterial() {
        IkeSaContext sa = IkeFixtures.accessRouter(IkeFixtures.CBC_SHA256);
        byte[] e = IkeSaContextCodec.encode(sa);
        String skD = sa.keys().skD().revealHex().substring(2, 10);
        for (int len = 0; len < e.length; len++) {
            try {
                IkeSaContextCodec.decode(Arrays.copyOf(e, len));
            } catch (IkeDecodeException x) {
                assertFalse(x.getMessage().toLowerCase().contains(skD));
            }
        }
    }

    @Test
    void slotWithOtherSpisThanItsContentIsRefused() {
        IkeSaContext sa = IkeFixtures.accessRouter(IkeFixtures.CBC_SHA256);
        IkeContextSlot slot = new IkeContextSlot(sa.initiatorSpi(), 42, IkeSaContextCodec.encode(sa));
        assertThrows(IkeDecodeException.class, () -> IkeContextSlots.decode(slot));
    }
}
