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

import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

import io.cxt.agent.ha.CharonHaLab.Auth;
import io.cxt.agent.ha.CharonHaLab.Router;
import io.cxt.agent.ha.CharonHaLab.Spec;
import io.cxt.ha.IkeResponseCopy;

/**
 * A move while an exchange is in flight: the MN's charon starts a CHILD_SA rekey with the pAR (request N), and a tc
 * filter loses either the request on its way to the pAR or the pAR's answer on its way to the MN; then the handover
 * happens.
 * <ul>
 * <li>Request lost: the pAR's charon never saw N, so the transferred state says the next request is N; the MN's
 * charon retransmits N to the nAR (its retransmissions follow its SA's current peer), the nAR's charon answers and
 * the rekey completes there (same IKE SA, no IKE_AUTH, traffic, a later rekey).</li>
 * <li>Answer lost: the pAR's charon synced "next request N+1" (ha_ike.c syncs a request's ID when it arrives) and the
 * new CHILD_SA, and the nAR's charon would ignore a retransmission of N ("received message ID N, expected N+1":
 * task_manager_v2.c answers a retransmission only from the response it sent itself, which HA does not carry). The
 * pAR's cxagent kept charon's answer (a packet tap, {@link IkeResponseTap}) and sent it in the context; the nAR's
 * sends it to the MN at the activation ({@link IkeAnswerReplay}), the MN completes its rekey with it. The answer is
 * lost at the MN's ingress: a drop in the pAR's egress qdisc would come before the tap. Without the copy the MN's
 * charon gives up after its retransmissions and deletes the IKE SA (docs/strongswan.md, "An exchange in flight").</li>
 * <li>The same with the answer to the MN's liveness check (DPD, an INFORMATIONAL).</li>
 * </ul>
 */
@Tag("esp-kernel")
class CharonHaInFlightEspKernelTest {
    static final String ID = "hf" + ProcessHandle.current().pid() % 10000;
    private static final Pattern REKEY_REQUEST = Pattern.compile("generating CREATE_CHILD_SA request (\\d+) ");

    @Test
    void aRekeyRequestLostOnTheWayToThePreviousRouterIsAnsweredByTheNextRouter() throws Exception {
        try (CharonHaLab lab = CharonHaLab.start(ID + "q", Auth.PSK, List.of(new Spec("par", "mp0", "mp1", false),
                new Spec("nar", "mn0", "mn1", true)))) {
            Router par = lab.router("par"), nar = lab.router("nar");
            String spis = lab.establish();
            String in0 = inSpi(lab.swanctl(lab.mn, "--list-sas"));
            int mn0 = lab.log(lab.mn).length(), par0 = lab.log(par.ns()).length(), nar0 = lab.log(nar.ns()).length();
            long next = par.relay().control().relay().store().findByMobileNode(par.coa()).orElseThrow().midResponder();
            dropIke(lab.mn, par.mnIf(), "dst_port");
            lab.swanctl(lab.mn, "--rekey", "--child", CharonHaLab.MN_CONN);
            await("the MN's rekey request", () -> REKEY_REQUEST.matcher(lab.log(lab.mn).substring(mn0)).find());
            Matcher m = REKEY_REQUEST.matcher(lab.log(lab.mn).substring(mn0));
            assertTrue(m.find());
            long mid = Long.parseLong(m.group(1));
            assertEquals(next, mid, "the MN's request has the ID the pAR's charon expects");
            Thread.sleep(500);
            assertFalse(lab.log(par.ns()).substring(par0).contains("CREATE_CHILD_SA"), "the request was lost");
            assertEquals(next, par.relay().control().relay().store().findByMobileNode(par.coa()).orElseThrow().midResponder());

            lab.transfer(par, nar, spis);
            try {
                await("the MN's rekey completes at the nAR", () -> {
                    String s = lab.swanctl(lab.mn, "--list-sas");
                    return !inSpi(s).equals(in0) && countInstalled(s) == 1;
                });
            } catch (AssertionError e) {
                throw new AssertionError(e.getMessage() + "\nMN:\n" + lab.log(lab.mn).substring(mn0) + "\nnAR:\n"
                        + lab.log(nar.ns()).substring(nar0), e);
            }
            String mnLog = lab.log(lab.mn).substring(mn0), narLog = lab.log(nar.ns()).substring(nar0);
            assertTrue(mnLog.contains("retransmit ") && mnLog.contains(" of request with message ID " + mid + "\n"), mnLog);
            assertTrue(narLog.contains("parsed CREATE_CHILD_SA request " + mid + " [")
                    && narLog.contains("generating CREATE_CHILD_SA response " + mid + " ["), narLog);
            assertFalse(narLog.contains("received message ID"), narLog);
            afterTheMove(lab, nar, spis);
        }
    }

