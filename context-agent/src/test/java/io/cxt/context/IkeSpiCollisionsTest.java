package io.cxt.context;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.security.SecureRandom;
import java.util.List;

import org.junit.jupiter.api.Test;

import io.cxt.cdb.ContextBlocks;

class IkeSpiCollisionsTest {

    static MobileNodeContext withIke(long spiI, long spiR) {
        return ContextFixtures.parContext(true).withIkeContext(new IkeContextSlot(spiI, spiR, new byte[] {1, 2, 3}));
    }

    @Test
    void aTakenResponderSpiIsReplacedAndMarkedForTheMn() {
        var used = List.of(new IkeSpiCollisions.IkeSpiPair(0x1111, 0xaaaa), new IkeSpiCollisions.IkeSpiPair(0x2222, 0xbbbb));
        SpiMapping m = IkeSpiCollisions.check(withIke(0x3333, 0xbbbb), used, new SecureRandom()).orElseThrow();
        assertTrue(m.ikeSa());
        assertEquals(1, m.proto());
        assertEquals(0xbbbbL, m.oldSpi());
        assertNotEquals(0xbbbbL, m.newSpi());
        assertNotEquals(0L, m.newSpi());
        assertTrue(m.inboundToTarget());
    }

    @Test
    void aFreeSpiPairNeedsNoChange() {
        var used = List.of(new IkeSpiCollisions.IkeSpiPair(0x1111, 0xaaaa));
        assertTrue(IkeSpiCollisions.check(withIke(0x3333, 0xcccc), used, new SecureRandom()).isEmpty());
        assertTrue(IkeSpiCollisions.check(ContextFixtures.parContext(true), used, new SecureRandom()).isEmpty());
    }

    @Test
    void theMappingTravelsInTheContextBlocks() throws ContextException, io.cxt.cdb.ContextDecodeException {
        var used = List.of(new IkeSpiCollisions.IkeSpiPair(0x1111, 0xbbbb));
        MobileNodeContext ctx = withIke(0x3333, 0xbbbb);
        SpiMapping m = IkeSpiCollisions.check(ctx, used, new SecureRandom()).orElseThrow();
        MobileNodeContext rw = ContextRewriter.forTarget(ctx, ContextFixtures.NCOA, ContextFixtures.NAR, List.of(m),
                SequenceNumberPolicy.DEFAULT);
        assertEquals(rw, ContextBlocks.decode(ContextBlocks.encode(rw)));
        assertEquals(List.of(m), ContextBlocks.decode(ContextBlocks.encode(rw)).spiMappings());
    }
}
