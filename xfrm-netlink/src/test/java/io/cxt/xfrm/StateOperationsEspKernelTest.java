package io.cxt.xfrm;

import static io.cxt.xfrm.Iproute2SaVectorTest.addr;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.net.InetAddress;
import java.util.ArrayList;
import java.util.List;

import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import io.cxt.nl.Netlink;
import io.cxt.nl.NetlinkErrorException;
import io.cxt.nl.NetlinkMessage;
import io.cxt.nl.NetlinkSocket;
import io.cxt.testing.NetnsExtension;
import io.cxt.testing.TestNamespace;

/**
 * Full SA round trips; they need a kernel with ESP, AES-CBC, HMAC-SHA256 and GCM (the lab kernel,
 * tests/lab). Excluded on the host by the esp-kernel tag.
 */
@Tag("esp-kernel")
@ExtendWith(NetnsExtension.class)
class StateOperationsEspKernelTest {

    private static final InetAddress SRC = addr("10.0.0.1");
    private static final InetAddress DST = addr("10.0.0.2");
    private static final int ESP = XfrmId.PROTO_ESP;

    private static XfrmClient client(TestNamespace ns) throws IOException {
        return XfrmClient.open(ns.netns());
    }

    /** A tunnel SA with an explicit selector, limits, NAT-T, mark and if_id: every field is checkable. */
    private static SecurityAssociation tunnelSa(int spi) {
        Selector sel = new Selector(addr("192.168.2.0"), addr("192.168.1.0"), 0, 0, 0, 0, AddressFamily.INET, 24, 24,
                0, 0, 0);
        LifetimeConfig lft = new LifetimeConfig(1_000_000_000L, 2_000_000_000L, LifetimeConfig.INFINITY,
                LifetimeConfig.INFINITY, 3000, 3600, 0, 0);
        SaInfo info = new SaInfo(sel, new XfrmId(DST, spi, ESP), SRC, lft, LifetimeCurrent.ZERO, SaStats.ZERO, 0, 7,
                AddressFamily.INET, SaInfo.MODE_TUNNEL, 32, 0);
        return SecurityAssociation.builder(info)
                .authTrunc(AuthAlgorithm.of("hmac(sha256)", Iproute2SaVectorTest.SHA256, 128))
                .crypt(Algorithm.of("cbc(aes)", Iproute2SaVectorTest.AES128))
                .encap(new EncapTemplate(EncapTemplate.ESPINUDP, 4500, 4501, addr("0.0.0.0")))
                .mark(new Mark(0x10, 0xff))
                .ifId(42)
                .build();
    }

    @Test
    void tunnelEspSaComesBackFieldByField(TestNamespace ns) throws IOException {
        SecurityAssociation sa = tunnelSa(0x1000);
        try (XfrmClient c = client(ns)) {
            c.states().add(sa);
            NetlinkMessage raw = c.socket().requestOne(XfrmMsgType.GETSA, 0, sa.key().toBytes());
            SecurityAssociation got = SecurityAssociation.decode(raw.payload());
            assertArrayEquals(raw.payload(), got.toBytes(), "the kernel's SA re-encodes to the same bytes");

            SaInfo i = got.info();
            assertEquals(sa.info().selector(), i.selector());
            assertEquals(sa.info().id(), i.id());
            assertEquals(SRC, i.saddr());
            assertEquals(sa.info().lifetime(), i.lifetime());
            assertEquals(0, i.current().bytes());
            assertTrue(i.current().addTime() > 0);
            assertEquals(SaStats.ZERO, i.stats());
            assertEquals(7, i.reqid());
            assertEquals(AddressFamily.INET, i.family());
            assertEquals(SaInfo.MODE_TUNNEL, i.mode());
            assertEquals(32, i.replayWindow());
            assertEquals(0, i.flags());

            assertEquals(sa.crypt(), got.crypt());
            assertEquals(sa.authTrunc(), got.authTrunc());
            // the kernel reports the integrity algorithm both untruncated and truncated
            assertEquals(Algorithm.of("hmac(sha256)", Iproute2SaVectorTest.SHA256), got.auth());
            assertNull(got.aead());
            assertEquals(sa.encap(), got.encap());
            assertEquals(sa.mark(), got.mark());
            assertEquals(42, got.ifId());
            assertEquals(ReplayState.ZERO, got.replay());
            assertNull(got.replayEsn());
            assertEquals(List.of(), got.unknownAttributes());

            assertEquals(got, c.states().get(sa.key()));
            assertEquals(List.of(got), c.states().dump());
            assertEquals("EEXIST", assertThrows(NetlinkErrorException.class, () -> c.states().add(sa)).errnoName());
            c.states().delete(sa.key());
            assertEquals(List.of(), c.states().dump());
        }
    }

