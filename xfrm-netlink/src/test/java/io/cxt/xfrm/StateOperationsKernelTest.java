package io.cxt.xfrm;

import static io.cxt.xfrm.Iproute2SaVectorTest.addr;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.net.InetAddress;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.function.Executable;

import io.cxt.nl.NetlinkErrorException;
import io.cxt.nl.NetlinkMessage;
import io.cxt.nl.NetlinkRequest;
import io.cxt.nl.NetlinkSocket;
import io.cxt.testing.NetnsExtension;
import io.cxt.testing.TestNamespace;

/**
 * StateOperations against the host kernel, in throw-away namespaces. The host has XFRM but no
 * ESP, AH or IPCOMP, and no AEAD cipher: adding an ESP SA gets through attribute parsing and
 * validation and stops at the protocol lookup (EPROTONOSUPPORT), or at the AEAD algorithm lookup
 * (ENOSYS). ALLOCSPI needs no protocol, so larval SAs exercise get, delete, dump, flush, GETAE and
 * SADINFO for real.
 */
@ExtendWith(NetnsExtension.class)
class StateOperationsKernelTest {

    private static final InetAddress SRC = addr("10.0.0.1");
    private static final InetAddress DST = addr("10.0.0.2");
    private static final InetAddress DST2 = addr("10.0.0.3");
    private static final InetAddress SRC6 = addr("2001:db8::1");
    private static final InetAddress DST6 = addr("2001:db8::2");
    private static final int ESP = XfrmId.PROTO_ESP;

    private static XfrmClient client(TestNamespace ns) throws IOException {
        return XfrmClient.open(ns.netns());
    }

    private static NetlinkErrorException refused(Executable op) {
        return assertThrows(NetlinkErrorException.class, op);
    }

    private static void assertRefusedAtProtocolLookup(Executable op) {
        NetlinkErrorException e = refused(op);
        assertEquals("EPROTONOSUPPORT", e.errnoName(), e.getMessage());
        assertEquals("Requested type not found", e.extAck());
    }

    /** SPIs in {@code ip -n NS xfrm state} output. */
    private static Set<Integer> spisShownByIproute2(TestNamespace ns) {
        Matcher m = Pattern.compile("proto esp spi 0x([0-9a-f]{8})").matcher(ns.ip("xfrm", "state"));
        Set<Integer> spis = new TreeSet<>();
        while (m.find()) {
            spis.add(Integer.parseUnsignedInt(m.group(1), 16));
        }
        return spis;
    }

    private static Set<Integer> spis(List<SecurityAssociation> sas) {
        return sas.stream().map(SecurityAssociation::spi).collect(Collectors.toCollection(TreeSet::new));
    }

    // ------------------------------------------------------------------ NEWSA / UPDSA reach the kernel

    @Test
    void ipv4EspSaIsAcceptedUpToTheMissingEspProtocol(TestNamespace ns) throws IOException {
        try (XfrmClient c = client(ns)) {
            assertRefusedAtProtocolLookup(() -> c.states().add(Iproute2SaVectorTest.espTunnelCbcAesHmacSha256()));
            assertEquals(List.of(), c.states().dump(), "nothing was added");
        }
    }

    @Test
    void ipv6EspSaWithEncapMarkAndIfIdIsAcceptedUpToTheMissingEspProtocol(TestNamespace ns) throws IOException {
        try (XfrmClient c = client(ns)) {
            assertRefusedAtProtocolLookup(() -> c.states().add(Iproute2SaVectorTest.espIpv6EncapMarkIfId()));
        }
    }

