package io.cxt.cxtp;

import static io.cxt.cxtp.TransportTestSupport.addr;
import static io.cxt.cxtp.TransportTestSupport.await;
import static io.cxt.cxtp.TransportTestSupport.ctar;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import io.cxt.cxtp.TransportTestSupport.Delivery;
import io.cxt.cxtp.TransportTestSupport.Recorder;
import io.cxt.sys.LibC;
import io.cxt.sys.RawIcmpSocket;
import io.cxt.testing.Commands;
import io.cxt.testing.NetnsExtension;
import io.cxt.testing.TestNamespace;

/**
 * MN-AR CXTP over raw ICMP between two network namespaces joined by a veth pair:
 * MN fd00:4067::1 / 10.40.67.1, AR fd00:4067::2 / 10.40.67.2.
 */
@ExtendWith(NetnsExtension.class)
class IcmpTransportTest {

    static final InetAddress MN6 = addr("fd00:4067::1");
    static final InetAddress AR6 = addr("fd00:4067::2");
    static final InetAddress MN4 = addr("10.40.67.1");
    static final InetAddress AR4 = addr("10.40.67.2");
    static final Duration WAIT = Duration.ofSeconds(5);
    static final TransportOptions FAST = TransportOptions.defaults().withRetransmission(
            new RetransmissionPolicy(Duration.ofMillis(150), Duration.ofMillis(600), Duration.ofSeconds(5), 5));

    private final List<AutoCloseable> open = new ArrayList<>();

    @AfterEach
    void closeAll() throws Exception {
        for (AutoCloseable c : open) {
            c.close();
        }
    }

    /**
     * Joins the namespaces and waits until both families are reachable both ways, so that the
     * first CXTP messages are not queued behind duplicate address detection of the link-local
     * addresses and neighbour discovery (which would release several retransmissions at once).
     */
    static void link(TestNamespace mn, TestNamespace ar) {
        mn.ip("link", "add", "veth-mn", "type", "veth", "peer", "name", "veth-ar", "netns", ar.name());
        Commands.run("ip", "netns", "exec", mn.name(), "sysctl", "-qw", "net.ipv6.conf.veth-mn.accept_dad=0");
        Commands.run("ip", "netns", "exec", ar.name(), "sysctl", "-qw", "net.ipv6.conf.veth-ar.accept_dad=0");
        mn.ip("addr", "add", "fd00:4067::1/64", "dev", "veth-mn", "nodad");
        mn.ip("addr", "add", "10.40.67.1/24", "dev", "veth-mn");
        ar.ip("addr", "add", "fd00:4067::2/64", "dev", "veth-ar", "nodad");
        ar.ip("addr", "add", "10.40.67.2/24", "dev", "veth-ar");
        mn.ip("link", "set", "veth-mn", "up");
        ar.ip("link", "set", "veth-ar", "up");
        Commands.run("ip", "netns", "exec", mn.name(), "ping", "-c1", "-W2", "fd00:4067::2");
        Commands.run("ip", "netns", "exec", mn.name(), "ping", "-c1", "-W2", "10.40.67.2");
        Commands.run("ip", "netns", "exec", ar.name(), "ping", "-c1", "-W2", "fd00:4067::1");
        Commands.run("ip", "netns", "exec", ar.name(), "ping", "-c1", "-W2", "10.40.67.1");
    }

    IcmpTransport transport(int family, TestNamespace ns, CxtpReceiver r, TransportOptions o) throws Exception {
        IcmpTransport t = IcmpTransport.open(family, ns.netns(), r, o);
        open.add(t);
        return t;
    }

    RawIcmpSocket raw(int family, TestNamespace ns) throws Exception {
        RawIcmpSocket s = RawIcmpSocket.open(family, ns.netns());
        s.setReceiveTimeout(Duration.ofMillis(200));
        open.add(s);
        return s;
    }

    static InetSocketAddress at(InetAddress a) {
        return new InetSocketAddress(a, 0);
    }

    private void ctarIsAcknowledged(int family, TestNamespace mnNs, TestNamespace arNs, InetAddress mnAddr,
                                    InetAddress arAddr, String mnPrevious) throws Exception {
        link(mnNs, arNs);
        Recorder arRec = new Recorder();
        IcmpTransport ar = transport(family, arNs, arRec, FAST);
        arRec.answerVia = ar;
        Recorder mnRec = new Recorder();
        IcmpTransport mn = transport(family, mnNs, mnRec, FAST);
        byte[] request = ctar(mnPrevious, 4067, true);

        SendResult r = mn.send(new InetSocketAddress(arAddr, 9999), request).get(5, TimeUnit.SECONDS);

        assertEquals(SendResult.Outcome.ACKNOWLEDGED, r.outcome(), mn.counters().toString());
        assertInstanceOf(ContextTransferActivateAcknowledge.class, r.acknowledgement());
        Delivery d = arRec.deliveries.poll(1, TimeUnit.SECONDS);
        assertNotNull(d);
        assertEquals(at(mnAddr), d.from(), "the AR sees the MN's link address, port 0");
        assertEquals(CxtpCodec.decode(request), d.message());
        await("CTAA delivered at MN", WAIT, () -> mnRec.deliveries.size() == 1);
    }

