package io.cxt.agent.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.net.InetAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.HexFormat;
import java.util.List;
import java.util.Optional;

import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import io.cxt.agent.settings.MobileTransport;
import io.cxt.agent.settings.PeerTransport;
import io.cxt.context.SadLookupCase;
import io.cxt.xfrm.KeyBytes;

/** The configuration parser: the shipped examples, defaults, and one test per class of error. */
class AgentConfigParserTest {

    static final String PEER_KEY = "00112233445566778899aabbccddeeff00112233445566778899aabbccddeeff";
    static final String TOKEN_KEY = "0102030405060708090a0b0c0d0e0f1011121314";

    @TempDir
    Path dir;

    @BeforeEach
    void keys() throws IOException {
        Files.createDirectories(dir.resolve("keys"));
        secret(dir.resolve("keys/par-nar.key"), PEER_KEY + "\n");
        secret(dir.resolve("keys/mn1.key"), "# token key of mn1\n" + TOKEN_KEY + "\n");
    }

    static void secret(Path p, String content) throws IOException {
        Files.writeString(p, content);
        Files.setPosixFilePermissions(p, PosixFilePermissions.fromString("rw-------"));
    }

    /** A shipped example with its key paths pointed at this test's key files. */
    private Path example(String name) throws IOException {
        String text = Files.readString(Path.of("..", "dist", name)).replace("/etc/cxt/keys/", dir.resolve("keys") + "/");
        Path f = dir.resolve(name);
        Files.writeString(f, text);
        return f;
    }

    @Test
    void routerExampleParses() throws Exception {
        AgentConfig c = AgentConfigParser.parse(example("cxagent.conf.example"));
        assertEquals(AgentRole.ACCESS_ROUTER, c.role());
        assertEquals("par", c.agent().name());
        assertEquals(Path.of("/run/cxt/cxagent.sock"), c.agent().controlSocket());
        assertEquals(Optional.empty(), c.agent().controlGroup());
        RouterSection r = c.router().orElseThrow();
        assertEquals(InetAddress.getByName("2001:db8:1::1"), r.address());
        assertEquals(5091, r.cxtpPort());
        assertEquals(MobileTransport.ICMP, r.mobileTransport());
        assertEquals("2001:db8:1::/64", r.mobilePrefix().toString());
        assertEquals(1, r.senderId());
        assertEquals(Duration.ofSeconds(30), r.handoverTimeout());
        assertEquals(10, r.ctarRate());
        assertEquals(10_000, r.sequenceMargin());
        assertEquals(SadLookupCase.SPI_DESTINATION, r.sadLookup());
        assertEquals(SpiRange.DEFAULT, r.spiRange());
        assertEquals(TokenKeySource.CONFIGURED, r.tokenKeySource());
        assertEquals(1, c.peers().size());
        PeerSection p = c.peers().get(0);
        assertEquals("nar", p.name());
        assertEquals(InetAddress.getByName("2001:db8:2::1"), p.address());
        assertEquals(PeerTransport.UDP, p.transport());
        assertEquals(2, p.senderId());
        assertEquals(KeyBytes.ofHex(PEER_KEY), p.key());
        assertEquals(KeyBytes.ofHex(TOKEN_KEY), c.mobileNodes().get(0).tokenKey().orElseThrow());
        assertEquals(IkeSection.DEFAULT, c.ike());
        assertEquals(TimerSection.DEFAULT, c.timers());
        assertEquals(List.of(), c.warnings());
        assertTrue(c.mobile().isEmpty());
    }

    @Test
    void mobileNodeExampleParses() throws Exception {
        AgentConfig c = AgentConfigParser.parse(example("cxagent-mn.conf.example"));
        assertEquals(AgentRole.MOBILE_NODE, c.role());
        MobileSection m = c.mobile().orElseThrow();
        assertEquals(InetAddress.getByName("2001:db8:aa::10"), m.homeAddress());
        assertEquals(InetAddress.getByName("2001:db8:1::10"), m.careOfAddress());
        assertEquals(InetAddress.getByName("2001:db8:1::1"), m.accessRouter());
        assertEquals(KeyBytes.ofHex(TOKEN_KEY), m.tokenKey().orElseThrow());
        assertEquals(MobileTransport.ICMP, m.transport());
        assertTrue(c.router().isEmpty());
        assertTrue(c.peers().isEmpty());
    }