    @Test
    void esnSasWithDirectionAndExtrasAreAcceptedUpToTheMissingEspProtocol(TestNamespace ns) throws IOException {
        SecurityAssociation base = Iproute2SaVectorTest.espTunnelCbcAesHmacSha256();
        SaInfo esn = base.info().withFlags(SaInfo.FLAG_ESN);
        // an inbound SA with the largest replay window there is
        SecurityAssociation in = base.withInfo(esn).with(b -> b
                .replayEsn(ReplayStateEsn.forWindow(ReplayStateEsn.MAX_WINDOW, 0, 0, 0, 0))
                .saDir(SecurityAssociation.DIR_IN)
                .replayThresh(10).etimerThresh(20)
                .ltimeVal(new LifetimeCurrent(0, 0, 1000, 0)));
        // an outbound SA: no replay window nor bitmap there (the kernel insists), but padding, output mark, flags
        SecurityAssociation out = base.withInfo(esn).with(b -> b
                .replayEsn(ReplayStateEsn.forWindow(0, 0, 0, 0, 0))
                .saDir(SecurityAssociation.DIR_OUT)
                .setMark(0x100).setMarkMask(0xf00)
                .tfcPad(32)
                .saExtraFlags(SecurityAssociation.XFLAG_OSEQ_MAY_WRAP | SecurityAssociation.XFLAG_DONT_ENCAP_DSCP));
        try (XfrmClient c = client(ns)) {
            assertRefusedAtProtocolLookup(() -> c.states().add(in));
            assertRefusedAtProtocolLookup(() -> c.states().add(out));
            NetlinkErrorException windowOnOutput = refused(() -> c.states().add(in.withSaDir(SecurityAssociation.DIR_OUT)));
            assertEquals("EINVAL", windowOnOutput.errnoName());
            assertEquals("Replay window should be 0 for output SA", windowOnOutput.extAck());
        }
    }

    /** The control for the tests above: a broken SA is refused earlier, with EINVAL. */
    @Test
    void invalidSaIsRefusedBeforeTheProtocolLookup(TestNamespace ns) throws IOException {
        SecurityAssociation sa = Iproute2SaVectorTest.espTunnelCbcAesHmacSha256();
        SecurityAssociation esnWithoutState = sa.withInfo(sa.info().withFlags(SaInfo.FLAG_ESN));
        SecurityAssociation aeadAndCrypt = sa.with(b -> b.aead(AeadAlgorithm.of("rfc4106(gcm(aes))",
                Iproute2SaVectorTest.GCM128_SALT, 128)));
        try (XfrmClient c = client(ns)) {
            assertEquals("EINVAL", refused(() -> c.states().add(esnWithoutState)).errnoName());
            assertEquals("EINVAL", refused(() -> c.states().add(aeadAndCrypt)).errnoName());
            NetlinkErrorException unknownCipher = refused(() -> c.states().add(
                    sa.with(b -> b.crypt(Algorithm.of("no-such-cipher", Iproute2SaVectorTest.AES128)))));
            assertEquals("ENOSYS", unknownCipher.errnoName());
        }
    }

    /**
     * This host kernel has no AEAD template (no gcm, ccm or chacha20poly1305), so an AEAD SA stops at
     * the algorithm lookup: the kernel read our XFRMA_ALG_AEAD and looked its name up.
     */
    @Test
    void aeadSaReachesTheAeadAlgorithmLookup(TestNamespace ns) throws IOException {
        try (XfrmClient c = client(ns)) {
            for (SecurityAssociation sa : List.of(Iproute2SaVectorTest.espAeadRfc4106(),
                    Iproute2SaVectorTest.espAeadRfc4106().withAddresses(SRC6, DST6))) {
                NetlinkErrorException e = refused(() -> c.states().add(sa));
                assertEquals("ENOSYS", e.errnoName(), e.getMessage());
                assertEquals("Requested AEAD algorithm not found", e.extAck());
            }
        }
    }

    @Test
    void updateOfALarvalSaReachesTheProtocolLookup(TestNamespace ns) throws IOException {
        try (XfrmClient c = client(ns)) {
            SecurityAssociation larval = c.states().allocSpi(SRC, DST, ESP, 7, SaInfo.MODE_TUNNEL, null, null, 0x100, 0x1ff);
            SecurityAssociation full = Iproute2SaVectorTest.espTunnelCbcAesHmacSha256().withSpi(larval.spi());
            assertRefusedAtProtocolLookup(() -> c.states().update(full));
            assertEquals(List.of(larval.spi()), c.states().dump().stream().map(SecurityAssociation::spi).toList(),
                    "the larval SA is still there");
        }
    }

