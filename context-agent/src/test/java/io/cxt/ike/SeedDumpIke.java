package io.cxt.ike;

import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;

import io.cxt.testing.Gen;

public class SeedDumpIke {
    static void put(String method, String name, byte[] b) throws Exception {
        Path d = Path.of("src/test/resources/io/cxt/ike/IkeFuzzTestInputs", method);
        Files.createDirectories(d);
        Files.write(d.resolve(name), b);
    }

    public static void dump() throws Exception {
        for (int i = 0; i < 5; i++) {
            Gen g = Gen.ofSeed(4000 + i);
            put("messages", "message-" + i, IkeGen.message(g).encode());
            put("contextSlots", "slot-" + i, IkeSaContextCodec.encode(IkeGen.context(g)));
            java.util.List<IkePayload> chain = IkeGen.plainChain(g);
            byte[] inner = PayloadChain.encode(chain);
            byte[] content = new byte[inner.length + 2];
            content[0] = (byte) PayloadChain.firstType(chain);
            System.arraycopy(inner, 0, content, 1, inner.length);
            put("skContent", "chain-" + i, content);
        }
        put("skMessages", "protected", SkProtector.outbound(IkeFixtures.mobileNode(IkeFixtures.CBC_SHA256),
                new SecureRandom()).protect(IkeHeader.of(IkeFixtures.SPI_I, IkeFixtures.SPI_R,
                ExchangeType.INFORMATIONAL, false, true, 9), java.util.List.of(CxtExtension.vendorIdPayload())));
    }
}
