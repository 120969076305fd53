package io.cxt.cxtp;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;


import io.cxt.cxtp.RouterChannelProtection.Opened;
import io.cxt.cxtp.RouterChannelProtection.Rejected;
import io.cxt.testing.Gen;
import io.cxt.testing.SeededTest;

/** Random envelopes against the router channel. */
class RouterChannelProtectionPropertiesTest {

    /** Arbitrary octets never throw out of open() and are never accepted. */
    @SeededTest(cases = 2000)
    void randomEnvelopesAreRejectedWithoutExceptions(Gen g) {
        byte[] junk = g.bytes(0, 120);
        RouterChannelProtection receiver = RouterChannelProtectionTest.nar();
        Opened o = receiver.open(RouterChannelProtectionTest.PAR_ADDR, junk);
        assertInstanceOf(Rejected.class, o);
        assertEquals(1, receiver.rejectedCount());
    }

    /** Genuine envelopes with random octets flipped are never accepted; the genuine one still is. */
    @SeededTest(cases = 1000)
    void tamperedEnvelopesAreNeverAccepted(Gen g) {
        byte[] message = g.bytes(0, 200);
        int position = g.betweenEdgy(0, 100_000);
        int xor = g.betweenEdgy(1, 255);
        RouterChannelProtection receiver = RouterChannelProtectionTest.nar();
        byte[] env = RouterChannelProtectionTest.par().seal(RouterChannelProtectionTest.NAR, message);
        byte[] t = env.clone();
        t[position % t.length] ^= (byte) xor;
        assertInstanceOf(Rejected.class, receiver.open(RouterChannelProtectionTest.PAR_ADDR, t));
        assertInstanceOf(RouterChannelProtection.Accepted.class, receiver.open(RouterChannelProtectionTest.PAR_ADDR, env));
    }
}