    @Test
    void ctarOverIcmpv6IsAcknowledged(TestNamespace mn, TestNamespace ar) throws Exception {
        ctarIsAcknowledged(LibC.AF_INET6, mn, ar, MN6, AR6, "2001:db8:1::10");
    }

    @Test
    void ctarOverIcmpv4IsAcknowledged(TestNamespace mn, TestNamespace ar) throws Exception {
        ctarIsAcknowledged(LibC.AF_INET, mn, ar, MN4, AR4, "192.0.2.10");
    }

    @Test
    void lostCtarIsRetransmittedOverIcmp(TestNamespace mnNs, TestNamespace arNs) throws Exception {
        link(mnNs, arNs);
        Recorder arRec = new Recorder();
        IcmpTransport ar = transport(LibC.AF_INET6, arNs, arRec, FAST.withDropPolicy(DropPolicy.dropFirst(MessageType.CTAA, 1)));
        arRec.answerVia = ar;
        Recorder mnRec = new Recorder();
        IcmpTransport mn = transport(LibC.AF_INET6, mnNs, mnRec,
                FAST.withDropPolicy(DropPolicy.dropFirst(MessageType.CTAR, 1)));
        SendResult r = mn.send(at(AR6), ctar("2001:db8:1::10", 1, true)).get(5, TimeUnit.SECONDS);
        assertEquals(SendResult.Outcome.ACKNOWLEDGED, r.outcome());
        assertEquals(3, r.transmissions(), "first CTAR dropped, second answered by a dropped CTAA, third answered by the replay;"
                + " mn " + mn.counters() + " ar " + ar.counters() + " elapsed " + r.elapsed() + " mn got " + mnRec.deliveries
                + " ar got " + arRec.deliveries);
        assertEquals(1, arRec.deliveries.size());
        assertEquals(1, ar.counters().get(TransportCounter.DUPLICATE_IGNORED));
        assertEquals(1, ar.counters().get(TransportCounter.REPLY_REPLAYED));
    }

    @Test
    void icmpv6WireFormat(TestNamespace mnNs, TestNamespace arNs) throws Exception {
        link(mnNs, arNs);
        RawIcmpSocket sniffer = raw(LibC.AF_INET6, arNs);
        sniffer.passOnlyIcmpv6Types(150);
        IcmpTransport mn = transport(LibC.AF_INET6, mnNs, new Recorder(), FAST);
        byte[] request = ctar("2001:db8:1::10", 77, false);
        mn.send(at(AR6), request).get(1, TimeUnit.SECONDS);
        RawIcmpSocket.Datagram d = receiveFrom(sniffer, MN6);
        byte[] icmp = d.icmp();
        assertEquals(150, icmp[0] & 0xff, "Experimental Mobility type");
        assertEquals(0, icmp[1], "code");
        assertEquals(1, icmp[4], "subtype CXTP");
        assertArrayEquals(new byte[3], Arrays.copyOfRange(icmp, 5, 8), "reserved");
        assertArrayEquals(request, Arrays.copyOfRange(icmp, 8, icmp.length));
    }

    @Test
    void icmpv4WireFormatChecksumAndTtl(TestNamespace mnNs, TestNamespace arNs) throws Exception {
        link(mnNs, arNs);
        RawIcmpSocket sniffer = raw(LibC.AF_INET, arNs);
        IcmpTransport mn = transport(LibC.AF_INET, mnNs, new Recorder(), FAST);
        byte[] request = ctar("192.0.2.10", 78, false);
        mn.send(at(AR4), request).get(1, TimeUnit.SECONDS);
        RawIcmpSocket.Datagram d = receiveFrom(sniffer, MN4);
        byte[] icmp = d.icmp();
        assertEquals(41, icmp[0] & 0xff);
        assertEquals(0, icmp[1]);
        assertEquals(1, icmp[4]);
        assertEquals(0, IcmpCxtpFraming.internetChecksum(icmp), "checksum verifies");
        assertEquals(255, d.hopLimit(), "sent with TTL 255");
        assertArrayEquals(request, Arrays.copyOfRange(icmp, 8, icmp.length));
    }

    private static RawIcmpSocket.Datagram receiveFrom(RawIcmpSocket s, InetAddress source) throws Exception {
        long end = System.nanoTime() + WAIT.toNanos();
        while (System.nanoTime() < end) {
            RawIcmpSocket.Datagram d = s.receive();
            if (d != null && d.source().equals(source) && d.icmp().length > 0
                    && ((d.icmp()[0] & 0xff) == 150 || (d.icmp()[0] & 0xff) == 41)) {
                return d;
            }
        }
        throw new AssertionError("nothing received from " + source);
    }

