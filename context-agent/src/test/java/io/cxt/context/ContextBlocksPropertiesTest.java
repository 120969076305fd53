package io.cxt.context;

import io.cxt.cdb.ContextBlocks;
import io.cxt.cdb.ContextDecodeException;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.InetAddress;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

import org.junit.jupiter.api.Test;

import io.cxt.cxtp.ContextDataBlock;
import io.cxt.cxtp.CxtpConstants;
import io.cxt.xfrm.CommonGen;
import io.cxt.xfrm.PolicyGen;
import io.cxt.xfrm.SaGen;
import io.cxt.xfrm.SecurityAssociation;
import io.cxt.xfrm.SecurityContext;
import io.cxt.xfrm.SecurityPolicy;
import io.cxt.testing.Gen;
import io.cxt.testing.SeededTest;

class ContextBlocksPropertiesTest {

    private static InetAddress address(Gen g) {
        return CommonGen.address(g, CommonGen.family(g));
    }

    static MobileNodeContext context(Gen g) {
        MobileNodeIdentity mn = new MobileNodeIdentity(g.orNull(0.3, () -> address(g)), address(g));
        InetAddress par = address(g);
        InetAddress nar = g.orNull(0.3, () -> address(g));
        InetAddress ncoa = g.orNull(0.3, () -> address(g));
        List<SecurityAssociation> sas = g.list(0, 3, () -> SaGen.securityAssociation(g));
        List<SecurityPolicy> pols = g.list(0, 3, () -> PolicyGen.securityPolicy(g));
        List<SpiMapping> maps = g.list(0, 3, () -> new SpiMapping(g.u8(), g.orNull(0.2, () -> address(g)), g.anyLong(),
                g.anyLong(), g.bool(), g.bool()));
        IkeContextSlot slot = g.orNull(0.4, () -> new IkeContextSlot(g.anyLong(), g.anyLong(), g.bytes(0, 300)));
        return new MobileNodeContext(mn, par, nar, ncoa, sas, pols, maps, slot, Instant.ofEpochMilli(1_700_000_000_000L),
                Duration.ofMillis(30_000));
    }

    private static List<ContextDataBlock> randomBlocks(Gen g) {
        return g.list(0, 5, () -> new ContextDataBlock(g.ofInts(ContextBlocks.FPT_HEADER, ContextBlocks.FPT_SA,
                ContextBlocks.FPT_POLICY, ContextBlocks.FPT_IKE, ContextBlocks.FPT_CONTINUATION, 0x1), true, g.anyInt(),
                g.bytes(0, 200)));
    }

    @SeededTest(cases = 300)
    void decodeInvertsEncode(Gen g) throws Exception {
        MobileNodeContext ctx = context(g);
        List<ContextDataBlock> blocks = ContextBlocks.encode(ctx);
        for (ContextDataBlock b : blocks) {
            assertTrue(b.encodedLength() <= CxtpConstants.MAX_CDB_LENGTH);
            assertEquals(0, b.encodedLength() % 8);
        }
        assertEquals(ctx, ContextBlocks.decode(blocks));
    }

    @SeededTest(cases = 300)
    void decodeThroughTheCxtpCodecToo(Gen g) throws Exception  {
        MobileNodeContext ctx = context(g);
        // Blocks survive their own wire encoding (the CXTP message codec's view).
        byte[] wire = io.cxt.cxtp.CxtpCodec.encodeBlocks(ContextBlocks.encode(ctx));
        List<ContextDataBlock> again = io.cxt.cxtp.CxtpCodec.decodeBlocks(wire);
        assertEquals(ctx, ContextBlocks.decode(again));
    }

    @SeededTest(cases = 500)
    void mutatedBlocksFailOnlyWithDecodeError(Gen g) {
        MobileNodeContext ctx = context(g);
        int position = g.betweenEdgy(Integer.MIN_VALUE, Integer.MAX_VALUE);
        byte value = (byte) g.anyInt();
        List<ContextDataBlock> blocks = ContextBlocks.encode(ctx);
        int which = Math.floorMod(position, blocks.size());
        ContextDataBlock b = blocks.get(which);
        byte[] data = b.data();
        if (data.length == 0) {
            return;
        }
        data[Math.floorMod(position >>> 8, data.length)] ^= (byte) (value == 0 ? 1 : value);
        List<ContextDataBlock> mutated = new ArrayList<>(blocks);
        mutated.set(which, new ContextDataBlock(b.featureProfileType(), b.presenceVectorPresent(), b.presenceVector(), data));
        try {
            ContextBlocks.decode(mutated);
        } catch (ContextDecodeException expected) {
            // fine: a mutation may also decode to another valid context
        }
    }

    @SeededTest(cases = 500)
    void randomBlocksFailOnlyWithDecodeError(Gen g) {
        List<ContextDataBlock> blocks = randomBlocks(g);
        try {
            ContextBlocks.decode(blocks);
        } catch (ContextDecodeException expected) {
            // the only acceptable failure
        }
    }

}