    @Test
    void aRekeyAnswerLostOnTheWayToTheMobileNodeIsSentAgainByTheNextRouter() throws Exception {
        try (CharonHaLab lab = CharonHaLab.start(ID + "r", Auth.PSK, List.of(new Spec("par", "mp0", "mp1", false),
                new Spec("nar", "mn0", "mn1", true)))) {
            Router par = lab.router("par"), nar = lab.router("nar");
            String spis = lab.establish();
            String in0 = inSpi(lab.swanctl(lab.mn, "--list-sas"));
            int mn0 = lab.log(lab.mn).length(), par0 = lab.log(par.ns()).length(), nar0 = lab.log(nar.ns()).length();
            dropIkeArriving(lab.mn, par.mnIf());
            lab.swanctl(lab.mn, "--rekey", "--child", CharonHaLab.MN_CONN);
            await("the pAR's charon answered the rekey", () -> lab.log(par.ns()).substring(par0).contains("generating CREATE_CHILD_SA response"));
            Matcher m = Pattern.compile("parsed CREATE_CHILD_SA request (\\d+) ").matcher(lab.log(par.ns()).substring(par0));
            assertTrue(m.find());
            long mid = Long.parseLong(m.group(1));
            HaSaStore parStore = par.relay().control().relay().store();
            await("the pAR's relay has the request's ID, the new CHILD_SA and charon's answer", () -> parStore
                    .findByMobileNode(par.coa()).map(s -> s.midResponder() == mid + 1 && s.children().size() == 2
                            && parStore.lastResponse(s.id().initiatorSpi(), s.id().responderSpi())
                                    .map(r -> r.messageId() == mid && r.exchangeType() == IkeResponseCopy.CREATE_CHILD_SA)
                                    .orElse(false))
                    .orElse(false));
            Thread.sleep(300);
            assertFalse(lab.log(lab.mn).substring(mn0).contains("parsed CREATE_CHILD_SA response"), "the MN did not get the answer");

            lab.transfer(par, nar, spis);
            try {
                await("the MN's rekey completes with the copy of the pAR's answer", () -> {
                    String s = lab.swanctl(lab.mn, "--list-sas");
                    return !inSpi(s).equals(in0) && countInstalled(s) == 1;
                });
            } catch (AssertionError e) {
                throw new AssertionError(e.getMessage() + "\nMN:\n" + lab.log(lab.mn).substring(mn0) + "\nnAR:\n"
                        + lab.log(nar.ns()).substring(nar0) + "\nevents: " + lab.events, e);
            }
            String mnLog = lab.log(lab.mn).substring(mn0), narLog = lab.log(nar.ns()).substring(nar0);
            assertTrue(mnLog.contains("parsed CREATE_CHILD_SA response " + mid + " ["), mnLog);
            assertFalse(narLog.contains("CREATE_CHILD_SA response"), "the nAR's charon did not answer, cxt sent the copy: " + narLog);
            assertTrue(List.copyOf(lab.events).stream().anyMatch(e -> e.startsWith("nar ike-ha-answer") && e.contains("response " + mid + ",")),
                    lab.events.toString());
            assertFalse(List.copyOf(lab.events).stream().anyMatch(e -> e.startsWith("nar ike-rejected")), lab.events.toString());
            assertEquals(1L, nar.relay().counters().get("charon-ha.answers-sent-again"), nar.relay().counters().toString());
            assertTrue(par.relay().counters().get("charon-ha.responses-kept") >= 1, par.relay().counters().toString());
            afterTheMove(lab, nar, spis);
            System.out.println("charon-ha: answer lost on its way to the MN, sent again by the nAR:\n"
                    + mnLog.lines().filter(l -> l.contains("CREATE_CHILD_SA response")).findFirst().orElse(""));
        }
    }

