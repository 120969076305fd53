package io.cxt.cxtp;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

import org.junit.jupiter.api.Test;

/** Issue 12 item 2: who pays for a CTAR, and when (no sockets: inbound octets straight in). */
class ReliableDeliveryScreeningTest {

    static InetSocketAddress from(String a) throws Exception {
        return new InetSocketAddress(InetAddress.getByName(a), 0);
    }

    static byte[] ctar(String previous, String otherRouter, long seq) throws Exception {
        return CxtpCodec.encode(new ContextTransferActivateRequest(true, InetAddress.getByName(previous),
                InetAddress.getByName(otherRouter), seq, 1, List.of()));
    }

    @Test
    void oneFastSenderCannotTakeTheWholeCtarRate() throws Exception {
        List<InetSocketAddress> delivered = new CopyOnWriteArrayList<>();
        try (ReliableDelivery d = new ReliableDelivery("t", (p, m) -> { }, (f, m, b) -> delivered.add(f),
                TransportOptions.defaults(), new TransportCounters())) {
            InetSocketAddress flooder = from("2001:db8:bad::1");
            byte[][] flood = new byte[500][];
            for (int i = 0; i < flood.length; i++) {
                flood[i] = ctar("2001:db8:bad::" + Integer.toHexString(i + 16), "2001:db8:a::1", i);
            }
            InetSocketAddress mn = from("2001:db8:1::10");
            byte[] mine = ctar("2001:db8:1::10", "2001:db8:a::1", 4067);
            long t0 = System.nanoTime();
            for (byte[] b : flood) {
                d.inbound(flooder, b);
            }
            d.inbound(mn, mine);
            double seconds = (System.nanoTime() - t0) / 1e9;
            long flooderGot = delivered.stream().filter(flooder::equals).count();
            int share = RequestRateLimiter.perSourceRate(CxtpConstants.CT_REQUEST_RATE);
            assertTrue(flooderGot <= share * (1 + seconds) + 1, "the flooder got " + flooderGot + " in " + seconds + " s");
            assertEquals(mn, delivered.get(delivered.size() - 1), "the MN's CTAR still finds a token");
            assertTrue(d.counters().get(TransportCounter.RATE_LIMITED) >= 490);
        }
    }

    @Test
    void screenedAndOverlongCtarsCostNoToken() throws Exception {
        List<InetSocketAddress> delivered = new CopyOnWriteArrayList<>();
        InetAddress peer = InetAddress.getByName("2001:db8:a::1");
        TransportOptions o = TransportOptions.defaults().withCtarRatePerSecond(2)
                .withCtarScreen((f, c) -> c.otherRouterAddress().equals(peer));
        try (ReliableDelivery d = new ReliableDelivery("t", (p, m) -> { }, (f, m, b) -> delivered.add(f), o,
                new TransportCounters())) {
            for (int i = 0; i < 100; i++) {
                d.inbound(from("2001:db8:bad::" + Integer.toHexString(i + 1)),
                        ctar("2001:db8:bad::" + Integer.toHexString(i + 1), "2001:db8:99::1", i));
            }
            byte[] longCtar = CxtpCodec.encode(new ContextTransferActivateRequest(true,
                    InetAddress.getByName("2001:db8:1::20"), peer, 1, 1,
                    java.util.Collections.nCopies(80, ContextDataBlock.request(1))));
            d.inbound(from("2001:db8:1::20"), longCtar);
            assertEquals(0, delivered.size());
            assertEquals(101, d.counters().get(TransportCounter.SCREENED));
            d.inbound(from("2001:db8:1::10"), ctar("2001:db8:1::10", "2001:db8:a::1", 1));
            d.inbound(from("2001:db8:1::11"), ctar("2001:db8:1::11", "2001:db8:a::1", 1));
            assertEquals(2, delivered.size(), "the bucket was untouched by the refused ones");
        }
    }

