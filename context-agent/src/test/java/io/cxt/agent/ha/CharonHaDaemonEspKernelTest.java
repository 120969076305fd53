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
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

import com.fasterxml.jackson.databind.JsonNode;

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
    static final String PCOA = CharonHaDaemons.PCOA, PAR = CharonHaDaemons.PAR, NCOA = CharonHaDaemons.NCOA,
            NAR = CharonHaDaemons.NAR;
    static CharonHaDaemons daemons;
    static CharonHaLab lab;

    @BeforeAll
    static void lab() throws Exception {
        daemons = CharonHaDaemons.start(ID, false);
        lab = daemons.lab;
    }

    static JsonNode control(String name, String command, Map<String, String> args) throws IOException, ControlException {
        return daemons.control(name, command, args);
    }

    static String events(String name) {
        return daemons.events(name);
    }

    @AfterAll
    static void down() {
        if (daemons != null) {
            daemons.close();
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
