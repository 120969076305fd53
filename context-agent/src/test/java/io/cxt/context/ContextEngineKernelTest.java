package io.cxt.context;

import static io.cxt.context.ContextFixtures.ip;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.net.InetAddress;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import io.cxt.testing.NetnsExtension;
import io.cxt.testing.TestNamespace;
import io.cxt.xfrm.PolicyInfo;
import io.cxt.xfrm.SaInfo;
import io.cxt.xfrm.SecurityAssociation;
import io.cxt.xfrm.SecurityPolicy;
import io.cxt.xfrm.XfrmClient;

/**
 * The context engine against the host kernel (XFRM without ESP): snapshots, SPI reservation and
 * all-or-nothing installs of policies. Larval SAs (ALLOCSPI) stand in for SAs here; full ESP SAs
 * are in ContextEngineEspKernelTest (lab kernel).
 */
@ExtendWith(NetnsExtension.class)
class ContextEngineKernelTest {

    static final InetAddress PAR = ip("2001:db8:a::1");
    static final InetAddress NAR = ip("2001:db8:b::1");

    static InetAddress coa(int i) {
        return ip("2001:db8:a::" + (0x10 + i));
    }

    static InetAddress hoa(int i) {
        return ip("2001:db8:100::" + (0x10 + i));
    }

    /** MN i on the pAR: out/in/fwd tunnel policies (HoA to the Internet) and two larval SAs. */
    static Set<Integer> setUpMobileNode(TestNamespace par, XfrmClient c, int i) throws IOException {
        String h = hoa(i).getHostAddress();
        String co = coa(i).getHostAddress();
        String p = PAR.getHostAddress();
        par.ip("xfrm", "policy", "add", "src", "::/0", "dst", h + "/128", "dir", "out", "priority", "1000",
                "tmpl", "src", p, "dst", co, "proto", "esp", "reqid", String.valueOf(i), "mode", "tunnel");
        par.ip("xfrm", "policy", "add", "src", h + "/128", "dst", "::/0", "dir", "in", "priority", "1000",
                "tmpl", "src", co, "dst", p, "proto", "esp", "reqid", String.valueOf(i), "mode", "tunnel");
        par.ip("xfrm", "policy", "add", "src", h + "/128", "dst", "::/0", "dir", "fwd", "priority", "1000",
                "tmpl", "src", co, "dst", p, "proto", "esp", "reqid", String.valueOf(i), "mode", "tunnel");
        Set<Integer> spis = new HashSet<>();
        spis.add(c.states().allocSpi(coa(i), PAR, 50, i, SaInfo.MODE_TUNNEL, null, null, 0x1000 * i, 0x1000 * i + 0xff).spi());
        spis.add(c.states().allocSpi(PAR, coa(i), 50, i, SaInfo.MODE_TUNNEL, null, null, 0x1000 * i, 0x1000 * i + 0xff).spi());
        return spis;
    }

    @Test
    void snapshotHoldsExactlyOneMobileNodesSasAndPolicies(TestNamespace par) throws Exception {
        try (XfrmClient c = XfrmClient.open(par.netns())) {
            setUpMobileNode(par, c, 1);
            Set<Integer> mn2 = setUpMobileNode(par, c, 2);
            setUpMobileNode(par, c, 3);
            MobileNodeContext ctx = new ContextSnapshotter(c).snapshot(new MobileNodeIdentity(hoa(2), coa(2)), PAR);
            Set<Integer> spis = new HashSet<>();
            for (SecurityAssociation sa : ctx.securityAssociations()) {
                spis.add(sa.spi());
                assertTrue(sa.source().equals(coa(2)) || sa.destination().equals(coa(2)));
            }
            assertEquals(mn2, spis);
            assertEquals(3, ctx.policies().size());
            for (SecurityPolicy p : ctx.policies()) {
                assertEquals(2, p.templates().get(0).reqid());
            }
            assertEquals(PAR, ctx.sourceRouter());
        }
    }