    /** Issue 10: a MN agent beside the MN's own charon ([mobile] sa-owner = "charon", docs/strongswan.md). */
    @Test
    void mobileNodeSaOwnerDefaultsToCxagentAndTakesCharon() throws Exception {
        String mn = """
                [agent]
                role = "mobile-node"
                name = "m"
                [mobile]
                home-address = "2001:db8:aa::10"
                care-of-address = "2001:db8:1::10"
                access-router = "2001:db8:1::1"
                token-key = "%s"
                """.formatted(TOKEN_KEY);
        assertEquals(SaOwner.CXAGENT, AgentConfigParser.parse(mn, "m.conf").mobile().orElseThrow().saOwner());
        assertEquals(SaOwner.CHARON, AgentConfigParser.parse(mn + "sa-owner = \"charon\"\n", "m.conf").mobile().orElseThrow()
                .saOwner());
        assertEquals("t.conf:9: [mobile] sa-owner: unknown SA owner 'strongswan' (expected cxagent or charon)",
                error(mn + "sa-owner = \"strongswan\"\n"));
        String ike = mn.replace("token-key = \"" + TOKEN_KEY + "\"\n", "token-key-source = \"ike\"\n");
        assertEquals(SaOwner.CXAGENT, AgentConfigParser.parse(ike, "m.conf").mobile().orElseThrow().saOwner());
        assertTrue(error(ike + "sa-owner = \"charon\"\n").startsWith("t.conf:8: [mobile] token-key-source: \"ike\" derives"),
                error(ike + "sa-owner = \"charon\"\n"));
    }

    @Test
    void minimalRouterGetsTheRfcDefaults() throws Exception {
        AgentConfig c = AgentConfigParser.parse("""
                [agent]
                role = "access-router"
                name = "r"
                [router]
                address = "192.0.2.1"
                mobile-prefix = "192.0.2.0/24"
                sender-id = 7
                """, "min.conf");
        RouterSection r = c.router().orElseThrow();
        assertEquals(5091, r.cxtpPort());
        assertEquals(10, r.ctarRate());
        assertEquals(Duration.ofSeconds(30), r.handoverTimeout());
        assertEquals(SadLookupCase.SPI_DESTINATION, r.sadLookup());
        assertEquals(new TimerSection(Duration.ofSeconds(2), Duration.ofSeconds(15), Duration.ofMillis(200)), c.timers());
        assertEquals(new IkeSection(500, 3, Duration.ofSeconds(10), Duration.ofMillis(500), List.of()), c.ike());
        assertEquals(Path.of("/run/cxt"), c.agent().stateDirectory());
        assertEquals("info", c.agent().logLevel());
        assertEquals(0, c.agent().realtimePriority(), "off unless asked for");
        assertTrue(c.peers().isEmpty());
    }

    @Test
    void everyKeySpelledOut() throws Exception {
        AgentConfig c = AgentConfigParser.parse("""
                [agent]
                role = "access-router"
                name = "nar"
                control-socket = "/tmp/x/cx.sock"
                control-group = "cxt"
                state-directory = "/tmp/x"
                log-level = "DEBUG"
                realtime-priority = 10
                [router]
                address = "2001:db8:2::1"
                cxtp-port = 6000
                mobile-transport = "udp"
                mobile-prefix = "2001:db8:2::1/64"
                sender-id = 4294967295
                handover-timeout = "2m"
                ctar-rate = 50
                sequence-margin = 0
                sad-lookup = "spi-dst-src"
                spi-range = "0x1000-0x1fff"
                token-key-source = "ike"
                [[peer]]
                name = "a"
                address = "2001:db8:1::1"
                transport = "sctp"
                sender-id = 1
                key = "0x%s"
                [[peer]]
                name = "b"
                address = "2001:db8:3::1"
                port = 7000
                sender-id = 3
                key-file = "keys/par-nar.key"
                [[mobile-node]]
                address = "2001:db8:1::10"
                [ike]
                port = 4500
                max-round-trips = 5
                timer = "1m"
                retransmit-initial = "250ms"
                fallback-hook = ["/usr/local/sbin/full-ike", "%%mn%%"]
                [timers]
                cxtp-retry-initial = "1s"
                cxtp-retry-max = "1h"
                max-transfer-time = "1s"
                """.formatted(PEER_KEY), "all.conf", dir);
        assertEquals(Optional.of("cxt"), c.agent().controlGroup());
        assertEquals("debug", c.agent().logLevel());
        assertEquals(10, c.agent().realtimePriority());
        RouterSection r = c.router().orElseThrow();
        assertEquals(-1, r.senderId(), "4294967295 as an unsigned int");
        assertEquals("2001:db8:2::/64", r.mobilePrefix().toString(), "host bits cleared");
        assertEquals(Duration.ofMinutes(2), r.handoverTimeout());
        assertEquals(new SpiRange(0x1000, 0x1fff), r.spiRange());
        assertEquals(SadLookupCase.SPI_DESTINATION_SOURCE, r.sadLookup());
        assertEquals(MobileTransport.UDP, r.mobileTransport());
        assertEquals(TokenKeySource.IKE, r.tokenKeySource());
        assertEquals(PeerTransport.SCTP, c.peers().get(0).transport());
        assertEquals(5091, c.peers().get(0).port());
        assertEquals(7000, c.peers().get(1).port());
        assertEquals(c.peers().get(0).key(), c.peers().get(1).key(), "inline and file key alike");
        assertEquals(Optional.empty(), c.mobileNodes().get(0).tokenKey());
        assertEquals(List.of("/usr/local/sbin/full-ike", "%mn%"), c.ike().fallbackHook());
        assertEquals(Duration.ofHours(1), c.timers().cxtpRetryMax());
        assertEquals(c.peer("b"), Optional.of(c.peers().get(1)));
    }

