package io.cxt.agent.ha;

import static io.cxt.agent.ha.CharonHaLab.await;
import static io.cxt.agent.ha.CharonHaLab.count;
import static io.cxt.agent.ha.CharonHaLab.countInstalled;
import static io.cxt.agent.ha.CharonHaLab.inSpi;
import static io.cxt.agent.ha.CharonHaLab.ip;
import static io.cxt.agent.ha.CharonHaLab.nonZero;
import static io.cxt.agent.ha.CharonHaLab.spis;
import static io.cxt.agent.ha.CharonHaLab.xfrmStat;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

import io.cxt.agent.ha.CharonHaLab.Auth;
import io.cxt.agent.ha.CharonHaLab.Router;
import io.cxt.agent.ha.CharonHaLab.Spec;

/**
 * A move while an exchange is in flight: the MN's charon starts a CHILD_SA rekey with the pAR, the pAR's charon
 * answers it but the answer is lost (an nftables rule in the pAR drops its IKE datagrams), and the handover happens.
 */
@Tag("esp-kernel")
class CharonHaInFlightEspKernelTest {
    static final String ID = "hf" + ProcessHandle.current().pid() % 10000;

    @Test
    void aChildSaRekeyWhoseAnswerWasLostAtThePreviousRouter() throws Exception {
        try (CharonHaLab lab = CharonHaLab.start(ID, Auth.PSK, List.of(new Spec("par", "mp0", "mp1", false),
                new Spec("nar", "mn0", "mn1", true)))) {
            Router par = lab.router("par"), nar = lab.router("nar");
            String spis = lab.establish();
            String in0 = inSpi(lab.swanctl(lab.mn, "--list-sas"));
            int mn0 = lab.log(lab.mn).length(), par0 = lab.log(par.ns()).length();
            // the pAR's IKE datagrams to the MN are lost on its link (tc: the lab kernel's nftables has no filter hook)
            String dev = par.routerIf();
            CharonHaLab.bash("set -e\ntc -n " + par.ns() + " qdisc add dev " + dev + " root handle 1: prio\n"
                    + "for p in 500 4500; do tc -n " + par.ns() + " filter add dev " + dev + " parent 1: protocol ipv6 flower"
                    + " ip_proto udp src_port $p action drop; done\n");
            lab.swanctl(lab.mn, "--rekey", "--child", CharonHaLab.MN_CONN);
            await("the pAR's charon answered the rekey", () -> lab.log(par.ns()).substring(par0).contains("generating CREATE_CHILD_SA response"));
            Matcher m = Pattern.compile("parsed CREATE_CHILD_SA request (\\d+) ").matcher(lab.log(par.ns()).substring(par0));
            assertTrue(m.find());
            long mid = Long.parseLong(m.group(1));
            await("the pAR's relay has the request's message ID", () -> par.relay().control().relay().store()
                    .findByMobileNode(par.coa()).map(s -> s.midResponder() == mid + 1).orElse(false));
            HaIkeSaState atPar = par.relay().control().relay().store().findByMobileNode(par.coa()).orElseThrow();
            System.out.println("charon-ha: in flight: CREATE_CHILD_SA " + mid + ", pAR relay: next in " + atPar.midResponder()
                    + ", " + atPar.children().size() + " CHILD_SA(s); pAR kernel:\n" + ip(par.ns(), "xfrm", "state") + "\n"
                    + CharonHaLab.exec(List.of("tc", "-n", par.ns(), "-s", "filter", "show", "dev", dev, "parent", "1:")).output());

            lab.transfer(par, nar, spis);
            int nar0 = 0;
            try {
                await("the MN's rekey completes at the nAR", () -> {
                    String s = lab.swanctl(lab.mn, "--list-sas");
                    return !inSpi(s).equals(in0) && countInstalled(s) == 1;
                });
            } catch (AssertionError e) {
                throw new AssertionError(e.getMessage() + "\nMN:\n" + lab.log(lab.mn).substring(mn0) + "\nnAR:\n"
                        + lab.log(nar.ns()).substring(nar0) + "\nnAR kernel:\n" + ip(nar.ns(), "xfrm", "state")
                        + "\nMN: " + lab.swanctl(lab.mn, "--list-sas") + "\nnAR: " + lab.swanctl(nar.ns(), "--list-sas"), e);
            }
            String mnSas = lab.swanctl(lab.mn, "--list-sas");
            assertEquals(spis, spis(mnSas), mnSas);
            assertEquals(1, count(lab.log(lab.mn), "generating IKE_AUTH request"), "no new IKE_AUTH");
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
            assertTrue(lab.ping(20).contains(" 0% packet loss"));
        }
    }
}