    /**
     * Issue 12 item 5: a router's own policies that name the MN but govern no SA of it (a block
     * guarding its home address, a bypass) are not part of its context.
     */
    @Test
    void snapshotsLeaveTheRoutersOwnBlockAndBypassPoliciesOut(TestNamespace par) throws Exception {
        try (XfrmClient c = XfrmClient.open(par.netns())) {
            setUpMobileNode(par, c, 2);
            String h = hoa(2).getHostAddress();
            par.ip("xfrm", "policy", "add", "src", "2001:db8:ff::/64", "dst", h + "/128", "dir", "out", "priority", "4000",
                    "action", "block");
            par.ip("xfrm", "policy", "add", "src", h + "/128", "dst", "2001:db8:ff::/64", "dir", "in", "priority", "10");
            MobileNodeIdentity mn = new MobileNodeIdentity(hoa(2), coa(2));
            MobileNodeContext ctx = new ContextSnapshotter(c).snapshot(mn, PAR);
            assertEquals(3, ctx.policies().size(), ctx.policies().toString());
            for (SecurityPolicy p : ctx.policies()) {
                assertFalse(p.templates().isEmpty(), "only policies with the MN's IPsec template");
            }
            assertEquals(3, new ContextSnapshotter(c).snapshotAll(List.of(mn), PAR).get(mn).policies().size(),
                    "the bulk snapshot applies the same rule");
        }
    }

    @Test
    void bulkSnapshotMatchesSingleSnapshots(TestNamespace par) throws Exception {
        try (XfrmClient c = XfrmClient.open(par.netns())) {
            List<MobileNodeIdentity> mns = new ArrayList<>();
            for (int i = 1; i <= 3; i++) {
                setUpMobileNode(par, c, i);
                mns.add(new MobileNodeIdentity(hoa(i), coa(i)));
            }
            ContextSnapshotter s = new ContextSnapshotter(c);
            Map<MobileNodeIdentity, MobileNodeContext> all = s.snapshotAll(mns, PAR);
            assertEquals(3, all.size());
            for (MobileNodeIdentity mn : mns) {
                MobileNodeContext one = s.snapshot(mn, PAR);
                assertEquals(spis(one), spis(all.get(mn)));
                assertEquals(new HashSet<>(ids(one)), new HashSet<>(ids(all.get(mn))));
            }
        }
    }

    private static Set<Integer> spis(MobileNodeContext c) {
        Set<Integer> s = new HashSet<>();
        c.securityAssociations().forEach(sa -> s.add(sa.spi()));
        return s;
    }

    private static List<Integer> ids(MobileNodeContext c) {
        List<Integer> l = new ArrayList<>();
        c.policies().forEach(p -> l.add(p.index()));
        return l;
    }

    /** A rewritten, policy-only context for the nAR (no SAs: the host has no ESP). */
    private static MobileNodeContext policyOnly(TestNamespace par, XfrmClient c) throws Exception {
        setUpMobileNode(par, c, 2);
        MobileNodeContext ctx = new ContextSnapshotter(c).snapshot(new MobileNodeIdentity(hoa(2), coa(2)), PAR);
        MobileNodeContext noSas = new MobileNodeContext(ctx.mobileNode(), PAR, null, null, List.of(), ctx.policies(),
                List.of(), null, ctx.createdAt(), ctx.lifetime());
        return ContextRewriter.forTarget(noSas, ip("2001:db8:b::12"), NAR, List.of(), SequenceNumberPolicy.DEFAULT);
    }

    private static List<String> policyDump(XfrmClient c) throws IOException {
        List<String> out = new ArrayList<>();
        for (SecurityPolicy p : c.policies().dump()) {
            out.add(java.util.HexFormat.of().formatHex(p.withInfo(p.info().withCurrent(io.cxt.xfrm.LifetimeCurrent.ZERO)).toBytes()));
        }
        java.util.Collections.sort(out);
        return out;
    }

    private static List<String> stateDump(XfrmClient c) throws IOException {
        List<String> out = new ArrayList<>();
        for (SecurityAssociation sa : c.states().dump()) {
            out.add(sa.destination().getHostAddress() + "/" + Integer.toHexString(sa.spi()) + "/" + sa.proto());
        }
        java.util.Collections.sort(out);
        return out;
    }

