package io.cxt.agent.role;

import static io.cxt.agent.role.HandoverLab.CHANNEL_KEY;
import static io.cxt.agent.role.HandoverLab.HOA;
import static io.cxt.agent.role.HandoverLab.MN_KEY;
import static io.cxt.agent.role.HandoverLab.NAR;
import static io.cxt.agent.role.HandoverLab.PAR;
import static io.cxt.agent.role.HandoverLab.PAR_CX;
import static io.cxt.agent.role.HandoverLab.PCOA;
import static io.cxt.agent.role.HandoverLab.await;
import static io.cxt.agent.role.HandoverLab.ip;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import io.cxt.agent.metrics.OpenMetricsParser;
import io.cxt.agent.metrics.OpenMetricsText;
import io.cxt.agent.settings.PeerTransport;
import io.cxt.agent.view.MetricsView;
import io.cxt.agent.view.OperationResult;
import io.cxt.agent.view.PeerView;
import io.cxt.testing.NetnsExtension;
import io.cxt.testing.TestNamespace;
import io.cxt.xfrm.KeyBytes;

/**
 * SIGHUP's part in the router ({@link AccessRouterAgent#reloadPeersAndMobileNodes}) with real agents
 * in namespaces: a held context survives a reload and activates afterwards; a new channel key applies
 * at once (the old one is refused); inconsistent lists change nothing. The activation's latency
 * histograms are read back as OpenMetrics.
 */
@ExtendWith(NetnsExtension.class)
class RouterReloadHostTest {

    private static final KeyBytes NEW_CHANNEL_KEY = HandoverLab.key(32, 99);

    private static PeerSettings par(KeyBytes key) {
        return new PeerSettings("par", PAR_CX, 5091, PeerTransport.UDP, 1, key, PAR);
    }

    private static final PeerSettings OTHER = new PeerSettings("other", ip("2001:db8:ff::9"), 5091, PeerTransport.UDP, 9,
            HandoverLab.key(32, 5), null);

    @Test
    void aHeldContextSurvivesAReloadAndActivates(TestNamespace p, TestNamespace n, TestNamespace m) throws Exception {
        try (HandoverLab lab = new HandoverLab(p, n, m)) {
            lab.installPolicyOnlyContext();
            AccessRouterAgent par = lab.startPar(lab.parSettings().build());
            AccessRouterAgent nar = lab.startNar(lab.narSettings().build());
            MobileNodeAgent mn = lab.startMn(MN_KEY);
            assertTrue(par.transfer(PCOA, "nar").ok());
            await("nAR holds the context", () -> nar.contexts().stream().anyMatch(c -> c.state().equals("HELD")));
            long receivedBefore = nar.peers().get(0).received();

            nar.reloadPeersAndMobileNodes(List.of(par(CHANNEL_KEY), OTHER),
                    List.of(new ServedMobileNode(ip("2001:db8:b::20"), HOA, HandoverLab.key(20, 8))));

            assertEquals(List.of("par", "other"), nar.peers().stream().map(PeerView::name).toList());
            assertEquals(receivedBefore, nar.peers().get(0).received(), "an unchanged peer keeps its counters");
            assertEquals("HELD", nar.contexts().get(0).state(), "the held context is kept");
            assertEquals(2, nar.settings().peers().size());
            assertEquals(1, nar.settings().mobileNodes().size());

            OperationResult r = mn.activate(NAR, null);
            assertTrue(r.ok(), r.summary() + " " + r.details());
            AccessRouterAgentHostTest.assertMoved(lab);
            lab.settle();

            Map<String, OpenMetricsParser.Family> narMetrics = OpenMetricsParser.parse(
                    OpenMetricsText.format(new MetricsView(nar.stats(), nar.histograms())));
            assertEquals(1.0, OpenMetricsParser.value(narMetrics, "cxt_ctar_to_ctaa_seconds_count", Map.of("mode", "predictive")));
            assertEquals(0.0, OpenMetricsParser.value(narMetrics, "cxt_ctar_to_ctaa_seconds_count", Map.of("mode", "reactive")));
            assertEquals(1.0, OpenMetricsParser.value(narMetrics, "cxt_install_seconds_count", Map.of()));
            assertEquals(1.0, OpenMetricsParser.value(narMetrics, "cxt_activations_total", Map.of()));
            assertTrue(OpenMetricsParser.value(narMetrics, "cxt_ctar_to_ctaa_seconds_sum", Map.of("mode", "predictive"))
                    >= OpenMetricsParser.value(narMetrics, "cxt_install_seconds_sum", Map.of()));
            Map<String, OpenMetricsParser.Family> mnMetrics = OpenMetricsParser.parse(
                    OpenMetricsText.format(new MetricsView(mn.stats(), mn.histograms())));
            assertEquals(1.0, OpenMetricsParser.value(mnMetrics, "cxt_ctar_to_ctaa_seconds_count", Map.of("mode", "mn")));
            assertEquals(1.0, OpenMetricsParser.value(mnMetrics, "cxt_activation_seconds_count", Map.of()));
        }
    }

    @Test
    void aNewChannelKeyAppliesAtOnce(TestNamespace p, TestNamespace n, TestNamespace m) throws Exception {
        try (HandoverLab lab = new HandoverLab(p, n, m)) {
            lab.installPolicyOnlyContext();
            AccessRouterAgent par = lab.startPar(lab.parSettings().build());
            AccessRouterAgent nar = lab.startNar(lab.narSettings().build());
            nar.reloadPeersAndMobileNodes(List.of(par(NEW_CHANNEL_KEY)), List.of());
            try {
                par.transfer(PCOA, "nar"); // sealed with the old key: refused by the nAR
            } catch (io.cxt.agent.control.ControlException e) {
                // whether the pAR notices is not the point here
            }
            await("the nAR refuses the old key", () -> lab.narLog.count("protection-rejected") > 0);
            assertTrue(nar.contexts().isEmpty());

            RouterSettings ps = par.settings();
            par.reloadPeersAndMobileNodes(List.of(new PeerSettings("nar", HandoverLab.NAR_CX, 5091, PeerTransport.UDP, 2,
                    NEW_CHANNEL_KEY, NAR)), ps.mobileNodes());
            try {
                par.cancel(PCOA, null); // forget the first attempt
            } catch (io.cxt.agent.control.ControlException e) {
                // nothing to cancel
            }
            assertTrue(par.transfer(PCOA, "nar").ok());
            await("the nAR holds the context sent with the new key",
                    () -> nar.contexts().stream().anyMatch(c -> c.state().equals("HELD")));
        }
    }

    @Test
    void inconsistentListsChangeNothing(TestNamespace p, TestNamespace n, TestNamespace m) throws Exception {
        try (HandoverLab lab = new HandoverLab(p, n, m)) {
            AccessRouterAgent nar = lab.startNar(lab.narSettings().build());
            PeerSettings ownId = new PeerSettings("self", ip("2001:db8:ff::7"), 5091, PeerTransport.UDP, 2, CHANNEL_KEY, null);
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                    () -> nar.reloadPeersAndMobileNodes(List.of(par(CHANNEL_KEY), ownId), List.of()));
            assertEquals("peer self has this router's sender id 2", e.getMessage());
            assertThrows(IllegalArgumentException.class,
                    () -> nar.reloadPeersAndMobileNodes(List.of(par(CHANNEL_KEY), par(NEW_CHANNEL_KEY)), List.of()));
            assertEquals(List.of("par"), nar.peers().stream().map(PeerView::name).toList());
            assertEquals(CHANNEL_KEY, nar.settings().peers().get(0).key());
        }
    }
}