    @Test
    void aeadAndIpv6SasRoundTrip(TestNamespace ns) throws IOException {
        try (XfrmClient c = client(ns)) {
            SecurityAssociation aead = Iproute2SaVectorTest.espAeadRfc4106();
            c.states().add(aead);
            SecurityAssociation got = c.states().get(aead.key());
            assertEquals(aead.aead(), got.aead());
            assertNull(got.crypt());

            SecurityAssociation v6 = Iproute2SaVectorTest.espIpv6EncapMarkIfId();
            c.states().add(v6);
            SecurityAssociation got6 = c.states().get(v6.key());
            assertEquals(v6.info().id(), got6.info().id());
            assertEquals(v6.source(), got6.source());
            assertEquals(v6.encap(), got6.encap());
            assertEquals(v6.mark(), got6.mark());
            assertEquals(v6.ifId(), got6.ifId());
            assertEquals(v6.crypt(), got6.crypt());
            assertEquals(v6.authTrunc(), got6.authTrunc());
            assertEquals(2, c.states().sadInfo().saCount());
        }
    }

    @Test
    void newAeSetsOseqAndGetAeReadsItBack(TestNamespace ns) throws IOException {
        SecurityAssociation sa = tunnelSa(0x2000);
        try (XfrmClient c = client(ns)) {
            c.states().add(sa);
            ReplayLifetimeState before = c.states().getReplayLifetime(sa.key());
            assertEquals(ReplayState.ZERO, before.replay());
            ReplayLifetimeState set = before.withReplay(new ReplayState(1000, 500, 0xff))
                    .withLifetime(new LifetimeCurrent(12345, 10, before.lifetime().addTime(), 0));
            c.states().setReplayLifetime(set);
            ReplayLifetimeState after = c.states().getReplayLifetime(sa.key());
            assertEquals(new ReplayState(1000, 500, 0xff), after.replay());
            assertEquals(12345, after.lifetime().bytes());
            assertEquals(10, after.lifetime().packets());
            assertEquals(new ReplayState(1000, 500, 0xff), c.states().get(sa.key()).replay());
            // NEWAE without NLM_F_REPLACE is refused by the kernel
            NetlinkErrorException e = assertThrows(NetlinkErrorException.class,
                    () -> c.socket().request(XfrmMsgType.NEWAE, 0, set.toBytes()));
            assertEquals("EINVAL", e.errnoName());
        }
    }

    @Test
    void newAeSetsEsnSequenceNumbers(TestNamespace ns) throws IOException {
        SecurityAssociation base = tunnelSa(0x3000);
        SecurityAssociation sa = base.withInfo(base.info().withReplayWindow(0).withFlags(SaInfo.FLAG_ESN))
                .withReplayEsn(ReplayStateEsn.forWindow(128, 0, 0, 0, 0));
        try (XfrmClient c = client(ns)) {
            c.states().add(sa);
            ReplayLifetimeState before = c.states().getReplayLifetime(sa.key());
            assertNotNull(before.replayEsn());
            assertEquals(4, before.replayEsn().bmpLen());
            ReplayStateEsn esn = before.replayEsn().withSequences(0x1_0000_0005L, 0x1_0000_0003L);
            c.states().setReplayLifetime(before.withReplayEsn(esn).withReplay(null));
            ReplayLifetimeState after = c.states().getReplayLifetime(sa.key());
            assertEquals(0x1_0000_0005L, after.replayEsn().outboundSequence());
            assertEquals(0x1_0000_0003L, after.replayEsn().inboundSequence());
            assertEquals(128, after.replayEsn().replayWindow());
        }
    }

