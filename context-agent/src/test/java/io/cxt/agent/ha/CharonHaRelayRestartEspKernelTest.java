package io.cxt.agent.ha;

import static io.cxt.agent.ha.CharonHaLab.await;
import static io.cxt.agent.ha.CharonHaLab.inSpi;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;

import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

import io.cxt.agent.ha.CharonHaLab.Auth;
import io.cxt.agent.ha.CharonHaLab.Router;
import io.cxt.agent.ha.CharonHaLab.Spec;

/**
 * Issue 10, cxagent restarted beside a running charon: its relay learns an SA only from what charon syncs, and charon
 * syncs an established SA again only when something changes. A relay started after the MN's SA was made knows nothing
 * of it without {@code resync-on-start} (the context could not carry it); with it (the default) charon sends the SA
 * again and rekeys its CHILD_SA, the relay has the SA complete with the new CHILD_SA, nothing is refused, and the
 * handover to the nAR passes every check of {@link CharonHaLab#handover} (same IKE SPIs, no IKE_AUTH, the pAR's charon
 * forgets without a DELETE, traffic with no XFRM error, a CHILD_SA rekey through the nAR).
 */
@Tag("esp-kernel")
class CharonHaRelayRestartEspKernelTest {
    static final String ID = "hr" + ProcessHandle.current().pid() % 10000;

    @Test
    void aRelayStartedAfterTheSaLearnsItByResyncAndTheSaMoves() throws Exception {
        try (CharonHaLab lab = CharonHaLab.start(ID, Auth.PSK, List.of(new Spec("par", "mp0", "mp1", true),
                new Spec("nar", "mn0", "mn1", true)))) {
            String spis = lab.establish();
            String inBefore = inSpi(lab.swanctl(lab.mn, "--list-sas"));

            Router unsynced = lab.restartRelay("par", false);
            Thread.sleep(2000);
            assertTrue(unsynced.relay().control().relay().store().findByMobileNode(unsynced.coa()).isEmpty(),
                    "without a resync the restarted relay knows nothing of the SA");

            Router par = lab.restartRelay("par", true);
            await("the resynced relay has the SA with one CHILD_SA", () -> par.relay().control().relay().store()
                    .findByMobileNode(par.coa()).map(s -> s.complete() && s.children().size() == 1).orElse(false));
            await("charon rekeyed the CHILD_SA for the resync (the MN has only the new one)", () -> {
                String m = lab.swanctl(lab.mn, "--list-sas");
                return !inSpi(m).equals(inBefore) && CharonHaLab.countInstalled(m) == 1;
            });
            assertTrue(lab.log(par.ns()).contains("resyncing HA segment 1"), "charon logged the resync");
            lab.handover(par, lab.router("nar"), spis, true);
        }
    }
}
