package io.cxt.agent.ha;

import static io.cxt.agent.ha.CharonHaLab.await;
import static io.cxt.agent.ha.CharonHaLab.count;
import static io.cxt.agent.ha.CharonHaLab.countInstalled;
import static io.cxt.agent.ha.CharonHaLab.inSpi;
import static io.cxt.agent.ha.CharonHaLab.nonZero;
import static io.cxt.agent.ha.CharonHaLab.spis;
import static io.cxt.agent.ha.CharonHaLab.xfrmStat;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

import com.fasterxml.jackson.databind.JsonNode;

import io.cxt.agent.control.ControlClient;
import io.cxt.agent.control.ControlException;

/**
 * Issue 10 with the daemons: {@link CharonHaEspKernelTest}'s handover, but every cxt part is a {@code bin/cxagent}
 * process driven through its control socket, as an operator's would be: the routers' agents are their charons' HA
 * peers ({@code [charon-ha]}), the MN's agent beside the MN's stock charon has {@code [mobile] sa-owner = "charon"}
 * (without it the agent cannot even start: charon holds port 500). pAR {@code transfer} (predictive), MN {@code
 * activate} (the CTAR); then the MN's charon shows the nAR as peer with the same IKE SPIs and sent no second
 * IKE_SA_INIT or IKE_AUTH, the nAR's charon has the SA ESTABLISHED, the pAR's none (and sent no DELETE), ping goes
 * through the nAR with {@code /proc/net/xfrm_stat} all zero, and a CHILD_SA rekey started by the MN goes through the
 * nAR; a CHILD_SA rekey with the pAR between the PCTD and the CTAR reaches the nAR's passive copy (the pAR sends the
 * context again). The same checks, on handover-lab's topology with a link move and movement detection, are
 * {@code tests/lab/handover-demo --charon}. The agents start without the activation warm-up and rehearsal (seconds
 * each in the lab kernel; they only make the first activation faster).
 */
@Tag("esp-kernel")
class CharonHaDaemonEspKernelTest {
    static final String ID = "hd" + ProcessHandle.current().pid() % 10000;
    static final String PCOA = "2001:db8:1::10", PAR = "2001:db8:1::1", NCOA = "2001:db8:2::10", NAR = "2001:db8:2::1";
    static CharonHaLab lab;
    static final Map<String, Process> agents = new LinkedHashMap<>();

    @BeforeAll
    static void lab() throws Exception {
        lab = CharonHaLab.start(ID, CharonHaLab.Auth.PSK, List.of(new CharonHaLab.Spec("par", "mp0", "mp1", false),
                new CharonHaLab.Spec("nar", "mn0", "mn1", true)), 0, false);
        Path run = lab.run;
        byte[] k = new byte[20];
        new SecureRandom().nextBytes(k);
        Files.writeString(run.resolve("mn-token.key"), HexFormat.of().formatHex(k) + "\n");
        k = new byte[32];
        new SecureRandom().nextBytes(k);
        Files.writeString(run.resolve("routers.key"), HexFormat.of().formatHex(k) + "\n");
        Files.writeString(run.resolve("par.conf"), routerConf(run, "par", PAR, 1, "nar", NAR, 2));
        Files.writeString(run.resolve("nar.conf"), routerConf(run, "nar", NAR, 2, "par", PAR, 1));
        Files.writeString(run.resolve("mn.conf"), """
                [agent]
                role = "mobile-node"
                name = "mn"
                control-socket = "%1$s/mn.sock"
                state-directory = "%1$s/mn-state"

                [mobile]
                home-address = "%2$s"
                care-of-address = "%3$s"
                access-router = "%4$s"
                token-key-file = "%1$s/mn-token.key"
                transport = "icmp"
                sa-owner = "charon"
                """.formatted(run, CharonHaLab.HOA, PCOA, PAR));
        launch("mn", lab.mn);
        launch("par", lab.router("par").ns());
        launch("nar", lab.router("nar").ns());
        for (String n : agents.keySet()) {
            awaitUp(n);
        }
    }

    private static String routerConf(Path run, String name, String address, int senderId, String peer, String peerAddress,
            int peerSenderId) {
        return """
                [agent]
                role = "access-router"
                name = "%1$s"
                control-socket = "%7$s/%1$s.sock"
                state-directory = "%7$s/%1$s-state"

                [router]
                address = "%2$s"
                mobile-transport = "icmp"
                mobile-prefix = "%2$s/64"
                sender-id = %3$d

                [[peer]]
                name = "%4$s"
                address = "%5$s"
                transport = "udp"
                sender-id = %6$d
                key-file = "%7$s/routers.key"

                [[mobile-node]]
                address = "%8$s"
                token-key-file = "%7$s/mn-token.key"

                [charon-ha]
                roam-trigger-address = "%9$s"
                """.formatted(name, address, senderId, peer, peerAddress, peerSenderId, run, PCOA, CharonHaLab.ROAM_TRIGGER);
    }

