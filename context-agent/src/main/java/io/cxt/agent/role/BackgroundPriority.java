package io.cxt.agent.role;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import jnr.ffi.LibraryLoader;

/**
 * Lowers the scheduling priority of the calling thread (its nice value; on Linux, nice is per
 * thread). The nAR's background thread runs with it: its work (CTDR, journal, events, listener)
 * must not be scheduled ahead of the next CTAR on a busy core, and on an idle core it loses
 * nothing. Best effort: where the call is unavailable the thread keeps the default priority.
 */
final class BackgroundPriority {

    private static final Logger LOG = LoggerFactory.getLogger(BackgroundPriority.class);

    /** The nice value of the background thread (the daemon's other threads keep 0). */
    static final int NICE = 10;

    private static final int PRIO_PROCESS = 0;
    private static final long SYS_GETTID_X86_64 = 186;
    private static final long SYS_GETTID_AARCH64 = 178;

    /** The two libc calls this needs. */
    public interface Sched {
        long syscall(long number);

        int setpriority(int which, int who, int prio);
    }

    private BackgroundPriority() {
    }

    /** Sets the calling thread's nice value to {@link #NICE}; logs at DEBUG if that is not possible. */
    static void lowerCurrentThread() {
        try {
            String arch = System.getProperty("os.arch", "");
            long nr = switch (arch) {
                case "amd64", "x86_64" -> SYS_GETTID_X86_64;
                case "aarch64" -> SYS_GETTID_AARCH64;
                default -> -1;
            };
            if (nr < 0 || !System.getProperty("os.name", "").startsWith("Linux")) {
                return;
            }
            Sched libc = Holder.LIBC;
            int tid = (int) libc.syscall(nr);
            if (libc.setpriority(PRIO_PROCESS, tid, NICE) != 0) {
                LOG.debug("setpriority({}, {}) failed", tid, NICE);
            }
        } catch (RuntimeException | LinkageError e) {
            LOG.debug("cannot lower the background thread's priority: {}", e.toString());
        }
    }

    private static final class Holder {
        static final Sched LIBC = LibraryLoader.create(Sched.class).load("c");
    }
}
