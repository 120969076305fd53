package io.cxt.agent.ha;

import static io.cxt.agent.ha.CharonHaLab.await;
import static io.cxt.agent.ha.CharonHaLab.count;
import static io.cxt.agent.ha.CharonHaLab.ip;
import static io.cxt.agent.ha.CharonHaLab.nonZero;
import static io.cxt.agent.ha.CharonHaLab.xfrmStat;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.StandardProtocolFamily;
import java.nio.ByteBuffer;
import java.nio.channels.DatagramChannel;
import java.util.List;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

import io.cxt.agent.ha.CharonHaLab.Auth;
import io.cxt.agent.ha.CharonHaLab.Router;
import io.cxt.agent.ha.CharonHaLab.Spec;
import io.cxt.sys.NetNamespace;

/**
 * After the move (pAR -> nAR, {@link CharonHaLab#handover}): a liveness check (DPD, an empty INFORMATIONAL) started
 * by the MN's charon and one started by the nAR's charon, each answered through the nAR with no new IKE_SA_INIT or
 * IKE_AUTH; and a DELETE started by the nAR's charon, which the MN's charon follows (SA and kernel state gone on
 * both, the nAR's relay forgets the SA), the pAR untouched.
 *
 * <p>Liveness checks are stock charon's DPD ({@code dpd_delay} on the MN's and the nAR's connections; the pAR's has
 * none, so nothing of its own is in flight during the move). charon sends one when nothing came in on the IKE SA or
 * its CHILD_SAs for {@code dpd_delay} (ike_sa.c send_dpd, inbound use time of IKE and ESP), and a request received
 * counts as inbound, so with both sides idle whichever fires first keeps the other quiet. Each side's check is
 * therefore made to come from that side: one-way ESP traffic (UDP into a silent socket) keeps the other side's
 * inbound fresh and this side's stale.
 */
@Tag("esp-kernel")
class CharonHaLivenessEspKernelTest {
    static final String ID = "hl" + ProcessHandle.current().pid() % 10000;
    /** The MN's dpd_delay: longer than a move takes, so its first check comes after it (see the class comment). */
    static final int MN_DPD = 6;
    static final int NAR_DPD = 3;
    private static final Pattern LINE = Pattern.compile("^(\\d+)\\[(\\w+)\\] (.*)$");

    @Test
    void livenessChecksFromEachSideAreAnsweredThroughTheNextRouter() throws Exception {
        try (CharonHaLab lab = CharonHaLab.start(ID, Auth.PSK, List.of(new Spec("par", "mp0", "mp1", false, 0),
                new Spec("nar", "mn0", "mn1", true, NAR_DPD)), MN_DPD)) {
            Router par = lab.router("par"), nar = lab.router("nar");
            String spis = lab.establish();
            lab.handover(par, nar, spis, false);
            int mn0 = lab.log(lab.mn).length(), nar0 = lab.log(nar.ns()).length(), par0 = lab.log(par.ns()).length();

            // the MN's check: ESP from the MN into a silent socket at the nAR keeps the nAR's inbound fresh
            long mid;
            try (OneWay stream = new OneWay(lab.mn, CharonHaLab.HOA, nar.ns(), CharonHaLab.CN)) {
                await("the MN's charon sends a liveness check", () -> lab.log(lab.mn).substring(mn0).contains("sending DPD request"));
                mid = answered(lab, lab.mn, mn0, nar.ns(), nar0, nar.careOf(), nar.address());
                assertTrue(stream.sent() > 0);
            }
            System.out.println("charon-ha: the MN's liveness check " + mid + " answered by the nAR's charon");

            // the nAR's check: ESP from the nAR to a silent socket at the MN keeps the MN's inbound fresh
            int mn1 = lab.log(lab.mn).length(), nar1 = lab.log(nar.ns()).length();
            try (OneWay stream = new OneWay(nar.ns(), CharonHaLab.CN, lab.mn, CharonHaLab.HOA)) {
                await("the nAR's charon sends a liveness check", () -> lab.log(nar.ns()).substring(nar1).contains("sending DPD request"));
                mid = answered(lab, nar.ns(), nar1, lab.mn, mn1, nar.address(), nar.careOf());
                assertTrue(stream.sent() > 0);
            }
            System.out.println("charon-ha: the nAR's liveness check " + mid + " answered by the MN's charon");

            String mnLog = lab.log(lab.mn);
            assertEquals(1, count(mnLog, "generating IKE_SA_INIT request"), "no new IKE_SA_INIT from the MN");
            assertEquals(1, count(mnLog, "generating IKE_AUTH request"), "no new IKE_AUTH from the MN");
            assertFalse(lab.log(nar.ns()).substring(nar0).contains("IKE_SA_INIT"), "the nAR saw no IKE_SA_INIT");
            assertFalse(lab.log(par.ns()).substring(par0).contains("received packet"), "nothing reached the pAR's charon");
            assertEquals(spis, CharonHaLab.spis(lab.swanctl(lab.mn, "--list-sas")));
            assertEquals(spis, CharonHaLab.spis(lab.swanctl(nar.ns(), "--list-sas")));
            String ping = lab.ping(20);
            assertTrue(ping.contains(" 0% packet loss"), ping);
            assertEquals("", nonZero(xfrmStat(lab.mn)), "MN's /proc/net/xfrm_stat");
            assertEquals("", nonZero(xfrmStat(nar.ns())), "nAR's /proc/net/xfrm_stat");
            assertEquals(0, nar.relay().control().relay().rejections().total(), nar.relay().counters().toString());
        }
    }

