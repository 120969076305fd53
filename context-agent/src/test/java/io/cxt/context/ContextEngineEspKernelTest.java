package io.cxt.context;

import static io.cxt.context.ContextFixtures.CN;
import static io.cxt.context.ContextFixtures.HOA;
import static io.cxt.context.ContextFixtures.NAR;
import static io.cxt.context.ContextFixtures.NCOA;
import static io.cxt.context.ContextFixtures.PAR;
import static io.cxt.context.ContextFixtures.PCOA;
import static io.cxt.context.ContextFixtures.ip;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;

import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

import io.cxt.testing.Commands;
import io.cxt.testing.NetnsExtension;
import io.cxt.testing.TestNamespace;
import io.cxt.xfrm.Algorithm;
import io.cxt.xfrm.PolicyInfo;
import io.cxt.xfrm.SaInfo;
import io.cxt.xfrm.SecurityAssociation;
import io.cxt.xfrm.SecurityPolicy;
import io.cxt.xfrm.XfrmClient;

/**
 * The whole context engine with real ESP SAs: snapshot on a pAR namespace, SPI reservation,
 * rewrite and install on an nAR namespace, and traffic through the nAR afterwards. Needs the lab
 * kernel (tests/lab/run-kernel-suite).
 */
@Tag("esp-kernel")
@ExtendWith(NetnsExtension.class)
class ContextEngineEspKernelTest {

    /** Puts the pAR's side of the fixture MN into a namespace. */
    static MobileNodeContext installOnPar(XfrmClient par, boolean aead) throws IOException {
        MobileNodeContext ctx = ContextFixtures.parContext(aead);
        for (SecurityAssociation sa : ctx.securityAssociations()) {
            par.states().add(sa);
        }
        for (SecurityPolicy p : ctx.policies()) {
            par.policies().add(p);
        }
        return ctx;
    }

    static List<String> dump(XfrmClient c) throws IOException {
        List<String> out = new ArrayList<>();
        for (SecurityAssociation sa : c.states().dump()) {
            out.add("sa " + sa.source().getHostAddress() + ">" + sa.destination().getHostAddress() + " "
                    + Integer.toHexString(sa.spi()));
        }
        for (SecurityPolicy p : c.policies().dump()) {
            out.add("pol " + p.direction() + " " + p.selector() + " " + p.templates());
        }
        Collections.sort(out);
        return out;
    }

    @ParameterizedTest
    @EnumSource(SadLookupCase.class)
    void transferWithCollidingSpiEndsOnNewSpiAndContinuedSequence(SadLookupCase lookup, TestNamespace parNs,
                                                                  TestNamespace narNs) throws Exception {
        try (XfrmClient par = XfrmClient.open(parNs.netns()); XfrmClient nar = XfrmClient.open(narNs.netns())) {
            installOnPar(par, false);
            // Another MN on the nAR already receives ESP on the MN's inbound SPI.
            SecurityAssociation other = ContextFixtures.esp(ip("2001:db8:b::99"), NAR, 0xc0000001, 9, false, 0, 0);
            nar.states().add(other);

            MobileNodeContext snap = new ContextSnapshotter(par).snapshot(new MobileNodeIdentity(HOA, PCOA), PAR);
            assertEquals(2, snap.securityAssociations().size());
            assertEquals(2, snap.policies().size());
            SpiAllocator alloc = new SpiAllocator(nar, lookup);
            SpiReservations res = alloc.reserveInbound(snap, NAR);
            assertEquals(1, res.mappings().size());
            MobileNodeContext rw = ContextRewriter.forTarget(snap, NCOA, NAR, res.mappings(), SequenceNumberPolicy.DEFAULT);
            InstallReceipt receipt = new ContextInstaller(nar).install(rw, res);
            assertEquals(2, receipt.sas().size());

            int newSpi = (int) res.mappings().get(0).newSpi();
            SecurityAssociation in = nar.states().get(io.cxt.xfrm.SaKey.of(NCOA, NAR, newSpi, 50));
            assertEquals(NCOA, in.source());
            assertEquals(4711, in.replay().seq());
            SecurityAssociation out = nar.states().get(io.cxt.xfrm.SaKey.of(NAR, NCOA, 0xc1000001, 50));
            long parOseq = Integer.toUnsignedLong(snap.securityAssociations().get(1).replay().oseq());
            var ae = nar.states().getReplayLifetime(out.key());
            assertEquals(parOseq + SequenceNumberPolicy.DEFAULT_MARGIN, Integer.toUnsignedLong(ae.replay().oseq()));
            // The other MN's SA is untouched.
            assertEquals(ip("2001:db8:b::99"), nar.states().get(io.cxt.xfrm.SaKey.of(NAR, 0xc0000001, 50)).source());
            String ipView = narNs.ip("xfrm", "state");
            assertTrue(ipView.contains(String.format("spi 0x%08x", newSpi)), ipView);
        }
    }