    @Test
    void keysNeverPrint() throws Exception {
        AgentConfig c = AgentConfigParser.parse(example("cxagent.conf.example"));
        String s = c.toString();
        assertTrue(s.contains("<redacted>"), s);
        assertFalse(s.toLowerCase().contains("00112233"), s);
        assertFalse(s.toLowerCase().contains("0102030405"), s);
        assertFalse(HexFormat.of().formatHex(c.peers().get(0).key().bytes()).isEmpty());
    }

    @Test
    void groupReadableKeyFileIsAWarning() throws Exception {
        Files.setPosixFilePermissions(dir.resolve("keys/mn1.key"), PosixFilePermissions.fromString("rw-r-----"));
        Files.setPosixFilePermissions(dir.resolve("keys/par-nar.key"), PosixFilePermissions.fromString("rw-r--r--"));
        AgentConfig c = AgentConfigParser.parse(example("cxagent.conf.example"));
        assertEquals(List.of(
                "key file " + dir.resolve("keys/par-nar.key") + " is readable by others (mode rw-r--r--); chmod 0600 recommended",
                "key file " + dir.resolve("keys/mn1.key") + " is readable by its group (mode rw-r-----); chmod 0600 recommended"),
                c.warnings());
    }

    /** Issue 12 item 8: a key written inline makes the configuration file itself a secret. */
    @Test
    void anInlineKeyInAFileOthersCanReadIsAWarning() throws Exception {
        Path f = dir.resolve("inline.conf");
        Files.writeString(f, ROUTER + PEER);
        Files.setPosixFilePermissions(f, PosixFilePermissions.fromString("rw-r--r--"));
        AgentConfig c = AgentConfigParser.parse(f);
        assertEquals(List.of(f + " holds a key inline but is readable by everyone (mode rw-r--r--); chmod 600 it or use key-file"),
                c.warnings());
        Files.setPosixFilePermissions(f, PosixFilePermissions.fromString("rw-------"));
        assertEquals(List.of(), AgentConfigParser.parse(f).warnings());
    }

    private static final String ROUTER = """
            [agent]
            role = "access-router"
            name = "par"
            [router]
            address = "2001:db8:1::1"
            mobile-prefix = "2001:db8:1::/64"
            sender-id = 1
            """;

    private static final String PEER = """
            [[peer]]
            name = "nar"
            address = "2001:db8:2::1"
            sender-id = 2
            key = "%s"
            """.formatted(PEER_KEY);

    private String error(String text) {
        ConfigException e = assertThrows(ConfigException.class, () -> AgentConfigParser.parse(text, "t.conf", dir));
        assertFalse(e.getMessage().contains("\n"), "one line");
        assertFalse(e.getMessage().contains(PEER_KEY), "no key bytes");
        return e.getMessage();
    }

