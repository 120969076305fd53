package io.cxt.agent.ha;

import static io.cxt.agent.ha.CharonHaLab.addr;
import static io.cxt.agent.ha.CharonHaLab.await;
import static io.cxt.agent.ha.CharonHaLab.count;
import static io.cxt.agent.ha.CharonHaLab.countInstalled;
import static io.cxt.agent.ha.CharonHaLab.inSpi;
import static io.cxt.agent.ha.CharonHaLab.ip;
import static io.cxt.agent.ha.CharonHaLab.nonZero;
import static io.cxt.agent.ha.CharonHaLab.spis;
import static io.cxt.agent.ha.CharonHaLab.spisOrEmpty;
import static io.cxt.agent.ha.CharonHaLab.xfrmStat;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

import io.cxt.context.ContextSnapshotter;
import io.cxt.context.IkeContextSlot;
import io.cxt.context.MobileNodeContext;
import io.cxt.context.MobileNodeIdentity;
import io.cxt.xfrm.XfrmClient;

/**
 * Real charons (Debian's strongSwan 5.9.8 with the {@code ha} plugin) in namespaces of the lab kernel, with
 * cxagent's relay ({@link HaHandover}) as each access router's HA peer: the MN sets up an IKEv2 PSK tunnel with
 * the pAR; the pAR's relay records it; the nAR's charon is given it (local address rewritten) and holds it
 * PASSIVE with its CHILD_SAs in the kernel; activation makes it ESTABLISHED; the pAR's charon forgets it
 * without a DELETE to the MN; the MN (stock charon, MOBIKE on) moves its SA to the nAR when the nAR's charon
 * sends its address list; CHILD_SA rekeys started by each side go through the nAR, with no new IKE_SA_INIT.
 * The lab (namespaces, charons, relays, swanctl) is {@link CharonHaLab}'s; certificates and further moves are in
 * {@link CharonHaCertEspKernelTest} and {@link CharonHaSecondMoveEspKernelTest}.
 */
@Tag("esp-kernel")
class CharonHaEspKernelTest {
    static final String ID = "ha" + ProcessHandle.current().pid() % 10000;
    /** The lab's first and second routers (CharonHaLab): pAR at 2001:db8:1::1, nAR at 2001:db8:2::1. */
    static final String PCOA = "2001:db8:1::10", PAR_ADDR = "2001:db8:1::1", NCOA = "2001:db8:2::10", NAR_ADDR = "2001:db8:2::1";
    static final String HOA = CharonHaLab.HOA, ROAM_TRIGGER = CharonHaLab.ROAM_TRIGGER;
    static CharonHaLab lab;
    static String MN, PAR, NAR;
    static HaHandover parRelay;
    static HaHandover narRelay;
    static List<String> events;

    @BeforeAll
    static void lab() throws Exception {
        // the pAR's charon ignores address events (it never activates an SA here); the nAR's reacts to them
        lab = CharonHaLab.start(ID, CharonHaLab.Auth.PSK, List.of(new CharonHaLab.Spec("par", "mp0", "mp1", false),
                new CharonHaLab.Spec("nar", "mn0", "mn1", true)));
        MN = lab.mn;
        PAR = lab.router("par").ns();
        NAR = lab.router("nar").ns();
        assertEquals(PAR_ADDR, lab.router("par").address());
        assertEquals(NCOA, lab.router("nar").careOf());
        parRelay = lab.router("par").relay();
        narRelay = lab.router("nar").relay();
        events = lab.events;
    }

    @AfterAll
    static void down() {
        if (lab != null) {
            lab.close();
        }
    }

