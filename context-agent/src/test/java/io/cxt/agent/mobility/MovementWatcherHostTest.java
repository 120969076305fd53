package io.cxt.agent.mobility;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.InetAddress;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import io.cxt.agent.settings.IpPrefix;
import io.cxt.agent.view.OperationResult;
import io.cxt.testing.NetnsExtension;
import io.cxt.testing.TestNamespace;

/**
 * Movement detection against the real kernel: an MN namespace with two veths to two "routers",
 * moved as the handover demo moves it (one link down, the other up, an address, a default route).
 * The mover records what it was asked; the real agent's activate is covered by the lab demo.
 */
@ExtendWith(NetnsExtension.class)
class MovementWatcherHostTest {

    private static final Duration DEBOUNCE = Duration.ofMillis(100);

    record Move(InetAddress router, InetAddress careOf) {
    }

    /** Where the MN is: updated by the recording mover, as the agent's activate would. */
    static final class Recorder implements MovementWatcher.Location, MovementWatcher.Mover {
        final List<Move> moves = new CopyOnWriteArrayList<>();
        final List<String> probed = new CopyOnWriteArrayList<>();
        volatile java.util.function.Supplier<String> probe;
        volatile InetAddress coa;
        volatile InetAddress router;

        Recorder(String coa, String router) {
            this.coa = addr(coa);
            this.router = addr(router);
        }

        @Override
        public InetAddress careOf() {
            return coa;
        }

        @Override
        public InetAddress router() {
            return router;
        }

        @Override
        public OperationResult move(InetAddress r, InetAddress c) {
            if (probe != null) {
                probed.add(probe.get());
            }
            moves.add(new Move(r, c));
            coa = c;
            router = r;
            return new OperationResult(true, "moved", Map.of("ctarSentNanoTime", System.nanoTime(), "delayMicros", 10L));
        }
    }

    private static void topology(TestNamespace mn, TestNamespace par, TestNamespace nar) {
        mn.ip("link", "add", "mp0", "type", "veth", "peer", "name", "mp1", "netns", par.name());
        mn.ip("link", "add", "mn0", "type", "veth", "peer", "name", "mn1", "netns", nar.name());
        par.ip("addr", "add", "2001:db8:a::1/64", "dev", "mp1", "nodad");
        nar.ip("addr", "add", "2001:db8:b::1/64", "dev", "mn1", "nodad");
        par.ip("link", "set", "mp1", "up");
        nar.ip("link", "set", "mn1", "up");
        attach(mn, "mp0", "mn0", "2001:db8:a::10", "2001:db8:a::1");
    }

    /** The demo's attach(): the other link down, this one up, the CoA, the default route. */
    private static void attach(TestNamespace mn, String up, String down, String coa, String router) {
        mn.ip("link", "set", down, "down");
        mn.ip("link", "set", up, "up");
        mn.ip("addr", "replace", coa + "/64", "dev", up, "nodad");
        mn.ip("route", "replace", "default", "via", router, "dev", up);
    }

    private static MovementSettings gateway(String... interfaces) {
        return new MovementSettings(Set.of(interfaces), MovementSettings.RouterSource.GATEWAY, DEBOUNCE, Map.of(), Map.of());
    }

    @Test
    void oneCtarPerMoveToTheDefaultRoutersGateway(TestNamespace mn, TestNamespace par, TestNamespace nar) throws Exception {
        topology(mn, par, nar);
        Recorder at = new Recorder("2001:db8:a::10", "2001:db8:a::1");
        List<String> events = new CopyOnWriteArrayList<>();
        try (MovementWatcher w = MovementWatcher.start("mn", gateway("mp0", "mn0"), mn.netns(), at, at,
                (kind, node, detail) -> events.add(kind + " " + detail))) {
            Thread.sleep(400);
            assertEquals(List.of(), at.moves, "the state at start is not a move");

            attach(mn, "mn0", "mp0", "2001:db8:b::10", "2001:db8:b::1");
            awaitMoves(at, 1);
            assertEquals(new Move(addr("2001:db8:b::1"), addr("2001:db8:b::10")), at.moves.get(0));

            attach(mn, "mp0", "mn0", "2001:db8:a::10", "2001:db8:a::1");
            awaitMoves(at, 2);
            assertEquals(new Move(addr("2001:db8:a::1"), addr("2001:db8:a::10")), at.moves.get(1));

            Thread.sleep(DEBOUNCE.toMillis() * 5);
            assertEquals(2, at.moves.size(), "one CTAR per move: " + at.moves);
            assertEquals(2L, w.counters().get("movement.activated"));
            assertTrue(events.stream().anyMatch(e -> e.startsWith("movement-detected interface mn0")
                    && e.contains("link up 20")), events.toString());
            assertTrue(events.stream().anyMatch(e -> e.startsWith("movement-activated interface mn0")
                    && e.contains("CTAR sent 20")), events.toString());
        }
    }

