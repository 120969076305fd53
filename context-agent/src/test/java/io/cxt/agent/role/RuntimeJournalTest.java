package io.cxt.agent.role;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.InetAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import io.cxt.xfrm.SaKey;

class RuntimeJournalTest {

    private static RuntimeJournal.Entry entry(String mn, int spi) throws Exception {
        SaKey k = SaKey.of(InetAddress.getByName(mn), InetAddress.getByName("2001:db8:b0::1"), spi, 50);
        return new RuntimeJournal.Entry(mn, List.of(new RuntimeJournal.OwnedSa(k, KernelOwnership.LARVAL)),
                List.of(new RuntimeJournal.OutboundSa(InetAddress.getByName("2001:db8:b0::1"), spi + 1, 50, "0011223344556677")),
                List.of());
    }

    @Test
    void recordsAreAppendedToOneOpenFileAndUnfinishedHoldsAreFound(@TempDir Path dir) throws Exception {
        try (RuntimeJournal j = new RuntimeJournal(dir, "nar")) {
            long a = j.hold(entry("2001:db8:1::10", 0x100));
            long b = j.hold(entry("2001:db8:1::11", 0x200));
            long c = j.hold(entry("2001:db8:1::12", 0x300));
            j.active("2001:db8:1::10", a);
            j.done("2001:db8:1::12", c);
            j.flush();
            List<RuntimeJournal.Entry> open = j.unfinished();
            assertEquals(List.of("2001:db8:1::11"), open.stream().map(RuntimeJournal.Entry::mn).toList());
            assertEquals(entry("2001:db8:1::11", 0x200), open.get(0));
            assertTrue(b > a && c > b, "serials increase");
            assertEquals(1, j.writerCounts()[1], "the file was opened once for five records");
        }
    }

    @Test
    void aLateEndOfAnOlderHoldDoesNotEndANewerOne(@TempDir Path dir) throws Exception {
        try (RuntimeJournal j = new RuntimeJournal(dir, "nar")) {
            long first = j.hold(entry("2001:db8:1::10", 0x100));
            j.hold(entry("2001:db8:1::10", 0x101)); // a new PCTD for the same MN, journaled before the old "active"
            j.active("2001:db8:1::10", first);
            j.flush();
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
        ExecutorService writer = Executors.newSingleThreadExecutor();
        try (RuntimeJournal j = new RuntimeJournal(dir, "nar", writer, 4096)) {
            long kept = j.hold(entry("2001:db8:1::ffff", 0x900));
            for (int i = 0; i < 500; i++) {
                String mn = "2001:db8:1::" + Integer.toHexString(i + 1);
                long s = j.hold(entry(mn, 0x1000 + 2 * i));
                if (i % 2 == 0) {
                    j.active(mn, s);
                } else {
                    j.done(mn, s);
                }
            }
            long last = j.hold(entry("2001:db8:1::fffe", 0x901));
            j.flush();
            int[] counts = j.writerCounts();
            assertTrue(counts[0] > 0, "compacted");
            long size = Files.size(j.file());
            assertTrue(size <= 4096 + 400, "bounded: " + size);
            assertEquals(List.of(entry("2001:db8:1::ffff", 0x900), entry("2001:db8:1::fffe", 0x901)), j.unfinished(),
                    "every unfinished entry survives compaction, in order");
            assertTrue(last > kept);
            assertTrue(Files.notExists(j.file().resolveSibling("nar.journal.tmp")));
        } finally {
            writer.shutdown();
        }
    }
}
