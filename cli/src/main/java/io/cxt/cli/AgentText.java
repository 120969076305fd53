package io.cxt.cli;

import java.io.PrintWriter;
import java.util.ArrayList;
import java.util.List;

import com.fasterxml.jackson.databind.JsonNode;

/** Text layouts of the agent's answers: "key: value" blocks and aligned tables, as swanctl and ip print them. */
final class AgentText {
    private AgentText() {
    }

    /** Lines "key:   value" with the values aligned. */
    static void keyValues(PrintWriter out, List<String[]> rows) {
        int w = 0;
        for (String[] r : rows) {
            w = Math.max(w, r[0].length() + 1);
        }
        for (String[] r : rows) {
            out.println(String.format("%-" + w + "s %s", r[0] + ":", r[1]).stripTrailing());
        }
    }

    /** A table: header in capitals, columns left-aligned and separated by two spaces; nothing for no rows. */
    static void table(PrintWriter out, List<String> header, List<List<String>> rows) {
        if (rows.isEmpty()) {
            return;
        }
        int[] w = new int[header.size()];
        for (int i = 0; i < w.length; i++) {
            w[i] = header.get(i).length();
            for (List<String> r : rows) {
                w[i] = Math.max(w[i], r.get(i).length());
            }
        }
        List<List<String>> all = new ArrayList<>();
        all.add(header);
        all.addAll(rows);
        for (List<String> r : all) {
            StringBuilder b = new StringBuilder();
            for (int i = 0; i < w.length; i++) {
                if (i > 0) {
                    b.append("  ");
                }
                b.append(i == w.length - 1 ? r.get(i) : String.format("%-" + w[i] + "s", r.get(i)));
            }
            out.println(b.toString().stripTrailing());
        }
    }

    /** A text field, "-" when missing or empty. */
    static String text(JsonNode n, String field) {
        JsonNode v = n.get(field);
        if (v == null || v.isNull()) {
            return "-";
        }
        String s = v.isTextual() ? v.asText() : v.toString();
        return s.isEmpty() ? "-" : s;
    }

    /** Milliseconds as "850ms", "12.3s", "4m05s", "2h03m", "3d04h"; negative is "-". */
    static String duration(long ms) {
        if (ms < 0) {
            return "-";
        }
        if (ms < 1000) {
            return ms + "ms";
        }
        if (ms < 60_000) {
            return String.format("%.1fs", ms / 1000.0);
        }
        long s = ms / 1000;
        if (s < 3600) {
            return String.format("%dm%02ds", s / 60, s % 60);
        }
        if (s < 86_400) {
            return String.format("%dh%02dm", s / 3600, (s % 3600) / 60);
        }
        return String.format("%dd%02dh", s / 86_400, (s % 86_400) / 3600);
    }
}
