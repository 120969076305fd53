package io.cxt.agent.ha;

import static io.cxt.agent.ha.CharonSequenceHandoffTest.ip;
import static io.cxt.agent.ha.CharonSequenceHandoffTest.sa;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;

import java.util.List;

import org.junit.jupiter.api.Test;

import io.cxt.xfrm.SecurityAssociation;

/** The nAR's check that a transferred CHILD_SA's inbound SPI is free before charon is given the SA. */
class CharonSpiCollisionsTest {

    static final SecurityAssociation OTHER_MN_IN = sa(ip("2001:db8:2::77"), ip("2001:db8:2::1"), 0xc0000001, null);
    static final SecurityAssociation OTHER_MN_OUT = sa(ip("2001:db8:2::1"), ip("2001:db8:2::77"), 0xc5555555, null);
    static final java.net.InetAddress NAR = ip("2001:db8:2::1");

    @Test
    void anSaOfAnotherMobileNodeWithTheInboundSpiIsACollision() {
        CharonSpiCollisions c = new CharonSpiCollisions();
        assertSame(OTHER_MN_IN, c.collision(1, 2, List.of(0xc0000009, 0xc0000001), NAR, List.of(OTHER_MN_OUT, OTHER_MN_IN), 0));
        assertNull(c.collision(1, 2, List.of(0xc0000002), NAR, List.of(OTHER_MN_OUT, OTHER_MN_IN), 0), "free SPIs");
    }

    /** The kernel keys an SA by destination and SPI: the same SPI towards another address does not stop charon. */
    @Test
    void theSameSpiTowardsAnotherAddressIsNoCollision() {
        CharonSpiCollisions c = new CharonSpiCollisions();
        assertNull(c.collision(1, 2, List.of(0xc5555555), NAR, List.of(OTHER_MN_OUT, OTHER_MN_IN), 0),
                "an outbound SA to another MN whose SPI that MN chose");
        SecurityAssociation toAnotherAddress = sa(ip("2001:db8:2::77"), ip("2001:db8:9::1"), 0xc0000001, null);
        assertNull(c.collision(1, 2, List.of(0xc0000001), NAR, List.of(toAnotherAddress), 0),
                "an inbound SA to another address of this router");
        assertSame(toAnotherAddress, c.collision(1, 2, List.of(0xc0000001), ip("2001:db8:9::1"), List.of(toAnotherAddress), 0));
    }

    @Test
    void theSameIkeSasEarlierChildSasAreNotACollisionButAnotherIkeSasAre() {
        CharonSpiCollisions c = new CharonSpiCollisions();
        SecurityAssociation earlier = sa(ip("2001:db8:2::10"), ip("2001:db8:2::1"), 0xc0000042, null);
        c.given(1, 2, List.of(0xc0000042), 1_000);
        assertNull(c.collision(1, 2, List.of(0xc0000042), NAR, List.of(earlier), 2_000), "a repeated PCTD of the same IKE SA");
        assertSame(earlier, c.collision(1, 3, List.of(0xc0000042), NAR, List.of(earlier), 2_000), "another IKE SA's");
        long later = 1_000 + CharonSpiCollisions.MEMORY_NANOS + 1;
        assertSame(earlier, c.collision(1, 2, List.of(0xc0000042), NAR, List.of(earlier), later), "forgotten after two minutes");
        assertEquals(0, c.remembered());
    }

    @Test
    void whatIsRememberedIsBounded() {
        CharonSpiCollisions c = new CharonSpiCollisions();
        for (int i = 0; i < CharonSpiCollisions.MAX_REMEMBERED + 100; i++) {
            c.given(i, i, List.of(0xc0000000 + i), 0);
        }
        assertEquals(CharonSpiCollisions.MAX_REMEMBERED, c.remembered());
        SecurityAssociation first = sa(ip("2001:db8:2::10"), ip("2001:db8:2::1"), 0xc0000000, null);
        assertSame(first, c.collision(0, 0, List.of(0xc0000000), NAR, List.of(first), 1), "the oldest went first");
    }
}
