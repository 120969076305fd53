package io.cxt.xfrm;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.io.IOException;

import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import io.cxt.testing.NetnsExtension;
import io.cxt.testing.TestNamespace;

/**
 * The real kernel gives the outcomes the in-memory model ({@link InMemoryIpsecKernel}) is tested
 * against in {@link InMemoryIpsecKernelTest}: this is where the model's assumptions are checked.
 */
@ExtendWith(NetnsExtension.class)
class IpsecKernelParityKernelTest {

    @Test
    void policiesAndReservations(TestNamespace ns) throws IOException {
        try (XfrmClient c = XfrmClient.open(ns.netns())) {
            assertEquals(IpsecKernelScenarios.POLICIES_AND_RESERVATIONS_EXPECTED,
                    IpsecKernelScenarios.policiesAndReservations(c));
        }
    }

    @Test
    @Tag("esp-kernel")
    void securityAssociations(TestNamespace ns) throws IOException {
        try (XfrmClient c = XfrmClient.open(ns.netns())) {
            assertEquals(IpsecKernelScenarios.SAS_EXPECTED, IpsecKernelScenarios.securityAssociations(c));
        }
    }
}
