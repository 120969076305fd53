package io.cxt.context;

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

class ContextBlocksTest {

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

    @Test
    void typicalMobileNodeFitsInSixHundredOctets() {
        for (boolean aead : new boolean[] {false, true}) {
            MobileNodeContext ctx = ContextFixtures.parContext(aead);
            List<ContextDataBlock> blocks = ContextBlocks.encode(ctx);
            int size = ContextBlocks.encodedLength(blocks);
            System.out.printf("typical MN context (IPv6, 2 ESP SAs %s, 2 policies): %d octets in %d CDBs%n",
                    aead ? "rfc4106(gcm(aes))" : "cbc(aes)+hmac(sha256)", size, blocks.size());
            assertTrue(size <= 600, "context takes " + size + " octets");
            assertEquals(5, blocks.size()); // header, 2 SAs, 2 policies
            assertEquals(ctx, ContextBlocks.decode(blocks));
        }
    }

    @Test
    void largeItemIsSplitIntoContinuationBlocks() {
        MobileNodeContext base = ContextFixtures.parContext(false);
        byte[] label = new byte[5000];
        java.util.Arrays.fill(label, (byte) 'x');
        SecurityAssociation big = base.securityAssociations().get(0).toBuilder()
                .secCtx(new SecurityContext(8, 1, 1, label)).build();
        MobileNodeContext ctx = new MobileNodeContext(base.mobileNode(), base.sourceRouter(), null, null,
                List.of(big), base.policies(), List.of(), null, base.createdAt(), base.lifetime());
        List<ContextDataBlock> blocks = ContextBlocks.encode(ctx);
        long continuations = blocks.stream().filter(b -> b.featureProfileType() == ContextBlocks.FPT_CONTINUATION).count();
        assertEquals(2, continuations);
        assertTrue(blocks.stream().allMatch(b -> b.encodedLength() <= 2040));
        assertEquals(ctx, ContextBlocks.decode(blocks));
        // A continuation out of place is refused.
        List<ContextDataBlock> broken = new ArrayList<>(blocks);
        broken.add(1, ContextDataBlock.of(ContextBlocks.FPT_CONTINUATION, new byte[] {0, 1, 7}));
        assertThrows(ContextDecodeException.class, () -> ContextBlocks.decode(broken));
    }

    @Test
    void otherFeaturesBlocksAreSkipped() {
        MobileNodeContext ctx = ContextFixtures.parContext(true);
        List<ContextDataBlock> blocks = new ArrayList<>(ContextBlocks.encode(ctx));
        blocks.add(2, ContextDataBlock.of(0x1, new byte[] {1, 2, 3})); // IPv6 multicast listener context
        assertEquals(ctx, ContextBlocks.decode(blocks));
    }

    @Test
    void missingHeaderIsRefused() {
        List<ContextDataBlock> blocks = ContextBlocks.encode(ContextFixtures.parContext(true));
        ContextDecodeException e = assertThrows(ContextDecodeException.class,
                () -> ContextBlocks.decode(blocks.subList(1, blocks.size())));
        assertTrue(e.getMessage().contains("header"), e.getMessage());
    }

    @Test
    void keysNeverAppearInToString() {
        MobileNodeContext ctx = ContextFixtures.parContext(false);
        String s = (ctx.toString() + ctx.securityAssociations() + ctx.policies()).toLowerCase();
        for (SecurityAssociation sa : ctx.securityAssociations()) {
            String hex = sa.crypt().key().revealHex().substring(2);
            assertFalse(s.contains(hex), "key bytes printed");
            assertFalse(s.contains(hex.substring(0, 8)), "key bytes printed");
        }
        assertTrue(s.contains("<redacted>"));
    }

    @Test
    void discardZeroesEveryKey() {
        MobileNodeContext ctx = ContextFixtures.parContext(false);
        MobileNodeContext copy = ContextBlocks.decode(ContextBlocks.encode(ctx));
        ctx.discard();
        for (SecurityAssociation sa : ctx.securityAssociations()) {
            for (byte x : sa.crypt().key().bytes()) {
                assertEquals(0, x);
            }
            for (byte x : sa.authTrunc().key().bytes()) {
                assertEquals(0, x);
            }
        }
        // A decoded copy has its own key bytes.
        assertFalse(java.util.Arrays.equals(new byte[16], copy.securityAssociations().get(0).crypt().key().bytes()));
    }
}
