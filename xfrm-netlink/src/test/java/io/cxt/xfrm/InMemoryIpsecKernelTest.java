package io.cxt.xfrm;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.util.List;

import org.junit.jupiter.api.Test;

/**
 * The in-memory SAD/SPD model, root-free. The same scenarios run on the real kernel in
 * {@link IpsecKernelParityKernelTest}, against the same expected outcomes.
 */
class InMemoryIpsecKernelTest {

    @Test
    void policiesAndReservationsFollowTheKernelRules() {
        assertEquals(IpsecKernelScenarios.POLICIES_AND_RESERVATIONS_EXPECTED,
                IpsecKernelScenarios.policiesAndReservations(new InMemoryIpsecKernel()));
    }

    @Test
    void securityAssociationsFollowTheKernelRules() {
        assertEquals(IpsecKernelScenarios.SAS_EXPECTED, IpsecKernelScenarios.securityAssociations(new InMemoryIpsecKernel()));
    }

    @Test
    void aRefusalCanBeInjectedOnceAndIsTyped() throws IOException {
        InMemoryIpsecKernel k = new InMemoryIpsecKernel();
        k.refuseNext(XfrmMsgType.NEWPOLICY, XfrmError.ENOBUFS);
        SecurityPolicy p = PolicyFixtures.v4IcmpBlock();
        List<XfrmFailure> f = k.apply(new XfrmBatch().addPolicy(p).addPolicy(p.withDirection(PolicyInfo.DIR_IN)));
        assertEquals(1, f.size());
        assertEquals(0, f.get(0).index());
        assertEquals(XfrmError.ENOBUFS, f.get(0).error());
        assertEquals(1, k.dumpPolicies().size(), "the second entry was still tried");
        assertTrue(k.apply(new XfrmBatch().addPolicy(p)).isEmpty(), "refused once only");
    }

    @Test
    void rangedReservationsNeverHandOutATakenSpi() throws IOException {
        InMemoryIpsecKernel k = new InMemoryIpsecKernel(7);
        for (int spi = 0x100; spi < 0x10f; spi++) {
            k.addSa(IpsecKernelScenarios.sa(spi));
        }
        java.util.Set<Integer> handedOut = new java.util.HashSet<>();
        for (int i = 0; i < 40; i++) {
            int spi = k.allocSpi(AllocSpiRequest.of(IpsecKernelScenarios.SRC, IpsecKernelScenarios.DST,
                    XfrmId.PROTO_ESP, 3, SaInfo.MODE_TUNNEL, null, null, 0x100, 0x1ff)).spi();
            assertTrue(spi >= 0x10f && spi <= 0x1ff, "in the range, not taken: " + spi);
            assertTrue(handedOut.add(spi), "a larval SA holds its SPI: " + spi);
        }
        IOException taken = assertThrows(IOException.class, () -> k.allocSpi(AllocSpiRequest.of(IpsecKernelScenarios.SRC,
                IpsecKernelScenarios.DST, XfrmId.PROTO_ESP, 3, SaInfo.MODE_TUNNEL, null, null, 0x105, 0x105)));
        assertEquals(XfrmError.ENOENT, XfrmError.of(taken));
        assertTrue(k.hasLarval(IpsecKernelScenarios.DST, 0), "a refused ALLOCSPI leaves an SPI-0 larval SA");
        k.expireLarval();
        assertFalse(k.hasLarval(IpsecKernelScenarios.DST, handedOut.iterator().next()));
    }

    @Test
    void aFenceSeesChangesNamingItsAddressesOnly() throws IOException {
        InMemoryIpsecKernel k = new InMemoryIpsecKernel();
        try (IpsecKernel.ChangeFence f = k.openChangeFence()) {
            f.arm();
            k.addSa(IpsecKernelScenarios.sa(0x500));
            assertTrue(f.crossed(List.of(IpsecKernelScenarios.DST)));
            assertFalse(f.crossed(List.of(PolicyFixtures.ip("10.77.0.1"))));
            f.arm();
            assertFalse(f.crossed(List.of(IpsecKernelScenarios.DST)));
        }
    }
}