    @Test
    void addAllReportsEachRefusalByIndex(TestNamespace ns) throws IOException {
        SecurityAssociation good = Iproute2SaVectorTest.espTunnelCbcAesHmacSha256();
        SecurityAssociation bad = good.withInfo(good.info().withFlags(SaInfo.FLAG_ESN));
        try (XfrmClient c = client(ns)) {
            List<XfrmFailure> f = c.states().addAll(List.of(good, bad, good.withSpi(0x2000)));
            assertEquals(List.of(0, 1, 2), f.stream().map(XfrmFailure::index).toList());
            assertEquals(List.of("EPROTONOSUPPORT", "EINVAL", "EPROTONOSUPPORT"),
                    f.stream().map(x -> x.cause().errnoName()).toList());
        }
    }

    // ------------------------------------------------------------------ ALLOCSPI and larval SAs

    @Test
    void allocSpiPicksAnSpiInTheRangeAndReportsTheLarvalSa(TestNamespace ns) throws IOException {
        try (XfrmClient c = client(ns)) {
            AllocSpiRequest req = AllocSpiRequest.of(SRC, DST, ESP, 5, SaInfo.MODE_TUNNEL, new Mark(7, 0xff), 9,
                    0x1000, 0x10ff);
            NetlinkMessage reply = c.socket().requestOne(XfrmMsgType.ALLOCSPI, 0, req.toBytes());
            assertEquals(XfrmMsgType.NEWSA, reply.type());
            SecurityAssociation sa = SecurityAssociation.decode(reply.payload());
            assertArrayEquals(reply.payload(), sa.toBytes(), "the kernel's message re-encodes to the same bytes");
            assertTrue(sa.spi() >= 0x1000 && sa.spi() <= 0x10ff, "SPI 0x" + Integer.toHexString(sa.spi()));
            assertEquals(SRC, sa.source());
            assertEquals(DST, sa.destination());
            assertEquals(AddressFamily.INET, sa.family());
            assertEquals(ESP, sa.proto());
            assertEquals(5, sa.reqid());
            assertEquals(SaInfo.MODE_TUNNEL, sa.info().mode());
            assertEquals(new Mark(7, 0xff), sa.mark());
            assertEquals(9, sa.ifId());
            assertEquals(ReplayState.ZERO, sa.replay(), "the kernel always reports the replay state");
            // the kernel gives a larval SA host selectors and the acquire timeout as hard lifetime
            assertEquals(32, sa.info().selector().prefixlenD());
            assertEquals(32, sa.info().selector().prefixlenS());
            assertTrue(sa.info().lifetime().hardAddExpiresSeconds() > 0);
            assertTrue(sa.info().current().addTime() > 0);
        }
    }

    @Test
    void allocSpiWithDirectionAndPcpuComesBackInKernelOrder(TestNamespace ns) throws IOException {
        try (XfrmClient c = client(ns)) {
            AllocSpiRequest req = AllocSpiRequest.of(SRC, DST, ESP, 5, SaInfo.MODE_TUNNEL, new Mark(7, 0xff), 9,
                    0x1000, 0x10ff).withSaDir(SecurityAssociation.DIR_IN).withPcpu(0);
            NetlinkMessage reply = c.socket().requestOne(XfrmMsgType.ALLOCSPI, 0, req.toBytes());
            SecurityAssociation sa = SecurityAssociation.decode(reply.payload());
            assertEquals(SecurityAssociation.DIR_IN, sa.saDir());
            assertEquals(0, sa.pcpu());
            assertEquals(List.of(XfrmAttrType.MARK, XfrmAttrType.REPLAY_VAL, XfrmAttrType.IF_ID, XfrmAttrType.SA_PCPU,
                    XfrmAttrType.SA_DIR), sa.attributes().stream().map(a -> a.kind()).toList());
            assertArrayEquals(reply.payload(), sa.toBytes());
            // out-of-range direction: the kernel's attribute policy refuses it
            NetlinkErrorException e = refused(() -> c.states().allocSpi(req.withSaDir(3)));
            assertEquals("ERANGE", e.errnoName());
        }
    }

