package io.cxt.cxtp;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;

import java.util.List;

import com.code_intelligence.jazzer.junit.FuzzTest;

import io.cxt.cdb.ContextBlocks;
import io.cxt.cdb.ContextDecodeException;
import io.cxt.context.MobileNodeContext;

/**
 * Jazzer targets for what a peer router or a mobile node sends over CXTP: whole messages, Context
 * Data Blocks, the MN context carried in them, and the router-channel envelope around them. Only
 * the package's decode exception may escape (CxtpDecodeException, ContextDecodeException; the
 * envelope never throws); what decodes re-encodes to the same octets. Seed corpus:
 * {@code src/test/resources/io/cxt/cxtp/CxtpFuzzTestInputs/<method>/}.
 */
class CxtpFuzzTest {

    @FuzzTest
    void messages(byte[] data) throws CxtpDecodeException {
        CxtpMessage m;
        try {
            m = CxtpCodec.decode(data);
        } catch (CxtpDecodeException expected) {
            return;
        }
        byte[] again = CxtpCodec.encode(m);
        assertEquals(m, CxtpCodec.decode(again));
        assertArrayEquals(again, CxtpCodec.encode(CxtpCodec.decode(again)));
    }

    @FuzzTest
    void contextDataBlocks(byte[] data) throws CxtpDecodeException {
        List<ContextDataBlock> blocks;
        try {
            blocks = CxtpCodec.decodeBlocks(data);
        } catch (CxtpDecodeException expected) {
            return;
        }
        assertEquals(blocks, CxtpCodec.decodeBlocks(CxtpCodec.encodeBlocks(blocks)));
    }

    /** The MN context in a CTD/PCTD's blocks (ContextBlocks): the part a nAR installs. */
    @FuzzTest
    void mobileNodeContexts(byte[] data) throws Exception {
        List<ContextDataBlock> blocks;
        try {
            blocks = CxtpCodec.decodeBlocks(data);
        } catch (CxtpDecodeException notBlocks) {
            return;
        }
        MobileNodeContext ctx;
        try {
            ctx = ContextBlocks.decode(blocks);
        } catch (ContextDecodeException expected) {
            return;
        }
        assertEquals(ctx, ContextBlocks.decode(ContextBlocks.encode(ctx)));
    }

    /** Envelopes from the network: never an exception, never accepted without the key. */
    @FuzzTest
    void routerChannelEnvelopes(byte[] data) {
        RouterChannelProtection receiver = RouterChannelProtectionTest.nar();
        assertInstanceOf(RouterChannelProtection.Rejected.class,
                receiver.open(RouterChannelProtectionTest.PAR_ADDR, data));
        // A genuine envelope around the same octets opens, once.
        byte[] env = RouterChannelProtectionTest.par().seal(RouterChannelProtectionTest.NAR, data);
        RouterChannelProtection.Accepted a = assertInstanceOf(RouterChannelProtection.Accepted.class,
                receiver.open(RouterChannelProtectionTest.PAR_ADDR, env));
        assertArrayEquals(data, a.plaintext());
        assertInstanceOf(RouterChannelProtection.Rejected.class, receiver.open(RouterChannelProtectionTest.PAR_ADDR, env));
    }
}
