package io.cxt.cli;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/** cxctl run in-process, as a test sees it: exit status, stdout, stderr. */
record CliRun(int exit, String out, String err) {

    static CliRun cxctl(String... args) {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        int exit = Cxctl.execute(new PrintWriter(out), new PrintWriter(err), args);
        return new CliRun(exit, out.toString(), err.toString());
    }

    /** cxctl -n NS args... */
    static CliRun in(String netns, String... args) {
        String[] all = new String[args.length + 2];
        all[0] = "-n";
        all[1] = netns;
        System.arraycopy(args, 0, all, 2, args.length);
        return cxctl(all);
    }

    /** Splits a command line written as one string (no quoting needed in these tests). */
    static String[] words(String line) {
        return line.trim().split("\\s+");
    }

    /** Fails unless the run succeeded. */
    CliRun ok() {
        if (exit != 0) {
            throw new AssertionError("cxctl exited " + exit + ": " + err);
        }
        return this;
    }

    /**
     * Text as iproute2 and cxctl both print it, for comparison: trailing blanks removed (iproute2
     * leaves a space before many line ends), runs of spaces collapsed, tabs kept.
     */
    static List<String> normalised(String text) {
        List<String> lines = new ArrayList<>();
        for (String l : text.split("\n")) {
            String n = l.replaceAll(" +$", "").replaceAll(" {2,}", " ");
            if (!n.isEmpty()) {
                lines.add(n);
            }
        }
        return lines;
    }

    static String[] concat(String[] a, String... b) {
        String[] r = Arrays.copyOf(a, a.length + b.length);
        System.arraycopy(b, 0, r, a.length, b.length);
        return r;
    }
}
