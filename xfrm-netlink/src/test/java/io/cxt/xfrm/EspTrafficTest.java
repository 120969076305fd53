package io.cxt.xfrm;

import static io.cxt.xfrm.EspSaRoundTrip.AES128;
import static io.cxt.xfrm.EspSaRoundTrip.ESP;
import static io.cxt.xfrm.EspSaRoundTrip.GCM128;
import static io.cxt.xfrm.EspSaRoundTrip.SHA256;
import static io.cxt.xfrm.EspSaRoundTrip.addr;
import static io.cxt.xfrm.EspSaRoundTrip.cbcAes;
import static io.cxt.xfrm.EspSaRoundTrip.gcm;
import static io.cxt.xfrm.EspSaRoundTrip.hmac;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.net.InetAddress;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.UnaryOperator;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestReporter;
import org.junit.jupiter.api.extension.ExtendWith;

import io.cxt.testing.Commands;
import io.cxt.testing.NetnsExtension;
import io.cxt.testing.TestNamespace;

/**
 * ESP traffic through SAs and policies that only cxt's client installed (no {@code ip xfrm}):
 * two namespaces joined by a veth pair, a tunnel-mode SA each way and the matching in/out
 * policies on both sides; {@code ping} passes both ways, every SA counted exactly the packets
 * sent, the sender's outbound sequence number (GETAE) equals them, the receiver's replay state
 * saw them in order, and {@code /proc/net/xfrm_stat} shows no error.
 *
 * <p>Only ICMP echo may use the SAs for the counts to be exact: the neighbours are entered as
 * permanent, so no IPv6 neighbour solicitation between the two protected addresses (which the
 * policies would send through ESP too) is ever needed.
 */
@Tag("esp-kernel")
@ExtendWith(NetnsExtension.class)
class EspTrafficTest {

    private static final int PINGS = 5;
    private static final int LEFT_TO_RIGHT = 0x201;
    private static final int RIGHT_TO_LEFT = 0x202;
    private static final int REQID = 11;

    @Test
    void ipv4CbcAesHmacSha256CarriesPingBothWays(TestNamespace left, TestNamespace right, TestReporter report)
            throws IOException {
        pingThroughCxtTunnel(left, right, "198.51.100.1", "198.51.100.2", 24,
                b -> b.crypt(cbcAes(AES128)).authTrunc(hmac("sha256", SHA256, 128)), report);
    }

    @Test
    void ipv6Rfc4106GcmCarriesPingBothWays(TestNamespace left, TestNamespace right, TestReporter report)
            throws IOException {
        pingThroughCxtTunnel(left, right, "2001:db8:f::1", "2001:db8:f::2", 64, b -> b.aead(gcm(GCM128, 128)), report);
    }

    private static void pingThroughCxtTunnel(TestNamespace left, TestNamespace right, String leftText,
                                             String rightText, int prefix,
                                             UnaryOperator<SecurityAssociation.Builder> algorithms,
                                             TestReporter report) throws IOException {
        InetAddress leftAddr = addr(leftText);
        InetAddress rightAddr = addr(rightText);
        boolean v6 = AddressFamily.of(leftAddr) == AddressFamily.INET6;
        int hostPrefix = AddressFamily.maxPrefix(AddressFamily.of(leftAddr));

        left.ip("link", "add", "v0", "type", "veth", "peer", "name", "v1", "netns", right.name());
        left.ip(addrAdd(leftText + "/" + prefix, "v0", v6));
        right.ip(addrAdd(rightText + "/" + prefix, "v1", v6));
        left.ip("link", "set", "v0", "up");
        right.ip("link", "set", "v1", "up");
        left.ip("neigh", "replace", rightText, "lladdr", mac(right, "v1"), "dev", "v0", "nud", "permanent");
        right.ip("neigh", "replace", leftText, "lladdr", mac(left, "v0"), "dev", "v1", "nud", "permanent");

        SecurityAssociation toRight = algorithms.apply(SecurityAssociation.builder(new SaInfo(
                Selector.between(leftAddr, hostPrefix, rightAddr, hostPrefix), new XfrmId(rightAddr, LEFT_TO_RIGHT, ESP),
                leftAddr, LifetimeConfig.UNLIMITED, LifetimeCurrent.ZERO, SaStats.ZERO, 0, REQID,
                AddressFamily.of(leftAddr), SaInfo.MODE_TUNNEL, 32, 0))).build();
        SecurityAssociation toLeft = algorithms.apply(SecurityAssociation.builder(new SaInfo(
                Selector.between(rightAddr, hostPrefix, leftAddr, hostPrefix), new XfrmId(leftAddr, RIGHT_TO_LEFT, ESP),
                rightAddr, LifetimeConfig.UNLIMITED, LifetimeCurrent.ZERO, SaStats.ZERO, 0, REQID,
                AddressFamily.of(leftAddr), SaInfo.MODE_TUNNEL, 32, 0))).build();
        try (XfrmClient l = XfrmClient.open(left.netns()); XfrmClient r = XfrmClient.open(right.netns())) {
            for (XfrmClient c : List.of(l, r)) {
                c.states().add(toRight);
                c.states().add(toLeft);
            }
            addPolicies(l, leftAddr, rightAddr, hostPrefix);
            addPolicies(r, rightAddr, leftAddr, hostPrefix);

            List<String> ping = new ArrayList<>(List.of("ip", "netns", "exec", left.name(), "ping"));
            if (v6) {
                ping.add("-6");
            }
            ping.addAll(List.of("-c", Integer.toString(PINGS), "-i", "0.05", "-W", "2", rightText));
            Commands.Result result = Commands.exec(ping, null);
            assertEquals(0, result.exit(), "ping over ESP failed: " + result.stdout() + result.stderr());
            assertTrue(result.stdout().contains(PINGS + " packets transmitted, " + PINGS + " received"),
                    result.stdout());

            // Every SA counted exactly the echo requests (left to right) or replies (right to left),
            // on the sending side (output) and on the receiving side (input).
            for (XfrmClient c : List.of(l, r)) {
                for (SecurityAssociation sa : List.of(toRight, toLeft)) {
                    SecurityAssociation now = c.states().get(sa.key());
                    String where = c.namespace() + " SA 0x" + Integer.toHexString(sa.spi());
                    assertEquals(PINGS, now.info().current().packets(), where + " packets");
                    assertTrue(now.info().current().bytes() >= PINGS * 84L, where + " bytes "
                            + now.info().current().bytes());
                    assertEquals(SaStats.ZERO, now.info().stats(), where + " replay/integrity failures");
                    assertTrue(now.info().current().useTime() > 0, where + " use_time after first use");
                    // XFRMA_LASTUSED: Linux 6.1 sets it only for Mobile IPv6 route optimisation; the lab's 7.2 on every packet
                    report.publishEntry(where + " lastused", String.valueOf(now.lastUsed()));
                    Map<String, String> ip = IpXfrmStateText.find(
                            Commands.run("ip", "-n", c.namespace(), "-s", "xfrm", "state"), now);
                    assertEquals(IpXfrmStateText.expected(now, ip.containsKey("dir")), ip, where + " ip -s xfrm state");
                }
            }

            // The senders' outbound sequence numbers, and the receivers' view of them.
            assertSequence(l, toRight, PINGS, 0, report);
            assertSequence(r, toRight, 0, PINGS, report);
            assertSequence(r, toLeft, PINGS, 0, report);
            assertSequence(l, toLeft, 0, PINGS, report);
        }
        assertNoXfrmErrors(left);
        assertNoXfrmErrors(right);
    }

