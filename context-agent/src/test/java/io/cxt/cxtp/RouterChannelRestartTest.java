package io.cxt.cxtp;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Issue 12 item 3: replay after a restart, nonces after a clock step, and stale envelopes. Each
 * "restart" is a new {@link RouterChannelProtection} on the same state file, as after kill -9.
 */
class RouterChannelRestartTest {

    static final int PAR = RouterChannelProtectionTest.PAR;
    static final int NAR = RouterChannelProtectionTest.NAR;
    static final Duration MAX_AGE = Duration.ofSeconds(40);
    static final Instant T0 = Instant.parse("2026-12-02T12:00:00Z");

    static RouterChannelProtection par(Path dir, Instant now) throws Exception {
        RouterChannelProtection p = RouterChannelProtection.restartSafe(PAR, ChannelCounterStore.open(dir.resolve("par.channel")),
                MAX_AGE, Clock.fixed(now, ZoneOffset.UTC));
        p.addPeer(new RouterPeer(NAR, RouterChannelProtectionTest.NAR_ADDR, RouterChannelProtectionTest.KEY));
        return p;
    }

    static RouterChannelProtection nar(Path dir, Instant now) throws Exception {
        RouterChannelProtection n = RouterChannelProtection.restartSafe(NAR, ChannelCounterStore.open(dir.resolve("nar.channel")),
                MAX_AGE, Clock.fixed(now, ZoneOffset.UTC));
        n.addPeer(new RouterPeer(PAR, RouterChannelProtectionTest.PAR_ADDR, RouterChannelProtectionTest.KEY));
        return n;
    }

    static long counterOf(byte[] envelope) {
        long c = 0;
        for (int i = 8; i < 16; i++) {
            c = c << 8 | (envelope[i] & 0xff);
        }
        return c;
    }

    @Test
    void anEnvelopeAcceptedBeforeARestartIsRefusedAfterIt(@TempDir Path dir) throws Exception {
        byte[] pctd = par(dir, T0).seal(NAR, "PCTD".getBytes(StandardCharsets.US_ASCII));
        RouterChannelProtection firstRun = nar(dir, T0.plusSeconds(1));
        assertInstanceOf(RouterChannelProtection.Accepted.class, firstRun.open(RouterChannelProtectionTest.PAR_ADDR, pctd));

        RouterChannelProtection afterRestart = nar(dir, T0.plusSeconds(5));
        RouterChannelProtection.Opened again = afterRestart.open(RouterChannelProtectionTest.PAR_ADDR, pctd);
        assertInstanceOf(RouterChannelProtection.Rejected.class, again, "a captured PCTD replayed after the restart");
        byte[] next = par(dir, T0.plusSeconds(6)).seal(NAR, "CTD".getBytes(StandardCharsets.US_ASCII));
        assertInstanceOf(RouterChannelProtection.Accepted.class, afterRestart.open(RouterChannelProtectionTest.PAR_ADDR, next),
                "new envelopes still pass");
    }

    @Test
    void aClockSteppedBackAcrossARestartNeverRepeatsACounter(@TempDir Path dir) throws Exception {
        long highest = -1;
        RouterChannelProtection first = par(dir, T0);
        for (int i = 0; i < 5000; i++) { // beyond one reservation block
            highest = counterOf(first.seal(NAR, new byte[] {1}));
        }
        RouterChannelProtection steppedBack = par(dir, T0.minus(Duration.ofHours(1)));
        long after = counterOf(steppedBack.seal(NAR, new byte[] {2}));
        assertTrue(after > highest, "counter " + after + " must be above " + highest + " (a repeated GCM nonce otherwise)");
    }

    @Test
    void envelopesOlderThanTheHandoverTimeoutPlusSkewAreRefused(@TempDir Path dir) throws Exception {
        byte[] old = par(dir, T0).seal(NAR, "PCTD".getBytes(StandardCharsets.US_ASCII));
        RouterChannelProtection n = nar(dir, T0.plus(MAX_AGE).plusSeconds(1));
        RouterChannelProtection.Opened o = n.open(RouterChannelProtectionTest.PAR_ADDR, old);
        assertEquals(new RouterChannelProtection.Rejected(RouterChannelProtection.RejectionReason.EXPIRED), o);
        byte[] fresh = par(dir, T0.plus(MAX_AGE)).seal(NAR, "PCTD".getBytes(StandardCharsets.US_ASCII));
        assertInstanceOf(RouterChannelProtection.Accepted.class, n.open(RouterChannelProtectionTest.PAR_ADDR, fresh));
    }

    /** A wall clock the test moves forward. */
    static final class SteppedClock extends Clock {
        Instant now;

        SteppedClock(Instant now) {
            this.now = now;
        }

        @Override
        public Instant instant() {
            return now;
        }

        @Override
        public java.time.ZoneId getZone() {
            return ZoneOffset.UTC;
        }

        @Override
        public Clock withZone(java.time.ZoneId zone) {
            return this;
        }
    }

    @Test
    void envelopesOfARouterRunningLongerThanTheMaximumAgeAreStillAccepted(@TempDir Path dir) throws Exception {
        // Issue 11: the counter's time stamp was the channel's start, so 80 s after the agents
        // started every envelope (the PCTD of the experiment's second transfer) was refused as expired.
        SteppedClock parClock = new SteppedClock(T0);
        SteppedClock narClock = new SteppedClock(T0);
        RouterChannelProtection p = RouterChannelProtection.restartSafe(PAR,
                ChannelCounterStore.open(dir.resolve("par.channel")), MAX_AGE, parClock);
        p.addPeer(new RouterPeer(NAR, RouterChannelProtectionTest.NAR_ADDR, RouterChannelProtectionTest.KEY));
        RouterChannelProtection n = RouterChannelProtection.restartSafe(NAR,
                ChannelCounterStore.open(dir.resolve("nar.channel")), MAX_AGE, narClock);
        n.addPeer(new RouterPeer(PAR, RouterChannelProtectionTest.PAR_ADDR, RouterChannelProtectionTest.KEY));
        long previous = -1;
        for (int minute = 0; minute < 5; minute++) {
            Instant at = T0.plus(Duration.ofMinutes(minute));
            parClock.now = at;
            narClock.now = at.plusMillis(200);
            byte[] env = p.seal(NAR, "PCTD".getBytes(StandardCharsets.US_ASCII));
            long counter = counterOf(env);
            assertTrue(counter > previous, "counters increase");
            assertEquals(at.toEpochMilli(), counter >>> 20, "the counter carries the time it was sealed");
            previous = counter;
            assertInstanceOf(RouterChannelProtection.Accepted.class, n.open(RouterChannelProtectionTest.PAR_ADDR, env),
                    "envelope sealed " + minute + " min after the start");
        }
        parClock.now = T0; // stepped back: still above every counter used
        assertTrue(counterOf(p.seal(NAR, new byte[] {1})) > previous);
        // The restarted router continues above the reservation the stamped counters wrote.
        RouterChannelProtection restarted = par(dir, T0);
        assertTrue(counterOf(restarted.seal(NAR, new byte[] {2})) > previous);
    }

    @Test
    void aTornSlotIsIgnored(@TempDir Path dir) throws Exception {
        par(dir, T0).seal(NAR, new byte[] {1});
        Path f = dir.resolve("par.channel");
        byte[] b = java.nio.file.Files.readAllBytes(f);
        b[5] ^= 0x40; // corrupt the reservation's value: CRC fails
        java.nio.file.Files.write(f, b);
        try (ChannelCounterStore s = ChannelCounterStore.open(f)) {
            assertEquals(-1, s.localFloor());
        }
    }
}
