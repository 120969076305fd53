package io.cxt.cli;

import java.io.PrintWriter;
import java.io.Writer;

/**
 * The training run for cxctl's class-data-sharing archive: loads the classes a typical call needs
 * (command tree, XFRM dump and printing, JSON) so that the JVM can archive them at exit
 * ({@code -XX:ArchiveClassesAtExit}). The package's postinst runs it; it only reads the kernel's
 * SAD and SPD (dumps, output discarded) and never changes anything. Exit status is always 0.
 */
public final class CdsTraining {

    private CdsTraining() {
    }

    public static void main(String[] args) {
        String[][] calls = {
            {"--help"}, {"--version"}, {"xfrm", "state", "list"}, {"xfrm", "policy", "list"},
            {"--json", "xfrm", "state", "list"}, {"--json", "xfrm", "policy", "list"}, {"xfrm", "state", "count"},
            {"agent", "status", "--help"}, {"context", "--help"},
        };
        for (String[] call : calls) {
            try {
                PrintWriter sink = new PrintWriter(Writer.nullWriter());
                Cxctl.execute(sink, sink, call);
            } catch (RuntimeException | LinkageError e) {
                // no kernel XFRM here (a container): the classes loaded so far are archived anyway
            }
        }
        System.exit(0);
    }
}