    @Test
    void aFlappingLinkWithinTheDebounceMakesOneTrigger(TestNamespace mn, TestNamespace par, TestNamespace nar)
            throws Exception {
        topology(mn, par, nar);
        nar.ip("link", "set", "mn1", "down");
        Recorder at = new Recorder("2001:db8:a::10", "2001:db8:a::1");
        MovementSettings slow = new MovementSettings(Set.of("mp0", "mn0"), MovementSettings.RouterSource.GATEWAY,
                Duration.ofMillis(1500), Map.of(), Map.of());
        try (MovementWatcher w = MovementWatcher.start("mn", slow, mn.netns(), at, at, null)) {
            attach(mn, "mn0", "mp0", "2001:db8:b::10", "2001:db8:b::1"); // admin up, no carrier yet
            for (int i = 0; i < 3; i++) {                                  // the peer's carrier flaps
                nar.ip("link", "set", "mn1", "up");
                nar.ip("link", "set", "mn1", "down");
            }
            nar.ip("link", "set", "mn1", "up");
            awaitMoves(at, 1);
            Thread.sleep(2500);
            assertEquals(1, at.moves.size(), "one trigger after the flapping: " + at.moves);
            assertEquals(addr("2001:db8:b::10"), at.moves.get(0).careOf());
        }
    }

    @Test
    void anUnconfiguredInterfaceNeverTriggers(TestNamespace mn, TestNamespace par, TestNamespace nar) throws Exception {
        topology(mn, par, nar);
        Recorder at = new Recorder("2001:db8:a::10", "2001:db8:a::1");
        try (MovementWatcher w = MovementWatcher.start("mn", gateway("mp0"), mn.netns(), at, at, null)) {
            attach(mn, "mn0", "mp0", "2001:db8:b::10", "2001:db8:b::1");
            Thread.sleep(DEBOUNCE.toMillis() * 8);
            assertEquals(List.of(), at.moves, "mn0 is not watched");
            assertEquals(0L, w.counters().get("movement.detected"));
        }
    }

    @Test
    void configuredRouterByPrefixWithoutAnyDefaultRoute(TestNamespace mn, TestNamespace par, TestNamespace nar)
            throws Exception {
        topology(mn, par, nar);
        Recorder at = new Recorder("2001:db8:a::10", "2001:db8:a::1");
        MovementSettings configured = new MovementSettings(Set.of("mp0", "mn0"), MovementSettings.RouterSource.CONFIGURED,
                DEBOUNCE, Map.of("mp0", addr("2001:db8:a::1")), Map.of(IpPrefix.parse("2001:db8:b::/64"), addr("2001:db8:b::1")));
        try (MovementWatcher w = MovementWatcher.start("mn", configured, mn.netns(), at, at, null)) {
            mn.ip("link", "set", "mp0", "down");
            mn.ip("link", "set", "mn0", "up");
            Thread.sleep(DEBOUNCE.toMillis() * 4);
            assertEquals(List.of(), at.moves, "no global address yet: no move");
            mn.ip("addr", "add", "2001:db8:b::10/64", "dev", "mn0", "nodad");
            awaitMoves(at, 1);
            assertEquals(new Move(addr("2001:db8:b::1"), addr("2001:db8:b::10")), at.moves.get(0));
        }
    }

    @Test
    void aTentativeAddressWaitsForDad(TestNamespace mn, TestNamespace par, TestNamespace nar) throws Exception {
        topology(mn, par, nar);
        mn.ip("link", "set", "mn0", "up");
        Recorder at = new Recorder("2001:db8:a::10", "2001:db8:a::1");
        at.probe = () -> mn.ip("-6", "addr", "show", "dev", "mn0");
        try (MovementWatcher w = MovementWatcher.start("mn", gateway("mp0", "mn0"), mn.netns(), at, at, null)) {
            mn.ip("addr", "add", "2001:db8:b::10/64", "dev", "mn0"); // with DAD: tentative for about a second
            mn.ip("route", "add", "default", "via", "2001:db8:b::1", "dev", "mn0", "metric", "10");
            assertTrue(mn.ip("-6", "addr", "show", "dev", "mn0").contains("tentative"), "DAD is running");
            awaitMoves(at, 1);
            assertEquals(addr("2001:db8:b::10"), at.moves.get(0).careOf());
            assertTrue(at.probed.get(0).contains("2001:db8:b::10/64 scope global")
                    && !at.probed.get(0).contains("2001:db8:b::10/64 scope global tentative"),
                    "the CTAR waited for the end of DAD: " + at.probed.get(0));
        }
    }

    private static void awaitMoves(Recorder at, int n) throws InterruptedException {
        long end = System.nanoTime() + 10_000_000_000L;
        while (at.moves.size() < n && System.nanoTime() < end) {
            Thread.sleep(20);
        }
        assertEquals(n, at.moves.size(), "moves: " + at.moves);
    }

    static InetAddress addr(String s) {
        try {
            return InetAddress.getByName(s);
        } catch (java.io.IOException e) {
            throw new IllegalArgumentException(s, e);
        }
    }
}
