package io.cxt.sys;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicReference;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;

/**
 * [agent] realtime-priority: a handover thread takes SCHED_FIFO in the real kernel, and a flood of
 * datagrams puts it back in the normal class (a remote sender must not get a real-time CPU).
 */
class RealtimeThreadsTest {

    @AfterEach
    void off() {
        RealtimeThreads.configure(0);
    }

    /** Runs {@code body} on a fresh thread (the class stays with that thread) and returns what it recorded. */
    private static List<Object> onThread(ThrowingBody body) throws Exception {
        AtomicReference<Throwable> failure = new AtomicReference<>();
        List<Object> seen = new ArrayList<>();
        Thread t = new Thread(() -> {
            try {
                body.run(seen);
            } catch (Throwable e) {
                failure.set(e);
            }
        }, "realtime-test");
        t.start();
        t.join(10_000);
        if (failure.get() instanceof Exception e) {
            throw e;
        }
        if (failure.get() instanceof Error e) {
            throw e;
        }
        return seen;
    }

    interface ThrowingBody {
        void run(List<Object> seen) throws Exception;
    }

    @Test
    void offByDefaultAndOffLeavesTheThreadAlone() throws Exception {
        List<Object> seen = onThread(s -> {
            RealtimeThreads.Budget b = RealtimeThreads.enterCurrentThread("t");
            s.add(b);
            s.add(RealtimeThreads.currentThreadIsRealtime());
        });
        assertSame(RealtimeThreads.Budget.NONE, seen.get(0));
        assertEquals(false, seen.get(1));
    }

    @Test
    void priorityOutsideTheKernelsRangeIsRefused() {
        assertThrows(IllegalArgumentException.class, () -> RealtimeThreads.configure(100));
        assertThrows(IllegalArgumentException.class, () -> RealtimeThreads.configure(-1));
        assertEquals(0, RealtimeThreads.priority());
    }

    @Test
    void aHandoverThreadRunsUnderSchedFifoUntilAFloodDemotesItThenComesBack() throws Exception {
        RealtimeThreads.configure(5);
        List<Object> seen = onThread(s -> {
            RealtimeThreads.Budget b = RealtimeThreads.enterCurrentThread("t");
            s.add(b.active());
            s.add(RealtimeThreads.currentThreadIsRealtime());
            if (!b.active()) {
                return; // no CAP_SYS_NICE here: nothing more to check
            }
            for (int i = 0; i < RealtimeThreads.Budget.FLOOD_DATAGRAMS; i++) {
                b.received(); // a handful of messages: stays
            }
            s.add(RealtimeThreads.currentThreadIsRealtime());
            b.received(); // one more within the window: a flood
            s.add(RealtimeThreads.currentThreadIsRealtime());
            s.add(b.demoted());
            Thread.sleep(RealtimeThreads.Budget.DEMOTED_MILLIS + RealtimeThreads.Budget.WINDOW_MILLIS + 50);
            b.received(); // the flood is over: the next datagram's window restores the class
            s.add(RealtimeThreads.currentThreadIsRealtime());
            s.add(b.demotions());
        });
        Assumptions.assumeTrue((Boolean) seen.get(0), "sched_setscheduler(SCHED_FIFO) refused: needs CAP_SYS_NICE");
        assertTrue((Boolean) seen.get(1), "SCHED_FIFO after entering");
        assertTrue((Boolean) seen.get(2), "50 datagrams in a window are not a flood");
        assertFalse((Boolean) seen.get(3), "the 51st within 100 ms demotes");
        assertTrue((Boolean) seen.get(4));
        assertTrue((Boolean) seen.get(5), "real-time again after the demotion time");
        assertEquals(1L, seen.get(6));
    }

    @Test
    void nothingTheThreadStartsInheritsTheClass() throws Exception {
        RealtimeThreads.configure(5);
        List<Object> seen = onThread(s -> {
            s.add(RealtimeThreads.enterCurrentThread("t").active());
            // SCHED_RESET_ON_FORK is part of the policy the kernel reports back
            s.add(LibC.INSTANCE.sched_getscheduler(0) & RealtimeThreads.SCHED_RESET_ON_FORK);
        });
        Assumptions.assumeTrue((Boolean) seen.get(0), "sched_setscheduler(SCHED_FIFO) refused: needs CAP_SYS_NICE");
        assertEquals(RealtimeThreads.SCHED_RESET_ON_FORK, seen.get(1));
    }
}
