package io.cxt.agent.role;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.List;

import org.junit.jupiter.api.Test;

import io.cxt.agent.view.AgentEvent;

class EventLogTest {

    /** A clock the test moves by hand. */
    static final class ManualClock extends Clock {
        Instant now = Instant.parse("2026-01-01T00:00:00Z");

        @Override
        public java.time.ZoneId getZone() {
            return ZoneOffset.UTC;
        }

        @Override
        public Clock withZone(java.time.ZoneId zone) {
            return this;
        }

        @Override
        public Instant instant() {
            return now;
        }
    }

    @Test
    void theRingKeepsTheNewestEventsWithIncreasingIds() {
        EventLog log = new EventLog(3, Clock.systemUTC());
        for (int i = 1; i <= 5; i++) {
            log.emit("context-received", "2001:db8::" + i, "n" + i);
        }
        List<AgentEvent> all = log.since(0);
        assertEquals(List.of(3L, 4L, 5L), all.stream().map(AgentEvent::id).toList());
        assertEquals("2001:db8::5", all.get(2).mobileNode());
        assertEquals(List.of(5L), log.since(4).stream().map(AgentEvent::id).toList());
        assertEquals(5, log.count("context-received"), "counted beyond the buffer");
        assertEquals(5L, log.counters().get("events.context-received"));
        assertEquals(5, log.lastId());
    }

    @Test
    void protectionRejectionsAreLoggedOncePerPeerPerMinuteButAllCounted() {
        ManualClock clock = new ManualClock();
        EventLog log = new EventLog(100, clock);
        for (int i = 0; i < 5; i++) {
            log.emit("protection-rejected", "par", "bad tag");
        }
        log.emit("protection-rejected", "other", "unknown peer");
        assertEquals(6, log.count("protection-rejected"));
        assertEquals(2, log.linesLogged("protection-rejected"));
        clock.now = clock.now.plus(Duration.ofSeconds(59));
        log.emit("protection-rejected", "par", "bad tag");
        assertEquals(2, log.linesLogged("protection-rejected"));
        clock.now = clock.now.plus(Duration.ofSeconds(2));
        log.emit("protection-rejected", "par", "bad tag");
        assertEquals(3, log.linesLogged("protection-rejected"));
        assertEquals(8, log.since(0).size(), "every event is kept");
    }

    @Test
    void emitAtTimestampsFromTheGivenNanoTimeWithoutAClockReadingPerEvent() {
        ManualClock clock = new ManualClock();
        EventLog log = new EventLog(10, clock);
        long t = System.nanoTime();
        log.emitAt(t, "context-activated", "2001:db8::1", "a"); // anchors: clock reading <-> t (within the call)
        clock.now = clock.now.plus(Duration.ofHours(1)); // not read again within the renewal interval
        log.emitAt(t + 250_000_000L, "context-activated", "2001:db8::1", "b");
        List<AgentEvent> e = log.since(0);
        Instant first = Instant.parse(e.get(0).time());
        Instant second = Instant.parse(e.get(1).time());
        assertEquals(250, Duration.between(first, second).toMillis(), "from the nanoTime difference");
        assertTrue(Duration.between(Instant.parse("2026-01-01T00:00:00Z"), first).abs().toMillis() < 1000);
        log.emitAt(t + EventLog.ANCHOR_RENEWAL.toNanos() + 1_000_000_000L, "context-activated", "2001:db8::1", "c");
        Instant third = Instant.parse(log.since(2).get(0).time());
        assertTrue(third.isAfter(clock.now.minusSeconds(5)), "anchor renewed after " + EventLog.ANCHOR_RENEWAL + ": " + third);
    }

    @Test
    void otherKindsAreAlwaysLogged() {
        EventLog log = new EventLog();
        log.emit("context-activated", "2001:db8::1", "x");
        log.emit("context-activated", "2001:db8::1", "y");
        assertEquals(2, log.linesLogged("context-activated"));
    }

    /** Issue 12 item 1: spoofed sources must neither grow memory nor write a line each. */
    @Test
    void rejectionsFromManySpoofedSourcesAreBoundedInLinesAndState() {
        ManualClock clock = new ManualClock();
        EventLog log = new EventLog(100, clock);
        for (int i = 0; i < 50_000; i++) {
            log.emit("protection-rejected", "2001:db8::" + Integer.toHexString(i) + " port " + (i & 0xffff), "bad tag");
            if (i % 1000 == 0) {
                clock.now = clock.now.plusMillis(100);
            }
        }
        assertEquals(50_000, log.count("protection-rejected"), "every event counted");
        // 5 s of events: at most the burst plus 5 lines per second
        assertTrue(log.linesLogged("protection-rejected") <= EventLog.INPUT_LINE_BURST + 5 * 5 + 1,
                "lines: " + log.linesLogged("protection-rejected"));
        assertTrue(log.rateLimitedSources() <= EventLog.MAX_RATE_LIMITED_SOURCES, "remembered: " + log.rateLimitedSources());
    }

    /** Issue 12 item 1: one line per datagram on the MN's IKE port, or per CTAR on the routers, is a flood. */
    @Test
    void everyInputTriggeredKindSharesOneLineBudget() {
        ManualClock clock = new ManualClock();
        EventLog log = new EventLog(100, clock);
        String[] kinds = {"ike-rejected", "ctreq-sent", "transfer-failed", "ctreq-rejected", "ctar-rejected"};
        for (int s = 0; s < 10; s++) {
            for (int i = 0; i < 2000; i++) {
                log.emit(kinds[i % kinds.length], "2001:db8::" + Integer.toHexString(i), "from 2001:db8:ff::1");
            }
            clock.now = clock.now.plusSeconds(1);
        }
        long total = 0;
        for (String k : kinds) {
            assertEquals(4000, log.count(k));
            total += log.linesLogged(k);
        }
        assertTrue(total <= EventLog.INPUT_LINE_BURST + 10 * EventLog.INPUT_LINES_PER_SECOND, "lines in 10 s: " + total);
        assertTrue(total >= 10, "still logs some: " + total);
    }
}
