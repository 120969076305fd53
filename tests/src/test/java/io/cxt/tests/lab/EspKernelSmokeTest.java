package io.cxt.tests.lab;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.net.InetAddress;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import io.cxt.nl.Netlink;
import io.cxt.nl.NetlinkMessage;
import io.cxt.nl.NetlinkSocket;
import io.cxt.testing.Commands;
import io.cxt.testing.NetnsExtension;
import io.cxt.testing.TestNamespace;

/**
 * Proves that the lab kernel is what the esp-kernel tests need: it holds ESP SAs that cxt's
 * netlink socket can read, and ESP actually carries traffic between two namespaces. Skipped with
 * a reason on kernels without ESP (EspKernelCondition); run by tests/lab/run-kernel-suite.
 */
@Tag("esp-kernel")
@ExtendWith(NetnsExtension.class)
class EspKernelSmokeTest {

    private static final int XFRM_MSG_NEWSA = 0x10;
    private static final int XFRM_MSG_GETSA = 0x12;
    private static final int IPPROTO_ESP = 50;
    /** struct xfrm_usersa_info: a 56-octet xfrm_selector, then xfrm_id {daddr[16], spi, proto}. */
    private static final int ID_DADDR_OFFSET = 56;
    private static final int ID_SPI_OFFSET = ID_DADDR_OFFSET + 16;
    private static final int ID_PROTO_OFFSET = ID_SPI_OFFSET + 4;

    private static final String AES128_KEY = "0x00112233445566778899aabbccddeeff";
    private static final String HMAC_SHA256_KEY = "0x00112233445566778899aabbccddeeff00112233445566778899aabbccddeeff";
    /** rfc4106(gcm(aes)): 128-bit key followed by the 32-bit salt. */
    private static final String GCM_KEY_AND_SALT = "0x00112233445566778899aabbccddeeff01020304";
    private static final int PINGS = 3;

    @Test
    void espSaAddedByIproute2IsDumpedByNetlinkSocket(TestNamespace ns) throws IOException {
        ns.ip("xfrm", "state", "add", "src", "192.0.2.1", "dst", "192.0.2.2", "proto", "esp", "spi", "0xc0de",
                "reqid", "7", "mode", "tunnel", "enc", "cbc(aes)", AES128_KEY,
                "auth-trunc", "hmac(sha256)", HMAC_SHA256_KEY, "128");

        List<NetlinkMessage> sas;
        try (NetlinkSocket socket = NetlinkSocket.open(Netlink.NETLINK_XFRM, ns.netns())) {
            sas = socket.dump(XFRM_MSG_GETSA, new byte[0], m -> m);
        }

        assertEquals(1, sas.size(), "SAs dumped: " + sas);
        NetlinkMessage sa = sas.get(0);
        assertEquals(XFRM_MSG_NEWSA, sa.type());
        ByteBuffer info = ByteBuffer.wrap(sa.payload()).order(ByteOrder.BIG_ENDIAN);
        assertEquals(0xc0de, info.getInt(ID_SPI_OFFSET));
        assertEquals(IPPROTO_ESP, info.get(ID_PROTO_OFFSET));
        byte[] daddr = Arrays.copyOfRange(sa.payload(), ID_DADDR_OFFSET, ID_DADDR_OFFSET + 4);
        assertArrayEquals(InetAddress.getByName("192.0.2.2").getAddress(), daddr);
    }

    @Test
    void ipv4PingTravelsInEspCbcAesHmacSha256(TestNamespace left, TestNamespace right) {
        pingThroughEspTunnel(left, right, "198.51.100.1", "198.51.100.2", "24",
                List.of("enc", "cbc(aes)", AES128_KEY, "auth-trunc", "hmac(sha256)", HMAC_SHA256_KEY, "128"));
    }

    @Test
    void ipv6PingTravelsInEspRfc4106Gcm(TestNamespace left, TestNamespace right) {
        pingThroughEspTunnel(left, right, "2001:db8:f::1", "2001:db8:f::2", "64",
                List.of("aead", "rfc4106(gcm(aes))", GCM_KEY_AND_SALT, "128"));
    }

