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

import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;

import io.cxt.cxtp.ContextDataBlock;
import io.cxt.cxtp.CxtpConstants;
import io.cxt.xfrm.CommonArbitraries;
import io.cxt.xfrm.PolicyArbitraries;
import io.cxt.xfrm.SaArbitraries;
import io.cxt.xfrm.SecurityAssociation;
import io.cxt.xfrm.SecurityContext;

class ContextBlocksPropertiesTest {

    @Provide
    Arbitrary<MobileNodeContext> contexts() {
        Arbitrary<InetAddress> addr = CommonArbitraries.family().flatMap(CommonArbitraries::address);
        Arbitrary<SpiMapping> mapping = Combinators.combine(CommonArbitraries.u8(), addr.injectNull(0.2),
                Arbitraries.longs(), Arbitraries.longs(), Arbitraries.of(true, false), Arbitraries.of(true, false))
                .as(SpiMapping::new);
        Arbitrary<IkeContextSlot> ike = Combinators.combine(Arbitraries.longs(), Arbitraries.longs(),
                Arbitraries.bytes().array(byte[].class).ofMaxSize(300)).as(IkeContextSlot::new);
        Arbitrary<MobileNodeIdentity> mn = Combinators.combine(addr.injectNull(0.3), addr).as(MobileNodeIdentity::new);
        return Combinators.combine(mn, addr, addr.injectNull(0.3), addr.injectNull(0.3),
                SaArbitraries.securityAssociation().list().ofMaxSize(3),
                PolicyArbitraries.securityPolicy().list().ofMaxSize(3),
                mapping.list().ofMaxSize(3), ike.injectNull(0.4))
                .as((m, par, nar, ncoa, sas, pols, maps, slot) -> new MobileNodeContext(m, par, nar, ncoa, sas, pols,
                        maps, slot, Instant.ofEpochMilli(1_700_000_000_000L), Duration.ofMillis(30_000)));
    }

    @Property(tries = 300)
    void decodeInvertsEncode(@ForAll("contexts") MobileNodeContext ctx) {
        List<ContextDataBlock> blocks = ContextBlocks.encode(ctx);
        for (ContextDataBlock b : blocks) {
            assertTrue(b.encodedLength() <= CxtpConstants.MAX_CDB_LENGTH);
            assertEquals(0, b.encodedLength() % 8);
        }
        assertEquals(ctx, ContextBlocks.decode(blocks));
    }

    @Property(tries = 300)
    void decodeThroughTheCxtpCodecToo(@ForAll("contexts") MobileNodeContext ctx) throws Exception {
        // Blocks survive their own wire encoding (the CXTP message codec's view).
        byte[] wire = io.cxt.cxtp.CxtpCodec.encodeBlocks(ContextBlocks.encode(ctx));
        List<ContextDataBlock> again = io.cxt.cxtp.CxtpCodec.decodeBlocks(wire);
        assertEquals(ctx, ContextBlocks.decode(again));
    }

    @Property(tries = 500)
    void mutatedBlocksFailOnlyWithDecodeError(@ForAll("contexts") MobileNodeContext ctx,
                                              @ForAll int position, @ForAll byte value) {
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

    @Property(tries = 500)
    void randomBlocksFailOnlyWithDecodeError(@ForAll("randomBlocks") List<ContextDataBlock> blocks) {
        try {
            ContextBlocks.decode(blocks);
        } catch (ContextDecodeException expected) {
            // the only acceptable failure
        }
    }

    @Provide
    Arbitrary<List<ContextDataBlock>> randomBlocks() {
        Arbitrary<Integer> fpt = Arbitraries.of(ContextBlocks.FPT_HEADER, ContextBlocks.FPT_SA, ContextBlocks.FPT_POLICY,
                ContextBlocks.FPT_IKE, ContextBlocks.FPT_CONTINUATION, 0x1);
        Arbitrary<ContextDataBlock> block = Combinators.combine(fpt, Arbitraries.integers(),
                Arbitraries.bytes().array(byte[].class).ofMaxSize(200))
                .as((t, pv, d) -> new ContextDataBlock(t, true, pv, d));
        return block.list().ofMaxSize(5);
    }

}
