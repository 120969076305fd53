package io.cxt.xfrm;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.net.Inet6Address;
import java.util.List;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import io.cxt.sys.Errno;
import io.cxt.testing.NetnsExtension;
import io.cxt.testing.TestNamespace;

/**
 * XfrmBatch through XfrmClient.apply against the host kernel (policies and SA deletes work without
 * ESP): refusals come back typed and by index, and deletes marked IfAbsent.IGNORE are not reported.
 */
@ExtendWith(NetnsExtension.class)
class XfrmBatchKernelTest {

    @Test
    void refusalsAreTypedAndIndexed(TestNamespace ns) throws IOException {
        SecurityPolicy a = PolicyFixtures.v4Tcp();
        SecurityPolicy b = PolicyFixtures.v6Tcp();
        try (XfrmClient c = XfrmClient.open(ns.netns())) {
            assertEquals(List.of(), c.apply(new XfrmBatch().addPolicy(a).addPolicy(b)));
            List<XfrmFailure> again = c.apply(new XfrmBatch().addPolicy(a).addPolicy(PolicyFixtures.v4UdpSub()).addPolicy(b));
            assertEquals(List.of(0, 2), again.stream().map(XfrmFailure::index).toList());
            assertEquals(List.of(XfrmError.EEXIST, XfrmError.EEXIST), again.stream().map(XfrmFailure::error).toList());
            assertEquals(Errno.EEXIST, again.get(0).cause().errno());
            assertTrue(again.get(0).kernelText().endsWith("EEXIST"), again.get(0).kernelText());
            assertEquals(3, c.policies().dump().size(), "the entry between the refused ones took effect");
        }
    }

    @Test
    void absentEntriesAreReportedUnlessIgnored(TestNamespace ns) throws IOException {
        SecurityPolicy a = PolicyFixtures.v4Tcp();
        SaKey missingSa = SaKey.of(PolicyFixtures.v4Tcp().selector().saddr(), PolicyFixtures.v4Tcp().selector().daddr(),
                0x1234, XfrmId.PROTO_ESP);
        try (XfrmClient c = XfrmClient.open(ns.netns())) {
            List<XfrmFailure> strict = c.apply(new XfrmBatch().deletePolicy(a.id()).deleteSa(missingSa));
            assertEquals(List.of(XfrmError.ENOENT, XfrmError.ESRCH), strict.stream().map(XfrmFailure::error).toList());
            assertTrue(strict.stream().allMatch(f -> f.error().absent()));

            c.policies().add(a);
            List<XfrmFailure> lenient = c.apply(new XfrmBatch()
                    .deletePolicy(a.id(), XfrmBatch.IfAbsent.IGNORE)
                    .deletePolicy(a.id(), XfrmBatch.IfAbsent.IGNORE)
                    .deleteSa(missingSa, XfrmBatch.IfAbsent.IGNORE));
            assertEquals(List.of(), lenient);
            assertEquals(0, c.policies().dump().size(), "the present policy was deleted");
            IOException gone = assertThrows(IOException.class, () -> c.policies().get(a.id()));
            assertEquals(XfrmError.ENOENT, XfrmError.of(gone));
        }
    }

    @Test
    void emptyBatchSendsNothing(TestNamespace ns) throws IOException {
        try (XfrmClient c = XfrmClient.open(ns.netns())) {
            assertEquals(List.of(), c.apply(new XfrmBatch()));
        }
    }

    @Test
    void errnoKindsAndNamesComeFromThePlatformTable() {
        assertEquals(XfrmError.EEXIST, XfrmError.of(17));
        assertEquals(XfrmError.ENOENT, XfrmError.of(2));
        assertEquals(XfrmError.ESRCH, XfrmError.of(3));
        assertEquals(XfrmError.OTHER, XfrmError.of(9999));
        assertEquals(XfrmError.OTHER, XfrmError.of(new IOException("not a refusal")));
        assertEquals("EEXIST", Errno.name(17));
        assertEquals("E9999", Errno.name(9999));
        assertEquals(17, Errno.number("EEXIST"));
    }

    @Test
    void addressesAreLiteralsOnly() {
        assertNull(AddressText.parseOrNull("localhost"));
        assertNull(AddressText.parseOrNull("256.1.1.1"));
        assertNull(AddressText.parseOrNull("2001:db8::1%eth0"));
        assertEquals("192.0.2.1", AddressText.of(AddressText.parse("192.0.2.1")));
        assertEquals("2001:db8::1", AddressText.of(AddressText.parse("2001:db8:0:0::1")));
        assertTrue(AddressText.parse("::ffff:192.0.2.1") instanceof Inet6Address, "a mapped address stays IPv6");
        assertThrows(IllegalArgumentException.class, () -> AddressText.parse("example.org"));
    }
}
