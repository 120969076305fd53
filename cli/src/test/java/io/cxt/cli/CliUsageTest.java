package io.cxt.cli;

import static io.cxt.cli.CliRun.cxctl;
import static io.cxt.cli.CliRun.words;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.stream.Stream;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Bad command lines: exit status 2, one line on stderr naming the offending token, no stack trace
 * (unless --debug), nothing on stdout. These never reach the kernel: the tokens are parsed before
 * any socket is opened.
 */
class CliUsageTest {

    static Stream<Arguments> badCommandLines() {
        return Stream.of(
                // unknown keyword
                Arguments.of("xfrm state add src 10.0.0.1 dst 10.0.0.2 proto esp spi 1 bogus 1 enc cbc(aes) 0x00",
                        "bogus"),
                Arguments.of("xfrm policy add src 10.0.0.0/24 dst 10.1.0.0/24 dir out frobnicate", "frobnicate"),
                Arguments.of("xfrm state list colour blue", "colour"),
                Arguments.of("xfrm policy list sideways", "sideways"),
                Arguments.of("xfrm monitor everything", "everything"),
                // bad address
                Arguments.of("xfrm state get src 10.0.0.300 dst 10.0.0.2 proto esp spi 1", "10.0.0.300"),
                Arguments.of("xfrm policy add src 10.0.0.0/33 dst 10.1.0.0/24 dir out", "10.0.0.0/33"),
                Arguments.of("xfrm policy add src gateway.example dst 10.1.0.0/24 dir out", "gateway.example"),
                Arguments.of("xfrm state add src 10.0.0.1 dst 2001:db8::1 proto esp spi 1 enc cbc(aes) 0x00",
                        "family"),
                Arguments.of("xfrm state list dst 2001:db8:::1", "2001:db8:::1"),
                // bad spi, number out of range
                Arguments.of("xfrm state get dst 10.0.0.2 proto esp spi 0xzz", "0xzz"),
                Arguments.of("xfrm state get dst 10.0.0.2 proto esp spi 0x100000000", "0x100000000"),
                Arguments.of("xfrm state get dst 10.0.0.2 proto esp spi -1", "-1"),
                Arguments.of("xfrm policy add src 10.0.0.0/24 dst 10.1.0.0/24 proto tcp dport 70000 dir out",
                        "70000"),
                // missing value
                Arguments.of("xfrm state get dst 10.0.0.2 proto esp spi", "spi"),
                Arguments.of("xfrm policy add src 10.0.0.0/24 dst 10.1.0.0/24 dir", "dir"),
                Arguments.of("xfrm policy add src 10.0.0.0/24 dst 10.1.0.0/24", "dir"),
                Arguments.of("xfrm state allocspi src 10.0.0.1 dst 10.0.0.2 proto esp min 0x100", "max"),
                Arguments.of("xfrm state get src 10.0.0.1 dst 10.0.0.2 spi 1", "proto"),
                // algorithm syntax
                Arguments.of("xfrm state add src 10.0.0.1 dst 10.0.0.2 proto esp spi 1 enc", "enc"),
                Arguments.of("xfrm state add src 10.0.0.1 dst 10.0.0.2 proto esp spi 1 enc cbc(aes)", "enc"),
                Arguments.of("xfrm state add src 10.0.0.1 dst 10.0.0.2 proto esp spi 1 auth-trunc hmac(sha256) 0x00",
                        "auth-trunc"),
                Arguments.of("xfrm state add src 10.0.0.1 dst 10.0.0.2 proto esp spi 1 aead rfc4106(gcm(aes)) 0x00 x",
                        "\"x\""),
                Arguments.of("xfrm state add src 10.0.0.1 dst 10.0.0.2 proto esp spi 1 enc cbc(aes) 0xnothex", "enc"),
                Arguments.of("xfrm state add src 10.0.0.1 dst 10.0.0.2 proto esp spi 1", "algorithm"),
                // names
                Arguments.of("xfrm state add src 10.0.0.1 dst 10.0.0.2 proto espx spi 1 enc cbc(aes) 0x00", "espx"),
                Arguments.of("xfrm state add src 10.0.0.1 dst 10.0.0.2 proto esp spi 1 mode tunell enc cbc(aes) 0x00",
                        "tunell"),
                Arguments.of("xfrm policy add src 10.0.0.0/24 dst 10.1.0.0/24 dir sideways", "sideways"),
                Arguments.of("xfrm policy add src 10.0.0.0/24 dst 10.1.0.0/24 dir out action deny", "deny"),
                Arguments.of("xfrm policy add src 10.0.0.0/24 dst 10.1.0.0/24 dir out tmpl proto esp level maybe",
                        "maybe"),
                Arguments.of("xfrm policy add src 10.0.0.0/24 dst 10.1.0.0/24 proto icmp sport 1 dir out", "sport"),
                Arguments.of("xfrm policy setdefault in drop", "drop"),
                // duplicates, options
                Arguments.of("xfrm policy add src 10.0.0.0/24 src 10.1.0.0/24 dir out", "src"),
                Arguments.of("xfrm state list --colour", "--colour"),
                Arguments.of("xfrm", "state, policy or monitor"));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("badCommandLines")
    void badArgumentsExitTwoWithOneLineNamingTheToken(String commandLine, String named) {
        CliRun r = cxctl(words(commandLine));
        assertEquals(ExitCodes.USAGE, r.exit(), r.err());
        assertEquals("", r.out());
        assertEquals(1, r.err().lines().count(), "one line: " + r.err());
        assertTrue(r.err().startsWith("cxctl: "), r.err());
        assertTrue(r.err().contains(named), "names " + named + ": " + r.err());
        assertFalse(r.err().contains("\tat ") || r.err().contains("Exception"), "no stack trace: " + r.err());
    }

    @Test
    void debugAddsTheStackTrace() {
        CliRun r = cxctl(words("--debug xfrm state get dst 10.0.0.2 proto esp spi 0xzz"));
        assertEquals(ExitCodes.USAGE, r.exit());
        assertTrue(r.err().startsWith("cxctl: invalid SPI \"0xzz\""), r.err());
        assertTrue(r.err().contains("io.cxt.cli.UsageException"), r.err());
        assertTrue(r.err().contains("\tat io.cxt.cli.XfrmSyntax"), r.err());

        CliRun parse = cxctl(words("--debug xfrm state list --colour"));
        assertEquals(ExitCodes.USAGE, parse.exit());
        assertTrue(parse.err().contains("\tat picocli."), parse.err());
    }

    @Test
    void aMissingNamespaceIsAFailureNotAUsageError() {
        CliRun r = cxctl(words("-n cxt-no-such-namespace-4711 xfrm state list"));
        assertEquals(ExitCodes.FAILURE, r.exit(), r.err());
        assertEquals(1, r.err().lines().count(), r.err());
        assertTrue(r.err().contains("cxt-no-such-namespace-4711"), r.err());
    }

    @Test
    void helpReadsLikeAManPage() {
        CliRun root = cxctl("--help");
        assertEquals(0, root.exit());
        assertTrue(root.out().contains("Exit status"), root.out());
        assertTrue(root.out().contains("xfrm state"), root.out());

        CliRun add = cxctl("xfrm", "state", "add", "--help");
        assertEquals(0, add.exit());
        String h = add.out();
        for (String must : new String[] {"Usage: cxctl xfrm state add ID ALGO-LIST", "ALGO := { enc | auth }",
            "auth-trunc ALGO-NAME ALGO-KEYMAT ALGO-TRUNC-LEN", "SELECTOR :=", "LIMIT :=", "ENCAP :=", "Keywords:",
            "replay-window SIZE", "output-mark", "if_id IF_ID", "Examples:", "Exit status:"}) {
            assertTrue(h.contains(must), "state add --help mentions " + must);
        }
        String policyAdd = cxctl("xfrm", "policy", "add", "--help").out();
        for (String must : new String[] {"TMPL := ID [ mode MODE ] [ reqid REQID ] [ level LEVEL ]",
            "PTYPE := main | sub", "ACTION := allow | block", "Examples:", "Exit status:"}) {
            assertTrue(policyAdd.contains(must), "policy add --help mentions " + must);
        }
        String monitor = cxctl("xfrm", "monitor", "--help").out();
        assertTrue(monitor.contains("SIGINT") && monitor.contains("acquire") && monitor.contains("mapping"), monitor);
        for (String cmd : new String[] {"list", "get", "delete", "flush", "count", "allocspi"}) {
            CliRun r = cxctl("xfrm", "state", cmd, "--help");
            assertEquals(0, r.exit(), cmd);
            assertTrue(r.out().contains("Exit status:"), cmd);
        }
        for (String cmd : new String[] {"list", "get", "update", "delete", "flush", "count", "setdefault",
            "getdefault", "set", "info"}) {
            CliRun r = cxctl("xfrm", "policy", cmd, "--help");
            assertEquals(0, r.exit(), cmd);
            assertTrue(r.out().contains("Exit status:"), cmd);
        }
    }
}
