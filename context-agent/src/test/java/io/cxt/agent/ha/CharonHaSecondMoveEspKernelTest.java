package io.cxt.agent.ha;

import java.util.List;

import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

import io.cxt.agent.ha.CharonHaLab.Auth;
import io.cxt.agent.ha.CharonHaLab.Router;
import io.cxt.agent.ha.CharonHaLab.Spec;

/**
 * The MN's IKE SA moves twice more after the first handover: pAR -> nAR -> third router -> pAR, each time with
 * the assertions of {@link CharonHaLab#handover} (same IKE SPIs, no IKE_SA_INIT/IKE_AUTH, the old router's charon
 * forgets without a DELETE, traffic with no XFRM error, a CHILD_SA rekey through the new router where asked). The state
 * transferred at the second and third moves is what the previous nAR's relay recorded from its own charon after
 * the injection (MOBIKE, message IDs, the rekeyed CHILD_SA), and the last move returns the SA to a router whose
 * charon and relay had it before.
 */
@Tag("esp-kernel")
class CharonHaSecondMoveEspKernelTest {
    static final String ID = "hm" + ProcessHandle.current().pid() % 10000;

    @Test
    void theSaMovesOnToAThirdRouterAndBackToThePreviousOne() throws Exception {
        try (CharonHaLab lab = CharonHaLab.start(ID, Auth.PSK, List.of(new Spec("par", "mp0", "mp1", true),
                new Spec("nar", "mn0", "mn1", true), new Spec("third", "mt0", "mt1", true)))) {
            Router par = lab.router("par"), nar = lab.router("nar"), third = lab.router("third");
            String spis = lab.establish();
            // no rekey at the nAR: the second move hands on the CHILD_SA the nAR's charon was given (its ESP
            // counters continued twice); the third router's is rekeyed there, so the last move hands on one the
            // third router's charon made itself; the pAR, its charon given back the SA it forgot, rekeys it again
            lab.handover(par, nar, spis, false);
            lab.handover(nar, third, spis, true);
            lab.handover(third, par, spis, true);
        }
    }
}
