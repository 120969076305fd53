package io.cxt.cxtp;

import java.nio.file.Files;
import java.nio.file.Path;

import org.junit.jupiter.api.Test;

import io.cxt.context.ContextBlocks;
import io.cxt.testing.Gen;

class SeedDumpTmp {
    static void put(String dir, String method, String name, byte[] b) throws Exception {
        Path d = Path.of("src/test/resources", dir, method);
        Files.createDirectories(d);
        Files.write(d.resolve(name), b);
    }

    @Test
    void dump() throws Exception {
        String c = "io/cxt/cxtp/CxtpFuzzTestInputs";
        for (int i = 0; i < 7; i++) {
            Gen g = Gen.ofSeed(2000 + i);
            put(c, "messages", "message-" + i, CxtpCodec.encode(CxtpGen.message(g)));
            put(c, "contextDataBlocks", "blocks-" + i, CxtpCodec.encodeBlocks(CxtpGen.blocks(g)));
        }
        int i = 0;
        for (io.cxt.context.MobileNodeContext ctx : io.cxt.context.SeedDumpContext.contexts()) {
            put(c, "mobileNodeContexts", "context-" + i++, CxtpCodec.encodeBlocks(ContextBlocks.encode(ctx)));
        }
        put(c, "routerChannelEnvelopes", "plain", CxtpCodec.encode(CxtpGen.message(Gen.ofSeed(1))));
        io.cxt.ike.SeedDumpIke.dump();
    }
}
