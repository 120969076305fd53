package io.cxt.agent.view;

import java.util.List;
import java.util.Map;

/**
 * One latency histogram as the control socket's {@code metrics} command returns it (and
 * OpenMetrics prints it): cumulative counts per upper bound, in microseconds.
 *
 * @param name the metric family, e.g. "cxt_ctar_to_ctaa_seconds"
 * @param help one line on what is measured, from when to when
 * @param labels this series' labels (e.g. mode=predictive), possibly empty
 * @param upperBoundsMicros bucket upper bounds, increasing (the implicit +Inf bucket is {@code count})
 * @param cumulativeCounts observations at or below each bound (same length as the bounds)
 * @param count all observations
 * @param sumMicros their sum
 */
public record HistogramView(String name, String help, Map<String, String> labels, List<Long> upperBoundsMicros,
        List<Long> cumulativeCounts, long count, long sumMicros) {

    public HistogramView {
        labels = labels == null ? Map.of() : Map.copyOf(labels);
        upperBoundsMicros = List.copyOf(upperBoundsMicros);
        cumulativeCounts = List.copyOf(cumulativeCounts);
        if (upperBoundsMicros.size() != cumulativeCounts.size()) {
            throw new IllegalArgumentException("histogram " + name + ": " + upperBoundsMicros.size() + " bounds but "
                    + cumulativeCounts.size() + " counts");
        }
    }
}