    @Test
    void installPutsEveryPolicyInWithTheNewAddresses(TestNamespace par, TestNamespace nar) throws Exception {
        try (XfrmClient p = XfrmClient.open(par.netns()); XfrmClient n = XfrmClient.open(nar.netns())) {
            MobileNodeContext ctx = policyOnly(par, p);
            InstallReceipt r = new ContextInstaller(n).install(ctx, SpiReservations.NONE);
            assertFalse(r.alreadyInstalled());
            List<SecurityPolicy> there = n.policies().dump();
            assertEquals(3, there.size());
            for (SecurityPolicy sp : there) {
                var t = sp.templates().get(0);
                assertTrue(Set.of(NAR, ip("2001:db8:b::12")).containsAll(List.of(t.saddr(), t.daddr())), sp.toString());
            }
            String ipView = nar.ip("xfrm", "policy");
            assertTrue(ipView.contains("tmpl src 2001:db8:b::1 dst 2001:db8:b::12"), ipView);
            new ContextInstaller(n).uninstall(r);
            assertEquals(0, n.policies().dump().size());
        }
    }

    @Test
    void installingTheSameContextTwiceChangesNothing(TestNamespace par, TestNamespace nar) throws Exception {
        try (XfrmClient p = XfrmClient.open(par.netns()); XfrmClient n = XfrmClient.open(nar.netns())) {
            MobileNodeContext ctx = policyOnly(par, p);
            ContextInstaller installer = new ContextInstaller(n);
            installer.install(ctx, SpiReservations.NONE);
            List<String> before = policyDump(n);
            InstallReceipt again = installer.install(ctx, SpiReservations.NONE);
            assertTrue(again.alreadyInstalled());
            assertEquals(before, policyDump(n));
        }
    }

    /**
     * Issue 12 item 5: the nAR already holds one of the policies, identical (its own copy): the
     * install succeeds, and the router's policy is not counted as cxt's (uninstall leaves it).
     */
    @Test
    void anIdenticalPolicyAlreadyOnTheTargetDoesNotFailTheInstall(TestNamespace par, TestNamespace nar) throws Exception {
        try (XfrmClient p = XfrmClient.open(par.netns()); XfrmClient n = XfrmClient.open(nar.netns())) {
            MobileNodeContext ctx = policyOnly(par, p);
            SecurityPolicy theirs = ctx.policies().get(0).withIndex(0);
            n.policies().add(theirs);
            InstallReceipt r = new ContextInstaller(n).install(ctx, SpiReservations.NONE);
            assertEquals(3, n.policies().dump().size());
            assertEquals(2, r.policies().size(), "the router's own copy is not cxt's");
            new ContextInstaller(n).uninstall(r);
            List<SecurityPolicy> left = n.policies().dump();
            assertEquals(1, left.size());
            assertTrue(ContextInstaller.samePolicy(theirs, left.get(0)));
        }
    }

    @Test
    void aConflictingPolicyOnTheTargetRollsEverythingBack(TestNamespace par, TestNamespace nar) throws Exception {
        try (XfrmClient p = XfrmClient.open(par.netns()); XfrmClient n = XfrmClient.open(nar.netns())) {
            MobileNodeContext ctx = policyOnly(par, p);
            // The nAR already has a policy with the in policy's selector (another MN's, say).
            nar.ip("xfrm", "policy", "add", "src", hoa(2).getHostAddress() + "/128", "dst", "::/0", "dir", "in",
                    "priority", "1000", "action", "block");
            nar.ip("xfrm", "policy", "add", "src", "10.9.9.0/24", "dst", "10.8.8.0/24", "dir", "out");
            List<String> policiesBefore = policyDump(n);
            List<String> statesBefore = stateDump(n);
            ContextException e = assertThrows(ContextException.class,
                    () -> new ContextInstaller(n).install(ctx, SpiReservations.NONE));
            assertTrue(e.getMessage().contains("EEXIST"), e.getMessage());
            assertTrue(e.getMessage().contains("rolled back"), e.getMessage());
            assertEquals(policiesBefore, policyDump(n));
            assertEquals(statesBefore, stateDump(n));
        }
    }

    /** A context whose MN has one inbound SA with the given SPI (a larval SA from the pAR). */
    private static MobileNodeContext withInboundSpi(XfrmClient par, int spi) throws IOException {
        SecurityAssociation in = par.states().allocSpi(coa(2), PAR, 50, 2, SaInfo.MODE_TUNNEL, null, null, spi, spi);
        return MobileNodeContext.snapshot(new MobileNodeIdentity(hoa(2), coa(2)), PAR, List.of(in), List.of(),
                java.time.Instant.now());
    }

