package io.cxt.agent.metrics;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

import io.cxt.agent.view.HistogramView;
import io.cxt.agent.view.MetricsView;

/**
 * The agent's metrics in the OpenMetrics 1.0 text format (what Prometheus scrapes): every counter
 * of {@code cxctl agent stats} as {@code cxt_NAME_total} (dots become underscores), the gauges
 * among them ({@code contexts.*}, the last activation's time) as {@code cxt_NAME}, and the latency
 * histograms in seconds; ends with {@code # EOF}. The per-phase percentiles of {@code stats}
 * ({@code activation.phase.*}) are left out: the histograms carry the same observations.
 *
 * <p>Pure: a {@link MetricsView} in, text out.
 */
public final class OpenMetricsText {

    /** The Content-Type an OpenMetrics scrape answers with. */
    public static final String CONTENT_TYPE = "application/openmetrics-text; version=1.0.0; charset=utf-8";

    private OpenMetricsText() {
    }

    public static String format(MetricsView m) {
        StringBuilder b = new StringBuilder(4096);
        Set<String> used = new HashSet<>();
        m.counters().forEach((key, value) -> {
            if (key.startsWith("activation.phase.")) {
                return;
            }
            boolean gauge = isGauge(key);
            String name = "cxt_" + sanitize(key);
            if (!gauge && name.endsWith("_total")) {
                name = name.substring(0, name.length() - "_total".length());
            }
            String sample = gauge ? name : name + "_total";
            if (used.contains(name) || used.contains(sample)) {
                return; // two stats keys that differ only in punctuation: the first one wins
            }
            used.add(name);
            used.add(sample);
            b.append("# TYPE ").append(name).append(gauge ? " gauge\n" : " counter\n");
            b.append("# HELP ").append(name).append(" cxagent ").append(gauge ? "gauge " : "counter ")
                    .append(escapeHelp(key)).append('\n');
            b.append(sample).append(' ').append(value).append('\n');
        });
        Map<String, List<HistogramView>> families = new LinkedHashMap<>();
        for (HistogramView h : m.histograms()) {
            families.computeIfAbsent(h.name(), k -> new ArrayList<>()).add(h);
        }
        families.forEach((name, series) -> {
            if (used.contains(name)) {
                return;
            }
            b.append("# TYPE ").append(name).append(" histogram\n");
            if (name.endsWith("_seconds")) {
                b.append("# UNIT ").append(name).append(" seconds\n");
            }
            b.append("# HELP ").append(name).append(' ').append(escapeHelp(series.get(0).help())).append('\n');
            for (HistogramView h : series) {
                for (int i = 0; i < h.upperBoundsMicros().size(); i++) {
                    b.append(name).append("_bucket");
                    labels(b, h.labels(), seconds(h.upperBoundsMicros().get(i)));
                    b.append(' ').append(h.cumulativeCounts().get(i)).append('\n');
                }
                long last = h.cumulativeCounts().isEmpty() ? 0 : h.cumulativeCounts().get(h.cumulativeCounts().size() - 1);
                long count = Math.max(h.count(), last);
                b.append(name).append("_bucket");
                labels(b, h.labels(), "+Inf");
                b.append(' ').append(count).append('\n');
                b.append(name).append("_count");
                labels(b, h.labels(), null);
                b.append(' ').append(count).append('\n');
                b.append(name).append("_sum");
                labels(b, h.labels(), null);
                b.append(' ').append(seconds(h.sumMicros())).append('\n');
            }
        });
        b.append("# EOF\n");
        return b.toString();
    }

    /** Counts of things there are now (contexts held, ...) and the last activation's time, not events. */
    static boolean isGauge(String key) {
        return key.startsWith("contexts.") || key.endsWith(".micros") || key.endsWith(".active") || key.endsWith(".size");
    }

    /** A stats key as a metric name: letters, digits and '_' ("router.udp.ctar-received" -> "router_udp_ctar_received"). */
    static String sanitize(String key) {
        StringBuilder s = new StringBuilder(key.length());
        for (int i = 0; i < key.length(); i++) {
            char c = key.charAt(i);
            s.append((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_' ? c : '_');
        }
        return s.toString().toLowerCase(Locale.ROOT);
    }

    /** Microseconds as decimal seconds, exact ("0.00005", "2.5", "10.0"). */
    static String seconds(long micros) {
        return java.math.BigDecimal.valueOf(micros, 6).stripTrailingZeros().toPlainString().replaceFirst("^(-?\\d+)$", "$1.0");
    }

    private static void labels(StringBuilder b, Map<String, String> labels, String le) {
        if (labels.isEmpty() && le == null) {
            return;
        }
        b.append('{');
        boolean first = true;
        for (Map.Entry<String, String> e : new java.util.TreeMap<>(labels).entrySet()) {
            if (!first) {
                b.append(',');
            }
            first = false;
            b.append(sanitize(e.getKey())).append("=\"").append(escapeLabel(e.getValue())).append('"');
        }
        if (le != null) {
            b.append(first ? "" : ",").append("le=\"").append(le).append('"');
        }
        b.append('}');
    }

    private static String escapeLabel(String v) {
        return v.replace("\\", "\\\\").replace("\"", "\\\"").replace("\n", "\\n");
    }

    private static String escapeHelp(String v) {
        return v.replace("\\", "\\\\").replace("\n", "\\n");
    }
}
