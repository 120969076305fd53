package io.cxt.agent.e2e;

import static io.cxt.agent.e2e.DaemonLab.NAR;
import static io.cxt.agent.e2e.DaemonLab.NCOA;
import static io.cxt.agent.e2e.DaemonLab.PCOA;
import static io.cxt.agent.e2e.DaemonLab.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.Tag;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

import com.fasterxml.jackson.databind.JsonNode;

import io.cxt.agent.control.ControlException;
import io.cxt.agent.e2e.DaemonLab.Node;
import io.cxt.xfrm.SecurityAssociation;

/**
 * Issue 12 item 6 with the REAL daemons in the lab kernel: one agent is stopped as kill -9 would stop it
 * ({@code CXT_CRASH_AT}, io.cxt.agent.role.CrashPoint) at each step of a predictive and a reactive handover,
 * restarted, and then the kernels must hold the MN's state exactly once, on one router (the pAR empty, the nAR
 * with the MN's two SAs and three policies, nothing larval), and the MN's traffic must flow: at once, after the
 * MN's retransmitted CTAR, or after the MN's retry (a second activation) where the crash lost the first. A MN
 * stopped between the CTAA and its own kernel update finishes the move when it starts again (its journal).
 *
 * <p>Not covered: {@code nar.reserved} (SPI reservations made, nothing journaled yet: the larval SAs stay until the
 * kernel expires them, net.core.xfrm_acq_expires, 30 s; see RuntimeJournal).
 */
@Tag("esp-kernel")
class CrashWindowDaemonEspKernelTest {

    private static final Duration CRASH_WAIT = Duration.ofSeconds(60);

    enum Window {
        PREDICTIVE_HELD(Node.NAR, "nar.held", true),
        PREDICTIVE_INSTALLED(Node.NAR, "nar.installed", true),
        PREDICTIVE_ACKNOWLEDGED(Node.NAR, "nar.acknowledged", true),
        REACTIVE_INSTALLED(Node.NAR, "nar.installed", false),
        PAR_SENT(Node.PAR, "par.sent", true),
        PAR_TRANSFERRED(Node.PAR, "par.transferred", true),
        PAR_MOVED(Node.PAR, "par.moved", true),
        MN_ACKNOWLEDGED(Node.MN, "mn.acknowledged", true);

        final Node crashes;
        final String point;
        final boolean predictive;

        Window(Node crashes, String point, boolean predictive) {
            this.crashes = crashes;
            this.point = point;
            this.predictive = predictive;
        }
    }

    @ParameterizedTest
    @EnumSource(Window.class)
    void theMnsStateEndsOnceOnOneRouterAndCarriesTraffic(Window w) throws Exception {
        try (DaemonLab lab = new DaemonLab("cw" + w.ordinal(), DaemonLab.Options.lookup("spi-dst"))) {
            lab.startAgents(Map.of(w.crashes, Map.of("CXT_CRASH_AT", w.point)));
            int sas = lab.xfrm(Node.PAR).states().dump().size();
            int policies = lab.xfrm(Node.PAR).policies().dump().size();
            boolean crashed = false;
            if (w.predictive) {
                try {
                    JsonNode t = lab.control(Node.PAR, "transfer", Map.of("mn", PCOA, "to", "nar"));
                    assertTrue(t.get("ok").asBoolean(), "transfer: " + t);
                } catch (IOException e) {
                    assertEquals(Node.PAR, w.crashes, "only a crashing pAR leaves the transfer unanswered: " + e);
                }
                if (w == Window.PREDICTIVE_HELD || w.crashes == Node.PAR && w != Window.PAR_MOVED) {
                    restartAfterCrash(lab, w);
                    crashed = true;
                }
            }
            lab.attachToNar();
            CompletableFuture<JsonNode> first = CompletableFuture.supplyAsync(() -> activate(lab));
            if (!crashed) {
                restartAfterCrash(lab, w);
            }
            JsonNode a = first.get(90, TimeUnit.SECONDS);
            if (w.crashes == Node.MN) {
                // The MN died between the CTAA and its own update: the restarted agent made the move itself.
                assertTrue(lab.hasEvent(Node.MN, "reconciled"), "the restarted MN finished the move: " + lab.events(Node.MN)
                        + lab.diagnostics());
            } else {
                if (!a.path("ok").asBoolean()) {
                    // The crash lost the first activation: the MN tries again, as its movement detection would.
                    a = activate(lab);
                }
                assertTrue(a.path("ok").asBoolean(), "activation: " + a + lab.diagnostics());
            }
            try {
                await("the MN's state only at the nAR", Duration.ofSeconds(30), () -> lab.xfrm(Node.PAR).states().dump().isEmpty()
                        && lab.xfrm(Node.PAR).policies().dump().isEmpty());
                List<SecurityAssociation> nar = lab.xfrm(Node.NAR).states().dump();
                assertEquals(sas, nar.size(), "the MN's SAs once at the nAR: " + lab.dump(Node.NAR));
                assertTrue(nar.stream().allMatch(sa -> sa.aead() != null || sa.crypt() != null), "nothing larval: "
                        + lab.dump(Node.NAR));
                assertEquals(policies, lab.xfrm(Node.NAR).policies().dump().size(), "the MN's policies once at the nAR: "
                        + lab.dump(Node.NAR));
                assertTrue(lab.ping(3), "the MN's traffic flows through the nAR");
                assertTrue(lab.hasEvent(w.crashes, "reconciled") || w == Window.PAR_SENT,
                        "the restarted agent finished what the dead one left: " + lab.events(w.crashes));
            } catch (AssertionError e) {
                throw new AssertionError(e.getMessage() + lab.diagnostics(), e);
            }
        }
    }

    private static JsonNode activate(DaemonLab lab) {
        try {
            return lab.control(Node.MN, "activate", Map.of("nar", NAR, "coa", NCOA));
        } catch (ControlException e) {
            return new com.fasterxml.jackson.databind.ObjectMapper().createObjectNode().put("ok", false)
                    .put("error", e.getMessage());
        } catch (IOException e) { // the MN's agent died during the call
            return new com.fasterxml.jackson.databind.ObjectMapper().createObjectNode().put("ok", false)
                    .put("error", e.toString());
        }
    }

    /** The agent stopped itself at the window's point (status 137); it is started again as systemd would. */
    private static void restartAfterCrash(DaemonLab lab, Window w) throws Exception {
        int status = lab.awaitExit(w.crashes, CRASH_WAIT);
        assertEquals(137, status, "cxagent " + w.crashes + " stopped at " + w.point + ":\n" + lab.log(w.crashes));
        assertTrue(lab.log(w.crashes).contains("CXT_CRASH_AT=" + w.point + " reached"), lab.log(w.crashes));
        lab.launch(w.crashes);
        lab.awaitUp(w.crashes);
        if (w.crashes == Node.MN) {
            lab.control(Node.MN, "ike-import", Map.of("json", lab.mnIkeJson));
        }
        if (w.crashes == Node.PAR) {
            // The IKE SA (and with it the MN's token key, token-key-source = "ike") lives in the agent's memory:
            // given back as an operator would (with charon's HA relay, charon keeps it: docs/strongswan.md).
            lab.control(Node.PAR, "ike-import", Map.of("mn", PCOA, "json", lab.parIkeJson));
        }
    }
}
