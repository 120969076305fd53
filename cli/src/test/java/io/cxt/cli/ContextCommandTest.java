package io.cxt.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermission;
import java.util.Set;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

import io.cxt.testing.NetnsExtension;
import io.cxt.testing.TestNamespace;

/** cxctl context against the host kernel: policies and larval SAs (no ESP here). */
@ExtendWith(NetnsExtension.class)
class ContextCommandTest {

    record Run(int exit, String out, String err) {
    }

    static Run cxctl(String... args) {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        int rc = Cxctl.execute(new PrintWriter(out), new PrintWriter(err), args);
        return new Run(rc, out.toString(), err.toString());
    }

    static void mobileNode(TestNamespace par) {
        par.ip("xfrm", "policy", "add", "src", "::/0", "dst", "2001:db8:100::10/128", "dir", "out", "tmpl", "src",
                "2001:db8:a::1", "dst", "2001:db8:a::10", "proto", "esp", "reqid", "1", "mode", "tunnel");
        par.ip("xfrm", "policy", "add", "src", "2001:db8:100::10/128", "dst", "::/0", "dir", "in", "tmpl", "src",
                "2001:db8:a::10", "dst", "2001:db8:a::1", "proto", "esp", "reqid", "1", "mode", "tunnel");
        par.ip("xfrm", "state", "allocspi", "src", "2001:db8:a::10", "dst", "2001:db8:a::1", "proto", "esp", "reqid",
                "1", "mode", "tunnel", "min", "0x100", "max", "0x1ff");
    }

    @Test
    void snapshotWritesAPrivateFileThatShowAndDiffRead(TestNamespace par, @TempDir Path dir) throws Exception {
        mobileNode(par);
        Path file = dir.resolve("mn.ctx");
        Run r = cxctl("-n", par.name(), "context", "snapshot", "--mn", "2001:db8:a::10", "--hoa", "2001:db8:100::10",
                "--out", file.toString());
        assertEquals(0, r.exit(), r.err());
        assertTrue(r.out().startsWith("MN 2001:db8:a::10 (HoA 2001:db8:100::10): 1 SAs, 2 policies"), r.out());
        assertEquals(Set.of(PosixFilePermission.OWNER_READ, PosixFilePermission.OWNER_WRITE),
                Files.getPosixFilePermissions(file));
        Run show = cxctl("context", "show", file.toString());
        assertEquals(0, show.exit());
        assertTrue(show.out().contains("pol out ::/0 -> 2001:db8:100::10/128"), show.out());
        Run json = cxctl("--json", "context", "show", file.toString());
        assertTrue(json.out().contains("\"careOfAddress\" : \"2001:db8:a::10\""), json.out());
        Run same = cxctl("context", "diff", file.toString(), file.toString());
        assertEquals("no differences", same.out().strip());

        par.ip("xfrm", "policy", "delete", "src", "2001:db8:100::10/128", "dst", "::/0", "dir", "in");
        Path after = dir.resolve("after.ctx");
        assertEquals(0, cxctl("-n", par.name(), "context", "snapshot", "--mn", "2001:db8:a::10", "--router",
                "2001:db8:a::1", "--out", after.toString()).exit());
        Run diff = cxctl("context", "diff", file.toString(), after.toString());
        assertTrue(diff.out().contains("- pol in 2001:db8:100::10/128 -> ::/0"), diff.out());
    }

    @Test
    void aRefusedInstallExitsOneAndLeavesTheTargetEmpty(TestNamespace par, TestNamespace nar, @TempDir Path dir) {
        mobileNode(par);
        Path file = dir.resolve("mn.ctx");
        assertEquals(0, cxctl("-n", par.name(), "context", "snapshot", "--mn", "2001:db8:a::10", "--out",
                file.toString()).exit());
        // A larval SA has no algorithms: the kernel refuses it as an SA, and the install rolls back.
        Run r = cxctl("-n", nar.name(), "context", "install", file.toString(), "--ncoa", "2001:db8:b::10", "--nar",
                "2001:db8:b::1");
        assertEquals(1, r.exit(), r.out() + r.err());
        assertEquals(1, r.err().strip().lines().count(), r.err());
        assertTrue(r.err().contains("rolled back"), r.err());
        assertFalse(r.err().contains("Exception"), r.err());
        assertEquals("", nar.ip("xfrm", "policy").strip());
        assertEquals("", nar.ip("xfrm", "state").strip());
    }

    @Test
    void badArgumentsExitTwoWithOneLine(@TempDir Path dir) throws Exception {
        Path file = dir.resolve("x.ctx");
        Files.write(file, new byte[] {1, 2, 3});
        Run bad = cxctl("context", "install", file.toString(), "--ncoa", "not-an-address", "--nar", "2001:db8:b::1");
        assertEquals(2, bad.exit());
        assertTrue(bad.err().contains("invalid new care-of address 'not-an-address'"), bad.err());
        Run lookup = cxctl("context", "install", file.toString(), "--ncoa", "2001:db8:b::10", "--nar", "2001:db8:b::1",
                "--lookup", "sideways");
        assertEquals(2, lookup.exit());
        assertTrue(lookup.err().contains("unknown SAD lookup case 'sideways'"), lookup.err());
        Run missing = cxctl("context", "show", dir.resolve("nope.ctx").toString());
        assertEquals(2, missing.exit());
        Run garbage = cxctl("context", "show", file.toString());
        assertEquals(1, garbage.exit());
        assertTrue(garbage.err().startsWith("cxctl: cannot read context file"), garbage.err());
        assertEquals(1, garbage.err().strip().lines().count());
        Run noMn = cxctl("context", "snapshot");
        assertEquals(2, noMn.exit());
        assertTrue(noMn.err().contains("--mn"), noMn.err());
    }
}
