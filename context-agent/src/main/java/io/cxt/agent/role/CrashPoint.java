package io.cxt.agent.role;

/**
 * The crash-window test switch (issue 12 item 6): with {@code CXT_CRASH_AT=NAME} in its environment, an agent that
 * reaches the point NAME stops at once as kill -9 would stop it (no shutdown hook, no finally, no further write),
 * so a test can restart it and check what the journal makes of the state left behind. Without the variable a
 * point costs one comparison with a constant null.
 *
 * <p>Points, in the order a handover passes them: nAR {@code nar.reserved} (SPIs reserved, nothing journaled),
 * {@code nar.held} (hold journaled), {@code nar.installed} (in the kernel, no CTAA yet),
 * {@code nar.acknowledged} (CTAA sent, no CTDR yet); pAR
 * {@code par.sent} (transfer journaled, PCTD/CTD not sent), {@code par.transferred} (sent, no CTDR yet),
 * {@code par.moved} (CTDR received and journaled, nothing removed yet); MN {@code mn.acknowledged} (success CTAA
 * journaled, its own SAs not yet moved).
 */
final class CrashPoint {
    private static final String AT = System.getenv("CXT_CRASH_AT");

    private CrashPoint() {
    }

    static void reached(String name) {
        if (AT != null && AT.equals(name)) {
            System.err.println("cxagent: CXT_CRASH_AT=" + name + " reached: halting as kill -9 would");
            System.err.flush();
            Runtime.getRuntime().halt(137);
        }
    }
}