    @Test
    void aRefusedSaLeavesTheTargetAsItWas(TestNamespace parNs, TestNamespace narNs) throws Exception {
        try (XfrmClient par = XfrmClient.open(parNs.netns()); XfrmClient nar = XfrmClient.open(narNs.netns())) {
            installOnPar(par, false);
            nar.states().add(ContextFixtures.esp(ip("2001:db8:b::99"), NAR, 0x77, 9, false, 0, 0));
            MobileNodeContext snap = new ContextSnapshotter(par).snapshot(new MobileNodeIdentity(HOA, PCOA), PAR);
            List<String> before = dump(nar);
            SpiReservations res = new SpiAllocator(nar, SadLookupCase.DEFAULT).reserveInbound(snap, NAR);
            MobileNodeContext rw = ContextRewriter.forTarget(snap, NCOA, NAR, res.mappings(), SequenceNumberPolicy.DEFAULT);
            // Break the outbound SA: the kernel has no such cipher and refuses it.
            SecurityAssociation bad = rw.securityAssociations().get(1).toBuilder()
                    .crypt(new Algorithm("cbc(nosuchcipher)", ContextFixtures.key(16, 1), 128)).build();
            MobileNodeContext broken = new MobileNodeContext(rw.mobileNode(), rw.sourceRouter(), rw.targetRouter(),
                    rw.newCareOf(), List.of(rw.securityAssociations().get(0), bad), rw.policies(), rw.spiMappings(), null,
                    rw.createdAt(), rw.lifetime());
            ContextException e = assertThrows(ContextException.class, () -> new ContextInstaller(nar).install(broken, res));
            assertTrue(e.getMessage().contains("rolled back"), e.getMessage());
            assertEquals(before, dump(nar));
        }
    }

    @Test
    void installingTwiceIsANoOp(TestNamespace parNs, TestNamespace narNs) throws Exception {
        try (XfrmClient par = XfrmClient.open(parNs.netns()); XfrmClient nar = XfrmClient.open(narNs.netns())) {
            installOnPar(par, true);
            MobileNodeContext snap = new ContextSnapshotter(par).snapshot(new MobileNodeIdentity(HOA, PCOA), PAR);
            MobileNodeContext rw = ContextRewriter.forTarget(snap, NCOA, NAR, List.of(), SequenceNumberPolicy.DEFAULT);
            new ContextInstaller(nar).install(rw, SpiReservations.NONE);
            List<String> once = dump(nar);
            assertTrue(new ContextInstaller(nar).install(rw, SpiReservations.NONE).alreadyInstalled());
            assertEquals(once, dump(nar));
        }
    }

