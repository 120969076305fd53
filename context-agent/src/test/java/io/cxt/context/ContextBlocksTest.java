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
import io.cxt.xfrm.SecurityAssociation;
import io.cxt.xfrm.SecurityContext;

class ContextBlocksTest {
    @Test
    void typicalMobileNodeFitsInSixHundredOctets() throws Exception {
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
    void largeItemIsSplitIntoContinuationBlocks() throws Exception {
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
    void otherFeaturesBlocksAreSkipped() throws Exception {
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
    void discardZeroesEveryKey() throws Exception {
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
