package io.cxt.cli;

import static io.cxt.cli.CliRun.cxctl;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import com.fasterxml.jackson.databind.ObjectMapper;

import io.cxt.agent.control.ControlException;
import io.cxt.agent.control.ControlHandler;
import io.cxt.agent.control.ControlServer;
import io.cxt.agent.view.AgentEvent;
import io.cxt.agent.view.AgentStatus;
import io.cxt.agent.view.ContextView;
import io.cxt.agent.view.IkeSaView;
import io.cxt.agent.view.OperationResult;
import io.cxt.agent.view.PeerView;

/** cxctl agent / cxctl ike against a real control socket served by a test agent in this JVM. */
class AgentCliTest {

    @TempDir
    Path dir;

    private Path socket;
    private ControlServer server;
    /** What the agent was asked, by command. */
    private final Map<String, Map<String, String>> asked = new ConcurrentHashMap<>();

    private final ControlHandler agent = (command, a) -> {
        asked.put(command, a);
        return switch (command) {
            case "status" -> new AgentStatus("access-router", "par", 4242, "0.1.0", "2026-11-27T21:00:00Z", 3725,
                    List.of("2001:db8:1::1"), 2, 1, 1, "");
            case "contexts" -> List.of(
                    new ContextView("2001:db8:aa::10", "2001:db8:1::10", "ACTIVE", "", "", List.of(
                            "esp spi 0x00001000 2001:db8:1::10 -> 2001:db8:1::1",
                            "esp spi 0x00002000 2001:db8:1::1 -> 2001:db8:1::10"), 4, "0x8a3f1c2b4d5e6f70i/0x0102030405060708r", 1500, -1),
                    new ContextView("2001:db8:aa::11", "2001:db8:1::11", "SENT", "nar", "predictive", List.of(), 0, "", 65_000,
                            29_000));
            case "peers" -> List.of(new PeerView("nar", "2001:db8:2::1 5091", "udp", 2, 7, 5, 1, "2026-11-27T21:01:00Z"));
            case "stats" -> new java.util.TreeMap<>(Map.of("ctar-received", 12L, "ctd-sent", 3L, "protection-rejected", 1L));
            case "events" -> List.of(new AgentEvent(41, "2026-11-27T21:00:01Z", "context-received", "2001:db8:aa::11", "from par"),
                    new AgentEvent(42, "2026-11-27T21:00:02Z", "agent-started", "", ""));
            case "transfer" -> {
                if (!a.get("to").equals("nar")) {
                    throw new ControlException("unknown peer '" + a.get("to") + "'");
                }
                yield new OperationResult(true, "context of " + a.get("mn") + " sent to nar (PCTD)",
                        Map.of("pctdOctets", 612, "sas", 2));
            }
            case "activate" -> new OperationResult(false, "no CTAA from " + a.get("nar") + " after 4 CTARs", Map.of());
            case "cancel" -> new OperationResult(true, "transfer of " + a.get("mn") + " cancelled", Map.of());
            case "ike-import" -> new OperationResult(true, "IKE SA 8a3f1c2b4d5e6f70 imported", Map.of());
            case "ike-list" -> List.of(new IkeSaView("8a3f1c2b4d5e6f70", "0102030405060708", "responder", "aes128-sha256-prfsha256-modp2048",
                    "mn@example.org", "1/1", List.of("esp in 0xc2b1a001 out 0xc1f0e002"), "2001:db8:aa::10"));
            case "ike-show" -> {
                if (!a.get("spi").equals("8a3f1c2b4d5e6f70")) {
                    throw new ControlException("no IKE SA with initiator SPI " + a.get("spi"));
                }
                yield new IkeSaView("8a3f1c2b4d5e6f70", "0102030405060708", "responder", "aes128-sha256-prfsha256-modp2048",
                        "mn@example.org", "1/1", List.of("esp in 0xc2b1a001 out 0xc1f0e002"), "2001:db8:aa::10");
            }
            default -> throw new ControlException("unsupported");
        };
    };

    @BeforeEach
    void start() throws IOException {
        socket = dir.resolve("cxagent.sock");
        server = ControlServer.start(socket, Optional.empty(), agent);
    }

    @AfterEach
    void stop() {
        server.close();
    }

    private CliRun run(String... words) {
        String[] all = new String[words.length + 2];
        System.arraycopy(words, 0, all, 0, 2);
        all[2] = "--socket";
        all[3] = socket.toString();
        System.arraycopy(words, 2, all, 4, words.length - 2);
        return cxctl(all);
    }

    @Test
    void status() {
        CliRun r = run("agent", "status").ok();
        assertEquals("""
                role:          access-router
                name:          par
                pid:           4242
                version:       0.1.0
                started:       2026-11-27T21:00:00Z
                uptime:        1h02m
                addresses:     2001:db8:1::1
                contexts:      2
                peers:         1
                ike-sas:       1
                last-handover: -
                """, r.out());
        assertEquals("", r.err());
    }

