package io.cxt.xfrm;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;

import net.jqwik.api.Arbitrary;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;

import io.cxt.nl.MalformedNetlinkException;

class SelectorCodecTest {

    @Provide
    Arbitrary<Selector> selectors() {
        return CommonArbitraries.selector();
    }

    @Property
    void selectorRoundTrips(@ForAll("selectors") Selector s) {
        ByteBuffer b = ByteBuffer.allocate(Selector.LENGTH).order(ByteOrder.nativeOrder());
        s.encode(b);
        assertEquals(Selector.LENGTH, b.position());
        b.flip();
        assertEquals(s, Selector.decode(b));
    }

    @Property
    void lifetimesRoundTrip(@ForAll("cfg") LifetimeConfig c) {
        ByteBuffer b = ByteBuffer.allocate(LifetimeConfig.LENGTH).order(ByteOrder.nativeOrder());
        c.encode(b);
        b.flip();
        assertEquals(c, LifetimeConfig.decode(b));
    }

    @Provide
    Arbitrary<LifetimeConfig> cfg() {
        return CommonArbitraries.lifetimeConfig();
    }

    @Property
    void truncatedSelectorIsMalformed(@ForAll("selectors") Selector s, @ForAll @net.jqwik.api.constraints.IntRange(min = 0, max = 55) int cut) {
        ByteBuffer b = ByteBuffer.allocate(Selector.LENGTH).order(ByteOrder.nativeOrder());
        s.encode(b);
        ByteBuffer t = ByteBuffer.wrap(b.array(), 0, cut).order(ByteOrder.nativeOrder());
        assertThrows(MalformedNetlinkException.class, () -> Selector.decode(t));
    }
}
