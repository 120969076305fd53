package io.cxt.xfrm;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.net.InetAddress;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import io.cxt.testing.Commands;
import io.cxt.testing.NetnsExtension;
import io.cxt.testing.TestNamespace;

/**
 * XfrmMonitor against the kernel: a monitor runs on its own thread while the test changes the SAD
 * and SPD with iproute2, and each change must arrive as the right typed event.
 */
@ExtendWith(NetnsExtension.class)
class XfrmMonitorKernelTest {

    private final BlockingQueue<XfrmEvent> events = new LinkedBlockingQueue<>();
    private final AtomicReference<Throwable> failure = new AtomicReference<>();
    private XfrmClient client;
    private XfrmMonitor monitor;
    private Thread thread;

    private void start(TestNamespace ns, int... groups) throws IOException {
        client = XfrmClient.open(ns.netns());
        monitor = groups.length == 0 ? XfrmMonitor.open(client) : XfrmMonitor.open(client, groups);
        thread = new Thread(() -> {
            try {
                monitor.run(events::add);
            } catch (Throwable t) {
                failure.set(t);
            }
        }, "xfrm-monitor-test");
        thread.start();
    }

    @AfterEach
    void stop() throws InterruptedException {
        if (monitor != null) {
            monitor.stop();
            thread.join(5000);
            monitor.close();
        }
        if (client != null) {
            client.close();
        }
    }

    private <T extends XfrmEvent> T next(Class<T> type) throws InterruptedException {
        XfrmEvent e = events.poll(5, TimeUnit.SECONDS);
        assertNotNull(e, "no event within 5 s (expected " + type.getSimpleName() + ")"
                + (failure.get() == null ? "" : "; monitor failed: " + failure.get()));
        return assertInstanceOf(type, e, "expected " + type.getSimpleName() + ", got " + e);
    }

    private static InetAddress a(String s) throws IOException {
        return InetAddress.getByName(s);
    }

    @Test
    void policyAddUpdateDeleteAndFlushArriveTyped(TestNamespace ns) throws Exception {
        start(ns);
        ns.ip("xfrm", "policy", "add", "src", "10.0.0.0/24", "dst", "10.1.0.0/24", "dir", "out", "priority", "100",
                "mark", "7", "if_id", "3", "tmpl", "src", "192.0.2.1", "dst", "192.0.2.2", "proto", "esp", "reqid", "5",
                "mode", "tunnel");
        XfrmEvent.PolicyAdded added = next(XfrmEvent.PolicyAdded.class);
        SecurityPolicy p = added.policy();
        assertEquals(PolicyInfo.DIR_OUT, p.direction());
        assertEquals(100, p.priority());
        assertEquals(new Mark(7, -1), p.mark());
        assertEquals(3, p.ifId());
        assertEquals(Selector.between(a("10.0.0.0"), 24, a("10.1.0.0"), 24), p.selector());
        assertEquals(1, p.templates().size());
        assertEquals(a("192.0.2.2"), p.templates().get(0).daddr());
        assertEquals(5, p.templates().get(0).reqid());

        ns.ip("xfrm", "policy", "update", "src", "10.0.0.0/24", "dst", "10.1.0.0/24", "dir", "out", "priority", "101",
                "mark", "7", "if_id", "3", "tmpl", "src", "192.0.2.1", "dst", "192.0.2.2", "proto", "esp", "reqid", "5",
                "mode", "tunnel");
        XfrmEvent.PolicyUpdated updated = next(XfrmEvent.PolicyUpdated.class);
        assertEquals(101, updated.policy().priority());
        assertEquals(p.index(), updated.policy().index());

        ns.ip("xfrm", "policy", "delete", "src", "10.0.0.0/24", "dst", "10.1.0.0/24", "dir", "out", "mark", "7",
                "if_id", "3");
        XfrmEvent.PolicyDeleted deleted = next(XfrmEvent.PolicyDeleted.class);
        assertEquals(PolicyInfo.DIR_OUT, deleted.id().direction());
        assertEquals(p.selector(), deleted.id().selector());
        assertEquals(101, deleted.policy().priority());
        assertEquals(p.templates(), deleted.policy().templates());
        assertEquals(new Mark(7, -1), deleted.id().mark());

        ns.ip("xfrm", "policy", "add", "src", "10.0.0.0/24", "dst", "10.1.0.0/24", "dir", "in");
        assertEquals(PolicyInfo.DIR_IN, next(XfrmEvent.PolicyAdded.class).policy().direction());
        ns.ip("xfrm", "policy", "add", "src", "10.0.0.0/24", "dst", "10.1.0.0/24", "dir", "in", "ptype", "sub");
        assertEquals(PolicyType.SUB, next(XfrmEvent.PolicyAdded.class).policy().policyType());

        ns.ip("xfrm", "policy", "flush");
        assertEquals(PolicyType.MAIN, next(XfrmEvent.PoliciesFlushed.class).policyType());
        ns.ip("xfrm", "policy", "flush", "ptype", "sub");
        assertEquals(PolicyType.SUB, next(XfrmEvent.PoliciesFlushed.class).policyType());
        assertTrue(events.isEmpty(), "no further events: " + events);
    }