    @Test
    void syntaxErrorHasTheLine() {
        String m = error("[agent]\nrole = \"access-router\nname = \"x\"\n");
        assertTrue(m.startsWith("t.conf:2: TOML syntax error: "), m);
    }

    @Test
    void unknownTableAndKeys() {
        assertEquals("t.conf:9: [routers]: unknown table (known tables: [agent], [router], [[peer]], [[mobile-node]],"
                + " [mobile], [ike], [timers], [charon-ha])", error(ROUTER + "\n[routers]\nx = 1\n"));
        assertEquals("t.conf:8: [router] sender_id: unknown key (known: address, cxtp-port, mobile-transport, mobile-prefix,"
                + " sender-id, handover-timeout, ctar-rate, sequence-margin, sad-lookup, spi-range, token-key-source,"
                + " peer-mobile-prefixes, peer-marks, peer-unknown-attributes)",
                error(ROUTER + "sender_id = 3\n"));
        assertTrue(error(ROUTER + PEER + "keyfile = \"x\"\n").startsWith("t.conf:13: [[peer]] #1 keyfile: unknown key"));
        assertTrue(error("verbose = true\n" + ROUTER).startsWith("t.conf:1: verbose: unknown key"));
        assertEquals("t.conf:8: [[peer]]: must be an array of tables (write [[peer]], not [peer])",
                error(ROUTER + "[peer]\nname = \"x\"\n"));
    }

    @Test
    void missingRequiredKeysPerRole() {
        assertEquals("t.conf: [agent]: required table is missing", error("[router]\naddress = \"::1\"\n"));
        assertEquals("t.conf:1: [agent] role: required (access-router or mobile-node)", error("[agent]\nname = \"x\"\n"));
        assertEquals("t.conf:2: [agent] role: unknown role 'router' (expected access-router or mobile-node)",
                error("[agent]\nrole = \"router\"\nname = \"x\"\n"));
        assertEquals("t.conf: [router]: required for role access-router",
                error("[agent]\nrole = \"access-router\"\nname = \"x\"\n"));
        assertEquals("t.conf:4: [router] address: required for role access-router",
                error(ROUTER.replace("address = \"2001:db8:1::1\"\n", "")));
        assertEquals("t.conf:4: [router] sender-id: required for role access-router (this router's router-channel sender id)",
                error(ROUTER.replace("sender-id = 1\n", "")));
        assertEquals("t.conf: [mobile]: required for role mobile-node", error("[agent]\nrole = \"mobile-node\"\nname = \"m\"\n"));
        assertEquals("t.conf:5: [mobile] home-address: required for role mobile-node",
                error("[agent]\nrole = \"mobile-node\"\nname = \"m\"\n\n[mobile]\ncare-of-address = \"2001:db8::1\"\n"));
        assertEquals("t.conf:9: [mobile]: not allowed for role access-router", error(ROUTER + "\n[mobile]\nhome-address = \"::1\"\n"));
        assertEquals("t.conf:4: [router]: not allowed for role mobile-node",
                error("[agent]\nrole = \"mobile-node\"\nname = \"m\"\n[router]\naddress = \"::1\"\n"));
        assertEquals("t.conf:8: [[peer]] #1 key: required: key = \"<64 hex digits>\" or key-file = \"PATH\"",
                error(ROUTER + PEER.replace("key = \"" + PEER_KEY + "\"\n", "")));
        assertEquals("t.conf:8: [[mobile-node]] #1 token-key: required: token-key = \"<hex>\" or token-key-file = \"PATH\""
                + " (or [router] token-key-source = \"ike\")", error(ROUTER + "[[mobile-node]]\naddress = \"2001:db8:1::10\"\n"));
    }

    @Test
    void badAddresses() {
        assertEquals("t.conf:5: [router] address: not an IP address: 'par.example.net'",
                error(ROUTER.replace("2001:db8:1::1\"", "par.example.net\"")));
        assertEquals("t.conf:5: [router] address: not an IP address: '2001:db8::zz'",
                error(ROUTER.replace("2001:db8:1::1\"", "2001:db8::zz\"")));
        assertEquals("t.conf:5: [router] address: not an IP address: '300.1.2.3'",
                error(ROUTER.replace("2001:db8:1::1\"", "300.1.2.3\"")));
        assertEquals("t.conf:6: [router] mobile-prefix: bad prefix length in '2001:db8:1::/129'",
                error(ROUTER.replace("::/64", "::/129")));
        assertEquals("t.conf:6: [router] mobile-prefix: address family differs from [router] address",
                error(ROUTER.replace("2001:db8:1::/64", "10.0.0.0/8")));
        assertEquals("t.conf:5: [router] address: must be a string (in double quotes)",
                error(ROUTER.replace("\"2001:db8:1::1\"", "1")));
    }