    @Test
    void contextsAsAnAlignedTable() {
        CliRun r = run("agent", "contexts").ok();
        assertEquals("""
                MN               CARE-OF         STATE   PEER  MODE        SAS  POLICIES  IKE                                      AGE    EXPIRES
                2001:db8:aa::10  2001:db8:1::10  ACTIVE  -     -           2    4         0x8a3f1c2b4d5e6f70i/0x0102030405060708r  1.5s   -
                2001:db8:aa::11  2001:db8:1::11  SENT    nar   predictive  0    0         -                                        1m05s  29.0s
                """, r.out());
        CliRun d = run("agent", "contexts", "-d").ok();
        assertTrue(d.out().endsWith("""
                2001:db8:aa::10:
                  esp spi 0x00001000 2001:db8:1::10 -> 2001:db8:1::1
                  esp spi 0x00002000 2001:db8:1::1 -> 2001:db8:1::10
                2001:db8:aa::11:
                """), d.out());
    }

    @Test
    void peersStatsEvents() {
        assertEquals("""
                NAME  ADDRESS             TRANSPORT  SENDER-ID  SENT  RECEIVED  REJECTED  LAST-SEEN
                nar   2001:db8:2::1 5091  udp        2          7     5         1         2026-11-27T21:01:00Z
                """, run("agent", "peers").ok().out());
        assertEquals("ctar-received 12\nctd-sent 3\nprotection-rejected 1\n", run("agent", "stats").ok().out());
        assertEquals("""
                41 2026-11-27T21:00:01Z context-received mn 2001:db8:aa::11 from par
                42 2026-11-27T21:00:02Z agent-started
                """, run("agent", "events", "--since", "40").ok().out());
        assertEquals(Map.of("since", "40"), asked.get("events"));
    }

    @Test
    void jsonPrintsTheRawResult() throws Exception {
        CliRun r = cxctl("--json", "agent", "--socket", socket.toString(), "peers").ok();
        var tree = new ObjectMapper().readTree(r.out());
        assertEquals("nar", tree.get(0).get("name").asText());
        assertEquals(7, tree.get(0).get("sent").asInt());
        // the global flag also after the command
        CliRun s = run("agent", "stats", "--json").ok();
        assertEquals(12, new ObjectMapper().readTree(s.out()).get("ctar-received").asInt());
    }

    @Test
    void socketOptionAfterTheSubcommand() {
        CliRun r = cxctl("agent", "status", "--socket", socket.toString()).ok();
        assertTrue(r.out().startsWith("role:          access-router\n"), r.out());
    }

    @Test
    void operations() {
        CliRun t = run("agent", "transfer", "--mn", "2001:db8:1::10", "--to", "nar").ok();
        assertEquals("context of 2001:db8:1::10 sent to nar (PCTD)\n  pctdOctets 612\n  sas 2\n", t.out());
        assertEquals(Map.of("mn", "2001:db8:1::10", "to", "nar"), asked.get("transfer"));

        CliRun refused = run("agent", "transfer", "--mn", "2001:db8:1::10", "--to", "mars");
        assertEquals(ExitCodes.FAILURE, refused.exit());
        assertEquals("cxctl: unknown peer 'mars'\n", refused.err());
        assertEquals("", refused.out());

        CliRun failed = run("agent", "activate", "--nar", "2001:db8:2::1", "--coa", "2001:db8:2::10");
        assertEquals(ExitCodes.FAILURE, failed.exit());
        assertEquals("cxctl: no CTAA from 2001:db8:2::1 after 4 CTARs\n", failed.err());
        assertEquals(Map.of("nar", "2001:db8:2::1", "coa", "2001:db8:2::10"), asked.get("activate"));

        CliRun c = run("agent", "cancel", "--mn", "2001:db8:1::10", "--peer", "nar").ok();
        assertEquals("transfer of 2001:db8:1::10 cancelled\n", c.out());
        assertEquals(Map.of("mn", "2001:db8:1::10", "peer", "nar"), asked.get("cancel"));
    }

