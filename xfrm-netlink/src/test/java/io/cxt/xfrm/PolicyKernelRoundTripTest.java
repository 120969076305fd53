package io.cxt.xfrm;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.io.IOException;
import java.util.HexFormat;
import java.util.List;
import java.util.concurrent.ThreadLocalRandom;

import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.lifecycle.AfterContainer;
import net.jqwik.api.lifecycle.BeforeContainer;
import net.jqwik.api.lifecycle.BeforeTry;

import io.cxt.nl.NetlinkMessage;
import io.cxt.sys.NetNamespace;
import io.cxt.testing.Commands;

/**
 * Random policies the kernel accepts, through the kernel and back: what a dump returns decodes to
 * what was added, and re-encodes to the kernel's exact bytes. One namespace for all tries, flushed
 * before each.
 */
class PolicyKernelRoundTripTest {

    private static String namespace;
    private static XfrmClient client;

    @BeforeContainer
    static void createNamespace() throws IOException {
        namespace = "cxt-p-" + Long.toHexString(ThreadLocalRandom.current().nextLong() & 0xffffffffL);
        Commands.run("ip", "netns", "add", namespace);
        Commands.run("ip", "-n", namespace, "link", "set", "lo", "up");
        client = XfrmClient.open(NetNamespace.named(namespace));
    }

    @AfterContainer
    static void deleteNamespace() {
        if (client != null) {
            client.close();
        }
        if (namespace != null) {
            Commands.exec(List.of("ip", "netns", "del", namespace), null);
        }
    }

    @BeforeTry
    void emptySpd() throws IOException {
        client.policies().flush(PolicyType.MAIN);
        client.policies().flush(PolicyType.SUB);
    }

    @Property(tries = 150)
    void kernelKeepsAndReturnsEveryField(@ForAll("acceptable") SecurityPolicy p) throws IOException {
        client.policies().add(p);
        List<NetlinkMessage> dump = client.policies().dumpMessages();
        assertEquals(1, dump.size());
        byte[] kernel = dump.get(0).payload();
        SecurityPolicy got = SecurityPolicy.decode(kernel);
        assertEquals(PolicyFixtures.asAdded(p, got), PolicyFixtures.withoutUsage(got));
        assertEquals(HexFormat.of().formatHex(kernel), HexFormat.of().formatHex(got.toBytes(AttributeOrder.KERNEL)));
        assertEquals(got, client.policies().get(got.indexId()));
    }

    /** Policies verify_newpolicy_info and validate_tmpl accept. */
    @Provide
    Arbitrary<SecurityPolicy> acceptable() {
        Arbitrary<Selector> sel = CommonArbitraries.family().flatMap(f -> Combinators.combine(
                        CommonArbitraries.address(f), CommonArbitraries.address(f),
                        Arbitraries.integers().between(0, AddressFamily.maxPrefix(f)),
                        Arbitraries.integers().between(0, AddressFamily.maxPrefix(f)),
                        Arbitraries.of(0, 6, 17, 1, 58, 132, 47), CommonArbitraries.u16(), CommonArbitraries.u16(),
                        Arbitraries.of(0, 1))
                .as((d, s, pd, ps, proto, sport, dport, ifindex) -> new Selector(d, s, dport, proto == 0 ? 0 : 0xffff,
                        sport, proto == 0 ? 0 : 0xffff, f, pd, ps, proto, ifindex, 0)));
        Arbitrary<PolicyInfo> info = Combinators.combine(sel, CommonArbitraries.lifetimeConfig(),
                        CommonArbitraries.u32(), Arbitraries.integers().between(0, 2), Arbitraries.of(0, 1),
                        Arbitraries.integers().between(0, 3), Arbitraries.integers().between(0, 3))
                .as((s, lft, prio, dir, action, flags, share) -> new PolicyInfo(s, lft, LifetimeCurrent.ZERO, prio, 0,
                        dir, action, flags, share));
        return info.flatMap(i -> Combinators.combine(tunnelTemplate().list().ofMaxSize(3),
                        PolicyArbitraries.mark().injectNull(0.5), CommonArbitraries.u32().filter(x -> x != 0).injectNull(0.5),
                        Arbitraries.of(PolicyType.MAIN, PolicyType.SUB).injectNull(0.3))
                .as((t, mark, ifId, type) -> new SecurityPolicy(i, i.direction() == PolicyInfo.DIR_OUT
                        ? t.stream().map(x -> x.withOptional(false)).toList() : t, mark, ifId, null, type, null, List.of())));
    }

    /** Tunnel templates of either family (a family change needs tunnel or beet mode). */
    private static Arbitrary<UserTemplate> tunnelTemplate() {
        return CommonArbitraries.family().flatMap(f -> Combinators.combine(CommonArbitraries.address(f),
                        CommonArbitraries.address(f), CommonArbitraries.u32(),
                        Arbitraries.of(UserTemplate.PROTO_ESP, UserTemplate.PROTO_AH, UserTemplate.PROTO_COMP),
                        CommonArbitraries.u32(), Arbitraries.of(UserTemplate.MODE_TUNNEL, UserTemplate.MODE_BEET),
                        Arbitraries.of(0, 1), CommonArbitraries.u32())
                .as((d, s, spi, proto, reqid, mode, opt, ealgos) -> new UserTemplate(d, spi, proto, f, s, reqid, mode,
                        UserTemplate.SHARE_ANY, opt, UserTemplate.ALL_ALGORITHMS, ealgos, UserTemplate.ALL_ALGORITHMS)));
    }
}
