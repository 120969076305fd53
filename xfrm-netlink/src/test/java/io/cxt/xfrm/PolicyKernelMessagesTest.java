package io.cxt.xfrm;

import static io.cxt.xfrm.PolicyFixtures.ip;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import io.cxt.nl.Netlink;
import io.cxt.nl.NetlinkMessage;
import io.cxt.nl.NetlinkSocket;
import io.cxt.nl.NlAttribute;
import io.cxt.testing.Commands;
import io.cxt.testing.NetnsExtension;
import io.cxt.testing.TestNamespace;

/**
 * The kernel's own SPD messages (answers, dumps and multicast notifications) decode, and re-encode
 * in {@link AttributeOrder#KERNEL} to exactly the kernel's bytes.
 */
@ExtendWith(NetnsExtension.class)
class PolicyKernelMessagesTest {

    /** A socket in the namespace that has joined some XFRM multicast groups. */
    static final class Listener implements AutoCloseable {
        private final NetlinkSocket socket;

        Listener(TestNamespace ns, int... groups) throws IOException {
            socket = NetlinkSocket.open(Netlink.NETLINK_XFRM, ns.netns());
            for (int g : groups) {
                socket.joinGroup(g);
            }
            socket.setReceiveTimeoutMillis(100);
        }

        /** The next message of {@code type}, waiting up to 5 s. */
        NetlinkMessage await(int type) throws IOException {
            long deadline = System.nanoTime() + 5_000_000_000L;
            List<NetlinkMessage> got = new ArrayList<>();
            while (System.nanoTime() < deadline) {
                List<NetlinkMessage> batch = new ArrayList<>();
                socket.receive(batch::add);
                for (NetlinkMessage m : batch) {
                    if (m.type() == type) {
                        return m;
                    }
                    got.add(m);
                }
            }
            throw new AssertionError("no " + XfrmMsgType.name(type) + " notification within 5 s; got " + got);
        }

        @Override
        public void close() {
            socket.close();
        }
    }

    /** Equal octets; the kernel may count the alignment padding after a short structure into the payload. */
    private static void assertSameBytes(byte[] kernel, byte[] ours, String what) {
        byte[] padded = kernel.length == Netlink.align(ours.length) ? java.util.Arrays.copyOf(ours, kernel.length) : ours;
        assertEquals(HexFormat.of().formatHex(kernel), HexFormat.of().formatHex(padded), what);
    }

    @Test
    void dumpAndGetAnswersReencodeExactly(TestNamespace ns) throws IOException {
        try (XfrmClient c = XfrmClient.open(ns.netns())) {
            for (SecurityPolicy p : PolicyFixtures.all()) {
                c.policies().add(p);
            }
            List<NetlinkMessage> dump = c.policies().dumpMessages();
            assertEquals(PolicyFixtures.all().size(), dump.size());
            for (NetlinkMessage m : dump) {
                SecurityPolicy p = SecurityPolicy.decode(m.payload());
                assertEquals(List.of(), p.extraAttributes(), "this kernel sends nothing cxt does not know");
                assertSameBytes(m.payload(), p.toBytes(AttributeOrder.KERNEL), p.toString());
                NetlinkMessage answer = c.socket().requestOne(XfrmMsgType.GETPOLICY, 0, p.id().toBytes());
                assertSameBytes(answer.payload(), SecurityPolicy.decode(answer.payload()).toBytes(AttributeOrder.KERNEL),
                        "GET " + p);
            }
        }
    }

