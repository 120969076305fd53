package io.cxt.cxtp;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.time.Duration;
import java.util.List;

import org.junit.jupiter.api.Test;

class RetransmissionPolicyTest {

    static Duration s(long seconds) {
        return Duration.ofSeconds(seconds);
    }

    static Duration ms(long millis) {
        return Duration.ofMillis(millis);
    }

    @Test
    void rfcDefaultsSendAt0_2_6_14AndGiveUpAt15() {
        RetransmissionPolicy p = RetransmissionPolicy.RFC_4067;
        assertEquals(List.of(s(0), s(2), s(6), s(14)), p.transmissionOffsets());
        assertEquals(s(15), p.giveUpAt());
        assertEquals(s(2), p.intervalAfter(1));
        assertEquals(s(4), p.intervalAfter(2));
        assertEquals(s(8), p.intervalAfter(3));
        assertEquals(s(15), p.intervalAfter(4), "16 s capped at 15 s");
        assertEquals(s(15), p.intervalAfter(40));
    }

    @Test
    void capMattersWhenGiveUpIsLater() {
        RetransmissionPolicy p = new RetransmissionPolicy(s(2), s(15), s(60), 10);
        assertEquals(List.of(s(0), s(2), s(6), s(14), s(29), s(44), s(59)), p.transmissionOffsets());
        assertEquals(s(60), p.giveUpAt());
    }

    @Test
    void maxTransmissionsLimitsAndGiveUpFollowsTheLastWait() {
        RetransmissionPolicy p = new RetransmissionPolicy(ms(100), ms(400), s(10), 5);
        assertEquals(List.of(ms(0), ms(100), ms(300), ms(700), ms(1100)), p.transmissionOffsets());
        assertEquals(ms(1500), p.giveUpAt());
    }

    @Test
    void singleTransmissionWaitsOnce() {
        RetransmissionPolicy p = RetransmissionPolicy.singleTransmission(CxtpConstants.CT_MAX_TRANSFER_TIME);
        assertEquals(List.of(Duration.ZERO), p.transmissionOffsets());
        assertEquals(ms(200), p.giveUpAt());
    }

    @Test
    void nonsenseIsRefused() {
        assertThrows(IllegalArgumentException.class, () -> new RetransmissionPolicy(Duration.ZERO, s(1), s(1), 1));
        assertThrows(IllegalArgumentException.class, () -> new RetransmissionPolicy(s(2), s(1), s(1), 1));
        assertThrows(IllegalArgumentException.class, () -> new RetransmissionPolicy(s(1), s(1), s(1), 0));
    }

    @Test
    void rateLimiterAllowsTheRateAndRefills() {
        long[] now = {0};
        RequestRateLimiter l = new RequestRateLimiter(10, () -> now[0]);
        int allowed = 0;
        for (int i = 0; i < 25; i++) {
            allowed += l.tryAcquire() ? 1 : 0;
        }
        assertEquals(10, allowed, "a burst of one second's worth");
        now[0] += 300_000_000L; // 0.3 s refills 3
        allowed = 0;
        for (int i = 0; i < 25; i++) {
            allowed += l.tryAcquire() ? 1 : 0;
        }
        assertEquals(3, allowed);
        RequestRateLimiter unlimited = new RequestRateLimiter(0, () -> 0L);
        for (int i = 0; i < 1000; i++) {
            assertEquals(true, unlimited.tryAcquire());
        }
    }

    @Test
    void dropPolicyConsumesCountsPerType() {
        DropPolicy d = DropPolicy.dropFirst(MessageType.CTAR, 2).andDropFirst(MessageType.CTAA, 1);
        assertEquals(true, d.shouldDrop(MessageType.CTAR));
        assertEquals(false, d.shouldDrop(MessageType.CTD));
        assertEquals(true, d.shouldDrop(MessageType.CTAA));
        assertEquals(false, d.shouldDrop(MessageType.CTAA));
        assertEquals(true, d.shouldDrop(MessageType.CTAR));
        assertEquals(false, d.shouldDrop(MessageType.CTAR));
        assertEquals(2, d.dropped(MessageType.CTAR));
        assertEquals(1, d.dropped(MessageType.CTAA));
    }
}
