package io.cxt.cxtp;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.HexFormat;
import java.util.List;

import org.junit.jupiter.api.Test;

class ContextDataBlockTest {

    @Test
    void requestBlockIsOneEightOctetWord() {
        ContextDataBlock r = ContextDataBlock.request(0x1234);
        assertEquals(8, r.encodedLength());
        assertEquals(1, r.lengthInWords());
        assertTrue(r.isRequestOnly());
        assertEquals("1234010000000000", HexFormat.of().formatHex(CxtpCodec.encodeBlock(r)));
        ContextDataBlock pv = ContextDataBlock.request(0x1234, 0x80000001);
        assertEquals("1234018080000001", HexFormat.of().formatHex(CxtpCodec.encodeBlock(pv)));
        assertTrue(pv.isRequestOnly());
        assertFalse(ContextDataBlock.of(1, new byte[] {1}).isRequestOnly());
    }

    @Test
    void dataIsPaddedToTheEightOctetBoundaryAndKeptWithPadding() {
        ContextDataBlock b = ContextDataBlock.of(1, new byte[] {1, 2, 3, 4, 5});
        assertEquals(16, b.encodedLength());
        assertArrayEquals(new byte[] {1, 2, 3, 4, 5, 0, 0, 0, 0, 0, 0, 0}, b.data());
        assertEquals(b, ContextDataBlock.of(1, new byte[] {1, 2, 3, 4, 5, 0, 0, 0}), "padding is not significant");
        ContextDataBlock p = ContextDataBlock.withPresenceVector(1, 7, new byte[9]);
        assertEquals(24, p.encodedLength());
        assertEquals(16, p.data().length);
    }

    @Test
    void largestBlockIs2040Octets() throws Exception {
        ContextDataBlock max = ContextDataBlock.of(1, new byte[2036]);
        assertEquals(2040, max.encodedLength());
        assertEquals(255, max.lengthInWords());
        byte[] wire = CxtpCodec.encodeBlock(max);
        assertEquals(0xff, wire[2] & 0xff);
        assertEquals(List.of(max), CxtpCodec.decodeBlocks(wire));
        assertThrows(IllegalArgumentException.class, () -> ContextDataBlock.of(1, new byte[2037]));
        assertThrows(IllegalArgumentException.class, () -> ContextDataBlock.withPresenceVector(1, 0, new byte[2033]));
    }

    @Test
    void arraysAreCopiedInAndOut() {
        byte[] d = {1, 2, 3, 4};
        ContextDataBlock b = ContextDataBlock.of(9, d);
        d[0] = 99;
        assertEquals(1, b.data()[0]);
        b.data()[1] = 99;
        assertEquals(2, b.data()[1]);
    }

    @Test
    void invalidFieldsAreRefused() {
        assertThrows(IllegalArgumentException.class, () -> ContextDataBlock.of(0x10000, new byte[0]));
        assertThrows(IllegalArgumentException.class, () -> new ContextDataBlock(1, false, 5, new byte[0]));
    }

    /** Issue 12 item 8: a block may carry keys; printing it must not show them. */
    @org.junit.jupiter.api.Test
    void toStringNeverShowsTheData() {
        byte[] key = java.util.HexFormat.of().parseHex("00112233445566778899aabbccddeeff");
        ContextDataBlock b = ContextDataBlock.of(0x8001, key);
        String s = b.toString();
        org.junit.jupiter.api.Assertions.assertFalse(s.contains("00112233"), s);
        org.junit.jupiter.api.Assertions.assertFalse(s.contains("aabbccdd"), s);
        b.wipe();
        org.junit.jupiter.api.Assertions.assertArrayEquals(new byte[b.data().length], b.data(), "wipe zeroes the data");
    }
}