    @Test
    void updateCompletesALarvalSaFromAllocSpi(TestNamespace ns) throws IOException {
        try (XfrmClient c = client(ns)) {
            SecurityAssociation larval = c.states().allocSpi(SRC, DST, ESP, 7, SaInfo.MODE_TUNNEL, new Mark(0x10, 0xff),
                    42, 0x100, 0xfff);
            SecurityAssociation full = tunnelSa(larval.spi());
            c.states().update(full);
            List<SecurityAssociation> all = c.states().dump();
            assertEquals(1, all.size());
            assertEquals(full.crypt(), all.get(0).crypt());
            assertEquals(larval.spi(), all.get(0).spi());
        }
    }

    @Test
    void addAllAddsManySasInBatches(TestNamespace ns) throws IOException {
        List<SecurityAssociation> sas = new ArrayList<>();
        for (int i = 0; i < 300; i++) {
            sas.add(tunnelSa(0x10000 + i));
        }
        try (XfrmClient c = client(ns)) {
            assertEquals(List.of(), c.states().addAll(sas));
            List<NetlinkMessage> raw = c.socket().dump(XfrmMsgType.GETSA, new byte[0], m -> m);
            assertEquals(300, raw.size());
            for (NetlinkMessage m : raw) {
                assertArrayEquals(m.payload(), SecurityAssociation.decode(m.payload()).toBytes());
            }
            // adding them again: every one exists already
            List<XfrmFailure> again = c.states().addAll(sas.subList(0, 3));
            assertEquals(List.of("EEXIST", "EEXIST", "EEXIST"), again.stream().map(f -> f.cause().errnoName()).toList());
        }
    }

    @Test
    void expireNotificationsDecodeAndReEncode(TestNamespace ns) throws IOException {
        SecurityAssociation base = tunnelSa(0x4000);
        SecurityAssociation sa = base.withInfo(base.info().withLifetime(new LifetimeConfig(LifetimeConfig.INFINITY,
                LifetimeConfig.INFINITY, LifetimeConfig.INFINITY, LifetimeConfig.INFINITY, 1, 2, 0, 0)));
        try (XfrmClient c = client(ns); NetlinkSocket monitor = NetlinkSocket.open(Netlink.NETLINK_XFRM, ns.netns())) {
            monitor.joinGroup(XfrmMsgType.GRP_EXPIRE);
            monitor.setReceiveTimeoutMillis(500);
            c.states().add(sa);
            List<SaExpire> expires = new ArrayList<>();
            long deadline = System.nanoTime() + 10_000_000_000L;
            while (System.nanoTime() < deadline && expires.stream().noneMatch(SaExpire::isHard)) {
                monitor.receive(m -> {
                    if (m.type() == XfrmMsgType.EXPIRE) {
                        SaExpire e = SaExpire.decode(m.payload());
                        assertArrayEquals(m.payload(), e.toBytes());
                        expires.add(e);
                    }
                });
            }
            assertTrue(expires.stream().anyMatch(e -> !e.isHard()), "soft expire");
            assertTrue(expires.stream().anyMatch(SaExpire::isHard), "hard expire");
            assertEquals(0x4000, expires.get(0).state().id().spi());
            assertEquals(sa.mark(), expires.get(0).mark());
            assertEquals(42, expires.get(0).ifId());
        }
    }
}