    @Test
    void badCommandLinesExit2BeforeAskingTheAgent() {
        for (String[] args : List.of(
                new String[] {"agent", "transfer", "--mn", "2001:db8:1::10"},
                new String[] {"agent", "transfer", "--mn", "mn1.example", "--to", "nar"},
                new String[] {"agent", "activate"},
                new String[] {"agent", "activate", "--nar", "2001:db8:2::1", "--coa", "somewhere"},
                new String[] {"agent", "cancel", "--peer", "nar"},
                new String[] {"agent", "events", "--since", "x"},
                new String[] {"agent", "frobnicate"},
                new String[] {"ike", "show", "zz"},
                new String[] {"ike", "show", "0x11112222333344445"},
                new String[] {"ike", "import", dir.resolve("none.json").toString()})) {
            CliRun r = run(args);
            assertEquals(ExitCodes.USAGE, r.exit(), String.join(" ", args) + ": " + r.err());
            assertTrue(r.err().startsWith("cxctl: ") && r.err().lines().count() == 1, r.err());
        }
        assertTrue(asked.isEmpty(), "nothing reached the agent: " + asked);
        assertEquals("cxctl: agent needs a command: status, contexts, peers, stats, events, transfer, activate or cancel"
                + " (see 'cxctl agent --help')\n", cxctl("agent").err());
    }

    @Test
    void netnsIsRefusedWithTheReason() {
        for (String[] args : List.of(new String[] {"-n", "lab", "agent", "--socket", socket.toString(), "status"},
                new String[] {"-n", "lab", "ike", "--socket", socket.toString(), "list"})) {
            CliRun r = cxctl(args);
            assertEquals(ExitCodes.USAGE, r.exit(), r.err());
            assertTrue(r.err().startsWith("cxctl: -n does not apply to agent and ike commands") && r.err().lines().count() == 1,
                    r.err());
        }
        assertTrue(asked.isEmpty(), "nothing reached the agent: " + asked);
    }

    @Test
    void agentNotRunning() {
        Path gone = dir.resolve("gone.sock");
        CliRun r = cxctl("agent", "--socket", gone.toString(), "status");
        assertEquals(ExitCodes.FAILURE, r.exit());
        assertEquals("cxctl: cannot reach cxagent at " + gone + ": No such file or directory (is cxagent running?)\n", r.err());
    }

    @Test
    void ikeImportValidatesThenSendsTheDocument() throws Exception {
        String md = Files.readString(Path.of("..", "docs", "ike.md"));
        int start = md.indexOf("```json", md.indexOf("<!-- example-context -->"));
        String json = md.substring(md.indexOf('\n', start) + 1, md.indexOf("```", start + 7));
        Path f = dir.resolve("sa.json");
        Files.writeString(f, json);
        CliRun r = run("ike", "import", f.toString()).ok();
        assertEquals("IKE SA 8a3f1c2b4d5e6f70 imported\n", r.out());
        assertEquals(json, asked.get("ike-import").get("json"));

        Path bad = dir.resolve("bad.json");
        Files.writeString(bad, json.replace("cxt-ike-sa/1", "cxt-ike-sa/9"));
        asked.clear();
        CliRun b = run("ike", "import", bad.toString());
        assertEquals(ExitCodes.FAILURE, b.exit());
        assertTrue(b.err().startsWith("cxctl: " + bad + ": not a valid cxt-ike-sa/1 document: "), b.err());
        assertTrue(asked.isEmpty(), "an invalid document is not sent");
    }

    @Test
    void ikeListAndShow() {
        assertEquals("""
                INITIATOR-SPI     RESPONDER-SPI     ROLE       OWNER            PEER            ALGORITHMS                        CHILD-SAS
                8a3f1c2b4d5e6f70  0102030405060708  responder  2001:db8:aa::10  mn@example.org  aes128-sha256-prfsha256-modp2048  1
                """, run("ike", "list").ok().out());
        assertEquals("""
                initiator-spi: 8a3f1c2b4d5e6f70
                responder-spi: 0102030405060708
                role:          responder
                owner:         2001:db8:aa::10
                peer:          mn@example.org
                algorithms:    aes128-sha256-prfsha256-modp2048
                message-ids:   1/1
                  child esp in 0xc2b1a001 out 0xc1f0e002
                """, run("ike", "show", "0x8A3F1C2B4D5E6F70").ok().out());
        CliRun missing = run("ike", "show", "1234");
        assertEquals(ExitCodes.FAILURE, missing.exit());
        assertEquals("cxctl: no IKE SA with initiator SPI 0000000000001234\n", missing.err());
    }

    @ParameterizedTest
    @ValueSource(strings = {"agent", "agent status", "agent contexts", "agent peers", "agent stats", "agent events",
        "agent transfer", "agent activate", "agent cancel", "ike", "ike import", "ike list", "ike show"})
    void everyCommandHasHelp(String command) {
        CliRun r = cxctl((command + " --help").split(" "));
        assertEquals(0, r.exit(), r.err());
        assertTrue(r.out().startsWith("Usage: cxctl " + command), r.out());
        assertTrue(r.out().contains("\n\n"), "a summary line and a description paragraph: " + r.out());
        assertTrue(r.out().contains("--socket=PATH"), r.out());
        assertTrue(r.out().lines().count() > 5, r.out());
    }
}