    /**
     * GETAE on one side of an SA: the sender's oseq is the number of packets sent; the receiver's
     * seq is the highest number received and its bitmap has one bit per packet received in order.
     */
    private static void assertSequence(XfrmClient c, SecurityAssociation sa, int oseq, int seq, TestReporter report)
            throws IOException {
        ReplayLifetimeState ae = c.states().getReplayLifetime(sa.key());
        assertNull(ae.replayEsn());
        int bitmap = seq == 0 ? 0 : (1 << seq) - 1;
        assertEquals(new ReplayState(oseq, seq, bitmap), ae.replay(),
                c.namespace() + " SA 0x" + Integer.toHexString(sa.spi()) + " replay state");
        assertEquals(PINGS, ae.lifetime().packets());
        report.publishEntry(c.namespace() + " 0x" + Integer.toHexString(sa.spi()), ae.replay().toString());
    }

    private static void addPolicies(XfrmClient c, InetAddress local, InetAddress remote, int hostPrefix)
            throws IOException {
        c.policies().add(SecurityPolicy.builder(Selector.between(local, hostPrefix, remote, hostPrefix),
                PolicyInfo.DIR_OUT).template(UserTemplate.tunnel(ESP, local, remote, REQID)).build());
        c.policies().add(SecurityPolicy.builder(Selector.between(remote, hostPrefix, local, hostPrefix),
                PolicyInfo.DIR_IN).template(UserTemplate.tunnel(ESP, remote, local, REQID)).build());
        assertEquals(2, c.policies().dump().size());
    }

    private static String[] addrAdd(String cidr, String dev, boolean v6) {
        // nodad: a tentative IPv6 address cannot be a source yet
        return v6 ? new String[] {"addr", "add", cidr, "dev", dev, "nodad"} : new String[] {"addr", "add", cidr, "dev", dev};
    }

    private static final Pattern LINK_ETHER = Pattern.compile("link/ether ([0-9a-f:]{17})");

    private static String mac(TestNamespace ns, String dev) {
        String link = ns.ip("link", "show", dev);
        Matcher m = LINK_ETHER.matcher(link);
        assertTrue(m.find(), "no MAC address in: " + link);
        return m.group(1);
    }

    private static void assertNoXfrmErrors(TestNamespace ns) {
        String stats = Commands.run("ip", "netns", "exec", ns.name(), "cat", "/proc/net/xfrm_stat");
        assertTrue(stats.contains("XfrmInError"), "unexpected /proc/net/xfrm_stat:\n" + stats);
        List<String> nonZero = stats.lines().map(String::strip)
                .filter(l -> !l.isEmpty() && Long.parseLong(l.split("\\s+")[1]) != 0)
                .toList();
        assertEquals(List.of(), nonZero, ns.name() + " /proc/net/xfrm_stat");
    }
}
