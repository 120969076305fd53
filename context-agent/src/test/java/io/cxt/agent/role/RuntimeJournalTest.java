package io.cxt.agent.role;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.InetAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import io.cxt.xfrm.IpsecKernel;
import io.cxt.xfrm.SaKey;
import io.cxt.xfrm.SecurityAssociation;
import io.cxt.xfrm.InMemoryIpsecKernel;

class RuntimeJournalTest {

    private static final InetAddress ROUTER = io.cxt.xfrm.AddressText.parse("2001:db8:b0::1");

    private static RuntimeJournal.Entry entry(String mn, int spi) throws Exception {
        SaKey k = SaKey.of(InetAddress.getByName(mn), ROUTER, spi, 50);
        return new RuntimeJournal.Entry(mn, List.of(new RuntimeJournal.OwnedSa(k, KernelOwnership.LARVAL)),
                List.of(new RuntimeJournal.OutboundSa(ROUTER, spi + 1, 50, "0011223344556677")), List.of());
    }

    private static RuntimeJournal.Entry moved(String mn, int spi) throws Exception {
        SaKey k = SaKey.of(ROUTER, InetAddress.getByName(mn), spi, 50);
        return new RuntimeJournal.Entry(mn, List.of(new RuntimeJournal.OwnedSa(k, "8899aabbccddeeff")), List.of(), List.of());
    }

    @Test
    void recordsAreAppendedToOneOpenFileAndUnfinishedHoldsAreFound(@TempDir Path dir) throws Exception {
        try (RuntimeJournal j = new RuntimeJournal(dir, "nar")) {
            long a = j.hold(entry("2001:db8:1::10", 0x100), "par");
            long b = j.hold(entry("2001:db8:1::11", 0x200), "par");
            long c = j.hold(entry("2001:db8:1::12", 0x300), "par");
            j.replied("2001:db8:1::10", a);
            j.done("2001:db8:1::12", c);
            List<RuntimeJournal.Entry> open = j.unfinished();
            assertEquals(List.of("2001:db8:1::11"), open.stream().map(RuntimeJournal.Entry::mn).toList());
            assertEquals(entry("2001:db8:1::11", 0x200), open.get(0));
            assertTrue(b > a && c > b, "serials increase");
            assertEquals(1, j.writerCounts()[1], "the file was opened once for five records");
        }
    }

    @Test
    void recordsAreInTheFileWhenTheCallReturns(@TempDir Path dir) throws Exception {
        // Issue 12 item 6: the record protects the kernel change or message that follows it, so it must not
        // wait in a queue (a kill -9 then would lose it).
        try (RuntimeJournal j = new RuntimeJournal(dir, "nar")) {
            long s = j.hold(entry("2001:db8:1::10", 0x100), "par");
            assertTrue(Files.readString(j.file()).startsWith("hold 2001:db8:1::10 " + s + " par\n"));
            j.replied("2001:db8:1::10", s);
            assertTrue(Files.readString(j.file()).endsWith("replied 2001:db8:1::10 " + s + "\n"));
        }
    }

    /**
     * A hold whose items are all in the kernel as journaled (a previous run installed it and may have died before the
     * CTAA or the CTDR) is kept and returned; one with an item missing is removed.
     */
    @Test
    void aHoldFoundInstalledIsKeptAndReturnedAndAHalfInstalledOneIsRemoved(@TempDir Path dir) throws Exception {
        InetAddress coa = InetAddress.getByName("2001:db8:b::10");
        InMemoryIpsecKernel kernel = new InMemoryIpsecKernel();
        SecurityAssociation in = HandoverLab.esp(coa, ROUTER, 0x100, 0, 5, HandoverLab.key(20, 1));
        SecurityAssociation out = HandoverLab.esp(ROUTER, coa, 0x101, 5, 0, HandoverLab.key(20, 2));
        kernel.addSa(in);
        kernel.addSa(out);
        RuntimeJournal.Entry complete = new RuntimeJournal.Entry("2001:db8:1::10",
                List.of(new RuntimeJournal.OwnedSa(in.key(), KernelOwnership.LARVAL),
                        new RuntimeJournal.OwnedSa(in.key(), KernelOwnership.sa(in))),
                List.of(new RuntimeJournal.OutboundSa(ROUTER, 0x101, 50, KernelOwnership.sa(out))), List.of());
        SaKey missing = SaKey.of(ROUTER, 0x200, 50);
        RuntimeJournal.Entry half = new RuntimeJournal.Entry("2001:db8:1::11",
                List.of(new RuntimeJournal.OwnedSa(missing, KernelOwnership.sa(in))),
                List.of(new RuntimeJournal.OutboundSa(ROUTER, 0x101, 50, KernelOwnership.sa(out))), List.of());
        long serial;
        try (RuntimeJournal j = new RuntimeJournal(dir, "nar")) {
            serial = j.hold(complete, "par");
        }
        try (RuntimeJournal j = new RuntimeJournal(dir, "nar")) {
            RuntimeJournal.Recovered r = j.recover(kernel, ROUTER);
            assertEquals(List.of(new RuntimeJournal.Unreplied("2001:db8:1::10", serial, "par", coa)), r.unreplied());
            assertEquals(0, r.removed());
            assertEquals(2, kernel.dumpSas().size(), "kept");
            assertEquals(1, j.read().holds().size(), "still open until the CTDR is sent");
            j.replied("2001:db8:1::10", serial);
            assertTrue(j.read().holds().isEmpty());
            long next = j.hold(half, "par");
            assertTrue(next > serial, "serials continue past the previous run's");
        }
        try (RuntimeJournal j = new RuntimeJournal(dir, "nar")) {
            RuntimeJournal.Recovered r = j.recover(kernel, ROUTER);
            assertTrue(r.unreplied().isEmpty(), "half installed: not an activation");
            assertEquals(1, r.removed(), "its outbound SA, still cxt's, removed");
            assertEquals(List.of(in.key()), kernel.dumpSas().stream().map(SecurityAssociation::key).toList());
        }
    }

