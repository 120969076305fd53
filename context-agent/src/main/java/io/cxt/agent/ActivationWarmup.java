package io.cxt.agent;

import java.security.SecureRandom;
import java.time.Duration;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Runs the code of the activation path once the agent has started, before it reports ready, so
 * that the first handover does not pay for class loading, static initialisation (Bouncy Castle,
 * the JCE, codecs) and interpretation of cold code: on the 1-CPU lab kernel that cost was
 * hundreds of milliseconds on the first CTAR-to-CTAA and on the MN's first own kernel update.
 *
 * <p>Everything here is pure computation on a synthetic context with random, throw-away keys
 * (wiped afterwards): CXTP encoding/decoding of every message the activation exchanges, the
 * authorization token, the router channel envelopes, context blocks, both rewrites, the XFRM
 * netlink payloads and batch bytes the installer would send and the decoding a snapshot does, the
 * IKE context slot and the INFORMATIONAL exchange of the SPI update (AES-CBC+HMAC and AES-GCM), the
 * token key derivation, and log formatting. It opens no socket and touches no kernel state: the
 * first use of the netlink socket and of the transports remains on the activation path.
 *
 * <p>Each round runs every part once, so a time-boxed warm-up still reaches every part. Switched
 * off with the system property {@value #PROPERTY}{@code =false}.
 *
 * <p><b>Size.</b> Over 600 lines because it is one synthetic activation that runs every codec, crypto and rewrite step of the real path in order; split, the parts would have to share its workload and be called in the same order anyway.
 */
public final class ActivationWarmup {

    /** System property: {@code false} skips the warm-up (default on). */
    public static final String PROPERTY = "cxt.activation-warmup";
    /** Rounds at agent start: enough for C1 to compile the hot codec and cipher loops. */
    public static final int DEFAULT_ROUNDS = 400;
    /** Bound on the rounds after the first at agent start (it delays readiness, not a handover). */
    public static final Duration DEFAULT_BUDGET = Duration.ofMillis(1500);

    /** The parts, in the order each round runs them. */
    public static final List<String> PARTS = List.of("cxtp", "token", "router-channel", "context-blocks", "rewrite",
            "xfrm-encode", "xfrm-decode", "ike-slot", "ike-informational", "token-key-derivation", "log");

    private static final Logger LOG = LoggerFactory.getLogger(ActivationWarmup.class);
    /** A logger nobody configures below INFO: the event-line formatting is exercised, nothing is written. */
    static final Logger QUIET = LoggerFactory.getLogger(ActivationWarmup.class.getName() + ".quiet");

    /**
     * What a warm-up did.
     *
     * @param elapsedNanos wall time of the whole warm-up (setup included)
     * @param firstRoundNanos wall time up to the end of the first round (setup included)
     * @param rounds       complete rounds run
     * @param timedOut     whether the budget ended it before the wanted rounds
     * @param iterations   per part, how many times it ran
     * @param partNanos    per part, the time spent in it (first run included)
     */
    public record Report(long elapsedNanos, long firstRoundNanos, int rounds, boolean timedOut,
                         Map<String, Integer> iterations, Map<String, Long> partNanos) {
        public Report {
            iterations = Collections.unmodifiableMap(new LinkedHashMap<>(iterations));
            partNanos = Collections.unmodifiableMap(new LinkedHashMap<>(partNanos));
        }

        public int iterationsOf(String part) {
            return iterations.getOrDefault(part, 0);
        }

        public long elapsedMillis() {
            return elapsedNanos / 1_000_000;
        }

        public Map<String, Long> partMillis() {
            Map<String, Long> m = new LinkedHashMap<>();
            partNanos.forEach((k, v) -> m.put(k, v / 1_000_000));
            return m;
        }
    }

    private ActivationWarmup() {
    }

    /** Whether the warm-up is switched on ({@value #PROPERTY}, default true). */
    public static boolean enabled() {
        return !"false".equalsIgnoreCase(System.getProperty(PROPERTY, "true").trim());
    }

    /**
     * At agent start: runs the warm-up if it is switched on and logs one INFO line. A failure is
     * logged and ignored: the warm-up only saves time, the agent works without it.
     */
    public static Optional<Report> atStart(String agentName) {
        if (!enabled()) {
            LOG.info("{}: activation warm-up off ({}=false)", agentName, PROPERTY);
            return Optional.empty();
        }
        try {
            Report r = run(DEFAULT_ROUNDS, DEFAULT_BUDGET);
            List<String> missing = ActivationClasses.preload();
            LOG.info("{}: activation path warmed in {} ms ({} rounds, the first {} ms{}){}", agentName, r.elapsedMillis(),
                    r.rounds(), r.firstRoundNanos() / 1_000_000, r.timedOut() ? ", time budget reached" : "",
                    missing.isEmpty() ? "" : "; classes not preloaded: " + missing);
            if (LOG.isDebugEnabled()) {
                LOG.debug("{}: warm-up time per part (ms): {}", agentName, r.partMillis());
            }
            return Optional.of(r);
        } catch (RuntimeException | Error e) {
            LOG.warn("{}: activation warm-up failed (the agent works without it): {}", agentName, e.toString());
            return Optional.empty();
        }
    }

    /**
     * Runs up to {@code rounds} rounds of every part. The first round always runs whole (it is the
     * class loading and static initialisation the first activation would otherwise pay); the
     * {@code budget} bounds the further rounds (the ones that get the hot code compiled), counted
     * from the end of the first: the warm-up stops after the first round that ends past it. Three
     * agents starting together on the 1-CPU lab kernel need 2-3 s for the first round alone.
     */
    public static Report run(int rounds, Duration budget) {
        long t0 = System.nanoTime();
        long deadline = Long.MAX_VALUE;
        Map<String, Integer> counts = new LinkedHashMap<>();
        Map<String, Long> nanos = new LinkedHashMap<>();
        PARTS.forEach(p -> {
            counts.put(p, 0);
            nanos.put(p, 0L);
        });
        ActivationWorkload w = new ActivationWorkload(new SecureRandom());
        int done = 0;
        long firstRound = 0;
        boolean timedOut = false;
        try {
            for (int i = 0; i < rounds; i++) {
                w.round(counts, nanos);
                done++;
                long now = System.nanoTime();
                if (i == 0) {
                    firstRound = now - t0;
                    deadline = now + budget.toNanos();
                }
                if (now >= deadline && i + 1 < rounds) {
                    timedOut = true;
                    break;
                }
            }
        } finally {
            w.wipe();
        }
        return new Report(System.nanoTime() - t0, firstRound, done, timedOut, counts, nanos);
    }

}
