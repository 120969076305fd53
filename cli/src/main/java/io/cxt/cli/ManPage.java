package io.cxt.cli;

import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Locale;

import picocli.CommandLine;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Model.OptionSpec;
import picocli.CommandLine.Model.PositionalParamSpec;

/**
 * Writes cxctl(8) in roff from the picocli command model, so that the man page and {@code --help}
 * cannot drift apart. tests/package/build-deb runs it at package time:
 * {@code java -cp cxt.jar io.cxt.cli.ManPage > cxctl.8}.
 *
 * <p>picocli's own ManPageGenerator (picocli-codegen) writes AsciiDoc, which needs asciidoctor (Ruby)
 * to become a man page; this writes roff directly, one page with a section per command, like ip(8).
 */
public final class ManPage {

    private ManPage() {
    }

    public static void main(String[] args) {
        PrintWriter out = new PrintWriter(System.out, false, StandardCharsets.UTF_8);
        write(Cxctl.newCommandLine(), io.cxt.sys.BuildInfo.version(), out);
        out.flush();
    }

    static void write(CommandLine root, String version, PrintWriter out) {
        CommandSpec spec = root.getCommandSpec();
        out.println(".TH CXCTL 8 \"\" \"cxt " + esc(version) + "\" \"System Administration\"");
        out.println(".SH NAME");
        out.println("cxctl \\- " + esc(first(spec.usageMessage().description())));
        out.println(".SH SYNOPSIS");
        out.println(".B cxctl");
        out.println("[\\fIOPTIONS\\fR] \\fICOMMAND\\fR ...");
        out.println(".SH DESCRIPTION");
        for (String d : spec.usageMessage().description()) {
            if (d.isBlank()) {
                out.println(".PP");
            } else {
                out.println(esc(d));
            }
        }
        out.println(".SH OPTIONS");
        options(spec, out);
        out.println(".SH COMMANDS");
        for (CommandLine sub : root.getSubcommands().values()) {
            if (!"help".equals(sub.getCommandName())) {
                command(sub, out);
            }
        }
        out.println(".SH EXIT STATUS");
        out.println("0 success, 1 the kernel or the agent refused or failed, 2 bad command line.");
        out.println(".SH NOTES");
        out.println("Most commands need CAP_NET_ADMIN (root); \\fB\\-n\\fR also needs CAP_SYS_ADMIN.");
        out.println("Errors are one line on standard error; \\fB\\-\\-debug\\fR adds the stack trace.");
        out.println("Every command has \\fB\\-\\-help\\fR with its grammar and examples.");
        out.println(".SH ENVIRONMENT");
        out.println(".TP\n.B CXT_JAR\nThe cxt jar to run instead of \\fI/usr/share/cxt/cxt.jar\\fR.");
        out.println(".TP\n.B CXT_JAVA\nThe java command (default: java in PATH).");
        out.println(".TP\n.B CXCTL_JAVA_OPTS\nExtra JVM options.");
        out.println(".SH FILES");
        out.println(".TP\n.I /run/cxt/cxagent.sock\nThe agent's control socket (\\fBcxctl agent\\fR, \\fBcxctl ike\\fR).");
        out.println(".TP\n.I /var/cache/cxt/cxt.jsa\nClass-data-sharing archive that shortens start-up, rebuilt by the package"
                + " when the Java runtime changes.");
        out.println(".SH SEE ALSO");
        out.println(".BR cxagent (8), \n.BR cxagent.conf (5), \n.BR ip\\-xfrm (8)");
    }

    private static void command(CommandLine cl, PrintWriter out) {
        CommandSpec spec = cl.getCommandSpec();
        if (!spec.subcommands().isEmpty() && spec.options().stream().allMatch(o -> o.usageHelp() || o.versionHelp()
                || o.inherited()) && spec.positionalParameters().isEmpty()) {
            // a group (xfrm, xfrm state): its leaves carry the grammar
            out.println(".SS " + esc(spec.qualifiedName()));
            out.println(esc(String.join(" ", spec.usageMessage().description())));
            for (CommandLine sub : cl.getSubcommands().values()) {
                command(sub, out);
            }
            return;
        }
        out.println(".SS " + esc(spec.qualifiedName()));
        String synopsis = new CommandLine.Help(spec, CommandLine.Help.defaultColorScheme(CommandLine.Help.Ansi.OFF))
                .synopsis(0).strip();
        out.println(".nf\n" + esc(synopsis) + "\n.fi");
        for (String d : spec.usageMessage().description()) {
            out.println(d.isBlank() ? ".PP" : esc(d) + "\n.br");
        }
        options(spec, out);
        for (PositionalParamSpec p : spec.positionalParameters()) {
            if (!p.hidden() && p.description().length > 0) {
                out.println(".TP\n.I " + esc(p.paramLabel()));
                out.println(esc(String.join(" ", p.description())));
            }
        }
        for (CommandLine sub : cl.getSubcommands().values()) {
            if (!"help".equals(sub.getCommandName())) {
                command(sub, out);
            }
        }
    }

    private static void options(CommandSpec spec, PrintWriter out) {
        for (OptionSpec o : spec.options()) {
            if (o.hidden() || (o.inherited() && spec.parent() != null)) {
                continue;
            }
            StringBuilder names = new StringBuilder();
            for (String n : o.names()) {
                names.append(names.length() == 0 ? "" : ", ").append("\\fB").append(esc(n)).append("\\fR");
            }
            if (o.arity().max() > 0) {
                names.append(" \\fI").append(esc(o.paramLabel())).append("\\fR");
            }
            out.println(".TP\n" + names);
            out.println(esc(String.join(" ", o.description())));
        }
    }

    private static String first(String[] lines) {
        return lines.length == 0 ? "" : lines[0].replaceAll("\\.$", "").toLowerCase(Locale.ROOT).charAt(0)
                + lines[0].replaceAll("\\.$", "").substring(1);
    }

    /** Escapes roff: backslashes, hyphens, and a leading dot or quote. */
    static String esc(String s) {
        String r = s.replace("\\", "\\e").replace("-", "\\-").replace("%n", "\n.br\n");
        List<String> lines = r.lines().map(l -> l.startsWith(".") || l.startsWith("'") ? "\\&" + l : l).toList();
        return String.join("\n", lines);
    }
}