    /**
     * Joins the namespaces with a veth pair, protects all traffic between the two addresses with
     * tunnel-mode ESP both ways (SPI 0x101 left to right, 0x102 back), pings, and checks that both
     * SAs counted every packet on both sides and that the kernel saw no XFRM errors.
     */
    private static void pingThroughEspTunnel(TestNamespace left, TestNamespace right, String leftAddr,
            String rightAddr, String prefix, List<String> algorithm) {
        boolean v6 = leftAddr.contains(":");
        left.ip("link", "add", "v0", "type", "veth", "peer", "name", "v1", "netns", right.name());
        left.ip("link", "set", "v0", "up");
        right.ip("link", "set", "v1", "up");
        // nodad: an IPv6 address in tentative state cannot be a source yet.
        left.ip(addrAdd(leftAddr + "/" + prefix, "v0", v6));
        right.ip(addrAdd(rightAddr + "/" + prefix, "v1", v6));
        for (TestNamespace ns : List.of(left, right)) {
            ns.ip(stateAdd(leftAddr, rightAddr, "0x101", algorithm));
            ns.ip(stateAdd(rightAddr, leftAddr, "0x102", algorithm));
        }
        policies(left, leftAddr, rightAddr);
        policies(right, rightAddr, leftAddr);

        List<String> ping = new ArrayList<>(List.of("ip", "netns", "exec", left.name(), "ping"));
        if (v6) {
            ping.add("-6");
        }
        ping.addAll(List.of("-c", String.valueOf(PINGS), "-i", "0.2", "-W", "2", rightAddr));
        Commands.Result result = Commands.exec(ping, null);
        assertEquals(0, result.exit(), "ping over ESP failed: " + result.stdout() + result.stderr());

        for (TestNamespace ns : List.of(left, right)) {
            String states = ns.ip("-s", "xfrm", "state");
            assertTrue(packets(states, 0x101) >= PINGS, ns.name() + " SA 0x101 counted too few packets:\n" + states);
            assertTrue(packets(states, 0x102) >= PINGS, ns.name() + " SA 0x102 counted too few packets:\n" + states);
            assertNoXfrmErrors(ns);
        }
    }

    private static String[] addrAdd(String cidr, String dev, boolean v6) {
        return v6 ? new String[] {"addr", "add", cidr, "dev", dev, "nodad"} : new String[] {"addr", "add", cidr, "dev", dev};
    }

    private static String[] stateAdd(String src, String dst, String spi, List<String> algorithm) {
        List<String> args = new ArrayList<>(List.of("xfrm", "state", "add", "src", src, "dst", dst,
                "proto", "esp", "spi", spi, "reqid", "11", "mode", "tunnel"));
        args.addAll(algorithm);
        return args.toArray(String[]::new);
    }

    private static void policies(TestNamespace ns, String local, String remote) {
        String bits = local.contains(":") ? "/128" : "/32";
        ns.ip("xfrm", "policy", "add", "src", local + bits, "dst", remote + bits, "dir", "out",
                "tmpl", "src", local, "dst", remote, "proto", "esp", "reqid", "11", "mode", "tunnel");
        ns.ip("xfrm", "policy", "add", "src", remote + bits, "dst", local + bits, "dir", "in",
                "tmpl", "src", remote, "dst", local, "proto", "esp", "reqid", "11", "mode", "tunnel");
    }

    private static final Pattern CURRENT_LIFETIME = Pattern.compile("(\\d+)\\(bytes\\), (\\d+)\\(packets\\)");

    /** The "lifetime current" packet count of the SA with {@code spi} in {@code ip -s xfrm state} output. */
    private static long packets(String states, int spi) {
        String spiText = String.format("spi 0x%08x", spi);
        for (String block : states.split("(?m)^(?=src )")) {
            if (block.contains(spiText)) {
                Matcher m = CURRENT_LIFETIME.matcher(block);
                assertTrue(m.find(), "no packet counter for " + spiText + " in:\n" + block);
                return Long.parseLong(m.group(2));
            }
        }
        throw new AssertionError("no SA with " + spiText + " in:\n" + states);
    }

    private static void assertNoXfrmErrors(TestNamespace ns) {
        String stats = Commands.run("ip", "netns", "exec", ns.name(), "cat", "/proc/net/xfrm_stat");
        List<String> nonZero = stats.lines().map(String::strip)
                .filter(l -> !l.isEmpty() && Long.parseLong(l.split("\\s+")[1]) != 0)
                .toList();
        assertTrue(stats.contains("XfrmInError"), "unexpected /proc/net/xfrm_stat:\n" + stats);
        assertEquals(List.of(), nonZero, ns.name() + " /proc/net/xfrm_stat");
    }
}
