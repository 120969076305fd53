package io.cxt.agent;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.atomic.AtomicReference;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import io.cxt.testing.NetnsExtension;
import io.cxt.testing.TestNamespace;

/**
 * The rehearsal runs the kernel and socket half of the activation path in a scratch namespace of
 * its own: every step succeeds (on this host's kernel without ESP, with policies only), and the
 * namespace the agent runs in keeps its SAD, SPD and sockets exactly as they were.
 */
@ExtendWith(NetnsExtension.class)
class ActivationRehearsalTest {

    @Test
    void rehearsesEveryStepWithoutTouchingTheAgentsNamespace(TestNamespace ns) throws Exception {
        ns.ip("xfrm", "state", "allocspi", "src", "2001:db8:a::10", "dst", "2001:db8:a::1", "proto", "esp",
                "mode", "tunnel", "reqid", "1");
        ns.ip("xfrm", "policy", "add", "src", "2001:db8:200::/48", "dst", "2001:db8:100::10/128", "dir", "out",
                "tmpl", "src", "2001:db8:a::1", "dst", "2001:db8:a::10", "proto", "esp", "mode", "tunnel", "reqid", "1");
        String sadBefore = ns.ip("xfrm", "state", "list");
        String spdBefore = ns.ip("xfrm", "policy", "list");
        String linksBefore = ns.ip("link", "show");

        AtomicReference<ActivationRehearsal.Report> report = new AtomicReference<>();
        long[] sockets = new long[2];
        ns.netns().runInside(() -> {
            sockets[0] = ActivationWarmupTest.openSockets();
            // The rehearsal's thread starts from this thread's namespace (the agent's), then leaves it.
            report.set(ActivationRehearsal.run(Duration.ofSeconds(120)));
            sockets[1] = ActivationWarmupTest.openSockets();
            return 0;
        });

        ActivationRehearsal.Report r = report.get();
        assertEquals(List.of(), r.failures(), "steps that failed");
        assertEquals(List.of("unshare", "rtnetlink", "synthetic-mn", "kernel", "icmp", "router-channel", "event-text"),
                List.copyOf(r.stepNanos().keySet()));
        assertEquals(io.cxt.testing.EspKernel.skipReason().isEmpty(), r.esp(), "ESP SAs exactly where the kernel has ESP");
        assertEquals(sockets[0], sockets[1], "sockets before/after: the rehearsal's are closed");
        assertEquals(sadBefore, ns.ip("xfrm", "state", "list"), "SAD of the agent's namespace");
        assertEquals(spdBefore, ns.ip("xfrm", "policy", "list"), "SPD of the agent's namespace");
        assertEquals(linksBefore, ns.ip("link", "show"), "links of the agent's namespace (lo stays down here)");
    }

    /**
     * Without CAP_SYS_ADMIN (the systemd unit) the rehearsal runs in the agent's own namespace: every step
     * runs, and afterwards the namespace's SAD, SPD and links are exactly as before; with a policy there that
     * names the rehearsal's own synthetic MN (not the rehearsal's: the kernel refuses its twin), the kernel
     * step stops and that policy stays, and so does everything else.
     */
    @Test
    void withoutUnshareItRehearsesInTheAgentsNamespaceAndLeavesOnlyWhatWasThere(TestNamespace ns) throws Exception {
        ns.ip("link", "set", "lo", "up"); // as in any agent's namespace
        ns.ip("xfrm", "policy", "add", "src", "2001:db8:200::/48", "dst", "2001:db8:100::10/128", "dir", "out",
                "tmpl", "src", "2001:db8:a::1", "dst", "2001:db8:a::10", "proto", "esp", "mode", "tunnel", "reqid", "1");

        ActivationRehearsal.Report clean = rehearseInPlace(ns);
        assertEquals(List.of(), clean.failures(), "steps that failed");
        assertEquals(List.of("rtnetlink", "synthetic-mn", "kernel", "icmp", "router-channel", "event-text"),
                List.copyOf(clean.stepNanos().keySet()));

        ns.ip("xfrm", "policy", "add", "src", "100::100:10/128", "dst", "100::200:0/112", "dir", "fwd",
                "tmpl", "src", "100::a:10", "dst", "2001:db8:a::1", "proto", "esp", "mode", "tunnel", "reqid", "7");
        ActivationRehearsal.Report conflict = rehearseInPlace(ns);
        assertEquals(1, conflict.failures().size(), conflict.failures().toString());
        assertTrue(conflict.failures().get(0).startsWith("kernel: "), conflict.failures().toString());
    }

    /** One in-place rehearsal in {@code ns}; its SAD, SPD and links must be the same before and after. */
    private static ActivationRehearsal.Report rehearseInPlace(TestNamespace ns) throws Exception {
        String sadBefore = ns.ip("xfrm", "state", "list");
        String spdBefore = ns.ip("xfrm", "policy", "list");
        String linksBefore = ns.ip("link", "show");
        AtomicReference<ActivationRehearsal.Report> report = new AtomicReference<>();
        ns.netns().runInside(() -> {
            report.set(ActivationRehearsal.run(Duration.ofSeconds(120), ActivationRehearsal.Where.AGENT_NAMESPACE));
            return 0;
        });
        ActivationRehearsal.Report r = report.get();
        assertEquals(ActivationRehearsal.Where.AGENT_NAMESPACE, r.where());
        assertEquals(sadBefore, ns.ip("xfrm", "state", "list"), "SAD of the agent's namespace");
        assertEquals(spdBefore, ns.ip("xfrm", "policy", "list"), "SPD of the agent's namespace");
        assertEquals(linksBefore, ns.ip("link", "show"), "links of the agent's namespace");
        return r;
    }

    @Test
    void theSystemPropertySwitchesItOff() {
        String old = System.getProperty(ActivationRehearsal.PROPERTY);
        try {
            System.setProperty(ActivationRehearsal.PROPERTY, "false");
            assertFalse(ActivationRehearsal.enabled());
            assertTrue(ActivationRehearsal.atStart("test").isEmpty());
        } finally {
            if (old == null) {
                System.clearProperty(ActivationRehearsal.PROPERTY);
            } else {
                System.setProperty(ActivationRehearsal.PROPERTY, old);
            }
        }
    }
}
