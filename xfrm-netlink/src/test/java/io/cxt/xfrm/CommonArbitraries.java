package io.cxt.xfrm;

import java.net.InetAddress;

import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;

/** jqwik generators for the structures shared by SAs and policies. */
public final class CommonArbitraries {
    private CommonArbitraries() {
    }

    public static Arbitrary<Integer> family() {
        return Arbitraries.of(AddressFamily.INET, AddressFamily.INET6);
    }

    public static Arbitrary<InetAddress> address(int family) {
        int len = family == AddressFamily.INET ? 4 : 16;
        return Arbitraries.bytes().array(byte[].class).ofSize(len).map(b -> {
            try {
                return family == AddressFamily.INET ? InetAddress.getByAddress(b) : XfrmStructs.ipv6(b);
            } catch (java.net.UnknownHostException e) {
                throw new IllegalStateException(e);
            }
        });
    }

    public static Arbitrary<Integer> u8() {
        return Arbitraries.integers().between(0, 0xff);
    }

    public static Arbitrary<Integer> u16() {
        return Arbitraries.integers().between(0, 0xffff);
    }

    public static Arbitrary<Integer> u32() {
        return Arbitraries.integers();
    }

    public static Arbitrary<Long> u64() {
        return Arbitraries.oneOf(Arbitraries.longs(), Arbitraries.of(0L, -1L));
    }

    public static Arbitrary<Selector> selector(int family) {
        return Combinators.combine(address(family), address(family), u16(), u16(), u16(), u16(),
                Arbitraries.integers().between(0, AddressFamily.maxPrefix(family)),
                Arbitraries.integers().between(0, AddressFamily.maxPrefix(family)))
                .as((d, s, dp, dpm, sp, spm, pd, ps) -> new Selector(d, s, dp, dpm, sp, spm, family, pd, ps, 0, 0, 0))
                .flatMap(sel -> Combinators.combine(u8(), u32(), u32()).as((proto, ifi, user) ->
                        new Selector(sel.daddr(), sel.saddr(), sel.dport(), sel.dportMask(), sel.sport(),
                                sel.sportMask(), family, sel.prefixlenD(), sel.prefixlenS(), proto, ifi, user)));
    }

    public static Arbitrary<Selector> selector() {
        return family().flatMap(CommonArbitraries::selector);
    }

    public static Arbitrary<LifetimeConfig> lifetimeConfig() {
        return Combinators.combine(u64(), u64(), u64(), u64(), u64(), u64(), u64(), u64())
                .as(LifetimeConfig::new);
    }

    public static Arbitrary<LifetimeCurrent> lifetimeCurrent() {
        return Combinators.combine(u64(), u64(), u64(), u64()).as(LifetimeCurrent::new);
    }
}
