package io.cxt.agent.ha;

import static io.cxt.agent.ha.CharonHaLab.count;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;

import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

import io.cxt.agent.ha.CharonHaLab.Auth;
import io.cxt.agent.ha.CharonHaLab.Router;
import io.cxt.agent.ha.CharonHaLab.Spec;

/**
 * The handover of {@link CharonHaEspKernelTest} with certificate authentication instead of a PSK: a CA made by the
 * test ({@link LabPki}), the MN's certificate with its identity, the gateways' certificate(s). The move itself
 * authenticates nobody (the nAR's charon derives the keys from the transferred HA state; MOBIKE and CREATE_CHILD_SA
 * need no AUTH payload), so the nAR needs its peer config's name, not the pAR's private key: both one certificate
 * shared by the routers and one per router (its own identity) carry the SA. The difference shows later only:
 * the SA keeps the pAR's identity (from charon's IKE_UPDATE), see {@link #perRouterCertificates}.
 */
@Tag("esp-kernel")
class CharonHaCertEspKernelTest {
    static final String ID = "hc" + ProcessHandle.current().pid() % 10000;

    static List<Spec> parAndNar() {
        return List.of(new Spec("par", "mp0", "mp1", false), new Spec("nar", "mn0", "mn1", true));
    }

    @Test
    void oneGatewayCertificateOnBothRoutersTheMobileNodesSaContinuesAtTheNar() throws Exception {
        try (CharonHaLab lab = CharonHaLab.start(ID, Auth.CERT_SHARED, parAndNar())) {
            Router par = lab.router("par"), nar = lab.router("nar");
            String spis = lab.establish();
            assertCertificateAuthentication(lab, par, "gw.cxt.lab");
            lab.handover(par, nar, spis, true);
            // and a CHILD_SA rekey started by the nAR's charon
            String in = CharonHaLab.inSpi(lab.swanctl(lab.mn, "--list-sas"));
            lab.swanctl(nar.ns(), "--rekey", "--child", CharonHaLab.GW_CONN);
            CharonHaLab.await("nAR-started CHILD_SA rekey", () -> {
                String m = lab.swanctl(lab.mn, "--list-sas");
                return !CharonHaLab.inSpi(m).equals(in) && CharonHaLab.countInstalled(m) == 1;
            });
            String mnSas = lab.swanctl(lab.mn, "--list-sas");
            assertEquals(spis, CharonHaLab.spis(mnSas), mnSas);
            assertEquals(1, count(lab.log(lab.mn), "generating IKE_AUTH request"), "no new IKE_AUTH");
            String ping = lab.ping(20);
            assertTrue(ping.contains(" 0% packet loss"), ping);

            // A re-authentication (new IKE_SA_INIT + IKE_AUTH, MN-initiated) with the nAR succeeds: the nAR's own
            // certificate carries the identity the MN expects. This is what the shared certificate buys.
            lab.swanctl(lab.mn, "--rekey", "--ike", CharonHaLab.MN_CONN, "--reauth");
            CharonHaLab.await("re-authentication with the nAR", () -> {
                String m = lab.swanctl(lab.mn, "--list-sas");
                return m.contains("ESTABLISHED") && !CharonHaLab.spisOrEmpty(m).isEmpty()
                        && !CharonHaLab.spisOrEmpty(m).equals(spis) && CharonHaLab.countInstalled(m) == 1;
            });
            String reauth = lab.swanctl(lab.mn, "--list-sas");
            assertTrue(reauth.contains(nar.address() + "[") && reauth.contains("'gw.cxt.lab'"), reauth);
            assertEquals(2, count(lab.log(lab.mn), "generating IKE_AUTH request"), "the re-authentication's IKE_AUTH");
            String again = lab.ping(20);
            assertTrue(again.contains(" 0% packet loss"), again);
        }
    }

    /**
     * One certificate per router, {@code par.cxt.lab} and {@code nar.cxt.lab}: the move works the same, and the MN
     * still sees the identity it authenticated, the pAR's: the nAR's charon took the SA's identities from the HA
     * state, not from its own certificate, which is never used for it. A later re-authentication (a new IKE_AUTH)
     * with the nAR would present {@code nar.cxt.lab}, which the MN accepts only if its remote id allows it.
     */
    @Test
    void perRouterCertificates() throws Exception {
        try (CharonHaLab lab = CharonHaLab.start(ID, Auth.CERT_PER_ROUTER, parAndNar())) {
            Router par = lab.router("par"), nar = lab.router("nar");
            String spis = lab.establish();
            assertCertificateAuthentication(lab, par, "par.cxt.lab");
            lab.handover(par, nar, spis, true);
            String mnSas = lab.swanctl(lab.mn, "--list-sas");
            assertTrue(mnSas.contains("remote 'par.cxt.lab'"), "the MN's peer identity stays the pAR's: " + mnSas);
            String narSas = lab.swanctl(nar.ns(), "--list-sas");
            assertTrue(narSas.contains("local  'par.cxt.lab'") && !narSas.contains("'nar.cxt.lab'"),
                    "the nAR's charon holds the SA with the pAR's identity: " + narSas);

            // A re-authentication with the nAR fails: the MN asks for par.cxt.lab (IDr), the nAR's charon has no
            // peer config with that local identity (nor its certificate). Only the move itself works per router.
            lab.swanctl(lab.mn, "--rekey", "--ike", CharonHaLab.MN_CONN, "--reauth");
            CharonHaLab.await("the nAR refuses the re-authentication", () -> lab.log(nar.ns()).contains("no matching peer config found"));
            CharonHaLab.await("the MN's SA is gone", () -> !lab.swanctl(lab.mn, "--list-sas").contains("ESTABLISHED"));
        }
    }

    /** Both ends authenticated with ECDSA signatures of the lab's certificates, no PSK. */
    static void assertCertificateAuthentication(CharonHaLab lab, Router par, String gwId) {
        String mnLog = lab.log(lab.mn), parLog = lab.log(par.ns());
        assertTrue(mnLog.contains("authentication of '" + gwId + "' with ECDSA"), mnLog);
        assertTrue(parLog.contains("authentication of 'mn@cxt.lab' with ECDSA"), parLog);
        assertTrue(!mnLog.contains("pre-shared key") && !parLog.contains("pre-shared key"), mnLog);
    }
}
