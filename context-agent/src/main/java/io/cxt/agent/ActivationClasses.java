package io.cxt.agent;

import java.util.ArrayList;
import java.util.List;

/**
 * The classes a handover still loaded for the first time after {@link ActivationWarmup} and {@link
 * ActivationRehearsal} had run (the roles' own records and helpers, which those two do not reach:
 * they drive the library code, not the agent's roles), loaded and initialised at start instead.
 * Found with {@code tests/bench/cold-start-bench --variants classlog} (-Xlog:class+load) on
 * 2026-12-03: about 1 ms per class in the one-CPU lab kernel, on the nAR between the CTAR and the
 * CTAA. Lambdas are not listed (their classes are spun per call site); a renamed class fails
 * {@code ActivationClassesTest}, so the list cannot go stale silently.
 */
final class ActivationClasses {

    /** nAR: hold (PCTD, CTD) and activation (CTAR); pAR: transfer and removal; MN: movement and its own move. */
    static final List<String> NAMES = List.of(
            "io.cxt.cxtp.RequestRateLimiter$Bucket",
            "io.cxt.context.PeerContextScreen",
            "io.cxt.context.PeerContextScreen$Reason",
            "io.cxt.context.PeerContextScreen$Result",
            "io.cxt.agent.role.RouterCore$Held",
            "io.cxt.agent.role.RouterCore$Active",
            "io.cxt.agent.role.RouterCore$Sent",
            "io.cxt.agent.role.NextRouterRole$HeldContext",
            "io.cxt.agent.role.NextRouterRole$ActivationTimes",
            "io.cxt.agent.role.CrashPoint",
            "io.cxt.agent.role.KernelOwnership",
            "io.cxt.agent.role.RuntimeJournal$Entry",
            "io.cxt.agent.role.RuntimeJournal$OwnedSa",
            "io.cxt.agent.role.RuntimeJournal$OutboundSa",
            "io.cxt.agent.role.RuntimeJournal$OwnedPolicy",
            "io.cxt.agent.role.RouterText",
            "io.cxt.agent.role.LogLineLimiter$Decision",
            "io.cxt.agent.role.MobileJournal$Move",
            "io.cxt.agent.ike.SpiUpdateInitiator$Outcome",
            "io.cxt.agent.ike.IkeSaStore$Entry",
            "io.cxt.agent.settings.IpPrefix",
            "io.cxt.agent.mobility.Movement",
            "java.util.EnumMap$EntrySet",
            "java.util.concurrent.CompletableFuture$AsyncSupply");

    private ActivationClasses() {
    }

    /**
     * Loads and initialises every listed class.
     *
     * @return the names that could not be loaded (empty normally)
     */
    static List<String> preload() {
        return preload(NAMES);
    }

    static List<String> preload(List<String> names) {
        List<String> missing = new ArrayList<>();
        ClassLoader loader = ActivationClasses.class.getClassLoader();
        for (String n : names) {
            try {
                Class.forName(n, true, loader);
            } catch (ClassNotFoundException | LinkageError e) {
                missing.add(n);
            }
        }
        return missing;
    }
}
