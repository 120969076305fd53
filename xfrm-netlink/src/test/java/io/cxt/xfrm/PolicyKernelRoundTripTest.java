package io.cxt.xfrm;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.io.IOException;
import java.net.InetAddress;
import java.util.HexFormat;
import java.util.List;
import java.util.concurrent.ThreadLocalRandom;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;

import io.cxt.nl.NetlinkMessage;
import io.cxt.sys.NetNamespace;
import io.cxt.testing.Commands;
import io.cxt.testing.Gen;
import io.cxt.testing.SeededTest;

/**
 * Random policies the kernel accepts, through the kernel and back: what a dump returns decodes to
 * what was added, and re-encodes to the kernel's exact bytes. One namespace for all cases, flushed
 * before each.
 */
class PolicyKernelRoundTripTest {

    private static String namespace;
    private static XfrmClient client;

    @BeforeAll
    static void createNamespace() throws IOException {
        namespace = "cxt-p-" + Long.toHexString(ThreadLocalRandom.current().nextLong() & 0xffffffffL);
        Commands.run("ip", "netns", "add", namespace);
        Commands.run("ip", "-n", namespace, "link", "set", "lo", "up");
        client = XfrmClient.open(NetNamespace.named(namespace));
    }

    @AfterAll
    static void deleteNamespace() {
        if (client != null) {
            client.close();
        }
        if (namespace != null) {
            Commands.exec(List.of("ip", "netns", "del", namespace), null);
        }
    }

    @BeforeEach
    void emptySpd() throws IOException {
        client.policies().flush(PolicyType.MAIN);
        client.policies().flush(PolicyType.SUB);
    }

    @SeededTest(cases = 150)
    void kernelKeepsAndReturnsEveryField(Gen g) throws IOException {
        SecurityPolicy p = acceptable(g);
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
    private static SecurityPolicy acceptable(Gen g) {
        int f = CommonGen.family(g);
        InetAddress d = CommonGen.address(g, f);
        InetAddress s = CommonGen.address(g, f);
        int pd = g.betweenEdgy(0, AddressFamily.maxPrefix(f));
        int ps = g.betweenEdgy(0, AddressFamily.maxPrefix(f));
        int proto = g.ofInts(0, 6, 17, 1, 58, 132, 47);
        int sport = g.u16();
        int dport = g.u16();
        int ifindex = g.ofInts(0, 1);
        Selector sel = new Selector(d, s, dport, proto == 0 ? 0 : 0xffff, sport, proto == 0 ? 0 : 0xffff, f, pd, ps,
                proto, ifindex, 0);
        PolicyInfo i = new PolicyInfo(sel, lifetime(g), LifetimeCurrent.ZERO, g.u32(), 0,
                g.between(0, 2), g.ofInts(0, 1), g.between(0, 3), g.between(0, 3));
        List<UserTemplate> t = g.list(0, 3, () -> tunnelTemplate(g));
        Mark mark = g.orNull(0.5, () -> PolicyGen.mark(g));
        Integer ifId = g.orNull(0.5, () -> nonZero(g));
        PolicyType type = g.orNull(0.3, () -> g.of(PolicyType.MAIN, PolicyType.SUB));
        return new SecurityPolicy(i, i.direction() == PolicyInfo.DIR_OUT
                ? t.stream().map(x -> x.withOptional(false)).toList() : t, mark, ifId, null, type, null, List.of());
    }

    /**
     * Any byte and packet limits, but expiry times the kernel's policy timer does not take as
     * already past: it adds them to the add/use time as signed 64-bit seconds, so a u64 such as
     * 2^64-1 (or one that overflows) would expire the policy a second after it was added.
     */
    private static LifetimeConfig lifetime(Gen g) {
        return new LifetimeConfig(g.u64(), g.u64(), g.u64(), g.u64(), seconds(g), seconds(g), seconds(g), seconds(g));
    }

    private static long seconds(Gen g) {
        return g.oneIn(4) ? 0 : 3600 + (g.anyLong() & ((1L << 40) - 1));
    }

    private static int nonZero(Gen g) {
        int x;
        do {
            x = g.u32();
        } while (x == 0);
        return x;
    }

    /** Tunnel templates of either family (a family change needs tunnel or beet mode). */
    private static UserTemplate tunnelTemplate(Gen g) {
        int f = CommonGen.family(g);
        InetAddress d = CommonGen.address(g, f);
        InetAddress s = CommonGen.address(g, f);
        int spi = g.u32();
        int proto = g.ofInts(UserTemplate.PROTO_ESP, UserTemplate.PROTO_AH, UserTemplate.PROTO_COMP);
        int reqid = g.u32();
        int mode = g.ofInts(UserTemplate.MODE_TUNNEL, UserTemplate.MODE_BEET);
        int opt = g.ofInts(0, 1);
        int ealgos = g.u32();
        return new UserTemplate(d, spi, proto, f, s, reqid, mode, UserTemplate.SHARE_ANY, opt,
                UserTemplate.ALL_ALGORITHMS, ealgos, UserTemplate.ALL_ALGORITHMS);
    }
}
