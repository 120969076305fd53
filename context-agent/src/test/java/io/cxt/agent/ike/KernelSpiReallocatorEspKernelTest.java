package io.cxt.agent.ike;

import static io.cxt.agent.ike.IkeAgentFixtures.AR_ESP_IN;
import static io.cxt.agent.ike.IkeAgentFixtures.MN_ESP_IN;
import static io.cxt.agent.ike.IkeAgentFixtures.NAR;
import static io.cxt.agent.ike.IkeAgentFixtures.NCOA;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;

import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import io.cxt.agent.ActivationListener.Activation;
import io.cxt.ike.ProtocolId;
import io.cxt.ike.SpiOwner;
import io.cxt.ike.UpdateSpiNotify;
import io.cxt.testing.NetnsExtension;
import io.cxt.testing.TestNamespace;
import io.cxt.xfrm.SaKey;
import io.cxt.xfrm.XfrmError;
import io.cxt.xfrm.SecurityAssociation;
import io.cxt.xfrm.XfrmClient;

/** The nAR moves SAs whose SPIs the MN refused to other SPIs (lab kernel: real ESP SAs). */
@Tag("esp-kernel")
@ExtendWith(NetnsExtension.class)
class KernelSpiReallocatorEspKernelTest {
    static final long REFUSED_IN = 0xc0000777L;
    static final long REFUSED_OUT = 0xc1000555L;

    @Test
    void refusedSpisMoveToFreshOnesInTheNarKernel(TestNamespace nar) throws Exception {
        try (XfrmClient k = XfrmClient.open(nar.netns())) {
            SecurityAssociation in = MnKernelFixtures.esp(NCOA, NAR, REFUSED_IN, 1, true, 0);
            SecurityAssociation out = MnKernelFixtures.esp(NAR, NCOA, REFUSED_OUT, 1, false, 20_000);
            k.states().add(in);
            k.states().add(out);
            Activation a = new Activation(null, null, List.of(), IkeAgentFixtures.PCOA, NCOA, IkeAgentFixtures.PAR, NAR,
                    null);
            List<UpdateSpiNotify> refused = List.of(
                    new UpdateSpiNotify(ProtocolId.ESP, AR_ESP_IN, REFUSED_IN, SpiOwner.RESPONDER),
                    new UpdateSpiNotify(ProtocolId.ESP, MN_ESP_IN, REFUSED_OUT, SpiOwner.INITIATOR),
                    new UpdateSpiNotify(ProtocolId.IKE, IkeAgentFixtures.SPI_R, 0x77L, SpiOwner.RESPONDER));
            List<UpdateSpiNotify> again = new KernelSpiReallocator(k, 0x100, 0xcfffffff).reallocate(a,
                    IkeAgentFixtures.accessRouter(IkeAgentFixtures.CBC, 5, 3), refused);
            assertEquals(3, again.size());
            for (int i = 0; i < 3; i++) {
                assertEquals(refused.get(i).oldSpi(), again.get(i).oldSpi(), "the MN still has the old SPI");
                assertEquals(refused.get(i).owner(), again.get(i).owner());
                assertNotEquals(refused.get(i).newSpi(), again.get(i).newSpi());
            }
            int newIn = (int) again.get(0).newSpi();
            int newOut = (int) again.get(1).newSpi();
            SecurityAssociation movedIn = k.states().get(SaKey.of(NAR, newIn, 50));
            assertEquals(NCOA, movedIn.source());
            assertEquals(in.crypt(), movedIn.crypt(), "same keys");
            SecurityAssociation movedOut = k.states().get(SaKey.of(NCOA, newOut, 50));
            long oseq = Integer.toUnsignedLong(k.states().getReplayLifetime(movedOut.key()).replay().oseq());
            assertTrue(oseq >= 30_000, "outbound sequence continues with the margin: " + oseq);
            assertTrue(XfrmError.of(assertThrows(java.io.IOException.class,
                    () -> k.states().get(SaKey.of(NAR, (int) REFUSED_IN, 50)))).absent());
            assertTrue(XfrmError.of(assertThrows(java.io.IOException.class,
                    () -> k.states().get(SaKey.of(NCOA, (int) REFUSED_OUT, 50)))).absent());
            assertEquals(2, k.states().dump().size(), "no larval SA left behind");
        }
    }
}