    @Test
    void spdInfoAndDefaultAnswersReencodeExactly(TestNamespace ns) throws IOException {
        try (XfrmClient c = XfrmClient.open(ns.netns())) {
            c.policies().add(PolicyFixtures.v4Tcp());
            NetlinkMessage spd = c.socket().requestOne(XfrmMsgType.GETSPDINFO, 0,
                    PolicyOperations.spdInfoRequest().payload());
            SpdInfo info = SpdInfo.decode(spd.payload());
            assertNotNull(info.counts());
            assertNotNull(info.hashInfo());
            assertNotNull(info.ipv4Threshold());
            assertNotNull(info.ipv6Threshold());
            assertEquals(List.of(), info.extraAttributes());
            assertSameBytes(spd.payload(), info.toBytes(), "NEWSPDINFO");

            NetlinkMessage def = c.socket().requestOne(XfrmMsgType.GETDEFAULT, 0,
                    PolicyOperations.getDefaultRequest().payload());
            assertSameBytes(def.payload(), PolicyDefault.decode(def.payload()).toBytes(), "GETDEFAULT");
        }
    }

    @Test
    void policyNotificationsReencodeExactly(TestNamespace ns) throws IOException {
        try (XfrmClient c = XfrmClient.open(ns.netns()); Listener l = new Listener(ns, XfrmMsgType.GRP_POLICY)) {
            SecurityPolicy p = PolicyFixtures.v4UdpSub();
            c.policies().add(p);
            NetlinkMessage added = l.await(XfrmMsgType.NEWPOLICY);
            SecurityPolicy fromEvent = SecurityPolicy.decode(added.payload());
            assertEquals(p.selector(), fromEvent.selector());
            assertEquals(p.templates(), fromEvent.templates());
            assertSameBytes(added.payload(), fromEvent.toBytes(AttributeOrder.KERNEL), "NEWPOLICY notification");

            c.policies().update(p.withPriority(77));
            NetlinkMessage updated = l.await(XfrmMsgType.UPDPOLICY);
            assertEquals(77, SecurityPolicy.decode(updated.payload()).priority());
            assertSameBytes(updated.payload(), SecurityPolicy.decode(updated.payload()).toBytes(AttributeOrder.KERNEL),
                    "UPDPOLICY notification");

            c.policies().delete(p.id());
            NetlinkMessage deleted = l.await(XfrmMsgType.DELPOLICY);
            PolicyId id = PolicyId.decode(deleted.payload());
            assertEquals(p.selector(), id.selector());
            assertEquals(p.direction(), id.direction());
            assertEquals(PolicyType.SUB, id.policyType());
            // the deleted policy rides along as XFRMA_POLICY + XFRMA_TMPL, kept raw
            NlAttribute info = id.extraAttributes().stream().filter(a -> a.type() == XfrmAttrType.POLICY)
                    .findFirst().orElseThrow();
            assertEquals(77, PolicyInfo.decode(info.valueBuffer()).priority());

            c.policies().add(p); // the kernel says nothing when flushing an empty table
            c.policies().flush(PolicyType.SUB);
            NetlinkMessage flushed = l.await(XfrmMsgType.FLUSHPOLICY);
            PolicyFlush f = PolicyFlush.decode(flushed.payload());
            assertEquals(PolicyType.SUB, f.policyType());
            assertSameBytes(flushed.payload(), f.toBytes(), "FLUSHPOLICY notification");
        }
    }

    @Test
    void policyExpireNotificationReencodesExactly(TestNamespace ns) throws IOException {
        try (XfrmClient c = XfrmClient.open(ns.netns()); Listener l = new Listener(ns, XfrmMsgType.GRP_EXPIRE)) {
            SecurityPolicy p = PolicyFixtures.v6Tcp();
            c.policies().add(p);
            c.policies().expire(new PolicyExpire(c.policies().get(p.id()), true));
            NetlinkMessage m = l.await(XfrmMsgType.POLEXPIRE);
            PolicyExpire e = PolicyExpire.decode(m.payload());
            assertTrue(e.hard());
            assertEquals(p.selector(), e.policy().selector());
            assertEquals(p.mark(), e.policy().mark());
            assertEquals(p.templates(), e.policy().templates());
            assertSameBytes(m.payload(), e.toBytes(AttributeOrder.KERNEL), "POLEXPIRE notification");
        }
    }