    @Test
    void aDeleteStartedByTheNextRoutersCharonTakesTheSaDownOnBothSidesAndLeavesThePreviousRouterAlone() throws Exception {
        try (CharonHaLab lab = CharonHaLab.start(ID + "d", Auth.PSK, List.of(new Spec("par", "mp0", "mp1", false),
                new Spec("nar", "mn0", "mn1", true)))) {
            Router par = lab.router("par"), nar = lab.router("nar");
            String spis = lab.establish();
            lab.handover(par, nar, spis, false);
            int mn0 = lab.log(lab.mn).length(), nar0 = lab.log(nar.ns()).length(), par0 = lab.log(par.ns()).length();
            long parReceived = par.relay().control().relay().received();
            assertEquals(1, nar.relay().control().relay().store().size(), "the nAR's relay has the SA");
            assertFalse(ip(lab.mn, "xfrm", "state").isBlank());
            assertTrue(ip(lab.mn, "xfrm", "policy").contains("tmpl"));
            assertFalse(ip(nar.ns(), "xfrm", "state").isBlank());
            assertTrue(ip(nar.ns(), "xfrm", "policy").contains("tmpl"));

            String out = lab.swanctl(nar.ns(), "--terminate", "--ike", CharonHaLab.GW_CONN, "--timeout", "20");
            await("the MN's charon took the SA down", () -> !lab.swanctl(lab.mn, "--list-sas").contains(CharonHaLab.MN_CONN + ":"));
            await("the nAR's charon took the SA down", () -> !lab.swanctl(nar.ns(), "--list-sas").contains(CharonHaLab.GW_CONN + ":"));
            String narLog = lab.log(nar.ns()).substring(nar0), mnLog = lab.log(lab.mn).substring(mn0);
            Matcher d = Pattern.compile("generating INFORMATIONAL request (\\d+) \\[ D \\]").matcher(narLog);
            assertTrue(d.find(), out + "\n" + narLog);
            String mid = d.group(1);
            assertTrue(mnLog.contains("received packet: from " + nar.address() + "[") && mnLog.contains("parsed INFORMATIONAL request "
                    + mid + " [ D ]") && mnLog.contains("received DELETE for IKE_SA " + CharonHaLab.MN_CONN + "["), mnLog);
            assertTrue(mnLog.contains("generating INFORMATIONAL response " + mid + " [ ]"), mnLog);
            assertTrue(narLog.contains("parsed INFORMATIONAL response " + mid + " [ ]"), "the nAR got the MN's answer: " + narLog);

            // SAs and IPsec policies (charon's per-socket IKE bypass policies stay: they have no template)
            for (String ns : List.of(lab.mn, nar.ns())) {
                try {
                    await(ns + "'s kernel state gone", () -> ip(ns, "xfrm", "state").isBlank() && !ip(ns, "xfrm", "policy").contains("tmpl"));
                } catch (AssertionError e) {
                    throw new AssertionError(e.getMessage() + "\n" + ip(ns, "xfrm", "state") + ip(ns, "xfrm", "policy"), e);
                }
            }
            await("the nAR's relay forgot the SA", () -> nar.relay().control().relay().store().size() == 0);
            assertEquals(0, nar.relay().control().relay().rejections().total(), nar.relay().counters().toString());

            // the pAR: nothing reached its charon, its charon synced nothing, it keeps no SA and no kernel state
            Thread.sleep(500);
            assertFalse(lab.log(par.ns()).substring(par0).contains("received packet"), lab.log(par.ns()).substring(par0));
            assertFalse(lab.log(par.ns()).substring(par0).contains("sending packet"), lab.log(par.ns()).substring(par0));
            assertEquals(parReceived, par.relay().control().relay().received(), "the pAR's charon synced nothing");
            assertEquals(0, par.relay().control().relay().store().size());
            assertTrue(ip(par.ns(), "xfrm", "state").isBlank());
            assertEquals(1, count(lab.log(lab.mn), "generating IKE_SA_INIT request"), "the MN did not set up a new SA");
        }
    }

