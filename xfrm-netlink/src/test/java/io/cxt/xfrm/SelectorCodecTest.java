package io.cxt.xfrm;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;

import io.cxt.nl.MalformedNetlinkException;
import io.cxt.testing.Gen;
import io.cxt.testing.SeededTest;

class SelectorCodecTest {

    @SeededTest
    void selectorRoundTrips(Gen g) {
        Selector s = CommonGen.selector(g);
        ByteBuffer b = ByteBuffer.allocate(Selector.LENGTH).order(ByteOrder.nativeOrder());
        s.encode(b);
        assertEquals(Selector.LENGTH, b.position());
        b.flip();
        assertEquals(s, Selector.decode(b));
    }

    @SeededTest
    void lifetimesRoundTrip(Gen g) {
        LifetimeConfig c = CommonGen.lifetimeConfig(g);
        ByteBuffer b = ByteBuffer.allocate(LifetimeConfig.LENGTH).order(ByteOrder.nativeOrder());
        c.encode(b);
        b.flip();
        assertEquals(c, LifetimeConfig.decode(b));
    }

    @SeededTest
    void truncatedSelectorIsMalformed(Gen g) {
        Selector s = CommonGen.selector(g);
        int cut = g.betweenEdgy(0, Selector.LENGTH - 1);
        ByteBuffer b = ByteBuffer.allocate(Selector.LENGTH).order(ByteOrder.nativeOrder());
        s.encode(b);
        ByteBuffer t = ByteBuffer.wrap(b.array(), 0, cut).order(ByteOrder.nativeOrder());
        assertThrows(MalformedNetlinkException.class, () -> Selector.decode(t));
    }
}