    private static void launch(String name, String ns) throws IOException {
        // the test runs in its module directory; bin/cxagent is at the project root
        Path cxagent = Path.of("..", "bin", "cxagent").toAbsolutePath().normalize();
        ProcessBuilder pb = new ProcessBuilder("ip", "netns", "exec", ns, cxagent.toString(), "--config",
                lab.run.resolve(name + ".conf").toString());
        pb.environment().put("CXAGENT_JAVA_OPTS", "-Xmx128m -Xshare:auto -XX:TieredStopAtLevel=1"
                + " -Dcxt.activation-warmup=false -Dcxt.activation-rehearsal=false");
        pb.redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.appendTo(lab.run.resolve(name + ".log").toFile()));
        agents.put(name, pb.start());
    }

    private static void awaitUp(String name) throws Exception {
        long end = System.nanoTime() + Duration.ofSeconds(90).toNanos();
        while (true) {
            Process p = agents.get(name);
            if (!p.isAlive()) {
                throw new AssertionError("cxagent " + name + " exited " + p.exitValue() + ":\n" + agentLog(name));
            }
            try {
                control(name, "status", Map.of());
                return;
            } catch (IOException | ControlException e) {
                if (System.nanoTime() > end) {
                    throw new AssertionError("cxagent " + name + " did not answer:\n" + agentLog(name), e);
                }
                Thread.sleep(100);
            }
        }
    }

    static JsonNode control(String name, String command, Map<String, String> args) throws IOException, ControlException {
        return ControlClient.request(lab.run.resolve(name + ".sock"), command, args);
    }

    static String agentLog(String name) {
        try {
            return Files.readString(lab.run.resolve(name + ".log"));
        } catch (IOException e) {
            return "(no log: " + e + ")";
        }
    }

    static String events(String name) {
        try {
            StringBuilder b = new StringBuilder();
            for (JsonNode e : control(name, "events", Map.of())) {
                b.append(e.get("kind").asText()).append(' ').append(e.get("detail").asText()).append('\n');
            }
            return b.toString();
        } catch (IOException | ControlException e) {
            return "(no events: " + e + ")";
        }
    }

    @AfterAll
    static void down() throws InterruptedException {
        for (Process p : agents.values()) {
            p.destroy();
        }
        for (Process p : agents.values()) {
            if (!p.waitFor(10, TimeUnit.SECONDS)) {
                p.destroyForcibly().waitFor(5, TimeUnit.SECONDS);
            }
        }
        if (lab != null) {
            lab.close();
        }
    }

    @Test
    void theDaemonsMoveTheStockMobileNodesIkeSaToTheNarWhereAChildSaRekeySucceeds() throws Exception {
        String mn = lab.mn, par = lab.router("par").ns(), nar = lab.router("nar").ns();
        String out = lab.swanctl(mn, "--initiate", "--child", CharonHaLab.MN_CONN, "--ike", CharonHaLab.MN_CONN, "--timeout", "20");
        String before = lab.swanctl(mn, "--list-sas");
        assertTrue(before.contains("ESTABLISHED") && before.contains(PAR + "["), out + "\n" + before);
        String spis = spis(before);
        await("the pAR's cxagent recorded charon's SA", () -> {
            try {
                return control("par", "ike-list", Map.of()).toString().contains("ESP in");
            } catch (IOException | ControlException e) {
                return false;
            }
        });
        String ping = lab.ping(100);
        assertTrue(ping.contains(" 0% packet loss"), ping);

        JsonNode sent = control("par", "transfer", Map.of("mn", PCOA, "to", "nar"));
        assertTrue(sent.get("ok").asBoolean(), sent.toString());
        await("the nAR's charon holds the SA PASSIVE", () -> lab.swanctl(nar, "--list-sas").contains("PASSIVE"));
        assertEquals(spis, spis(lab.swanctl(nar, "--list-sas")));

        // The MN rekeys its CHILD_SA with the pAR after the PCTD: the pAR's cxagent sends the context again and the
        // nAR's passive copy follows in place (before, the nAR held the old CHILD_SA and message IDs two behind, so
        // the MN's traffic and its next request through the nAR were dropped).
        String inAtPar = inSpi(lab.swanctl(mn, "--list-sas"));
        lab.swanctl(mn, "--rekey", "--child", CharonHaLab.MN_CONN);
        await("CHILD_SA rekey started by the MN with the pAR", () -> {
            String m = lab.swanctl(mn, "--list-sas");
            return !inSpi(m).equals(inAtPar) && countInstalled(m) == 1;
        });
        String rekeyedAtPar = inSpi(lab.swanctl(mn, "--list-sas"));
        java.util.regex.Pattern narOut = java.util.regex.Pattern.compile("\\n\\s+out\\s+" + rekeyedAtPar);
        try {
            await("the nAR's passive copy has the new CHILD_SA only", () -> {
                String n = lab.swanctl(nar, "--list-sas");
                return n.contains("PASSIVE") && narOut.matcher(n).find() && countInstalled(n) == 1;
            });
        } catch (AssertionError e) {
            throw new AssertionError(e.getMessage() + "\nnAR:\n" + lab.swanctl(nar, "--list-sas") + "\nnAR events:\n"
                    + events("nar") + "\npAR events:\n" + events("par"), e);
        }
        assertTrue(events("par").contains("predictive PCTD to nar again"), events("par"));
        assertTrue(events("nar").contains("ike-ha-updated"), events("nar"));
        // the rekey's own DELETE exchange (old CHILD_SA) is in both logs: the checks below look at what follows
        int parLog0 = lab.log(par).length(), mnLog0 = lab.log(mn).length();

        JsonNode activated = control("mn", "activate", Map.of("nar", NAR, "coa", NCOA));
        assertTrue(activated.get("ok").asBoolean(), activated + "\n" + events("mn"));
        try {
            await("the MN's charon follows the nAR", () -> lab.swanctl(mn, "--list-sas").contains(NAR + "["));
        } catch (AssertionError e) {
            throw new AssertionError(e.getMessage() + "\nnAR events:\n" + events("nar") + "\nnAR charon:\n" + lab.log(nar), e);
        }
        String moved = lab.swanctl(mn, "--list-sas");
        assertEquals(spis, spis(moved), "the MN's IKE SA continued: " + moved);
        assertTrue(moved.contains("ESTABLISHED") && moved.contains(NCOA + "["), moved);
        String narSas = lab.swanctl(nar, "--list-sas");
        assertTrue(narSas.contains("ESTABLISHED"), narSas);
        assertEquals(spis, spis(narSas));
        await("the pAR's charon lists no SA", () -> !lab.swanctl(par, "--list-sas").contains(CharonHaLab.GW_CONN + ":"));
        assertFalse(lab.log(par).substring(parLog0).contains("sending DELETE"), "the pAR's charon sent the MN a DELETE");
        assertFalse(lab.log(mn).substring(mnLog0).contains("received DELETE"), "the MN's charon received a DELETE");
        assertTrue(events("nar").contains("ike-ha-activated"), events("nar"));
        assertTrue(events("par").contains("ike-ha-forgotten"), events("par"));

        String through = lab.ping(20);
        assertTrue(through.contains(" 0% packet loss"), through + "\n" + CharonHaLab.ip(nar, "-s", "xfrm", "state"));
        assertEquals("", nonZero(xfrmStat(mn)), "MN's /proc/net/xfrm_stat");
        assertEquals("", nonZero(xfrmStat(nar)), "nAR's /proc/net/xfrm_stat");

        String in0 = inSpi(moved);
        lab.swanctl(mn, "--rekey", "--child", CharonHaLab.MN_CONN);
        await("CHILD_SA rekey started by the MN through the nAR", () -> {
            String m = lab.swanctl(mn, "--list-sas");
            return !inSpi(m).equals(in0) && countInstalled(m) == 1;
        });
        String rekeyed = lab.swanctl(mn, "--list-sas");
        assertEquals(spis, spis(rekeyed), rekeyed);
        assertTrue(rekeyed.contains(NAR + "["), rekeyed);
        assertTrue(lab.log(nar).contains("generating CREATE_CHILD_SA response"), "the nAR's charon answered the rekey");
        String after = lab.ping(20);
        assertTrue(after.contains(" 0% packet loss"), after);
        String mnLog = lab.log(mn);
        assertEquals(1, count(mnLog, "generating IKE_SA_INIT request"), "no new IKE_SA_INIT from the MN");
        assertEquals(1, count(mnLog, "generating IKE_AUTH request"), "no new IKE_AUTH from the MN");
        System.out.println("charon-ha daemons: MN after the move and a CHILD_SA rekey through the nAR:\n" + rekeyed);
    }
}