    @Test
    void spiCollisionOnTheTargetIsReplacedAndReserved(TestNamespace par, TestNamespace nar) throws Exception {
        for (SadLookupCase lookup : SadLookupCase.values()) {
            try (XfrmClient p = XfrmClient.open(par.netns()); XfrmClient n = XfrmClient.open(nar.netns())) {
                p.states().flush(0);
                n.states().flush(0);
                MobileNodeContext ctx = withInboundSpi(p, 0x2222);
                // Another MN on the nAR already receives on SPI 0x2222.
                n.states().allocSpi(ip("2001:db8:b::99"), NAR, 50, 9, SaInfo.MODE_TUNNEL, null, null, 0x2222, 0x2222);
                List<String> before = stateDump(n);
                SpiAllocator alloc = new SpiAllocator(n, lookup, 0x3000, 0x3fff);
                SpiReservations r = alloc.reserveInbound(ctx, NAR);
                assertEquals(1, r.mappings().size(), lookup.toString());
                SpiMapping m = r.mappings().get(0);
                assertEquals(0x2222L, m.oldSpi());
                assertTrue(m.newSpi() >= 0x3000 && m.newSpi() <= 0x3fff, m.toString());
                assertEquals(1, r.held().size());
                assertTrue(stateDump(n).contains(NAR.getHostAddress() + "/" + Long.toHexString(m.newSpi()) + "/50"));
                // The rewrite applies the mapping to the SA.
                MobileNodeContext rw = ContextRewriter.forTarget(ctx, ip("2001:db8:b::12"), NAR, r.mappings(),
                        SequenceNumberPolicy.DEFAULT);
                assertEquals((int) m.newSpi(), rw.securityAssociations().get(0).spi());
                alloc.release(r);
                assertEquals(before, stateDump(n));
            }
        }
    }

    @Test
    void aFreeSpiIsKeptAndReservedExactly(TestNamespace par, TestNamespace nar) throws Exception {
        try (XfrmClient p = XfrmClient.open(par.netns()); XfrmClient n = XfrmClient.open(nar.netns())) {
            MobileNodeContext ctx = withInboundSpi(p, 0x4444);
            SpiReservations r = new SpiAllocator(n, SadLookupCase.DEFAULT).reserveInbound(ctx, NAR);
            assertTrue(r.mappings().isEmpty());
            assertEquals(0x4444, r.held().get(0).id().spi());
        }
    }

    @Test
    void spiInUseAtAnotherDestinationCollidesOnlyWhenTheSpiAloneIsTheKey(TestNamespace par, TestNamespace nar)
            throws Exception {
        try (XfrmClient p = XfrmClient.open(par.netns()); XfrmClient n = XfrmClient.open(nar.netns())) {
            MobileNodeContext ctx = withInboundSpi(p, 0x5555);
            // SPI 0x5555 is used on the nAR by an SA towards some other host (an outbound SA).
            n.states().allocSpi(NAR, ip("2001:db8:c::5"), 50, 7, SaInfo.MODE_TUNNEL, null, null, 0x5555, 0x5555);
            SpiReservations spiOnly = new SpiAllocator(n, SadLookupCase.SPI_ONLY, 0x6000, 0x6fff).reserveInbound(ctx, NAR);
            assertEquals(1, spiOnly.mappings().size());
            assertNotEquals(0x5555L, spiOnly.mappings().get(0).newSpi());
            new SpiAllocator(n, SadLookupCase.SPI_ONLY).release(spiOnly);
            SpiReservations byDst = new SpiAllocator(n, SadLookupCase.SPI_DESTINATION, 0x6000, 0x6fff).reserveInbound(ctx, NAR);
            if (byDst.mappings().isEmpty()) {
                // Kernels before 94f39804d891: SPI + destination is the whole key.
                assertEquals(0x5555, byDst.held().get(0).id().spi());
            } else {
                // Kernels with it (6.18 here) keep SPIs unique per protocol: the kernel itself
                // refuses SPI 0x5555 at any destination, and cxt follows the kernel.
                new SpiAllocator(n, SadLookupCase.SPI_DESTINATION).release(byDst);
                var refused = assertThrows(io.cxt.nl.NetlinkErrorException.class, () -> n.states().allocSpi(
                        ip("2001:db8:b::77"), NAR, 50, 77, SaInfo.MODE_TUNNEL, null, null, 0x5555, 0x5555));
                assertEquals("ENOENT", refused.errnoName());
            }
        }
    }

