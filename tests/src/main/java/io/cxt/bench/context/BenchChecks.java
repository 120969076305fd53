package io.cxt.bench.context;

import java.util.List;

import io.cxt.nl.NetlinkSocket;

/** The benchmark's sanity checks: a figure measured on a failed or partial operation is worthless. */
final class BenchChecks {

    private BenchChecks() {
    }

    static void check(boolean condition, String message) {
        if (!condition) {
            throw new IllegalStateException("benchmark invariant broken: " + message);
        }
    }

    static void noFailures(String what, List<NetlinkSocket.BatchFailure> failures) {
        if (!failures.isEmpty()) {
            NetlinkSocket.BatchFailure f = failures.get(0);
            throw new IllegalStateException(what + ": " + failures.size() + " requests refused, first #" + f.index()
                    + ": " + f.error().getMessage(), f.error());
        }
    }
}