    @Test
    void allocspiIsSilentButDeleteAndFlushOfLarvalSasAreSeen(TestNamespace ns) throws Exception {
        start(ns);
        ns.ip("xfrm", "state", "allocspi", "src", "192.0.2.1", "dst", "192.0.2.2", "proto", "esp", "mode", "tunnel",
                "reqid", "9", "min", "0x1000", "max", "0x1000");
        // a policy change as a fence: had ALLOCSPI been notified, its event would come first
        ns.ip("xfrm", "policy", "add", "src", "10.9.0.0/16", "dst", "10.8.0.0/16", "dir", "fwd");
        next(XfrmEvent.PolicyAdded.class);

        ns.ip("xfrm", "state", "delete", "src", "192.0.2.1", "dst", "192.0.2.2", "proto", "esp", "spi", "0x1000");
        XfrmEvent.SaDeleted d = next(XfrmEvent.SaDeleted.class);
        assertEquals(0x1000, d.id().spi());
        assertEquals(XfrmId.PROTO_ESP, d.id().proto());
        assertEquals(a("192.0.2.2"), d.id().daddr());
        assertEquals(0x1000, d.sa().spi());
        assertEquals(9, d.sa().reqid());
        assertEquals(SaInfo.MODE_TUNNEL, d.sa().info().mode());
        assertEquals(a("192.0.2.1"), d.sa().source());

        ns.ip("xfrm", "state", "allocspi", "src", "192.0.2.1", "dst", "192.0.2.3", "proto", "esp");
        ns.ip("xfrm", "state", "allocspi", "src", "2001:db8::1", "dst", "2001:db8::2", "proto", "esp");
        ns.ip("xfrm", "state", "flush");
        XfrmEvent.SasFlushed f = next(XfrmEvent.SasFlushed.class);
        // iproute2 asks for IPSEC_PROTO_ANY; the kernel's notification carries 0 (flush of everything)
        assertTrue(f.proto() == 0 || f.proto() == XfrmId.PROTO_IPSEC_ANY, "proto " + f.proto());
        assertTrue(events.isEmpty(), "no further events: " + events);
    }

    @Test
    void defaultPolicyChangeAndPolicyExpireAreSeen(TestNamespace ns) throws Exception {
        start(ns);
        ns.ip("xfrm", "policy", "setdefault", "in", "block");
        XfrmEvent.DefaultPolicyChanged d = next(XfrmEvent.DefaultPolicyChanged.class);
        assertEquals(PolicyDefault.BLOCK, d.defaults().in());
        assertEquals(PolicyDefault.ACCEPT, d.defaults().out());

        SecurityPolicy p = SecurityPolicy.builder(Selector.between(a("10.2.0.0"), 16, a("10.3.0.0"), 16),
                PolicyInfo.DIR_OUT).priority(5).build();
        client.policies().add(p);
        SecurityPolicy added = next(XfrmEvent.PolicyAdded.class).policy();
        client.policies().expire(new PolicyExpire(added, false));
        XfrmEvent.PolicyExpired x = next(XfrmEvent.PolicyExpired.class);
        assertFalse(x.expire().hard());
        assertEquals(added.index(), x.expire().policy().index());
        assertEquals(5, x.expire().policy().priority());
    }

    @Test
    void onlyTheJoinedGroupsAreHeard(TestNamespace ns) throws Exception {
        start(ns, XfrmMsgType.GRP_SA);
        ns.ip("xfrm", "policy", "add", "src", "10.0.0.0/24", "dst", "10.1.0.0/24", "dir", "out");
        ns.ip("xfrm", "state", "allocspi", "src", "192.0.2.1", "dst", "192.0.2.2", "proto", "ah", "min", "0x300",
                "max", "0x300");
        ns.ip("xfrm", "state", "delete", "src", "192.0.2.1", "dst", "192.0.2.2", "proto", "ah", "spi", "0x300");
        XfrmEvent.SaDeleted d = next(XfrmEvent.SaDeleted.class);
        assertEquals(XfrmId.PROTO_AH, d.sa().proto());
        assertEquals(List.of(XfrmMsgType.GRP_SA), java.util.Arrays.stream(monitor.groups()).boxed().toList());
    }

    @Test
    void acquireForTrafficWithoutAnSa(TestNamespace ns) throws Exception {
        ns.ip("link", "add", "v0", "type", "veth", "peer", "name", "v1");
        ns.ip("addr", "add", "10.9.9.1/24", "dev", "v0");
        ns.ip("link", "set", "v0", "up");
        ns.ip("link", "set", "v1", "up");
        ns.ip("xfrm", "policy", "add", "src", "10.9.9.1/32", "dst", "10.9.9.9/32", "dir", "out", "tmpl", "src",
                "10.9.9.1", "dst", "10.9.9.9", "proto", "esp", "reqid", "4", "mode", "tunnel");
        start(ns, XfrmMsgType.GRP_ACQUIRE);
        // the packet cannot leave (no SA); the kernel asks the key manager for one
        Commands.exec(List.of("ip", "netns", "exec", ns.name(), "ping", "-c", "1", "-W", "1", "10.9.9.9"), null);
        XfrmEvent.Acquire acq = next(XfrmEvent.Acquire.class);
        assertEquals(XfrmId.PROTO_ESP, acq.acquire().proto());
        assertEquals(a("10.9.9.9"), acq.acquire().daddr());
        assertEquals(a("10.9.9.1"), acq.acquire().saddr());
        assertEquals(4, acq.acquire().policy().templates().get(0).reqid());
        assertEquals(a("10.9.9.9"), acq.acquire().selector().daddr());
    }

    @Test
    void stopEndsRunWithinThePollInterval(TestNamespace ns) throws Exception {
        start(ns);
        long t0 = System.nanoTime();
        monitor.stop();
        thread.join(5000);
        assertFalse(thread.isAlive(), "run() returned after stop()");
        assertTrue(System.nanoTime() - t0 < TimeUnit.SECONDS.toNanos(2));
        assertTrue(failure.get() == null, "no failure: " + failure.get());
    }
}