    @Test
    void anExhaustedSpiRangeLeavesTheTargetUnchanged(TestNamespace par, TestNamespace nar) throws Exception {
        try (XfrmClient p = XfrmClient.open(par.netns()); XfrmClient n = XfrmClient.open(nar.netns())) {
            MobileNodeContext ctx = withInboundSpi(p, 0x7777);
            n.states().allocSpi(ip("2001:db8:b::98"), NAR, 50, 8, SaInfo.MODE_TUNNEL, null, null, 0x7777, 0x7777);
            n.states().allocSpi(ip("2001:db8:b::97"), NAR, 50, 8, SaInfo.MODE_TUNNEL, null, null, 0x8000, 0x8000);
            List<String> before = stateDump(n);
            ContextException e = assertThrows(ContextException.class,
                    () -> new SpiAllocator(n, SadLookupCase.DEFAULT, 0x8000, 0x8000).reserveInbound(ctx, NAR));
            assertTrue(e.getMessage().contains("no free SPI"), e.getMessage());
            assertEquals(before, stateDump(n));
        }
    }

    @Test
    void anUnrewrittenContextIsRefused(TestNamespace par, TestNamespace nar) throws Exception {
        try (XfrmClient p = XfrmClient.open(par.netns()); XfrmClient n = XfrmClient.open(nar.netns())) {
            setUpMobileNode(par, p, 2);
            MobileNodeContext ctx = new ContextSnapshotter(p).snapshot(new MobileNodeIdentity(hoa(2), coa(2)), PAR);
            assertThrows(ContextException.class, () -> new ContextInstaller(n).install(ctx, SpiReservations.NONE));
            assertEquals(0, n.policies().dump().size());
        }
    }

    @Test
    void policyDirectionsInstallOutBeforeIn() {
        assertTrue(ContextInstaller.installRank(SecurityPolicy.builder(io.cxt.xfrm.Selector.any(10), PolicyInfo.DIR_OUT).build())
                < ContextInstaller.installRank(SecurityPolicy.builder(io.cxt.xfrm.Selector.any(10), PolicyInfo.DIR_IN).build()));
    }

    @Test
    void removalFromThePreviousRouterTakesOnlyThatMobileNode(TestNamespace par) throws Exception {
        try (XfrmClient c = XfrmClient.open(par.netns())) {
            setUpMobileNode(par, c, 1);
            setUpMobileNode(par, c, 2);
            MobileNodeContext ctx = new ContextSnapshotter(c).snapshot(new MobileNodeIdentity(hoa(2), coa(2)), PAR);
            assertEquals(6, c.policies().dump().size());
            assertEquals(4, c.states().dump().size());
            ContextRemover remover = new ContextRemover(c, SequenceNumberPolicy.DEFAULT);
            remover.remove(ctx);
            assertEquals(3, c.policies().dump().size());
            assertEquals(2, c.states().dump().size());
            MobileNodeContext left = new ContextSnapshotter(c).snapshot(new MobileNodeIdentity(hoa(1), coa(1)), PAR);
            assertEquals(3, left.policies().size());
            assertEquals(2, left.securityAssociations().size());
            // Removing again: everything is already gone, which is not an error.
            remover.remove(ctx);
            assertEquals(3, c.policies().dump().size());
        }
    }

    @Test
    void delayedRemovalHappensAfterTheDelay(TestNamespace par) throws Exception {
        var scheduler = java.util.concurrent.Executors.newSingleThreadScheduledExecutor();
        try (XfrmClient c = XfrmClient.open(par.netns())) {
            setUpMobileNode(par, c, 2);
            MobileNodeContext ctx = new ContextSnapshotter(c).snapshot(new MobileNodeIdentity(hoa(2), coa(2)), PAR);
            var f = new ContextRemover(c, SequenceNumberPolicy.DEFAULT).removeLater(ctx, 300, scheduler);
            assertEquals(3, c.policies().dump().size());
            f.get(5, java.util.concurrent.TimeUnit.SECONDS);
            assertEquals(0, c.policies().dump().size());
            assertEquals(0, c.states().dump().size());
        } finally {
            scheduler.shutdownNow();
        }
    }
}