    @Test
    void badKeys() throws IOException {
        assertEquals("t.conf:12: [[peer]] #1 key: must be 64 hex digits (32 octets), got 16 octets",
                error(ROUTER + PEER.replace(PEER_KEY, PEER_KEY.substring(0, 32))));
        assertEquals("t.conf:12: [[peer]] #1 key: must be 64 hex digits (32 octets)",
                error(ROUTER + PEER.replace(PEER_KEY, "zz" + PEER_KEY.substring(2))));
        assertEquals("t.conf:12: [[peer]] #1 key-file: cannot read key file " + dir.resolve("nope.key") + ": no such file",
                error(ROUTER + PEER.replace("key = \"" + PEER_KEY + "\"", "key-file = \"nope.key\"")));
        secret(dir.resolve("short.key"), "abcd\n");
        assertEquals("t.conf:12: [[peer]] #1 key-file: key file " + dir.resolve("short.key")
                + " must hold 64 hex digits (32 octets), found 2 octets",
                error(ROUTER + PEER.replace("key = \"" + PEER_KEY + "\"", "key-file = \"short.key\"")));
        Path unreadable = dir.resolve("dir.key");
        Files.createDirectories(unreadable);
        assertTrue(error(ROUTER + PEER.replace("key = \"" + PEER_KEY + "\"", "key-file = \"dir.key\""))
                .startsWith("t.conf:12: [[peer]] #1 key-file: cannot read key file " + unreadable + ": "));
        assertEquals("t.conf:13: [[peer]] #1 key-file: give either key or key-file, not both",
                error(ROUTER + PEER + "key-file = \"x\"\n"));
        // token keys: 16..64 octets
        assertEquals("t.conf:10: [[mobile-node]] #1 token-key: must be 32 to 128 hex digits (16 to 64 octets), got 8 octets",
                error(ROUTER + "[[mobile-node]]\naddress = \"2001:db8:1::10\"\ntoken-key = \"0011223344556677\"\n"));
        assertEquals("t.conf:11: [[mobile-node]] #1 token-key: not used with [router] token-key-source = \"ike\"",
                error(ROUTER + "token-key-source = \"ike\"\n[[mobile-node]]\naddress = \"2001:db8:1::10\"\ntoken-key = \""
                        + TOKEN_KEY + "\"\n"));
    }

    @Test
    void duplicateAndOwnSenderIds() {
        assertEquals("t.conf:16: [[peer]] #2 sender-id: duplicate sender id 2 (also [[peer]] #1)",
                error(ROUTER + PEER + PEER.replace("\"nar\"", "\"nar2\"").replace("2001:db8:2::1", "2001:db8:3::1")));
        assertEquals("t.conf:11: [[peer]] #1 sender-id: 1 is this router's own sender id ([router] sender-id)",
                error(ROUTER + PEER.replace("sender-id = 2", "sender-id = 1")));
        assertEquals("t.conf:14: [[peer]] #2 name: duplicate peer name 'nar' (also [[peer]] #1)",
                error(ROUTER + PEER + PEER.replace("sender-id = 2", "sender-id = 3")));
        assertEquals("t.conf:15: [[peer]] #2 address: duplicate peer 2001:db8:2::1 port 5091 (also [[peer]] #1)",
                error(ROUTER + PEER + PEER.replace("sender-id = 2", "sender-id = 3").replace("\"nar\"", "\"nar2\"")));
        assertEquals("t.conf:12: [[mobile-node]] #2 address: duplicate mobile node 2001:db8:1::10 (also [[mobile-node]] #1)",
                error(ROUTER + ("[[mobile-node]]\naddress = \"2001:db8:1::10\"\ntoken-key = \"" + TOKEN_KEY + "\"\n").repeat(2)));
    }