    @Test
    void aTransferSentStaysOpenUntilReleasedAndAMovedOneIsRemovedAtStart(@TempDir Path dir) throws Exception {
        try (RuntimeJournal j = new RuntimeJournal(dir, "par")) {
            long a = j.sent(moved("2001:db8:1::10", 0x100), "nar", true);
            long b = j.sent(moved("2001:db8:1::11", 0x200), "nar", false);
            long c = j.sent(moved("2001:db8:1::12", 0x300), "nar", true);
            j.moved("2001:db8:1::11", b);
            j.moved("2001:db8:1::12", c);
            j.released("2001:db8:1::12", c);
            JournalFile f = j.read();
            assertEquals(List.of(moved("2001:db8:1::10", 0x100)), f.sent().stream().map(JournalFile.Open::entry).toList());
            assertTrue(f.sent().get(0).predictive());
            assertEquals("nar", f.sent().get(0).peer());
            assertEquals(a, f.sent().get(0).serial());
            assertEquals(List.of(moved("2001:db8:1::11", 0x200)), f.moved().stream().map(JournalFile.Open::entry).toList());
            assertTrue(f.holds().isEmpty(), "the pAR side does not mix with the nAR side");
        }
        try (RuntimeJournal j = new RuntimeJournal(dir, "par")) {
            RuntimeJournal.Recovered r = j.recover(new InMemoryIpsecKernel(), ROUTER);
            assertEquals(1, r.awaiting().size());
            assertEquals(moved("2001:db8:1::10", 0x100), r.awaiting().get(0).entry());
            assertTrue(j.read().moved().isEmpty(), "the moved transfer was finished at start");
            assertEquals(1, j.read().sent().size(), "the awaited one stays journaled");
        }
    }

    @Test
    void aLateEndOfAnOlderHoldDoesNotEndANewerOne(@TempDir Path dir) throws Exception {
        try (RuntimeJournal j = new RuntimeJournal(dir, "nar")) {
            long first = j.hold(entry("2001:db8:1::10", 0x100), "par");
            j.hold(entry("2001:db8:1::10", 0x101), "par"); // a new PCTD for the same MN, journaled before the old "done"
            j.done("2001:db8:1::10", first);
            List<RuntimeJournal.Entry> open = j.unfinished();
            assertEquals(1, open.size());
            assertEquals(entry("2001:db8:1::10", 0x101), open.get(0), "the newer hold stays to be reconciled");
        }
    }

    @Test
    void recordsOfEarlierVersionsWithoutSerialsStillEndTheirHold(@TempDir Path dir) throws Exception {
        try (RuntimeJournal j = new RuntimeJournal(dir, "nar")) {
            Files.writeString(j.file(), "hold 2001:db8:1::10\nsa 2001:db8:1::10 00\nactive 2001:db8:1::10\n"
                    + "hold 2001:db8:1::11\n", StandardCharsets.US_ASCII);
            assertEquals(List.of("2001:db8:1::11"), j.unfinished().stream().map(RuntimeJournal.Entry::mn).toList());
        }
    }

    @Test
    void theFileIsCompactedToTheUnfinishedEntriesOnceItHasGrown(@TempDir Path dir) throws Exception {
        try (RuntimeJournal j = new RuntimeJournal(dir, "nar", 4096)) {
            long kept = j.hold(entry("2001:db8:1::ffff", 0x900), "par");
            long sent = j.sent(moved("2001:db8:1::eeee", 0x700), "nar", true);
            for (int i = 0; i < 500; i++) {
                String mn = "2001:db8:1::" + Integer.toHexString(i + 1);
                long s = j.hold(entry(mn, 0x1000 + 2 * i), "par");
                if (i % 2 == 0) {
                    j.replied(mn, s);
                } else {
                    j.done(mn, s);
                }
            }
            long last = j.hold(entry("2001:db8:1::fffe", 0x901), "par");
            int[] counts = j.writerCounts();
            assertTrue(counts[0] > 0, "compacted");
            long size = Files.size(j.file());
            assertTrue(size <= 4096 + 400, "bounded: " + size);
            assertEquals(List.of(entry("2001:db8:1::ffff", 0x900), entry("2001:db8:1::fffe", 0x901)), j.unfinished(),
                    "every unfinished entry survives compaction, in order");
            assertEquals(sent, j.read().sent().get(0).serial(), "the pAR's open transfer survives compaction");
            assertTrue(last > kept);
            assertTrue(Files.notExists(j.file().resolveSibling("nar.journal.tmp")));
        }
    }
}