    /**
     * MN - nAR - CN, IPv6. The nAR gets the MN's context from a pAR namespace (with an SPI
     * collision), the MN's own kernel gets the same context rewritten with the same engine; then
     * the MN pings the correspondent from its home address and ESP carries it both ways.
     */
    @Test
    void trafficFlowsThroughTheNewRouterAfterTheInstall(TestNamespace parNs, TestNamespace mn, TestNamespace nar,
                                                        TestNamespace cn) throws Exception {
        // Links: mn(nCoA) -- nar(nAR) ; nar(2001:db8:200::1) -- cn(2001:db8:200::5)
        String suffix = Long.toHexString(System.nanoTime() & 0xfffff);
        String a = "vm" + suffix;
        String b = "vc" + suffix;
        Commands.run("ip", "link", "add", a + "0", "netns", mn.name(), "type", "veth", "peer", "name", a + "1", "netns", nar.name());
        Commands.run("ip", "link", "add", b + "0", "netns", nar.name(), "type", "veth", "peer", "name", b + "1", "netns", cn.name());
        mn.ip("addr", "add", NCOA.getHostAddress() + "/64", "dev", a + "0", "nodad");
        mn.ip("addr", "add", HOA.getHostAddress() + "/128", "dev", "lo", "nodad");
        nar.ip("addr", "add", NAR.getHostAddress() + "/64", "dev", a + "1", "nodad");
        nar.ip("addr", "add", "2001:db8:200::1/64", "dev", b + "0", "nodad");
        cn.ip("addr", "add", "2001:db8:200::5/64", "dev", b + "1", "nodad");
        mn.ip("link", "set", a + "0", "up");
        nar.ip("link", "set", a + "1", "up");
        nar.ip("link", "set", b + "0", "up");
        cn.ip("link", "set", b + "1", "up");
        mn.ip("route", "add", "default", "via", NAR.getHostAddress());
        cn.ip("route", "add", "default", "via", "2001:db8:200::1");
        nar.ip("route", "add", HOA.getHostAddress() + "/128", "via", NCOA.getHostAddress());
        Commands.run("ip", "netns", "exec", nar.name(), "sysctl", "-q", "-w", "net.ipv6.conf.all.forwarding=1");

        try (XfrmClient par = XfrmClient.open(parNs.netns()); XfrmClient narC = XfrmClient.open(nar.netns());
             XfrmClient mnC = XfrmClient.open(mn.netns())) {
            installOnPar(par, false);
            // A gateway also needs a fwd policy: Linux drops tunnel-mode traffic it decapsulated
            // and must forward when no fwd policy matches (XfrmInNoPols).
            par.policies().add(ContextFixtures.tunnelPolicy(PolicyInfo.DIR_FWD, HOA, 128, CN, 48, PCOA, PAR, 1));
            narC.states().add(ContextFixtures.esp(ip("2001:db8:b::99"), NAR, 0xc0000001, 9, false, 0, 0));
            MobileNodeContext snap = new ContextSnapshotter(par).snapshot(new MobileNodeIdentity(HOA, PCOA), PAR);
            SpiReservations res = new SpiAllocator(narC, SadLookupCase.DEFAULT).reserveInbound(snap, NAR);
            MobileNodeContext atNar = ContextRewriter.forTarget(snap, NCOA, NAR, res.mappings(), SequenceNumberPolicy.DEFAULT);
            new ContextInstaller(narC).install(atNar, res);

            // The MN holds the same SAs with mirrored policies; its engine applies the same changes.
            List<SecurityPolicy> mnPolicies = List.of(
                    ContextFixtures.tunnelPolicy(PolicyInfo.DIR_OUT, HOA, 128, CN, 48, PCOA, PAR, 1),
                    ContextFixtures.tunnelPolicy(PolicyInfo.DIR_IN, CN, 48, HOA, 128, PAR, PCOA, 1));
            MobileNodeContext mnCtx = MobileNodeContext.snapshot(new MobileNodeIdentity(HOA, PCOA), PCOA,
                    snap.securityAssociations(), mnPolicies, snap.createdAt());
            RewritePlan mnPlan = RewritePlan.forMobileNode(PCOA, NCOA, PAR, NAR, res.mappings(), SequenceNumberPolicy.DEFAULT);
            MobileNodeContext atMn = ContextRewriter.rewrite(mnCtx, mnPlan, NAR, NCOA);
            new ContextInstaller(mnC).install(atMn, SpiReservations.NONE);

            Commands.Result ping = Commands.exec(List.of("ip", "netns", "exec", mn.name(), "ping", "-6", "-c", "3", "-i", "0.2",
                    "-W", "2", "-I", HOA.getHostAddress(), "2001:db8:200::5"), null);
            assertEquals(0, ping.exit(), ping.stdout() + ping.stderr() + "\n" + nar.ip("-s", "xfrm", "state"));

            int newSpi = (int) res.mappings().get(0).newSpi();
            SecurityAssociation narIn = narC.states().get(io.cxt.xfrm.SaKey.of(NCOA, NAR, newSpi, 50));
            SecurityAssociation narOut = narC.states().get(io.cxt.xfrm.SaKey.of(NAR, NCOA, 0xc1000001, 50));
            assertTrue(narIn.info().current().packets() >= 3, "nAR inbound ESP packets");
            assertTrue(narOut.info().current().packets() >= 3, "nAR outbound ESP packets");
            SecurityAssociation mnOut = mnC.states().get(io.cxt.xfrm.SaKey.of(NCOA, NAR, newSpi, 50));
            assertTrue(mnOut.info().current().packets() >= 3, "MN outbound ESP packets on the new SPI");
            String stat = Commands.run("ip", "netns", "exec", nar.name(), "cat", "/proc/net/xfrm_stat");
            for (String line : stat.split("\n")) {
                String[] f = line.trim().split("\\s+");
                if (f.length == 2) {
                    assertEquals("0", f[1], "nAR " + line);
                }
            }
            // The nAR's outbound sequence numbers continued past the pAR's plus the margin.
            var ae = narC.states().getReplayLifetime(narOut.key());
            assertTrue(Integer.toUnsignedLong(ae.replay().oseq()) >= 9000 + SequenceNumberPolicy.DEFAULT_MARGIN + 3);
        }
    }
}
