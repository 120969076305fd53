package io.cxt.ike;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Arrays;

import org.junit.jupiter.api.Test;

import io.cxt.agent.ike.IkeContextSlots;
import io.cxt.context.IkeContextSlot;
import io.cxt.testing.Gen;
import io.cxt.testing.SeededTest;

class IkeSaContextCodecTest {

    @SeededTest(cases = 300)
    void roundTripKeepsEveryField(Gen g) throws Exception  {
        IkeSaContext sa = IkeGen.context(g);
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

    @SeededTest(cases = 200)
    void slotRoundTripAndSpisInClear(Gen g) throws Exception  {
        IkeSaContext sa = IkeGen.context(g);
        IkeContextSlot slot = IkeContextSlots.of(sa);
        assertEquals(sa.initiatorSpi(), slot.spiInitiator());
        assertEquals(sa.responderSpi(), slot.spiResponder());
        assertEquals(sa, IkeContextSlots.decode(slot));
        assertTrue(slot.toString().contains("redacted"));
    }

    @SeededTest(cases = 200)
    void everyTruncationIsRefusedCleanly(Gen g) {
        IkeSaContext sa = IkeGen.context(g);
        int cut = g.betweenEdgy(0, 10_000);
        byte[] encoded = IkeSaContextCodec.encode(sa);
        int len = cut % encoded.length;
        assertThrows(IkeDecodeException.class, () -> IkeSaContextCodec.decode(Arrays.copyOf(encoded, len)));
    }

    @SeededTest(cases = 200)
    void trailingOctetsAreRefused(Gen g) {
        IkeSaContext sa = IkeGen.context(g);
        byte[] encoded = IkeSaContextCodec.encode(sa);
        assertThrows(IkeDecodeException.class, () -> IkeSaContextCodec.decode(Arrays.copyOf(encoded, encoded.length + 1)));
    }

    /** Garbage and corrupted encodings: a valid context or IkeDecodeException, nothing else. */
    @SeededTest(cases = 1000)
    void garbageYieldsOnlyIkeDecodeException(Gen g) {
        byte[] bytes = garbage(g);
        try {
            IkeSaContextCodec.decode(bytes);
        } catch (IkeDecodeException e) {
            assertFalse(e.getMessage().isEmpty());
        }
    }

    @SeededTest(cases = 500)
    void corruptedOctetYieldsContextOrIkeDecodeException(Gen g) {
        IkeSaContext sa = IkeGen.context(g);
        int at = g.betweenEdgy(0, 100_000);
        int xor = g.betweenEdgy(1, 255);
        byte[] encoded = IkeSaContextCodec.encode(sa);
        encoded[at % encoded.length] ^= (byte) xor;
        try {
            IkeSaContext other = IkeSaContextCodec.decode(encoded);
            assertNotEquals(sa, other);
        } catch (IkeDecodeException e) {
            assertFalse(e.getMessage().isEmpty());
        }
    }

    /** Random octets, or random octets after a valid version and flags (they get deeper into the decoder). */
    private static byte[] garbage(Gen g) {
        byte[] b = IkeGen.bytes(g, 0, 600);
        if (g.bool()) {
            return b;
        }
        byte[] out = new byte[b.length + 2];
        out[0] = 1;
        out[1] = (byte) (b.length % 4);
        System.arraycopy(b, 0, out, 2, b.length);
        return out;
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