    @Test
    void receiverRefusesOffLinkTtlBadChecksumAndOtherTypes(TestNamespace mnNs, TestNamespace arNs) throws Exception {
        link(mnNs, arNs);
        Recorder arRec = new Recorder();
        IcmpTransport ar = transport(LibC.AF_INET, arNs, arRec, FAST);
        RawIcmpSocket forger = raw(LibC.AF_INET, mnNs);

        forger.setHopLimit(64);
        forger.send(AR4, IcmpCxtpFraming.frame(false, ctar("192.0.2.10", 1, false)));
        await("TTL 64 refused", WAIT, () -> ar.counters().get(TransportCounter.WRONG_HOP_LIMIT) == 1);

        forger.setHopLimit(255);
        byte[] bad = IcmpCxtpFraming.frame(false, ctar("192.0.2.10", 2, false));
        bad[bad.length - 1] ^= 1;
        forger.send(AR4, bad);
        await("bad checksum refused", WAIT, () -> ar.counters().get(TransportCounter.MALFORMED) == 1);

        forger.send(AR4, IcmpCxtpFraming.frame(false, TransportTestSupport.ctd("192.0.2.10", false)));
        await("CTD over ICMP refused", WAIT, () -> ar.counters().get(TransportCounter.UNEXPECTED_TYPE) == 1);

        byte[] card = IcmpCxtpFraming.frame(false, ctar("192.0.2.10", 3, false));
        card[4] = 0; // CARD subtype
        card[2] = 0;
        card[3] = 0;
        int sum = IcmpCxtpFraming.internetChecksum(card);
        card[2] = (byte) (sum >>> 8);
        card[3] = (byte) sum;
        forger.send(AR4, card);

        forger.send(AR4, IcmpCxtpFraming.frame(false, ctar("192.0.2.10", 4, false)));
        await("the valid CTAR delivered", WAIT, () -> arRec.deliveries.size() == 1);
        assertEquals(4L, ((ContextTransferActivateRequest) arRec.deliveries.peek().message()).sequenceNumber(),
                "only the last one; the CARD-subtype message was ignored");
        assertEquals(1, ar.counters().get(TransportCounter.MALFORMED));
    }

    /** Issue 12 item 2: an ICMPv6 CTAR that did not arrive with hop limit 255 may come from off-link. */
    @Test
    void icmpv6ReceiverRefusesHopLimitBelow255(TestNamespace mnNs, TestNamespace arNs) throws Exception {
        link(mnNs, arNs);
        Recorder arRec = new Recorder();
        IcmpTransport ar = transport(LibC.AF_INET6, arNs, arRec, FAST);
        RawIcmpSocket forger = raw(LibC.AF_INET6, mnNs);

        forger.setHopLimit(64);
        forger.send(AR6, IcmpCxtpFraming.frame(true, ctar("2001:db8:1::10", 1, false)));
        await("hop limit 64 refused", WAIT, () -> ar.counters().get(TransportCounter.WRONG_HOP_LIMIT) == 1);

        forger.setHopLimit(255);
        forger.send(AR6, IcmpCxtpFraming.frame(true, ctar("2001:db8:1::10", 2, false)));
        await("the on-link CTAR delivered", WAIT, () -> arRec.deliveries.size() == 1);
        assertEquals(2L, ((ContextTransferActivateRequest) arRec.deliveries.peek().message()).sequenceNumber());
        assertEquals(1, ar.counters().get(TransportCounter.WRONG_HOP_LIMIT));
    }

    @Test
    void icmpv6SocketReportsTheHopLimit(TestNamespace mnNs, TestNamespace arNs) throws Exception {
        link(mnNs, arNs);
        RawIcmpSocket sniffer = raw(LibC.AF_INET6, arNs);
        sniffer.passOnlyIcmpv6Types(150);
        RawIcmpSocket sender = raw(LibC.AF_INET6, mnNs);
        sender.setHopLimit(17);
        sender.send(AR6, IcmpCxtpFraming.frame(true, ctar("2001:db8:1::10", 5, false)));
        assertEquals(17, receiveFrom(sniffer, MN6).hopLimit());
    }

    @Test
    void onlyCtarAndCtaaAreSentOverIcmp(TestNamespace mnNs, TestNamespace arNs) throws Exception {
        link(mnNs, arNs);
        IcmpTransport mn = transport(LibC.AF_INET6, mnNs, new Recorder(), FAST);
        assertThrows(IllegalArgumentException.class, () -> mn.send(at(AR6), TransportTestSupport.ctd("2001:db8:1::10", true)));
        assertThrows(IllegalArgumentException.class, () -> mn.send(at(AR4), ctar("192.0.2.10", 1, false)),
                "an ICMPv6 transport cannot reach an IPv4 address");
        assertThrows(IllegalArgumentException.class, () -> IcmpTransport.open(LibC.AF_INET6, mnNs.netns(), new Recorder(),
                FAST.withProtection(new RouterChannelProtection(1))));
    }
}