    @Test
    void acquireForAnOutboundPacketDecodesAndReencodesExactly(TestNamespace ns) throws IOException {
        ns.ip("link", "add", "v0", "type", "veth", "peer", "name", "v1");
        ns.ip("link", "set", "v0", "up");
        ns.ip("link", "set", "v1", "up");
        ns.ip("addr", "add", "10.10.0.1/24", "dev", "v0");
        // a policy with an if_id or a mark would only match traffic of an xfrm interface or with that mark
        SecurityPolicy p = SecurityPolicy.builder(Selector.between(ip("10.10.0.1"), 32, ip("10.10.0.2"), 32),
                        PolicyInfo.DIR_OUT).priority(9).policyType(PolicyType.SUB)
                .template(UserTemplate.tunnel(UserTemplate.PROTO_ESP, ip("10.10.0.1"), ip("10.10.0.2"), 42)).build();
        try (XfrmClient c = XfrmClient.open(ns.netns()); Listener l = new Listener(ns, XfrmMsgType.GRP_ACQUIRE)) {
            c.policies().add(p);
            // no SA matches: the kernel drops the packet and asks the key manager for one
            Commands.exec(List.of("ip", "netns", "exec", ns.name(), "ping", "-c", "1", "-W", "1", "10.10.0.2"), null);
            NetlinkMessage m = l.await(XfrmMsgType.ACQUIRE);
            AcquireEvent a = AcquireEvent.decode(m.payload());
            assertEquals(UserTemplate.PROTO_ESP, a.proto());
            assertEquals(ip("10.10.0.2"), a.daddr());
            assertEquals(ip("10.10.0.1"), a.saddr());
            assertEquals(ip("10.10.0.2"), a.selector().daddr());
            // ping's first flow is the UDP connect() it uses to pick a source address, then ICMP
            assertTrue(a.selector().proto() == PolicyFixtures.UDP || a.selector().proto() == PolicyFixtures.ICMP);
            assertEquals(p.selector(), a.policy().selector());
            assertEquals(p.templates(), a.policy().templates());
            assertEquals(PolicyType.SUB, a.policy().policyType());
            assertFalse(a.seq() == 0);
            assertEquals(UserTemplate.ALL_ALGORITHMS, a.ealgos());
            assertSameBytes(m.payload(), a.toBytes(), "ACQUIRE");
        }
    }

    @Test
    void migrateNotificationReencodesExactly(TestNamespace ns) throws IOException {
        SecurityPolicy p = PolicyFixtures.v6TwoTemplates();
        try (XfrmClient c = XfrmClient.open(ns.netns()); Listener l = new Listener(ns, XfrmMsgType.GRP_MIGRATE)) {
            c.policies().add(p);
            MigrateRequest r = MigrateRequest.of(p.selector(), p.direction(), List.of(
                            UserMigrate.tunnel(UserTemplate.PROTO_ESP, 1, ip("2001:db8::a"), ip("2001:db8::b"),
                                    ip("2001:db8:99::a"), ip("2001:db8:99::b")),
                            UserMigrate.tunnel(UserTemplate.PROTO_COMP, 2, ip("2001:db8::a"), ip("2001:db8::b"),
                                    ip("2001:db8:99::a"), ip("2001:db8:99::b"))))
                    .withKmAddress(KmAddress.of(ip("2001:db8:99::a"), ip("2001:db8:99::b")))
                    .withPolicyType(PolicyType.MAIN);
            c.policies().migrate(r);
            NetlinkMessage m = l.await(XfrmMsgType.MIGRATE);
            MigrateRequest back = MigrateRequest.decode(m.payload());
            assertEquals(r.migrations(), back.migrations());
            assertEquals(r.kmAddress(), back.kmAddress());
            assertEquals(p.selector(), back.selector());
            assertSameBytes(m.payload(), back.toBytes(AttributeOrder.KERNEL), "MIGRATE notification");
            assertArrayEquals(r.toBytes(), back.withPolicyType(PolicyType.MAIN).toBytes());
        }
    }
}