    @Test
    void exactAllocSpiGetsThatSpiInBothFamilies(TestNamespace ns) throws IOException {
        try (XfrmClient c = client(ns)) {
            assertEquals(0x12345, c.states().allocSpi(SRC, DST, ESP, 1, SaInfo.MODE_TUNNEL, null, null, 0x12345, 0x12345).spi());
            SecurityAssociation v6 = c.states().allocSpi(SRC6, DST6, ESP, 1, SaInfo.MODE_TUNNEL, null, null,
                    0xc0ffee, 0xc0ffee);
            assertEquals(0xc0ffee, v6.spi());
            assertEquals(AddressFamily.INET6, v6.family());
            assertEquals(DST6, v6.destination());
            assertEquals(Set.of(0x12345, 0xc0ffee), spisShownByIproute2(ns));
        }
    }

    /**
     * What 6.18 does with a second exact ALLOCSPI of an SPI in use for the same destination and
     * protocol: ENOENT with "No SPI available in the requested range", whatever the source or reqid.
     * The acquire state it made for the request stays behind with SPI 0 (until the acquire
     * timeout), and a later ALLOCSPI with the same parameters reuses it.
     */
    @Test
    void secondExactAllocSpiOfAnSpiInUseIsRefused(TestNamespace ns) throws IOException {
        try (XfrmClient c = client(ns)) {
            StateOperations s = c.states();
            assertEquals(0x5000, s.allocSpi(SRC, DST, ESP, 1, SaInfo.MODE_TUNNEL, null, null, 0x5000, 0x5000).spi());
            for (InetAddress src : List.of(SRC, addr("10.0.0.9"))) {
                NetlinkErrorException e = refused(() -> s.allocSpi(src, DST, ESP, 1, SaInfo.MODE_TUNNEL, null, null,
                        0x5000, 0x5000));
                assertEquals("ENOENT", e.errnoName());
                assertEquals("No SPI available in the requested range", e.extAck());
            }
            List<SecurityAssociation> all = s.dump();
            assertEquals(new TreeSet<>(List.of(0, 0x5000)), spis(all));
            assertEquals(3, all.size(), "one larval SA per refused request's parameters, SPI 0");
            // same parameters as a leftover: it gets the SPI now
            assertEquals(0x6000, s.allocSpi(SRC, DST, ESP, 1, SaInfo.MODE_TUNNEL, null, null, 0x6000, 0x6000).spi());
            assertEquals(3, s.dump().size());
        }
    }

    @Test
    void allocSpiRefusesAnEmptyRange(TestNamespace ns) throws IOException {
        try (XfrmClient c = client(ns)) {
            NetlinkErrorException e = refused(() -> c.states().allocSpi(SRC, DST, ESP, 1, SaInfo.MODE_TUNNEL, null,
                    null, 0x200, 0x100));
            assertEquals("EINVAL", e.errnoName());
            assertEquals("Invalid SPI range: min > max", e.extAck());
        }
    }

    @Test
    void larvalSasAppearInDumpAndInIproute2Output(TestNamespace ns) throws IOException {
        try (XfrmClient c = client(ns)) {
            Set<Integer> allocated = new TreeSet<>();
            for (int i = 0; i < 5; i++) {
                allocated.add(c.states().allocSpi(SRC, addr("10.0.1." + i), ESP, i, SaInfo.MODE_TUNNEL, null, null,
                        0x100, 0xfffff).spi());
            }
            allocated.add(c.states().allocSpi(SRC6, DST6, ESP, 1, SaInfo.MODE_TRANSPORT, null, null, 0x100, 0xfffff).spi());
            assertEquals(6, allocated.size());
            assertEquals(allocated, spis(c.states().dump()));
            assertEquals(allocated, spisShownByIproute2(ns));
        }
    }

