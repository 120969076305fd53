package io.cxt.agent.view;

import java.util.List;
import java.util.Map;

/**
 * The control socket's {@code metrics} answer: the counters of {@code stats} and the latency
 * histograms, for {@code cxctl agent stats --openmetrics} and the agent's HTTP listener.
 */
public record MetricsView(Map<String, Long> counters, List<HistogramView> histograms) {

    public MetricsView {
        counters = counters == null ? Map.of() : new java.util.TreeMap<>(counters);
        histograms = histograms == null ? List.of() : List.copyOf(histograms);
    }
}
