package io.cxt.cxtp;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;

import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.Size;

import io.cxt.cxtp.RouterChannelProtection.Opened;
import io.cxt.cxtp.RouterChannelProtection.Rejected;

/** Random envelopes against the router channel. */
class RouterChannelProtectionPropertiesTest {

    /** Arbitrary octets never throw out of open() and are never accepted. */
    @Property(tries = 2000)
    void randomEnvelopesAreRejectedWithoutExceptions(@ForAll @Size(max = 120) byte[] junk) {
        RouterChannelProtection receiver = RouterChannelProtectionTest.nar();
        Opened o = receiver.open(RouterChannelProtectionTest.PAR_ADDR, junk);
        assertInstanceOf(Rejected.class, o);
        assertEquals(1, receiver.rejectedCount());
    }

    /** Genuine envelopes with random octets flipped are never accepted; the genuine one still is. */
    @Property(tries = 1000)
    void tamperedEnvelopesAreNeverAccepted(@ForAll @Size(max = 200) byte[] message,
                                           @ForAll @net.jqwik.api.constraints.IntRange(min = 0, max = 100_000) int position,
                                           @ForAll @net.jqwik.api.constraints.IntRange(min = 1, max = 255) int xor) {
        RouterChannelProtection receiver = RouterChannelProtectionTest.nar();
        byte[] env = RouterChannelProtectionTest.par().seal(RouterChannelProtectionTest.NAR, message);
        byte[] t = env.clone();
        t[position % t.length] ^= (byte) xor;
        assertInstanceOf(Rejected.class, receiver.open(RouterChannelProtectionTest.PAR_ADDR, t));
        assertInstanceOf(RouterChannelProtection.Accepted.class, receiver.open(RouterChannelProtectionTest.PAR_ADDR, env));
    }
}
