package io.cxt.agent.metrics;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A strict reader of the OpenMetrics 1.0 text format, for tests: every line must be a TYPE, UNIT
 * or HELP line or a sample of the family declared last; families appear once; counters' samples
 * end in _total; a histogram's buckets are cumulative with increasing "le" and end at +Inf, equal
 * to its _count, and it has a _sum; the text ends with "# EOF" and a newline. Throws
 * AssertionError naming the line otherwise.
 */
public final class OpenMetricsParser {

    private static final Pattern NAME = Pattern.compile("[a-zA-Z_:][a-zA-Z0-9_:]*");
    private static final Pattern SAMPLE = Pattern.compile(
            "([a-zA-Z_:][a-zA-Z0-9_:]*)(\\{((?:[a-zA-Z_][a-zA-Z0-9_]*=\"(?:[^\"\\\\\\n]|\\\\[\\\\\"n])*\",?)*)\\})? (\\S+)");
    private static final Pattern LABEL = Pattern.compile("([a-zA-Z_][a-zA-Z0-9_]*)=\"((?:[^\"\\\\\\n]|\\\\[\\\\\"n])*)\"");

    /** One sample: name with suffix, labels, value. */
    public record Sample(String name, Map<String, String> labels, double value) {
    }

    /** A family: its type and samples in order. */
    public record Family(String name, String type, String unit, String help, List<Sample> samples) {
    }

    private OpenMetricsParser() {
    }

    public static Map<String, Family> parse(String text) {
        if (!text.endsWith("# EOF\n")) {
            throw new AssertionError("does not end with '# EOF\\n'");
        }
        String[] lines = text.substring(0, text.length() - "# EOF\n".length()).split("\n", -1);
        Map<String, Family> families = new LinkedHashMap<>();
        Family current = null;
        for (int i = 0; i < lines.length - 1 || (i == lines.length - 1 && !lines[i].isEmpty()); i++) {
            String l = lines[i];
            String where = "line " + (i + 1) + " '" + l + "'";
            if (l.startsWith("# TYPE ")) {
                String[] w = l.split(" ");
                if (w.length != 4 || !NAME.matcher(w[2]).matches()
                        || !List.of("counter", "gauge", "histogram", "summary", "info", "stateset", "gaugehistogram", "unknown")
                                .contains(w[3])) {
                    throw new AssertionError("bad TYPE: " + where);
                }
                if (families.containsKey(w[2])) {
                    throw new AssertionError("family declared twice: " + where);
                }
                current = new Family(w[2], w[3], null, null, new ArrayList<>());
                families.put(w[2], current);
            } else if (l.startsWith("# UNIT ") || l.startsWith("# HELP ")) {
                String[] w = l.split(" ", 4);
                if (current == null || w.length < 4 || !w[2].equals(current.name())) {
                    throw new AssertionError("metadata outside its family: " + where);
                }
                if (w[1].equals("UNIT")) {
                    if (!current.name().endsWith("_" + w[3])) {
                        throw new AssertionError("the unit must be the name's suffix: " + where);
                    }
                    current = new Family(current.name(), current.type(), w[3], current.help(), current.samples());
                } else {
                    current = new Family(current.name(), current.type(), current.unit(), w[3], current.samples());
                }
                families.put(current.name(), current);
            } else if (l.startsWith("#")) {
                throw new AssertionError("unknown comment: " + where);
            } else {
                Matcher m = SAMPLE.matcher(l);
                if (!m.matches() || current == null) {
                    throw new AssertionError("not a sample of a declared family: " + where);
                }
                String name = m.group(1);
                String family = current.name();
                List<String> allowed = switch (current.type()) {
                    case "counter" -> List.of("_total", "_created");
                    case "histogram" -> List.of("_bucket", "_count", "_sum", "_created");
                    default -> List.of("");
                };
                if (allowed.stream().noneMatch(s -> name.equals(family + s))) {
                    throw new AssertionError("sample not of family " + current.name() + ": " + where);
                }
                Map<String, String> labels = new TreeMap<>();
                if (m.group(3) != null) {
                    Matcher lm = LABEL.matcher(m.group(3));
                    while (lm.find()) {
                        if (labels.put(lm.group(1), lm.group(2)) != null) {
                            throw new AssertionError("label twice: " + where);
                        }
                    }
                }
                double v;
                try {
                    v = m.group(4).equals("+Inf") ? Double.POSITIVE_INFINITY : Double.parseDouble(m.group(4));
                } catch (NumberFormatException e) {
                    throw new AssertionError("bad value: " + where);
                }
                if (current.type().equals("counter") && v < 0) {
                    throw new AssertionError("negative counter: " + where);
                }
                current.samples().add(new Sample(name, labels, v));
            }
        }
        families.values().stream().filter(f -> f.type().equals("histogram")).forEach(OpenMetricsParser::checkHistogram);
        return families;
    }

    private static void checkHistogram(Family f) {
        Map<Map<String, String>, List<Sample>> bySeries = new LinkedHashMap<>();
        Map<Map<String, String>, Double> counts = new HashMap<>();
        Map<Map<String, String>, Double> sums = new HashMap<>();
        for (Sample s : f.samples()) {
            Map<String, String> series = new TreeMap<>(s.labels());
            series.remove("le");
            if (s.name().endsWith("_bucket")) {
                if (!s.labels().containsKey("le")) {
                    throw new AssertionError(f.name() + ": bucket without le");
                }
                bySeries.computeIfAbsent(series, k -> new ArrayList<>()).add(s);
            } else if (s.name().endsWith("_count")) {
                counts.put(series, s.value());
            } else if (s.name().endsWith("_sum")) {
                sums.put(series, s.value());
            }
        }
        if (bySeries.isEmpty()) {
            throw new AssertionError(f.name() + ": no buckets");
        }
        bySeries.forEach((series, buckets) -> {
            double le = Double.NEGATIVE_INFINITY;
            double n = 0;
            for (Sample b : buckets) {
                double bound = b.labels().get("le").equals("+Inf") ? Double.POSITIVE_INFINITY : Double.parseDouble(b.labels().get("le"));
                if (bound <= le || b.value() < n) {
                    throw new AssertionError(f.name() + series + ": buckets not increasing or not cumulative at le=" + bound);
                }
                le = bound;
                n = b.value();
            }
            if (le != Double.POSITIVE_INFINITY) {
                throw new AssertionError(f.name() + series + ": no +Inf bucket");
            }
            if (!counts.containsKey(series) || counts.get(series) != n || !sums.containsKey(series)) {
                throw new AssertionError(f.name() + series + ": _count must equal the +Inf bucket, and _sum must be there");
            }
        });
    }

    /** The value of one sample, or NaN when absent. */
    public static double value(Map<String, Family> families, String sample, Map<String, String> labels) {
        for (Family f : families.values()) {
            for (Sample s : f.samples()) {
                if (s.name().equals(sample) && s.labels().equals(new TreeMap<>(labels))) {
                    return s.value();
                }
            }
        }
        return Double.NaN;
    }
}
