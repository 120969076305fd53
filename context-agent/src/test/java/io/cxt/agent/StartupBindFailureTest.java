package io.cxt.agent;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

import io.cxt.testing.NetnsExtension;
import io.cxt.testing.TestNamespace;

/**
 * cxagent with the real agent factory, started in a fresh namespace where its router address is on
 * no interface: it exits 1 and its one error line names the protocol, address and port it could
 * not bind; no control socket is left.
 */
@ExtendWith(NetnsExtension.class)
class StartupBindFailureTest {

    @TempDir
    Path dir;

    @Test
    void theErrorNamesTheAddressAndPort(TestNamespace ns) throws Exception {
        ns.ip("link", "set", "lo", "up");
        Path key = dir.resolve("nar.key");
        Files.writeString(key, "00112233445566778899aabbccddeeff00112233445566778899aabbccddeeff\n");
        Files.setPosixFilePermissions(key, java.nio.file.attribute.PosixFilePermissions.fromString("rw-------"));
        Path socket = dir.resolve("cx.sock");
        Path conf = dir.resolve("cxagent.conf");
        Files.writeString(conf, """
                [agent]
                role = "access-router"
                name = "par"
                control-socket = "%s"
                state-directory = "%s"
                [router]
                address = "2001:db8:77::1"
                mobile-prefix = "2001:db8:77::/64"
                sender-id = 1
                [[peer]]
                name = "nar"
                address = "2001:db8:78::1"
                sender-id = 2
                key-file = "nar.key"
                """.formatted(socket, dir));
        String cp = System.getProperty("surefire.test.class.path", System.getProperty("java.class.path"));
        List<String> cmd = new ArrayList<>(List.of("ip", "netns", "exec", ns.name(),
                Path.of(System.getProperty("java.home"), "bin", "java").toString(), "-XX:+UseSerialGC", "-XX:TieredStopAtLevel=1",
                "-D" + AgentFactories.PROPERTY + "=" + DefaultAgentFactory.class.getName(), "-cp", cp,
                CxAgentMain.class.getName(), "--config", conf.toString()));
        Path log = dir.resolve("stderr.log");
        Process p = new ProcessBuilder(io.cxt.testing.Commands.withDefaultSignals(cmd)).redirectError(log.toFile())
                .redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
        try {
            assertTrue(p.waitFor(120, TimeUnit.SECONDS), "exits");
            String text = Files.readString(log);
            assertEquals(1, p.exitValue(), text);
            assertTrue(text.contains("ERROR io.cxt.agent.CxAgentMain: cannot start: cannot bind UDP [2001:db8:77::1]:5091: Cannot assign requested address"),
                    text);
            assertEquals(1, text.lines().filter(l -> l.contains("ERROR")).count(), "one error line:\n" + text);
            assertFalse(Files.exists(socket, LinkOption.NOFOLLOW_LINKS));
        } finally {
            p.destroyForcibly();
        }
    }
}
