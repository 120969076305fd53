package io.cxt.bench.context;

import java.util.List;

import io.cxt.xfrm.XfrmFailure;

/** The benchmark's sanity checks: a figure measured on a failed or partial operation is worthless. */
final class BenchChecks {

    private BenchChecks() {
    }

    static void check(boolean condition, String message) {
        if (!condition) {
            throw new IllegalStateException("benchmark invariant broken: " + message);
        }
    }

    static void noFailures(String what, List<XfrmFailure> failures) {
        if (!failures.isEmpty()) {
            XfrmFailure f = failures.get(0);
            throw new IllegalStateException(what + ": " + failures.size() + " requests refused, first #" + f.index()
                    + ": " + f.cause().getMessage(), f.cause());
        }
    }
}
