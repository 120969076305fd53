package io.cxt.sys;

import java.util.concurrent.atomic.AtomicBoolean;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Puts the threads on a handover's path (the CXTP and IKE receive loops, movement detection and
 * the MN's activation) under {@code SCHED_FIFO} when the operator asked for it ({@code [agent]
 * realtime-priority}). Why: a CTAR or CTAA that arrives while the CPU runs something else (the
 * JIT compiler, the agent's own after-CTAA work, another daemon) otherwise waits for the end of
 * that thread's time slice, which is a scheduler tick on a kernel without full preemption: in the
 * one-CPU lab kernel (HZ=100) the MN saw its CTAA 11 ms after it was on the wire (issue 11).
 * These threads block in {@code recv} almost always, so a real-time class costs the rest of the
 * machine nothing but the handover's own work.
 *
 * <p>Off (priority 0) by default. Needs CAP_SYS_NICE or an RLIMIT_RTPRIO of at least the priority
 * (systemd: {@code LimitRTPRIO=}); when refused, the thread keeps its normal class and one WARN is
 * logged per process. {@code SCHED_RESET_ON_FORK}: nothing the agent starts inherits the class.
 */
public final class RealtimeThreads {

    /** linux/sched.h */
    static final int SCHED_OTHER = 0;
    static final int SCHED_FIFO = 1;
    static final int SCHED_RESET_ON_FORK = 0x40000000;
    /** The highest priority the configuration accepts (the kernel's range is 1..99). */
    public static final int MAX_PRIORITY = 99;

    private static final Logger LOG = LoggerFactory.getLogger(RealtimeThreads.class);
    private static final AtomicBoolean WARNED = new AtomicBoolean();
    private static volatile int priority;

    private RealtimeThreads() {
    }

    /**
     * Sets the priority the handover threads take from now on (0 = off). Threads already running
     * keep their class until they call {@link #enterCurrentThread} again.
     *
     * @throws IllegalArgumentException outside 0..{@value #MAX_PRIORITY}
     */
    public static void configure(int realtimePriority) {
        if (realtimePriority < 0 || realtimePriority > MAX_PRIORITY) {
            throw new IllegalArgumentException("realtime priority " + realtimePriority + " is not in 0.." + MAX_PRIORITY);
        }
        priority = realtimePriority;
    }

    /** The configured priority (0 = off). */
    public static int priority() {
        return priority;
    }

    /**
     * Called by a handover thread when it starts: takes SCHED_FIFO at the configured priority.
     *
     * @param thread what the thread is, for the log
     * @return the thread's {@link Budget}: a receive loop reports each datagram to it ({@link
     *         Budget#received}); inactive when off or refused (the thread then runs on as before)
     */
    public static Budget enterCurrentThread(String thread) {
        int p = priority;
        if (p == 0) {
            return Budget.NONE;
        }
        if (setCurrent(SCHED_FIFO, p)) {
            return new Budget(thread, p);
        }
        if (WARNED.compareAndSet(false, true)) {
            LOG.warn("realtime-priority {} refused for {} and every later handover thread: sched_setscheduler: {}"
                    + " (needs CAP_SYS_NICE or LimitRTPRIO={})", p, thread, Errno.name(LibC.errno()), p);
        }
        return Budget.NONE;
    }

    private static boolean setCurrent(int policy, int prio) {
        return LibC.INSTANCE.sched_setscheduler(0, policy | SCHED_RESET_ON_FORK, new int[] {prio}) == 0;
    }

    /**
     * What keeps a real-time receive loop from being a way to take the CPU: a sender that makes it
     * receive more than {@value #FLOOD_DATAGRAMS} datagrams within {@value #WINDOW_MILLIS} ms (a
     * handover is a handful) puts it back in the normal class for at least {@value #DEMOTED_MILLIS} ms,
     * so a flood costs the machine what it would without this feature. One per thread; not thread-safe.
     */
    public static final class Budget {
        static final int FLOOD_DATAGRAMS = 50;
        static final long WINDOW_MILLIS = 100;
        static final long DEMOTED_MILLIS = 1000;
        /** For threads that run in the normal class. */
        public static final Budget NONE = new Budget(null, 0);

        private final String thread;
        private final int priority;
        private long windowStart = System.nanoTime();
        private int count;
        private boolean demoted;
        private long demotedAt;
        private long demotions;

        private Budget(String thread, int priority) {
            this.thread = thread;
            this.priority = priority;
        }

        /** Whether this thread took the real-time class at start. */
        public boolean active() {
            return priority > 0;
        }

        /** Whether a flood has put the thread back in the normal class for now. */
        public boolean demoted() {
            return demoted;
        }

        /** How often a flood demoted this thread. */
        public long demotions() {
            return demotions;
        }

        /** One datagram received; cheap (a clock read) unless a window ends. */
        public void received() {
            if (priority == 0) {
                return;
            }
            long now = System.nanoTime();
            if (now - windowStart > WINDOW_MILLIS * 1_000_000L) {
                windowStart = now;
                count = 0;
                if (demoted && now - demotedAt >= DEMOTED_MILLIS * 1_000_000L && setCurrent(SCHED_FIFO, priority)) {
                    demoted = false;
                    LOG.debug("{}: realtime-priority {} again (the flood stopped)", thread, priority);
                }
            }
            if (++count > FLOOD_DATAGRAMS && !demoted) {
                setCurrent(SCHED_OTHER, 0);
                demoted = true;
                demotedAt = now;
                demotions++;
                // one WARN per thread; later demotions at DEBUG (the log is bounded under a flood)
                (demotions == 1 ? LOG.atWarn() : LOG.atDebug()).log("{}: more than {} datagrams in {} ms: back in the normal scheduling class for at least {} ms",
                        thread, FLOOD_DATAGRAMS, WINDOW_MILLIS, DEMOTED_MILLIS);
            }
        }
    }

    /** Whether the calling thread runs under SCHED_FIFO now. */
    /**
     * Lowers the calling thread's CPU share by {@code steps} nice steps (to at most 19; raising
     * one's own nice needs no privilege). For a receive loop that reads what may be a flood (the MN
     * port's shared queue) while the handover threads keep the process's nice: under contention the
     * scheduler then gives them most of the CPU; without contention the thread runs as fast as
     * before. Returns whether the kernel took it (a refusal is not worth a line: the thread keeps
     * its share).
     */
    public static boolean yieldToHandoverThreads(int steps) {
        if (steps < 0 || steps > 39) {
            throw new IllegalArgumentException("nice steps 0..39: " + steps);
        }
        LibC libc = LibC.INSTANCE;
        int tid = libc.gettid();
        return libc.setpriority(0, tid, Math.min(19, currentThreadNice() + steps)) == 0;
    }

    /** The calling thread's nice value (Linux: per thread). */
    public static int currentThreadNice() {
        LibC libc = LibC.INSTANCE;
        return libc.getpriority(0, libc.gettid());
    }

    public static boolean currentThreadIsRealtime() {
        int policy = LibC.INSTANCE.sched_getscheduler(0);
        return policy >= 0 && (policy & ~SCHED_RESET_ON_FORK) == SCHED_FIFO;
    }
}
