package io.cxt.agent.role;

import java.util.Arrays;
import java.util.Map;

/**
 * Where the nAR's activations spend their time, per phase, over the last {@link #WINDOW}
 * activations: {@code verify} (CTAR decoded to token verified: duplicate check, held-context
 * lookup, HMAC), {@code rewrite} (only when the CTAR came from another CoA than predicted),
 * {@code install} (the one netlink batch), {@code ctaa} (encoding and sending the CTAA), and
 * {@code total} (CTAR decoded to CTAA sent). Reactive activations record {@code fetch} (CTAR
 * decoded to the pAR's CTD verified and SPIs reserved) instead of {@code verify}, always a
 * {@code rewrite}, and {@code reactive-total} instead of {@code total}, so that the pAR round trip
 * does not mix into the predictive figures.
 *
 * <p>Cheap by construction: the figures are differences of the {@link System#nanoTime} readings
 * the activation path takes anyway (four per predicted activation), recorded off the activation
 * thread into fixed rings of whole microseconds; percentiles are computed only when
 * {@link #putStats} is asked (a copy and a sort of at most {@link #WINDOW} values per phase).
 */
final class ActivationPhases {

    /** How many of the most recent activations the percentiles cover. */
    static final int WINDOW = 1024;

    enum Phase {
        VERIFY("verify"), FETCH("fetch"), REWRITE("rewrite"), INSTALL("install"), CTAA("ctaa"), TOTAL("total"),
        REACTIVE_TOTAL("reactive-total");

        final String key;

        Phase(String key) {
            this.key = key;
        }
    }

    private final int[][] rings = new int[Phase.values().length][WINDOW];
    /** Every activation since start, per phase, for OpenMetrics ({@link #histograms}). */
    private final io.cxt.agent.metrics.LatencyHistogram[] histograms = new io.cxt.agent.metrics.LatencyHistogram[Phase.values().length];

    ActivationPhases() {
        for (Phase p : Phase.values()) {
            histograms[p.ordinal()] = switch (p) {
                case TOTAL -> new io.cxt.agent.metrics.LatencyHistogram("cxt_ctar_to_ctaa_seconds",
                        "nAR: CTAR decoded to CTAA sent (held context verified, installed, answered)", Map.of("mode", "predictive"));
                case REACTIVE_TOTAL -> new io.cxt.agent.metrics.LatencyHistogram("cxt_ctar_to_ctaa_seconds",
                        "nAR: CTAR decoded to CTAA sent (held context verified, installed, answered)", Map.of("mode", "reactive"));
                case INSTALL -> new io.cxt.agent.metrics.LatencyHistogram("cxt_install_seconds",
                        "nAR: the activation's one netlink batch installing the MN's SAs and policies", Map.of());
                default -> new io.cxt.agent.metrics.LatencyHistogram("cxt_activation_phase_seconds",
                        "nAR: one phase of an activation (verify, fetch, rewrite, ctaa; see docs/agent.md)", Map.of("phase", p.key));
            };
        }
    }
    private final long[] counts = new long[Phase.values().length];

    /** Records one activation; {@code rewriteNanos} < 0 when there was no rewrite. */
    synchronized void record(long verifyNanos, long rewriteNanos, long installNanos, long ctaaNanos, long totalNanos) {
        add(Phase.VERIFY, verifyNanos);
        if (rewriteNanos >= 0) {
            add(Phase.REWRITE, rewriteNanos);
        }
        add(Phase.INSTALL, installNanos);
        add(Phase.CTAA, ctaaNanos);
        add(Phase.TOTAL, totalNanos);
    }

    /** Records one reactive activation (see the class comment). */
    synchronized void recordReactive(long fetchNanos, long rewriteNanos, long installNanos, long ctaaNanos, long totalNanos) {
        add(Phase.FETCH, fetchNanos);
        if (rewriteNanos >= 0) {
            add(Phase.REWRITE, rewriteNanos);
        }
        add(Phase.INSTALL, installNanos);
        add(Phase.CTAA, ctaaNanos);
        add(Phase.REACTIVE_TOTAL, totalNanos);
    }

    private void add(Phase p, long nanos) {
        int i = p.ordinal();
        rings[i][(int) (counts[i] % WINDOW)] = (int) Math.min(Integer.MAX_VALUE, Math.max(0, nanos / 1000));
        counts[i]++;
        histograms[i].record(nanos);
    }

    /** The histograms of every phase, the family of CTAR-to-CTAA first (OpenMetrics wants a family's series together). */
    java.util.List<io.cxt.agent.view.HistogramView> histograms() {
        java.util.List<io.cxt.agent.view.HistogramView> out = new java.util.ArrayList<>();
        for (Phase p : new Phase[] {Phase.TOTAL, Phase.REACTIVE_TOTAL, Phase.INSTALL, Phase.VERIFY, Phase.FETCH, Phase.REWRITE,
            Phase.CTAA}) {
            out.add(histograms[p.ordinal()].snapshot());
        }
        return out;
    }

    /**
     * Adds {@code activation.phase.PHASE.{p50,p90,p99,max}.micros} and
     * {@code activation.phase.PHASE.count} for every phase seen so far.
     */
    void putStats(Map<String, Long> into) {
        int[][] copy = new int[rings.length][];
        long[] n = new long[counts.length];
        synchronized (this) {
            for (int i = 0; i < rings.length; i++) {
                n[i] = counts[i];
                copy[i] = Arrays.copyOf(rings[i], (int) Math.min(WINDOW, counts[i]));
            }
        }
        for (Phase p : Phase.values()) {
            int[] v = copy[p.ordinal()];
            if (v.length == 0) {
                continue;
            }
            Arrays.sort(v);
            String k = "activation.phase." + p.key;
            into.put(k + ".count", n[p.ordinal()]);
            into.put(k + ".p50.micros", (long) percentile(v, 50));
            into.put(k + ".p90.micros", (long) percentile(v, 90));
            into.put(k + ".p99.micros", (long) percentile(v, 99));
            into.put(k + ".max.micros", (long) v[v.length - 1]);
        }
    }

    /** Nearest-rank percentile of sorted values. */
    static int percentile(int[] sorted, int pct) {
        int rank = (int) Math.ceil(pct / 100.0 * sorted.length);
        return sorted[Math.max(0, Math.min(sorted.length - 1, rank - 1))];
    }
}
