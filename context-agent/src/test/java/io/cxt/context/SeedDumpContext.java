package io.cxt.context;

import java.util.ArrayList;
import java.util.List;

import io.cxt.testing.Gen;

public class SeedDumpContext {
    public static List<MobileNodeContext> contexts() {
        List<MobileNodeContext> out = new ArrayList<>();
        for (int i = 0; i < 3; i++) {
            out.add(ContextBlocksPropertiesTest.context(Gen.ofSeed(3000 + i)));
        }
        out.add(ContextFixtures.parContext(false));
        out.add(ContextFixtures.parContext(true));
        return out;
    }
}
