package io.cxt.agent.metrics;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.TreeMap;

import org.junit.jupiter.api.Test;

import io.cxt.agent.view.HistogramView;
import io.cxt.agent.view.MetricsView;

/** The OpenMetrics text of counters and histograms, read back by a strict parser. */
class OpenMetricsTextTest {

    @Test
    void countersGaugesAndHistogramsParseBack() {
        LatencyHistogram ctaa = new LatencyHistogram("cxt_ctar_to_ctaa_seconds", "CTAR to CTAA", Map.of("mode", "predictive"));
        LatencyHistogram reactive = new LatencyHistogram("cxt_ctar_to_ctaa_seconds", "CTAR to CTAA", Map.of("mode", "reactive"));
        LatencyHistogram install = new LatencyHistogram("cxt_install_seconds", "install", Map.of());
        ctaa.record(40_000);        // 40 us: first bucket (<= 50 us)
        ctaa.record(50_000);        // exactly 50 us: still the first (le is inclusive)
        ctaa.record(700_000);       // 700 us: le=0.001
        ctaa.record(20_000_000_000L); // 20 s: only +Inf
        install.record(300_000);
        Map<String, Long> counters = new TreeMap<>(Map.of("ctar.received", 4L, "router.udp.ctd-sent", 2L,
                "contexts.held", 1L, "activation.last.micros", 700L, "activation.phase.total.p50.micros", 50L,
                "events.context-activated", 3L));
        String text = OpenMetricsText.format(new MetricsView(counters, List.of(ctaa.snapshot(), reactive.snapshot(),
                install.snapshot())));
        Map<String, OpenMetricsParser.Family> f = OpenMetricsParser.parse(text);

        assertEquals("counter", f.get("cxt_ctar_received").type());
        assertEquals(4.0, OpenMetricsParser.value(f, "cxt_ctar_received_total", Map.of()));
        assertEquals(2.0, OpenMetricsParser.value(f, "cxt_router_udp_ctd_sent_total", Map.of()));
        assertEquals(3.0, OpenMetricsParser.value(f, "cxt_events_context_activated_total", Map.of()));
        assertEquals("gauge", f.get("cxt_contexts_held").type());
        assertEquals(1.0, OpenMetricsParser.value(f, "cxt_contexts_held", Map.of()));
        assertEquals("gauge", f.get("cxt_activation_last_micros").type());
        assertTrue(f.keySet().stream().noneMatch(n -> n.contains("phase_total_p50")), "percentiles left to the histograms");

        OpenMetricsParser.Family h = f.get("cxt_ctar_to_ctaa_seconds");
        assertEquals("histogram", h.type());
        assertEquals("seconds", h.unit());
        assertEquals(2.0, OpenMetricsParser.value(f, "cxt_ctar_to_ctaa_seconds_bucket", Map.of("mode", "predictive", "le", "0.00005")));
        assertEquals(2.0, OpenMetricsParser.value(f, "cxt_ctar_to_ctaa_seconds_bucket", Map.of("mode", "predictive", "le", "0.0005")));
        assertEquals(3.0, OpenMetricsParser.value(f, "cxt_ctar_to_ctaa_seconds_bucket", Map.of("mode", "predictive", "le", "0.001")));
        assertEquals(3.0, OpenMetricsParser.value(f, "cxt_ctar_to_ctaa_seconds_bucket", Map.of("mode", "predictive", "le", "10.0")));
        assertEquals(4.0, OpenMetricsParser.value(f, "cxt_ctar_to_ctaa_seconds_bucket", Map.of("mode", "predictive", "le", "+Inf")));
        assertEquals(4.0, OpenMetricsParser.value(f, "cxt_ctar_to_ctaa_seconds_count", Map.of("mode", "predictive")));
        assertEquals(20.00079, OpenMetricsParser.value(f, "cxt_ctar_to_ctaa_seconds_sum", Map.of("mode", "predictive")), 1e-9);
        assertEquals(0.0, OpenMetricsParser.value(f, "cxt_ctar_to_ctaa_seconds_count", Map.of("mode", "reactive")));
        assertEquals(1.0, OpenMetricsParser.value(f, "cxt_install_seconds_bucket", Map.of("le", "0.0005")));
        assertEquals(0.0, OpenMetricsParser.value(f, "cxt_install_seconds_bucket", Map.of("le", "0.00025")));
        assertTrue(text.contains("# HELP cxt_install_seconds install\n"), text);
    }

    @Test
    void seededObservationsLandInTheirBuckets() {
        Random r = new Random(14);
        LatencyHistogram h = new LatencyHistogram("cxt_x_seconds", "x", Map.of());
        long[] micros = new long[5000];
        for (int i = 0; i < micros.length; i++) {
            micros[i] = (long) Math.exp(r.nextDouble() * Math.log(30_000_000));
            h.record(micros[i] * 1000);
        }
        HistogramView v = h.snapshot();
        assertEquals(micros.length, v.count());
        for (int b = 0; b < v.upperBoundsMicros().size(); b++) {
            long bound = v.upperBoundsMicros().get(b);
            long expected = java.util.Arrays.stream(micros).filter(m -> m <= bound).count();
            assertEquals(expected, v.cumulativeCounts().get(b), "le " + bound);
        }
        assertEquals(java.util.Arrays.stream(micros).sum(), v.sumMicros());
        OpenMetricsParser.parse(OpenMetricsText.format(new MetricsView(Map.of(), List.of(v))));
    }

    @Test
    void namesAreSanitisedAndDuplicatesAfterSanitisingDropped() {
        String text = OpenMetricsText.format(new MetricsView(new TreeMap<>(Map.of("a.b-c", 1L, "a_b.c", 2L, "x.sent_total", 5L)),
                List.of()));
        Map<String, OpenMetricsParser.Family> f = OpenMetricsParser.parse(text);
        assertEquals(1.0, OpenMetricsParser.value(f, "cxt_a_b_c_total", Map.of()), text);
        assertEquals(5.0, OpenMetricsParser.value(f, "cxt_x_sent_total", Map.of()), text);
        assertEquals("# EOF\n", OpenMetricsText.format(new MetricsView(Map.of(), List.of())));
    }

    @Test
    void theParserRejectsWhatPrometheusWould() {
        assertThrows(AssertionError.class, () -> OpenMetricsParser.parse("# TYPE a counter\na 1\n# EOF\n"));
        assertThrows(AssertionError.class, () -> OpenMetricsParser.parse("# TYPE a counter\na_total 1\n"));
        assertThrows(AssertionError.class, () -> OpenMetricsParser.parse("# TYPE h histogram\nh_bucket{le=\"1\"} 2\n"
                + "h_bucket{le=\"+Inf\"} 1\nh_count 1\nh_sum 0\n# EOF\n"));
    }

    @Test
    void secondsAreExact() {
        assertEquals("0.00005", OpenMetricsText.seconds(50));
        assertEquals("2.5", OpenMetricsText.seconds(2_500_000));
        assertEquals("10.0", OpenMetricsText.seconds(10_000_000));
        assertEquals("0.0", OpenMetricsText.seconds(0));
    }
}
