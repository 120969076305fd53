package io.cxt.nl;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import io.cxt.sys.NetNamespace;
import io.cxt.testing.NetnsExtension;
import io.cxt.testing.TestNamespace;

/** NetlinkSocket against the real kernel, inside throw-away namespaces. */
@ExtendWith(NetnsExtension.class)
class NetlinkSocketTest {

    private static final int XFRM_MSG_DELPOLICY = 0x14;
    private static final int XFRM_MSG_GETPOLICY = 0x15;
    private static final int XFRM_MSG_GETSA = 0x12;

    @Test
    void opensInNamespaceAndGetsPortId(TestNamespace ns) throws IOException {
        try (NetlinkSocket s = NetlinkSocket.open(Netlink.NETLINK_XFRM, ns.netns())) {
            assertNotEquals(0, s.portId());
            assertTrue(s.isOpen());
        }
    }

    @Test
    void threadReturnsToItsOwnNamespace(TestNamespace ns) throws IOException {
        String before = Files.readSymbolicLink(Path.of("/proc/thread-self/ns/net")).toString();
        try (NetlinkSocket s = NetlinkSocket.open(Netlink.NETLINK_XFRM, ns.netns())) {
            String after = Files.readSymbolicLink(Path.of("/proc/thread-self/ns/net")).toString();
            assertEquals(before, after);
        }
    }

    @Test
    void socketSeesOnlyItsNamespace(TestNamespace a, TestNamespace b) throws IOException {
        a.ip("xfrm", "policy", "add", "src", "10.0.0.1/32", "dst", "10.0.0.2/32", "dir", "out", "action", "block");
        try (NetlinkSocket sa = NetlinkSocket.open(Netlink.NETLINK_XFRM, a.netns());
             NetlinkSocket sb = NetlinkSocket.open(Netlink.NETLINK_XFRM, b.netns())) {
            assertEquals(1, sa.dump(XFRM_MSG_GETPOLICY, new byte[0], m -> m).size());
            assertEquals(0, sb.dump(XFRM_MSG_GETPOLICY, new byte[0], m -> m).size());
        }
    }

    @Test
    void dumpReturnsEveryMessageAcrossParts(TestNamespace ns) throws IOException {
        StringBuilder batch = new StringBuilder();
        for (int i = 0; i < 600; i++) {
            batch.append("xfrm policy add src 10.1.").append(i / 250).append('.').append(i % 250)
                    .append("/32 dst 10.9.9.9/32 dir out action block\n");
        }
        io.cxt.testing.Commands.Result r = io.cxt.testing.Commands.exec(
                List.of("ip", "-n", ns.name(), "-batch", "-"), batch.toString().getBytes());
        assertEquals(0, r.exit(), r.stderr());
        try (NetlinkSocket s = NetlinkSocket.open(Netlink.NETLINK_XFRM, ns.netns())) {
            List<NetlinkMessage> all = s.dump(XFRM_MSG_GETPOLICY, new byte[0], m -> m);
            assertEquals(600, all.size());
            assertTrue(all.stream().allMatch(m -> m.type() == 0x13 /* XFRM_MSG_NEWPOLICY */));
        }
    }

    @Test
    void kernelRefusalCarriesErrnoName(TestNamespace ns) throws IOException {
        try (NetlinkSocket s = NetlinkSocket.open(Netlink.NETLINK_XFRM, ns.netns())) {
            // A DELPOLICY with a payload far too short for xfrm_userpolicy_id: EINVAL.
            NetlinkErrorException e = assertThrows(NetlinkErrorException.class,
                    () -> s.request(XFRM_MSG_DELPOLICY, 0, new byte[4]));
            assertEquals("EINVAL", e.errnoName());
            assertTrue(e.getMessage().contains("EINVAL (Invalid argument)"), e.getMessage());
        }
    }

    @Test
    void missingNamespaceIsAClearError() {
        IOException e = assertThrows(IOException.class, () -> NetNamespace.named("cxt-no-such-ns-xyz"));
        assertTrue(e.getMessage().contains("does not exist"), e.getMessage());
    }

    @Test
    void batchReportsFailuresByIndex(TestNamespace ns) throws IOException {
        try (NetlinkSocket s = NetlinkSocket.open(Netlink.NETLINK_XFRM, ns.netns())) {
            List<NetlinkRequest> reqs = List.of(
                    new NetlinkRequest(XFRM_MSG_GETSA, 0, new byte[2]),
                    new NetlinkRequest(XFRM_MSG_DELPOLICY, 0, new byte[4]),
                    new NetlinkRequest(XFRM_MSG_DELPOLICY, 0, new byte[4]));
            List<NetlinkSocket.BatchFailure> f = s.batch(reqs, false);
            assertEquals(3, f.size());
            assertEquals(List.of(0, 1, 2), f.stream().map(NetlinkSocket.BatchFailure::index).toList());
        }
    }
}