    @Test
    void dumpFiltersByAddressFamilyAndProtocolInTheKernel(TestNamespace ns) throws IOException {
        try (XfrmClient c = client(ns)) {
            StateOperations s = c.states();
            int toDst = s.allocSpi(SRC, DST, ESP, 1, SaInfo.MODE_TUNNEL, null, null, 0x100, 0x100).spi();
            int toDst2 = s.allocSpi(SRC, DST2, ESP, 1, SaInfo.MODE_TUNNEL, null, null, 0x200, 0x200).spi();
            int v6 = s.allocSpi(SRC6, DST6, ESP, 1, SaInfo.MODE_TUNNEL, null, null, 0x300, 0x300).spi();
            assertEquals(Set.of(toDst), spis(s.dump(AddressFilter.of(SRC, 32, DST, 32), null)));
            assertEquals(Set.of(toDst, toDst2), spis(s.dump(AddressFilter.of(SRC, 32, addr("10.0.0.0"), 24), null)));
            assertEquals(Set.of(v6), spis(s.dump(new AddressFilter(addr("::"), addr("::"), AddressFamily.INET6, 0, 0),
                    null)));
            assertEquals(Set.of(toDst, toDst2, v6), spis(s.dump(AddressFilter.ANY, null)));
            assertEquals(Set.of(toDst, toDst2, v6), spis(s.dump(null, ESP)));
            assertEquals(Set.of(), spis(s.dump(null, XfrmId.PROTO_AH)));
            assertEquals(Set.of(toDst2), spis(s.dump(AddressFilter.of(SRC, 0, DST2, 32), ESP)));
        }
    }

    @Test
    void getAndDeleteOfALarvalSa(TestNamespace ns) throws IOException {
        try (XfrmClient c = client(ns)) {
            StateOperations s = c.states();
            SecurityAssociation larval = s.allocSpi(SRC, DST, ESP, 3, SaInfo.MODE_TUNNEL, new Mark(1, 0xf), null,
                    0x4242, 0x4242);
            SecurityAssociation got = s.get(larval.key());
            assertEquals(larval.info().id(), got.info().id());
            assertEquals(larval.info().reqid(), got.info().reqid());
            assertEquals(larval.mark(), got.mark());
            assertEquals(larval.replay(), got.replay());
            // the mark is part of the lookup key
            assertEquals("ESRCH", refused(() -> s.get(larval.key().withMark(null))).errnoName());
            s.delete(larval.key());
            assertEquals(List.of(), s.dump());
            assertEquals("ESRCH", refused(() -> s.get(larval.key())).errnoName());
        }
    }

    /** Linux answers a lookup of a missing SA with ESRCH (iproute2 prints "No such process"), not ENOENT. */
    @Test
    void deleteOfAMissingSaIsEsrch(TestNamespace ns) throws IOException {
        try (XfrmClient c = client(ns)) {
            NetlinkErrorException e = refused(() -> c.states().delete(SaKey.of(SRC, DST, 0x7777, ESP)));
            assertEquals("ESRCH", e.errnoName());
            assertEquals(3, e.errno());
            assertEquals(XfrmMsgType.DELSA, e.requestType());
            assertTrue(e.getMessage().contains("ESRCH (No such process)"), e.getMessage());
        }
    }

    @Test
    void flushRemovesTheProtocolsAskedFor(TestNamespace ns) throws IOException {
        try (XfrmClient c = client(ns)) {
            StateOperations s = c.states();
            s.flush(0); // an empty SAD flushes fine
            s.allocSpi(SRC, DST, ESP, 1, SaInfo.MODE_TUNNEL, null, null, 0x100, 0x1ff);
            s.allocSpi(SRC6, DST6, ESP, 1, SaInfo.MODE_TUNNEL, null, null, 0x100, 0x1ff);
            s.flush(XfrmId.PROTO_AH);
            assertEquals(2, s.dump().size(), "an AH flush leaves ESP SAs");
            s.flush(ESP);
            assertEquals(List.of(), s.dump());
            s.allocSpi(SRC, DST, ESP, 1, SaInfo.MODE_TUNNEL, null, null, 0x100, 0x1ff);
            s.flush(XfrmId.PROTO_IPSEC_ANY);
            assertEquals(List.of(), s.dump());
            assertEquals("", ns.ip("xfrm", "state").strip());
        }
    }

