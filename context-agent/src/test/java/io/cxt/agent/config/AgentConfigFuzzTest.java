package io.cxt.agent.config;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

import com.code_intelligence.jazzer.junit.FuzzTest;

/**
 * Jazzer target for the configuration file: any text gives a configuration or a
 * {@link ConfigException} (one clear line for the operator), never another exception. Relative
 * key files resolve in an empty scratch directory. Seed corpus (real configurations):
 * {@code src/test/resources/io/cxt/agent/config/AgentConfigFuzzTestInputs/configFiles/}.
 */
class AgentConfigFuzzTest {
    private static final Path BASE = scratch();

    private static Path scratch() {
        try {
            Path d = Files.createTempDirectory("cxt-config-fuzz");
            d.toFile().deleteOnExit();
            return d;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    @FuzzTest
    void configFiles(byte[] data) {
        try {
            AgentConfigParser.parse(new String(data, StandardCharsets.UTF_8), "fuzz.toml", BASE);
        } catch (ConfigException expected) {
            // the one failure a configuration may have
        }
    }
}
