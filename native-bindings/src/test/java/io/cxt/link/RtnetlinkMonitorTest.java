package io.cxt.link;

import io.cxt.nl.route.Rtnetlink;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.net.InetAddress;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Predicate;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import io.cxt.testing.NetnsExtension;
import io.cxt.testing.TestNamespace;

/** The monitor against the real kernel: veth carrier, addresses and a gateway route in a throw-away namespace. */
@ExtendWith(NetnsExtension.class)
class RtnetlinkMonitorTest {

    @Test
    void seesCarrierAddressAndDefaultRouteOfAVeth(TestNamespace mn, TestNamespace ar) throws Exception {
        mn.ip("link", "add", "mv0", "type", "veth", "peer", "name", "mv1", "netns", ar.name());
        try (RtnetlinkMonitor monitor = RtnetlinkMonitor.open(mn.netns())) {
            int index = linkIndex(monitor.currentState(), "mv0");
            assertTrue(index > 0, "the dump names the veth");

            mn.ip("link", "set", "mv0", "up");
            ar.ip("link", "set", "mv1", "up");
            LinkInfo up = (LinkInfo) await(monitor, e -> e instanceof LinkInfo l && l.index() == index && l.carrierUp());
            assertEquals("mv0", up.name());

            mn.ip("addr", "add", "2001:db8:b::10/64", "dev", "mv0", "nodad");
            AddressInfo a = (AddressInfo) await(monitor, e -> e instanceof AddressInfo x && !x.deleted()
                    && x.address().equals(addr("2001:db8:b::10")));
            assertEquals(64, a.prefixLength());
            assertEquals(index, a.index());
            assertTrue(a.usableGlobal(), "nodad: not tentative");

            mn.ip("route", "add", "default", "via", "2001:db8:b::1", "dev", "mv0");
            RouteInfo r = (RouteInfo) await(monitor, e -> e instanceof RouteInfo x && x.isDefaultViaGateway() && !x.deleted());
            assertEquals(addr("2001:db8:b::1"), r.gateway());
            assertEquals(index, r.outputInterface());

            ar.ip("link", "set", "mv1", "down");
            await(monitor, e -> e instanceof LinkInfo l && l.index() == index && !l.carrierUp());
        }
    }

    @Test
    void aTentativeAddressIsNotUsableUntilDadEnds(TestNamespace mn, TestNamespace ar) throws Exception {
        mn.ip("link", "add", "mv0", "type", "veth", "peer", "name", "mv1", "netns", ar.name());
        mn.ip("link", "set", "mv0", "up");
        ar.ip("link", "set", "mv1", "up");
        try (RtnetlinkMonitor monitor = RtnetlinkMonitor.open(mn.netns())) {
            mn.ip("addr", "add", "2001:db8:c::10/64", "dev", "mv0");
            AddressInfo first = (AddressInfo) await(monitor, e -> e instanceof AddressInfo x
                    && x.address().equals(addr("2001:db8:c::10")));
            if ((first.flags() & Rtnetlink.IFA_F_TENTATIVE) != 0) {
                assertFalse(first.usableGlobal());
                await(monitor, e -> e instanceof AddressInfo x && x.address().equals(addr("2001:db8:c::10"))
                        && x.usableGlobal());
            }
        }
    }

    @Test
    void seesNothingOfAnotherNamespace(TestNamespace mn, TestNamespace other) throws Exception {
        try (RtnetlinkMonitor monitor = RtnetlinkMonitor.open(mn.netns())) {
            other.ip("link", "add", "ov0", "type", "veth", "peer", "name", "ov1");
            other.ip("link", "set", "ov0", "up");
            List<RtnetlinkEvent> got = new ArrayList<>();
            monitor.poll(300, got::add);
            assertTrue(got.stream().noneMatch(e -> e instanceof LinkInfo l && l.name().equals("ov0")), got.toString());
        }
    }

    static int linkIndex(List<RtnetlinkEvent> state, String name) {
        return state.stream().filter(e -> e instanceof LinkInfo l && l.name().equals(name))
                .mapToInt(e -> ((LinkInfo) e).index()).findFirst().orElse(-1);
    }

    static RtnetlinkEvent await(RtnetlinkMonitor m, Predicate<RtnetlinkEvent> want) throws IOException {
        long end = System.nanoTime() + 10_000_000_000L;
        List<RtnetlinkEvent> seen = new ArrayList<>();
        while (System.nanoTime() < end) {
            List<RtnetlinkEvent> got = new ArrayList<>();
            m.poll(200, got::add);
            for (RtnetlinkEvent e : got) {
                if (want.test(e)) {
                    return e;
                }
            }
            seen.addAll(got);
        }
        throw new AssertionError("event not seen in 10 s; saw " + seen);
    }

    static InetAddress addr(String s) {
        try {
            return InetAddress.getByName(s);
        } catch (IOException e) {
            throw new IllegalArgumentException(s, e);
        }
    }
}