    /**
     * Asserts that the requester's log, after {@code req0}, has a liveness check (an empty INFORMATIONAL request after
     * "sending DPD request") sent from {@code from} to {@code to} and its response received from {@code to}, sent once,
     * and that the responder's log, after {@code resp0}, parsed that request and generated its response; its message ID.
     */
    static long answered(CharonHaLab lab, String requester, int req0, String responder, int resp0, String from, String to)
            throws Exception {
        Pattern request = Pattern.compile("generating INFORMATIONAL request (\\d+) \\[ \\]");
        String[] mid = new String[1];
        await(requester + "'s liveness check answered", () -> {
            List<String> lines = lab.log(requester).substring(req0).lines().toList();
            int dpd = indexOf(lines, 0, null, "sending DPD request");
            if (dpd < 0) {
                return false;
            }
            String thread = thread(lines.get(dpd));
            int gen = indexOf(lines, dpd + 1, thread, "generating INFORMATIONAL request");
            Matcher m = gen < 0 ? null : request.matcher(lines.get(gen));
            if (m == null || !m.find()) {
                return false;
            }
            int sent = indexOf(lines, gen + 1, thread, "sending packet: from " + from + "[");
            if (sent < 0 || !lines.get(sent).contains(" to " + to + "[")) {
                return false;
            }
            int parsed = indexOf(lines, sent + 1, null, "parsed INFORMATIONAL response " + m.group(1) + " [ ]");
            if (parsed < 0) {
                return false;
            }
            // the response came from the peer's address: the last line of the parsing thread before it
            int rx = parsed - 1;
            while (rx > sent && !thread(lines.get(rx)).equals(thread(lines.get(parsed)))) {
                rx--;
            }
            mid[0] = m.group(1);
            return lines.get(rx).contains("received packet: from " + to + "[") && lines.get(rx).contains(" to " + from + "[");
        });
        String reqLog = lab.log(requester).substring(req0), respLog = lab.log(responder).substring(resp0);
        assertFalse(reqLog.contains("retransmit 1 of request with message ID " + mid[0] + "\n"), reqLog);
        assertTrue(respLog.contains("parsed INFORMATIONAL request " + mid[0] + " [ ]"), respLog);
        assertTrue(respLog.contains("generating INFORMATIONAL response " + mid[0] + " [ ]"), respLog);
        assertFalse(respLog.contains("received message ID"), "no request ignored by " + responder + ": " + respLog);
        return Long.parseLong(mid[0]);
    }

    private static String thread(String line) {
        Matcher m = LINE.matcher(line);
        return m.matches() ? m.group(1) : "";
    }

    private static int indexOf(List<String> lines, int from, String thread, String needle) {
        for (int i = from; i < lines.size(); i++) {
            if (lines.get(i).contains(needle) && (thread == null || thread(lines.get(i)).equals(thread))) {
                return i;
            }
        }
        return -1;
    }

    /**
     * UDP datagrams every 200 ms from {@code srcNs}/{@code src} to {@code dst} port 9999, where a socket bound in
     * {@code dstNs} takes them and says nothing: ESP in one direction only, through the MN's CHILD_SA.
     */
    static final class OneWay implements AutoCloseable {
        private final DatagramChannel sink;
        private final DatagramChannel source;
        private final ScheduledExecutorService timer = Executors.newSingleThreadScheduledExecutor();
        private volatile long sent;

        OneWay(String srcNs, String src, String dstNs, String dst) throws IOException {
            sink = bound(dstNs, dst, 9999);
            source = bound(srcNs, src, 0);
            InetSocketAddress to = new InetSocketAddress(CharonHaLab.addr(dst), 9999);
            timer.scheduleAtFixedRate(() -> {
                try {
                    source.send(ByteBuffer.wrap(new byte[32]), to);
                    sent++;
                } catch (IOException e) {
                    // counted by sent() staying low
                }
            }, 0, 200, TimeUnit.MILLISECONDS);
        }

        private static DatagramChannel bound(String ns, String address, int port) throws IOException {
            DatagramChannel[] made = new DatagramChannel[1];
            NetNamespace.named(ns).runInside(() -> {
                DatagramChannel ch = DatagramChannel.open(StandardProtocolFamily.INET6);
                ch.bind(new InetSocketAddress(CharonHaLab.addr(address), port));
                made[0] = ch;
                return 0;
            });
            return made[0];
        }

        long sent() {
            return sent;
        }

        @Override
        public void close() throws IOException {
            timer.shutdownNow();
            source.close();
            sink.close();
        }
    }
}
