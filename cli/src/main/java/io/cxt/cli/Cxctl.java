package io.cxt.cli;

import java.io.IOException;
import java.io.PrintWriter;

import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Model.CommandSpec;

import io.cxt.xfrm.XfrmClient;

/**
 * {@code cxctl}: inspect and drive the kernel's XFRM state and the cxt agent.
 */
@Command(name = "cxctl",
        mixinStandardHelpOptions = true,
        versionProvider = Cxctl.Version.class,
        description = {
            "Inspect and drive IPsec (XFRM) state and the cxt context-transfer agent.",
            "",
            "Commands follow iproute2's 'ip xfrm' vocabulary, so that what you type and what you read looks like 'ip xfrm state' and 'ip xfrm policy'. Every listing also has --json."},
        footer = {"%nCommands:%n"
            + "  xfrm state    security associations: list, get, add, update, delete, flush, count, info, allocspi%n"
            + "  xfrm policy   security policies: list, get, add, update, delete, flush, count, info, setdefault,"
            + " getdefault, set%n"
            + "  xfrm monitor  the kernel's XFRM notifications%n"
            + "  context       a mobile node's context offline: snapshot, install, remove, diff, show%n"
            + "  agent         the running cxagent: status, contexts, peers, stats, events, transfer, activate, cancel%n"
            + "  ike           the agent's IKE SAs: import, list, show%n"
            + "Each command has --help with its grammar, keywords and examples, e.g. 'cxctl xfrm state add --help'.",
            "%nExamples:%n"
            + "  cxctl xfrm policy list%n"
            + "  cxctl -n gw1 --json xfrm state list proto esp%n"
            + "  cxctl xfrm monitor SA policy%n"
            + "  cxctl agent status",
            "%nErrors are one line on stderr; --debug adds the stack trace.",
            "Exit status: 0 success, 1 the kernel or the agent refused or failed, 2 bad command line.",
            "Most commands need CAP_NET_ADMIN (root); -n also needs CAP_SYS_ADMIN."},
        subcommands = {XfrmCommand.class, ContextCommand.class, AgentCommand.class, IkeCommand.class,
            CommandLine.HelpCommand.class})
public final class Cxctl implements Runnable {

    @Spec
    CommandSpec spec;

    @Option(names = {"-n", "--netns"}, paramLabel = "NETNS", scope = CommandLine.ScopeType.INHERIT,
            description = "Work in network namespace NETNS (a name under /var/run/netns, like 'ip -n').")
    String netns;

    @Option(names = "--json", scope = CommandLine.ScopeType.INHERIT,
            description = "Print machine-readable JSON instead of text.")
    boolean json;

    @Option(names = "--debug", scope = CommandLine.ScopeType.INHERIT,
            description = "Print stack traces on errors.")
    boolean debug;

    @Override
    public void run() {
        throw new CommandLine.ParameterException(spec.commandLine(), "a command is required (try 'cxctl --help')");
    }

    /** Opens an XFRM client in the selected namespace. */
    XfrmClient openXfrm() throws IOException {
        return XfrmClient.open(netns);
    }

    PrintWriter out() {
        return spec.commandLine().getOut();
    }

    public static void main(String[] args) {
        System.exit(execute(args));
    }

    /** Runs cxctl on the process's stdout and stderr and returns its exit code. */
    public static int execute(String... args) {
        return newCommandLine().execute(args);
    }

    /** Runs cxctl with its output and errors going to {@code out} and {@code err} (tests capture them). */
    public static int execute(PrintWriter out, PrintWriter err, String... args) {
        CommandLine cl = newCommandLine();
        cl.setOut(out);
        cl.setErr(err);
        try {
            return cl.execute(args);
        } finally {
            out.flush();
            err.flush();
        }
    }

    public static CommandLine newCommandLine() {
        CommandLine cl = new CommandLine(new Cxctl());
        cl.setCaseInsensitiveEnumValuesAllowed(true);
        // "@file" is an ordinary token here (a key or a context may start with @)
        cl.setExpandAtFiles(false);
        cl.setUsageHelpWidth(110);
        return CliErrors.install(cl);
    }

    static boolean debugRequested(String[] args) {
        for (String a : args) {
            if ("--debug".equals(a)) {
                return true;
            }
        }
        return false;
    }

    static final class Version implements CommandLine.IVersionProvider {
        @Override
        public String[] getVersion() {
            return new String[] {"cxctl " + io.cxt.sys.BuildInfo.version()};
        }
    }
}
