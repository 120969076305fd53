package io.cxt.health;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The liveness of the process's receive loops (CXTP over UDP, SCTP and ICMP, the IKE endpoint, the
 * charon HA relay), for the systemd watchdog: a loop is <b>stuck</b> when its thread has been inside
 * the handler of one datagram for longer than a limit, or <b>dead</b> when its thread ended without
 * the loop being closed. Either way the agent no longer hears its peers or MNs, so the watchdog stops
 * pinging and systemd restarts it (WatchdogSec= in the unit), and the reason is logged.
 *
 * <p>The cost on the receive path is two volatile writes and one {@link System#nanoTime()} per
 * datagram, no allocation. One registry per process ({@link #process()}): the watchdog is the
 * process's.
 */
public final class ReceiveLoops {

    private static final ReceiveLoops PROCESS = new ReceiveLoops();

    private final Set<Loop> loops = ConcurrentHashMap.newKeySet();

    /** A registry of its own (tests); the agent uses {@link #process()}. */
    public ReceiveLoops() {
    }

    /** The process's registry (what the agent's watchdog reads). */
    public static ReceiveLoops process() {
        return PROCESS;
    }

    /**
     * Registers the calling thread's loop; called by the loop thread itself as it starts.
     *
     * @param name for the report, like the thread's name ("cxtp-udp-5091-receive")
     */
    public Loop enter(String name) {
        Loop l = new Loop(this, name, Thread.currentThread());
        loops.add(l);
        return l;
    }

    /**
     * Runs a receive loop on the calling thread, watched: registers it as {@code name}, runs
     * {@code body} with its heartbeat, and stops watching when the body returns because
     * {@code closed} says so (an orderly end). Any other end leaves it registered, so the watchdog
     * reports the dead loop.
     */
    public void watch(String name, java.util.function.BooleanSupplier closed, java.util.function.Consumer<Loop> body) {
        Loop beat = enter(name);
        try {
            body.accept(beat);
        } finally {
            if (closed.getAsBoolean()) {
                beat.leave();
            }
        }
    }

    /**
     * The loops that are stuck (in one handler for longer than {@code limit}) or dead (thread ended,
     * loop not left), one line each; empty when all is well.
     */
    public List<String> problems(Duration limit) {
        long now = System.nanoTime();
        List<String> out = new ArrayList<>();
        for (Loop l : loops) {
            if (!l.thread.isAlive()) {
                out.add(l.name + ": its thread ended without the loop being closed");
                continue;
            }
            long since = l.busySince;
            if (since != 0 && now - since > limit.toNanos()) {
                StackTraceElement[] stack = l.thread.getStackTrace();
                out.add(l.name + ": in the handler of one datagram for " + (now - since) / 1_000_000 + " ms"
                        + (stack.length > 0 ? " (at " + stack[0] + ")" : ""));
            }
        }
        return out;
    }

    /** How many loops are registered (for tests and {@code stats}). */
    public int size() {
        return loops.size();
    }

    /** One receive loop's heartbeat. Only its own thread calls {@link #busy} and {@link #idle}. */
    public static final class Loop {
        private final ReceiveLoops owner;
        private final String name;
        private final Thread thread;
        private volatile long busySince;

        private Loop(ReceiveLoops owner, String name, Thread thread) {
            this.owner = owner;
            this.name = name;
            this.thread = thread;
        }

        /** A datagram arrived: its handling starts now. */
        public void busy() {
            long t = System.nanoTime();
            busySince = t == 0 ? 1 : t;
        }

        /** The handler returned: the loop waits for the next datagram. */
        public void idle() {
            busySince = 0;
        }

        /** The loop ends because it was closed: no longer watched. */
        public void leave() {
            owner.loops.remove(this);
        }

        @Override
        public String toString() {
            return name;
        }
    }
}
