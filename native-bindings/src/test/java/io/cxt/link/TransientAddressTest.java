package io.cxt.link;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.InetAddress;
import java.util.ArrayList;
import java.util.List;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import io.cxt.nl.route.Rtnetlink;
import io.cxt.testing.NetnsExtension;
import io.cxt.testing.TestNamespace;

/**
 * The address pulse against the real kernel, seen by a listener as a daemon (strongSwan's charon) sees it: every
 * pulse must be an RTM_NEWADDR followed by an RTM_DELADDR. Without waiting for the kernel's announcement a NODAD
 * address deleted at once is usually never announced (addrconf's DAD work item is cancelled by the delete): this
 * test then sees RTM_DELADDR alone for most pulses.
 */
@ExtendWith(NetnsExtension.class)
class TransientAddressTest {
    static final int PULSES = 30;
    static final String TRIGGER = "2001:db8:ffff::1";

    @Test
    void everyPulseIsAnnouncedBeforeItIsDeleted(TestNamespace ar, TestNamespace mn) throws Exception {
        ar.ip("link", "add", "tv0", "type", "veth", "peer", "name", "tv1", "netns", mn.name());
        ar.ip("addr", "add", "2001:db8:e::1/64", "dev", "tv0", "nodad");
        ar.ip("link", "set", "tv0", "up");
        mn.ip("link", "set", "tv1", "up");
        InetAddress trigger = InetAddress.getByName(TRIGGER);
        InetAddress towardsMn = InetAddress.getByName("2001:db8:e::10");
        List<RtnetlinkEvent> seen = new ArrayList<>();
        try (RtnetlinkMonitor listener = RtnetlinkMonitor.open(ar.netns());
                TransientAddress pulse = TransientAddress.open(ar.netns())) {
            int index = RtnetlinkMonitorTest.linkIndex(listener.currentState(), "tv0");
            for (int i = 0; i < PULSES; i++) {
                assertEquals(index, pulse.pulse(trigger, towardsMn), "the interface of the route to the MN");
            }
            while (listener.poll(300, seen::add)) {
                // until 300 ms pass without an event
            }
        }
        List<AddressInfo> ofTrigger = seen.stream().filter(e -> e instanceof AddressInfo a && a.address().equals(trigger))
                .map(e -> (AddressInfo) e).toList();
        StringBuilder order = new StringBuilder();
        for (AddressInfo a : ofTrigger) {
            order.append(a.deleted() ? 'D' : 'N');
        }
        assertEquals("ND".repeat(PULSES), order.toString(), "N: RTM_NEWADDR, D: RTM_DELADDR, in the listener's order");
        for (AddressInfo a : ofTrigger) {
            assertEquals(128, a.prefixLength());
            assertEquals(0, a.flags() & Rtnetlink.IFA_F_TENTATIVE, "not tentative: " + a);
            assertTrue((a.flags() & Rtnetlink.IFA_F_DEPRECATED) != 0, "deprecated, never a source: " + a);
        }
        assertTrue(seen.stream().noneMatch(e -> e instanceof RouteInfo r && trigger.equals(r.destination())
                && r.table() != 255), "no route of the trigger outside the local table: " + seen);
        assertFalse(ar.ip("-6", "addr").contains(TRIGGER), "the address is gone");
        assertFalse(ar.ip("-6", "route", "show", "table", "all").contains(TRIGGER), "no route of it is left");
    }
}