    @Test
    void portsOutOfRange() {
        assertEquals("t.conf:8: [router] cxtp-port: port out of range 1..65535 (got 70000)", error(ROUTER + "cxtp-port = 70000\n"));
        assertEquals("t.conf:8: [router] cxtp-port: port out of range 1..65535 (got 0)", error(ROUTER + "cxtp-port = 0\n"));
        assertEquals("t.conf:13: [[peer]] #1 port: port out of range 1..65535 (got -1)", error(ROUTER + PEER + "port = -1\n"));
        assertEquals("t.conf:9: [ike] port: must be 500 or 4500 (got 501)", error(ROUTER + "[ike]\nport = 501\n"));
        assertEquals("t.conf:8: [router] cxtp-port: must be an integer", error(ROUTER + "cxtp-port = \"5091\"\n"));
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
        "handover-timeout = \"30\"|[router] handover-timeout: not a duration: '30' (expected a number with unit ms, s, m or h, e.g. \"200ms\" or \"30s\")",
        "handover-timeout = \"1.5s\"|[router] handover-timeout: not a duration: '1.5s' (expected a number with unit ms, s, m or h, e.g. \"200ms\" or \"30s\")",
        "handover-timeout = \"0s\"|[router] handover-timeout: must be longer than 0",
        "handover-timeout = 30|[router] handover-timeout: must be a string (in double quotes)",
    })
    void unparsableDurations(String line, String expected) {
        assertEquals("t.conf:8: " + expected, error(ROUTER + line + "\n"));
    }

    @Test
    void otherValueErrors() {
        assertEquals("t.conf:9: [timers] cxtp-retry-max: must not be shorter than cxtp-retry-initial",
                error(ROUTER + "[timers]\ncxtp-retry-max = \"1s\"\n"));
        assertEquals("t.conf:8: [router] sad-lookup: unknown SAD lookup case 'spi-src' (expected spi, spi-dst or spi-dst-src)",
                error(ROUTER + "sad-lookup = \"spi-src\"\n"));
        assertEquals("t.conf:8: [router] spi-range: SPIs below 0x100 are reserved (RFC 4303)", error(ROUTER + "spi-range = \"1-0x200\"\n"));
        assertEquals("t.conf:8: [router] spi-range: empty range: first 0x300 > last 0x200", error(ROUTER + "spi-range = \"0x300-0x200\"\n"));
        assertEquals("t.conf:8: [router] mobile-transport: unknown transport 'tcp' (expected icmp or udp)",
                error(ROUTER + "mobile-transport = \"tcp\"\n"));
        assertEquals("t.conf:7: [router] sender-id: out of range 0..4294967295 (got 4294967296)",
                error(ROUTER.replace("sender-id = 1", "sender-id = 4294967296")));
        assertEquals("t.conf:3: [agent] control-socket: must be an absolute path (got 'cx.sock')",
                error(ROUTER.replace("name = \"par\"", "control-socket = \"cx.sock\"\nname = \"par\"")));
        assertEquals("t.conf:9: [ike] fallback-hook: the command must be an absolute path (got 'full-ike')",
                error(ROUTER + "[ike]\nfallback-hook = [\"full-ike\"]\n"));
        assertEquals("t.conf:4: [agent] log-level: unknown level 'loud' (expected error, warn, info, debug or trace)",
                error(ROUTER.replace("name = \"par\"", "name = \"par\"\nlog-level = \"loud\"")));
        assertEquals("t.conf:4: [agent] realtime-priority: out of range 0..99 (got 100)",
                error(ROUTER.replace("name = \"par\"", "name = \"par\"\nrealtime-priority = 100")));
    }

    @Test
    void missingFileIsOneLine() {
        ConfigException e = assertThrows(ConfigException.class, () -> AgentConfigParser.parse(dir.resolve("none.conf")));
        assertEquals(dir.resolve("none.conf") + ": no such file", e.getMessage());
    }

    @Test
    void charonHaTableDefaultsAndLoopbackOnly() throws Exception {
        AgentConfig c = AgentConfigParser.parse(ROUTER + "[charon-ha]\n", "t.conf", dir);
        CharonHaSection h = c.charonHa().orElseThrow();
        assertEquals("127.0.0.2", h.local().getHostAddress());
        assertEquals("127.0.0.1", h.charon().getHostAddress());
        assertEquals(4510, h.port());
        assertEquals(CharonHaSection.DEFAULT_FIFO, h.fifo());
        assertTrue(AgentConfigParser.parse(ROUTER, "t.conf", dir).charonHa().isEmpty());
        assertEquals("t.conf:9: [charon-ha] local: must be a loopback address (the HA channel carries key material without"
                + " protection; got 192.0.2.1)", error(ROUTER + "[charon-ha]\nlocal = \"192.0.2.1\"\n"));
        assertTrue(error(ROUTER + "[charon-ha]\nlocal = \"127.0.0.1\"\n").contains("must differ from charon"));
        assertEquals(null, h.roamTriggerAddress());
        assertTrue(h.resyncOnStart(), "a restarted cxagent asks charon for its SAs unless told not to");
        assertFalse(AgentConfigParser.parse(ROUTER + "[charon-ha]\nresync-on-start = false\n", "t.conf", dir).charonHa()
                .orElseThrow().resyncOnStart());
        assertTrue(h.responseTap(), "charon's last IKE response is kept unless told not to");
        assertFalse(AgentConfigParser.parse(ROUTER + "[charon-ha]\nresync-on-start = false\nresponse-tap = false\n", "t.conf", dir)
                .charonHa().orElseThrow().responseTap());
        assertEquals("2001:db8:ffff:0:0:0:0:1", AgentConfigParser.parse(ROUTER + "[charon-ha]\nroam-trigger-address = \"2001:db8:ffff::1\"\n",
                "t.conf", dir).charonHa().orElseThrow().roamTriggerAddress().getHostAddress());
        for (String bad : new String[] {"::1", "fe80::1", "ff02::1", "::", "gw.example.org"}) {
            assertTrue(error(ROUTER + "[charon-ha]\nroam-trigger-address = \"" + bad + "\"\n")
                    .startsWith("t.conf:9: [charon-ha] roam-trigger-address: not a unicast address of this router's own: '" + bad + "'"), bad);
        }
    }

    /** Issue 12 item 4: what the operator allows peers' contexts beyond the MN's own addresses. */
    @Test
    void peerAllowanceKeys() throws Exception {
        Path dir = Files.createTempDirectory("cxt-conf");
        assertEquals(RouterSection.PeerAllowance.NONE, AgentConfigParser.parse(ROUTER, "t.conf", dir).router().orElseThrow()
                .peerAllowance());
        String withAllowance = ROUTER.replace("[router]\n", "[router]\npeer-mobile-prefixes = [\"2001:db8:100::/48\"]\n"
                + "peer-marks = true\npeer-unknown-attributes = true\n");
        RouterSection.PeerAllowance a = AgentConfigParser.parse(withAllowance, "t.conf", dir).router().orElseThrow().peerAllowance();
        assertEquals(1, a.mobilePrefixes().size());
        assertEquals(48, a.mobilePrefixes().get(0).length());
        assertTrue(a.marksAndIfIds());
        assertTrue(a.unknownAttributes());
        assertTrue(error(ROUTER.replace("[router]\n", "[router]\npeer-marks = \"yes\"\n"))
                .contains("[router] peer-marks: must be true or false"), "a string is not a boolean");
        assertTrue(error(ROUTER.replace("[router]\n", "[router]\npeer-mobile-prefixes = \"2001:db8::/32\"\n"))
                .contains("[router] peer-mobile-prefixes: must be a list of prefixes"));
        assertTrue(error(ROUTER.replace("[router]\n", "[router]\npeer-mobile-prefixes = [\"2001:db8::1\"]\n"))
                .contains("[router] peer-mobile-prefixes: not a prefix: '2001:db8::1'"));
    }

    /** systemd's LoadCredential=keys:/etc/cxt/keys: keys_<file> in $CREDENTIALS_DIRECTORY wins over the path. */
    @Test
    void keyFilesComeFromSystemdCredentialsWhenPresent(@TempDir Path creds) throws IOException {
        Path configured = Path.of("/etc/cxt/keys/par-nar.key");
        assertEquals(configured, AgentConfigParser.fromCredentials(configured, null));
        assertEquals(configured, AgentConfigParser.fromCredentials(configured, creds.toString()), "no such credential");
        Path credential = Files.writeString(creds.resolve("keys_par-nar.key"), "00");
        assertEquals(credential, AgentConfigParser.fromCredentials(configured, creds.toString()));
        assertEquals(Path.of("/etc/cxt/keys/other.key"),
                AgentConfigParser.fromCredentials(Path.of("/etc/cxt/keys/other.key"), creds.toString()));
    }

}