    /**
     * The same with a liveness check: the MN's DPD (an empty INFORMATIONAL, its dpd_delay passed without inbound
     * traffic) is answered by the pAR's charon, the answer is lost, the MN retransmits; after the move the nAR's copy
     * of the answer ends the exchange, and the SA lives on (without it the MN gives up and deletes the IKE SA).
     */
    @Test
    void aLivenessCheckAnswerLostOnTheWayToTheMobileNodeIsSentAgainByTheNextRouter() throws Exception {
        try (CharonHaLab lab = CharonHaLab.start(ID + "d", Auth.PSK, List.of(new Spec("par", "mp0", "mp1", false),
                new Spec("nar", "mn0", "mn1", true)), 3)) {
            Router par = lab.router("par"), nar = lab.router("nar");
            String spis = lab.establish();
            int mn0 = lab.log(lab.mn).length(), par0 = lab.log(par.ns()).length(), nar0 = lab.log(nar.ns()).length();
            dropIkeArriving(lab.mn, par.mnIf());
            await("the pAR's charon answered the MN's liveness check",
                    () -> lab.log(par.ns()).substring(par0).contains("generating INFORMATIONAL response"));
            Matcher m = Pattern.compile("parsed INFORMATIONAL request (\\d+) \\[ \\]").matcher(lab.log(par.ns()).substring(par0));
            assertTrue(m.find(), lab.log(par.ns()).substring(par0));
            long mid = Long.parseLong(m.group(1));
            HaSaStore parStore = par.relay().control().relay().store();
            await("the pAR's relay has charon's answer", () -> parStore.findByMobileNode(par.coa()).flatMap(s -> parStore
                    .lastResponse(s.id().initiatorSpi(), s.id().responderSpi())).map(r -> r.messageId() == mid
                            && r.exchangeType() == IkeResponseCopy.INFORMATIONAL).orElse(false));
            assertFalse(lab.log(lab.mn).substring(mn0).contains("parsed INFORMATIONAL response"), "the MN did not get it");

            lab.transfer(par, nar, spis);
            await("the MN's liveness check ends with the copy", () -> lab.log(lab.mn).substring(mn0)
                    .contains("parsed INFORMATIONAL response " + mid + " [ ]"));
            String mnLog = lab.log(lab.mn).substring(mn0), narLog = lab.log(nar.ns()).substring(nar0);
            assertFalse(narLog.contains("generating INFORMATIONAL response " + mid + " "), "cxt's copy, not the nAR's charon: "
                    + narLog);
            assertFalse(mnLog.contains("giving up"), mnLog);
            assertEquals(1L, nar.relay().counters().get("charon-ha.answers-sent-again"), nar.relay().counters().toString());
            afterTheMove(lab, nar, spis);
            System.out.println("charon-ha: a liveness check's answer lost on its way to the MN, sent again by the nAR ("
                    + mid + ")");
        }
    }

    /** Loses the IKE datagrams arriving at the namespace by {@code dev} (UDP from port 500/4500), after any tap. */
    private static void dropIkeArriving(String ns, String dev) {
        CharonHaLab.bash("set -e\ntc -n " + ns + " qdisc add dev " + dev + " ingress\n"
                + "for p in 500 4500; do tc -n " + ns + " filter add dev " + dev + " ingress protocol ipv6 flower"
                + " ip_proto udp src_port $p action drop; done\n");
    }

    /** Loses the namespace's IKE datagrams leaving by {@code dev} (src_port or dst_port 500/4500); ESP still passes. */
    private static void dropIke(String ns, String dev, String portKey) {
        // tc: the lab kernel's nftables has no filter chain for the output hook
        CharonHaLab.bash("set -e\ntc -n " + ns + " qdisc add dev " + dev + " root handle 1: prio\n"
                + "for p in 500 4500; do tc -n " + ns + " filter add dev " + dev + " parent 1: protocol ipv6 flower"
                + " ip_proto udp " + portKey + " $p action drop; done\n");
    }

    /** The SA lives on at the nAR: same IKE SPIs, no new IKE_SA_INIT/IKE_AUTH, traffic, a later rekey works. */
    private static void afterTheMove(CharonHaLab lab, Router nar, String spis) throws Exception {
        String mnSas = lab.swanctl(lab.mn, "--list-sas");
        assertEquals(spis, spis(mnSas), mnSas);
        assertTrue(mnSas.contains(nar.address() + "["), mnSas);
        assertEquals(spis, spis(lab.swanctl(nar.ns(), "--list-sas")));
        String mnLog = lab.log(lab.mn);
        assertEquals(1, count(mnLog, "generating IKE_SA_INIT request"), "no new IKE_SA_INIT");
        assertEquals(1, count(mnLog, "generating IKE_AUTH request"), "no new IKE_AUTH");
        String ping = lab.ping(20);
        assertTrue(ping.contains(" 0% packet loss"), ping + "\n" + xfrmStat(lab.mn) + "\n" + xfrmStat(nar.ns()));
        assertEquals("", nonZero(xfrmStat(lab.mn)), "MN's /proc/net/xfrm_stat");
        assertEquals("", nonZero(xfrmStat(nar.ns())), "nAR's /proc/net/xfrm_stat");
        String in1 = inSpi(mnSas);
        lab.swanctl(lab.mn, "--rekey", "--child", CharonHaLab.MN_CONN);
        await("a later rekey through the nAR", () -> {
            String s = lab.swanctl(lab.mn, "--list-sas");
            return !inSpi(s).equals(in1) && countInstalled(s) == 1;
        });
        String after = lab.ping(20);
        assertTrue(after.contains(" 0% packet loss"), after);
        assertEquals("", nonZero(xfrmStat(lab.mn)), "MN's /proc/net/xfrm_stat after the rekey");
        assertEquals(0, nar.relay().control().relay().rejections().total(), nar.relay().counters().toString());
    }
}