    @Test
    void theNextRoutersCharonHoldsActivatesAndThePreviousForgetsTheMobileNodesSa() throws Exception {
        String out = lab.swanctl(MN, "--initiate", "--child", "par", "--ike", "par", "--timeout", "20");
        String mnSas = lab.swanctl(MN, "--list-sas");
        assertTrue(mnSas.contains("ESTABLISHED"), out + "\n" + mnSas);
        String spis = spis(mnSas);

        // the pAR's relay recorded the SA, keyed by the MN
        await("pAR relay has the MN's SA", () -> parRelay.control().relay().store().findByMobileNode(addr(PCOA))
                .map(s -> s.children().size() == 1).orElse(false));
        HaIkeSaState s = parRelay.control().relay().store().findByMobileNode(addr(PCOA)).orElseThrow();
        assertEquals(spis, String.format("%016x_i %016x_r", s.id().initiatorSpi(), s.id().responderSpi()));
        assertEquals("mn@cxt.lab", s.remoteIdentity().orElseThrow());
        assertTrue(s.midResponder() >= 2, "IKE_AUTH's message ID synced: " + s.midResponder());
        assertEquals(0, parRelay.control().relay().rejections().total(), parRelay.counters().toString());
        String parXfrm = ip(PAR, "xfrm", "state");
        List<int[]> kernelSpis = parRelay.control().kernelSpis(s);
        assertTrue(parXfrm.contains(String.format("spi 0x%08x", kernelSpis.get(0)[0])), parXfrm);
        assertTrue(parXfrm.contains(String.format("spi 0x%08x", kernelSpis.get(0)[1])), parXfrm);

        // traffic through the pAR: 100 echo requests, so the MN's inbound anti-replay window (32) is far past 1
        String ping = lab.ping(100);
        assertTrue(ping.contains(" 0% packet loss"), ping);

        // nAR: PCTD/CT-Req -> charon holds it passive, CHILD_SAs installed with the nAR's address; the context is
        // the pAR's kernel snapshot (its ESP counters) with charon's HA state as the IKE part
        IkeContextSlot slot = parRelay.snapshot(new MobileNodeIdentity(addr(HOA), addr(PCOA)));
        assertNotNull(slot);
        MobileNodeContext ctx;
        try (XfrmClient par = XfrmClient.open(PAR)) {
            ctx = new ContextSnapshotter(par).snapshot(new MobileNodeIdentity(addr(HOA), addr(PCOA)), addr(PAR_ADDR))
                    .withIkeContext(slot);
        }
        assertEquals(2, ctx.securityAssociations().size(), ctx.summary());
        assertTrue(narRelay.held(addr(PCOA), ctx, addr(NAR_ADDR), addr(NCOA)));
        await("nAR charon PASSIVE", () -> lab.swanctl(NAR, "--list-sas").contains("PASSIVE"));
        String narSas = lab.swanctl(NAR, "--list-sas");
        assertEquals(spis, spis(narSas), narSas);
        await("nAR kernel holds both ESP SAs", () -> ip(NAR, "xfrm", "state").contains(String.format("spi 0x%08x", kernelSpis.get(0)[1])));
        String narXfrm = ip(NAR, "xfrm", "state");
        assertTrue(narXfrm.contains("src " + NAR_ADDR + " dst " + NCOA), narXfrm);
        assertTrue(narXfrm.contains("src " + NCOA + " dst " + NAR_ADDR), narXfrm);
        assertTrue(narXfrm.contains(String.format("spi 0x%08x", kernelSpis.get(0)[0])), narXfrm);

        // CTAR: the activation trigger
        long t0 = System.nanoTime();
        assertTrue(narRelay.activate(addr(PCOA)));
        await("nAR charon ESTABLISHED", () -> lab.swanctl(NAR, "--list-sas").contains("ESTABLISHED"));
        System.out.printf("charon-ha: nAR charon ESTABLISHED %.1f ms after the activation trigger (incl. swanctl polling)%n",
                (System.nanoTime() - t0) / 1e6);
        assertEquals(spis, spis(lab.swanctl(NAR, "--list-sas")));

        // CTDR at the pAR: its charon forgets the SA, kernel state included, and sends nothing to the MN.
        // Only what the MN hears from the pAR's address after this point counts: the activated nAR charon may
        // already have sent its own MOBIKE address list (a roam event on its links), which is the wanted move.
        int mnLogBeforeCtdr = lab.log(MN).length();
        parRelay.moved(new MobileNodeIdentity(addr(HOA), addr(PCOA)));
        await("pAR charon lists no SA", () -> !lab.swanctl(PAR, "--list-sas").contains("mn:"));
        await("pAR kernel state gone", () -> ip(PAR, "xfrm", "state").isBlank());
        Thread.sleep(1000);
        String mnLog = lab.log(MN);
        String mnLogAfterCtdr = mnLog.substring(Math.min(mnLogBeforeCtdr, mnLog.length()));
        assertFalse(mnLog.contains("received DELETE"), mnLog);
        assertFalse(mnLogAfterCtdr.contains("received packet: from " + PAR_ADDR + "["),
                "the MN heard from the pAR after its charon forgot: " + mnLogAfterCtdr);
        assertTrue(lab.swanctl(MN, "--list-sas").contains("ESTABLISHED"), "the MN's SA is untouched");
        String parLog = lab.log(PAR);
        assertFalse(parLog.contains("sending DELETE"), parLog);

        // The MN learns the nAR's address from the nAR charon's own MOBIKE address-list update (ike_sa.c roam():
        // a MOBIKE responder whose addresses change sends its list; ike_mobike.c process_r: the MN, original
        // initiator, moves its IKE and CHILD SAs to the request's source). The relay's roam trigger made the
        // address event right after the activation: nobody touches the nAR here.
        assertTrue(events.stream().anyMatch(e -> e.startsWith("nar ike-ha-roam")), events.toString());
        assertFalse(ip(NAR, "addr").contains(ROAM_TRIGGER), "the trigger address is gone again");
        try {
            await("MN's IKE SA follows to the nAR", () -> lab.swanctl(MN, "--list-sas").contains(NAR_ADDR + "["));
        } catch (AssertionError e) {
            throw new AssertionError(e.getMessage() + "\nnAR charon:\n" + lab.log(NAR)
                    + "\nevents: " + events);
        }
        // The address event reached charon (kernel_netlink_net.c process_addr saw RTM_NEWADDR before the deletion,
        // TransientAddress), and the roam it started had address=TRUE and sent the list (ike_sa.c roam()); without
        // it charon saw only the deletion of an address it never knew and roamed, if at all, with address=FALSE
        // ("keeping connection path" alone) and the MN stayed. One list, or two when charon's handling of the
        // deletion fell outside the 100 ms window (ROAM_DELAY) its appearance opened. (A later roam with
        // address=FALSE, from a route event, was seen once in the lab; it sends nothing and is not counted.)
        await("nAR charon saw the trigger address go", () -> lab.log(NAR).contains(ROAM_TRIGGER + " disappeared from mn1"));
        Thread.sleep(500); // past charon's ROAM_DELAY (100 ms): the roam of the disappearance, if its own, is logged
        List<String> narLines = lab.log(NAR).lines().toList();
        System.out.println("charon-ha: nAR charon's roams:\n" + String.join("\n", narLines.stream().filter(l -> l.contains(ROAM_TRIGGER)
                || l.contains("keeping connection path") || l.contains("sending address list")).toList()));
        int appeared = narLines.indexOf(narLines.stream().filter(l -> l.endsWith(ROAM_TRIGGER + " appeared on mn1"))
                .findFirst().orElseThrow(() -> new AssertionError("charon never saw the trigger address appear: " + narLines)));
        int roam = appeared;
        while (roam < narLines.size() && !narLines.get(roam).contains("keeping connection path")) {
            roam++;
        }
        assertTrue(roam < narLines.size(), "no roam after the address appeared: " + narLines);
        // the thread's tag ("16[IKE]"), without the line's timestamp: the next line may be a millisecond later
        String thread = threadTag(narLines.get(roam));
        String next = narLines.subList(roam + 1, narLines.size()).stream().filter(l -> thread.equals(threadTag(l))).findFirst().orElse("");
        assertTrue(next.endsWith("sending address list update using MOBIKE"), "the first roam after the appearance: "
                + narLines.get(roam) + " / " + next);
        int lists = count(String.join("\n", narLines), "sending address list update using MOBIKE");
        assertTrue(lists == 1 || lists == 2, lists + " address lists: " + narLines);
        String moved = lab.swanctl(MN, "--list-sas");
        assertEquals(spis, spis(moved), "same IKE SA: " + moved);
        assertTrue(moved.contains("ESTABLISHED"), moved);
        System.out.println("charon-ha: MN after the move:\n" + moved);

        // traffic through the nAR on the same CHILD_SA: the nAR's outbound ESP continues past the pAR's sequence
        // numbers (else the MN's replay window drops it), and neither side counts an error
        assertTrue(events.stream().anyMatch(e -> e.startsWith("nar ike-ha-sequence")), events.toString());
        String after = lab.ping(20);
        assertTrue(after.contains(" 0% packet loss"), after + "\nMN:\n" + xfrmStat(MN) + "\nnAR:\n" + xfrmStat(NAR)
                + "\n" + events + "\n" + ip(NAR, "-s", "xfrm", "state"));
        assertEquals("", nonZero(xfrmStat(MN)), "MN's /proc/net/xfrm_stat");
        assertEquals("", nonZero(xfrmStat(NAR)), "nAR's /proc/net/xfrm_stat");

        // CHILD_SA rekey started by the MN, answered by the nAR's charon; then one started by the nAR
        String in0 = inSpi(moved);
        lab.swanctl(MN, "--rekey", "--child", "par");
        await("MN-started CHILD_SA rekey through the nAR", () -> {
            String m = lab.swanctl(MN, "--list-sas");
            return !inSpi(m).equals(in0) && countInstalled(m) == 1;
        });
        String in1 = inSpi(lab.swanctl(MN, "--list-sas"));
        lab.swanctl(NAR, "--rekey", "--child", "mn");
        await("nAR-started CHILD_SA rekey", () -> {
            String m = lab.swanctl(MN, "--list-sas");
            return !inSpi(m).equals(in1) && countInstalled(m) == 1;
        });
        String mnAfter = lab.swanctl(MN, "--list-sas");
        String narAfter = lab.swanctl(NAR, "--list-sas");
        assertEquals(spis, spis(mnAfter), mnAfter);
        assertEquals(spis, spis(narAfter), narAfter);
        assertTrue(mnAfter.contains(NAR_ADDR + "["), mnAfter);
        String mnLogAfter = lab.log(MN);
        assertEquals(1, count(mnLogAfter, "initiating IKE_SA"), "no new IKE_SA_INIT/IKE_AUTH from the MN");
        System.out.println("charon-ha: after both rekeys, MN:\n" + mnAfter + "nAR:\n" + narAfter);

        // IKE SA rekey started by the MN, then by the nAR's charon (CREATE_CHILD_SA on the IKE SA, no IKE_AUTH)
        lab.swanctl(MN, "--rekey", "--ike", "par");
        await("MN-started IKE SA rekey through the nAR", () -> {
            String m = lab.swanctl(MN, "--list-sas");
            return m.contains("ESTABLISHED") && !spisOrEmpty(m).equals(spis) && m.contains(NAR_ADDR + "[");
        });
        String ike1 = spis(lab.swanctl(MN, "--list-sas"));
        await("nAR charon has the rekeyed IKE SA", () -> spisOrEmpty(lab.swanctl(NAR, "--list-sas")).equals(ike1));
        lab.swanctl(NAR, "--rekey", "--ike", "mn");
        await("nAR-started IKE SA rekey", () -> {
            String m = lab.swanctl(MN, "--list-sas");
            return m.contains("ESTABLISHED") && !spisOrEmpty(m).equals(ike1) && !spisOrEmpty(m).isEmpty();
        });
        String ike2 = spis(lab.swanctl(MN, "--list-sas"));
        await("nAR charon has the second rekeyed IKE SA", () -> spisOrEmpty(lab.swanctl(NAR, "--list-sas")).equals(ike2));
        String mnLogRekeyed = lab.log(MN);
        assertEquals(1, count(mnLogRekeyed, "generating IKE_SA_INIT request"), "IKE rekeys send no new IKE_SA_INIT");
        assertEquals(1, count(mnLogRekeyed, "generating IKE_AUTH request"), "IKE rekeys send no new IKE_AUTH");

        // traffic after all rekeys, still no error counted
        String last = lab.ping(20);
        assertTrue(last.contains(" 0% packet loss"), last);
        assertEquals("", nonZero(xfrmStat(MN)), "MN's /proc/net/xfrm_stat after the rekeys");
        assertEquals("", nonZero(xfrmStat(NAR)), "nAR's /proc/net/xfrm_stat after the rekeys");

        // DELETE from the MN: the nAR's charon (not the pAR's) takes it down, kernel state included
        lab.swanctl(MN, "--terminate", "--ike", "par", "--timeout", "20");
        await("nAR charon deleted the SA on the MN's DELETE", () -> !lab.swanctl(NAR, "--list-sas").contains("mn:"));
        await("nAR kernel state gone", () -> ip(NAR, "xfrm", "state").isBlank());
        assertFalse(lab.swanctl(MN, "--list-sas").contains("par:"), "MN's SA gone");
    }


    /** "16[IKE]" of a charon log line "1796328464.169 16[IKE] ..." (the lab's time format), or "". */
    private static String threadTag(String line) {
        int sp = line.indexOf(' '), end = line.indexOf(']');
        return sp < 0 || end < sp ? "" : line.substring(sp + 1, end + 1);
    }
}