    @Test
    void sadInfoCountsFollowTheSad(TestNamespace ns) throws IOException {
        try (XfrmClient c = client(ns)) {
            StateOperations s = c.states();
            SadInfo empty = s.sadInfo();
            assertEquals(0, empty.saCount());
            assertEquals(StateOperations.SADINFO_REQUEST_FLAGS, empty.flags(), "the kernel echoes the request flags");
            assertTrue(empty.hashBuckets() > 0 && empty.maxHashBuckets() >= empty.hashBuckets(), empty.toString());
            for (int i = 0; i < 3; i++) {
                s.allocSpi(SRC, addr("10.0.2." + i), ESP, 1, SaInfo.MODE_TUNNEL, null, null, 0x100, 0xffff);
            }
            assertEquals(3, s.sadInfo().saCount());
            s.flush(0);
            assertEquals(0, s.sadInfo().saCount());
            NetlinkMessage raw = c.socket().requestOne(XfrmMsgType.GETSADINFO, 0, SadInfo.request(-1));
            assertArrayEquals(raw.payload(), SadInfo.decode(raw.payload()).toBytes());
        }
    }

    /**
     * GETAE works on a larval SA (zero replay state, the lifetime it has); NEWAE is refused for
     * it with EINVAL "SA must be in VALID state", after the kernel parsed the request.
     */
    @Test
    void replayLifetimeOfALarvalSa(TestNamespace ns) throws IOException {
        try (XfrmClient c = client(ns)) {
            StateOperations s = c.states();
            SecurityAssociation larval = s.allocSpi(SRC, DST, ESP, 4, SaInfo.MODE_TUNNEL, new Mark(3, 0xff), null,
                    0x9000, 0x9000);
            NetlinkMessage raw = c.socket().requestOne(XfrmMsgType.GETAE, 0, StateOperations.getAeRequest(larval.key()));
            assertEquals(XfrmMsgType.NEWAE, raw.type());
            ReplayLifetimeState ae = ReplayLifetimeState.decode(raw.payload());
            assertArrayEquals(raw.payload(), ae.toBytes(), "the kernel's message re-encodes to the same bytes");
            assertEquals(larval.key().id(), ae.id().saId());
            assertEquals(SRC, ae.id().saddr());
            assertEquals(4, ae.id().reqid());
            assertEquals(StateOperations.GETAE_FLAGS, ae.id().flags());
            assertEquals(ReplayState.ZERO, ae.replay());
            assertNull(ae.replayEsn());
            assertEquals(larval.info().current(), ae.lifetime());
            assertEquals(new Mark(3, 0xff), ae.mark());
            assertEquals(ae, s.getReplayLifetime(larval.key()));

            ReplayLifetimeState set = ae.withReplay(new ReplayState(100, 0, 0));
            NetlinkErrorException e = refused(() -> s.setReplayLifetime(set));
            assertEquals("EINVAL", e.errnoName());
            assertEquals("SA must be in VALID state", e.extAck());
            assertEquals("ESRCH", refused(() -> s.getReplayLifetime(SaKey.of(DST, 0x9001, ESP))).errnoName());
        }
    }

    @Test
    void thousandLarvalSasDumpAndDecode(TestNamespace ns) throws IOException {
        try (XfrmClient c = client(ns)) {
            List<NetlinkRequest> requests = new ArrayList<>();
            for (int i = 0; i < 1000; i++) {
                InetAddress dst = addr("10.3." + (i / 250) + "." + (i % 250 + 1));
                requests.add(new NetlinkRequest(XfrmMsgType.ALLOCSPI, 0, AllocSpiRequest.of(SRC, dst, ESP, i,
                        SaInfo.MODE_TUNNEL, null, i % 2 == 0 ? null : i, 0x100000 + i, 0x100000 + i).toBytes()));
            }
            assertEquals(List.of(), c.socket().batch(requests, false));
            List<NetlinkMessage> raw = c.socket().dump(XfrmMsgType.GETSA, new byte[0], m -> m);
            assertEquals(1000, raw.size());
            Set<Integer> seen = new HashSet<>();
            for (NetlinkMessage m : raw) {
                SecurityAssociation sa = SecurityAssociation.decode(m.payload());
                assertArrayEquals(m.payload(), sa.toBytes());
                int i = sa.spi() - 0x100000;
                assertEquals(i, sa.reqid());
                assertEquals(i % 2 == 0 ? null : i, sa.ifId());
                seen.add(i);
            }
            assertEquals(1000, seen.size());
            assertEquals(1000, c.states().dump().size());
            assertEquals(1000, c.states().sadInfo().saCount());
        }
    }
}