    /** Issue 12 item 8: the octets of a CTD kept for retransmission (it carries keys) are zeroed once acknowledged. */
    @Test
    void aCtdKeptForRetransmissionIsZeroedWhenAcknowledged() throws Exception {
        List<byte[]> onTheWire = new CopyOnWriteArrayList<>();
        try (ReliableDelivery d = new ReliableDelivery("t", (p, m) -> onTheWire.add(m), (f, m, b) -> { },
                TransportOptions.defaults(), new TransportCounters())) {
            InetSocketAddress nar = from("2001:db8:a::2");
            byte[] ctd = TransportTestSupport.ctd("2001:db8:1::10", true);
            var done = d.send(nar, ctd);
            assertEquals(1, onTheWire.size());
            byte[] kept = onTheWire.get(0);
            assertTrue(java.util.Arrays.equals(ctd, kept));
            d.inbound(nar, CxtpCodec.encode(new ContextTransferDataReply(true, InetAddress.getByName("2001:db8:1::10"),
                    List.of())));
            assertEquals(SendResult.Outcome.ACKNOWLEDGED, done.get(5, java.util.concurrent.TimeUnit.SECONDS).outcome());
            assertTrue(java.util.Arrays.equals(new byte[kept.length], kept), "the retransmission copy is zeroed");
            assertTrue(ctd[0] != 0, "the caller's array is the caller's");
        }
    }

    @Test
    void anAcceptedEnvelopeCanBeWiped() {
        RouterChannelProtection p = RouterChannelProtectionTest.par();
        RouterChannelProtection n = RouterChannelProtectionTest.nar();
        RouterChannelProtection.Accepted a = (RouterChannelProtection.Accepted) n.open(RouterChannelProtectionTest.PAR_ADDR,
                p.seal(RouterChannelProtectionTest.NAR, new byte[] {1, 2, 3}));
        a.wipe();
        assertTrue(java.util.Arrays.equals(new byte[3], a.plaintext()));
    }

    /** Issue 12 item 2: forged CTARs from many sources for MNs nobody announced cannot starve an expected MN. */
    @Test
    void forgedCtarsFromManySourcesDoNotTakeTheTokensOfExpectedMobileNodes() throws Exception {
        List<InetSocketAddress> delivered = new CopyOnWriteArrayList<>();
        InetAddress heldMn = InetAddress.getByName("2001:db8:1::10");
        TransportOptions o = TransportOptions.defaults().withCtarScreen(new RequestScreen() {
            @Override
            public boolean admits(InetSocketAddress from, ContextTransferActivateRequest ctar) {
                return true;
            }

            @Override
            public boolean expected(InetSocketAddress from, ContextTransferActivateRequest ctar) {
                return ctar.previousAddress().equals(heldMn);
            }
        });
        try (ReliableDelivery d = new ReliableDelivery("t", (p, m) -> { }, (f, m, b) -> delivered.add(f), o,
                new TransportCounters())) {
            byte[][] flood = new byte[1000][];
            InetSocketAddress[] sources = new InetSocketAddress[flood.length];
            for (int i = 0; i < flood.length; i++) {
                String a = "2001:db8:bad:" + Integer.toHexString(i + 1) + "::1";
                flood[i] = ctar(a, "2001:db8:a::1", i);
                sources[i] = from(a);
            }
            byte[] mine = ctar("2001:db8:1::10", "2001:db8:a::1", 4067);
            InetSocketAddress mn = from("2001:db8:1::10");
            for (int i = 0; i < flood.length; i++) {
                d.inbound(sources[i], flood[i]);
            }
            d.inbound(mn, mine);
            assertEquals(mn, delivered.get(delivered.size() - 1), "the expected MN's CTAR finds a token");
            assertTrue(delivered.size() <= CxtpConstants.CT_REQUEST_RATE + 20, "forged ones through: " + delivered.size());
        }
    }
}
