package io.cxt.cli;

import java.io.IOException;
import java.io.PrintWriter;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.function.Supplier;

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
        // Subcommands are added by newCommandLine(args): only the one the arguments name (start-up time).
        subcommands = {})
public final class Cxctl implements Runnable {

    /**
     * The top-level commands in help order. picocli builds a command's model (reflection over every
     * option of every subcommand, some hundred classes) when it is added; building only the branch
     * a call uses halves cxctl's start-up (tests/bench/cli-bench).
     */
    private static final Map<String, Supplier<Object>> COMMANDS = new LinkedHashMap<>();

    static {
        COMMANDS.put("xfrm", XfrmCommand::new);
        COMMANDS.put("context", ContextCommand::new);
        COMMANDS.put("agent", AgentCommand::new);
        COMMANDS.put("ike", IkeCommand::new);
        COMMANDS.put("help", CommandLine.HelpCommand::new);
    }

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
        // jnr-ffi generates a bytecode stub per native function with ASM by default: ~0.4 s of CPU at
        // start-up for a process that makes a handful of native calls. Its reflective invoker is enough
        // here (the daemon keeps the generated stubs). -Djnr.ffi.asm.enabled=true restores them.
        if (System.getProperty("jnr.ffi.asm.enabled") == null) {
            System.setProperty("jnr.ffi.asm.enabled", "false");
        }
        System.exit(execute(args));
    }

    /** Runs cxctl on the process's stdout and stderr and returns its exit code. */
    public static int execute(String... args) {
        return newCommandLine(args).execute(args);
    }

    /** Runs cxctl with its output and errors going to {@code out} and {@code err} (tests capture them). */
    public static int execute(PrintWriter out, PrintWriter err, String... args) {
        CommandLine cl = newCommandLine(args);
        cl.setOut(out);
        cl.setErr(err);
        try {
            return cl.execute(args);
        } finally {
            out.flush();
            err.flush();
        }
    }

    /** The whole command tree (help, man page, completion). */
    public static CommandLine newCommandLine() {
        return newCommandLine((String[]) null);
    }

    /**
     * The command tree for these arguments: the root with only the top-level command they name, or
     * with all of them when they name none or one that does not exist (usage, help, error messages).
     */
    public static CommandLine newCommandLine(String[] args) {
        String wanted = args == null ? null : commandName(args);
        CommandLine cl = new CommandLine(new Cxctl());
        boolean known = wanted != null && !"help".equals(wanted) && COMMANDS.containsKey(wanted);
        for (Map.Entry<String, Supplier<Object>> c : COMMANDS.entrySet()) {
            if (!known || c.getKey().equals(wanted)) {
                cl.addSubcommand(c.getKey(), c.getValue().get());
            }
        }
        cl.setCaseInsensitiveEnumValuesAllowed(true);
        // "@file" is an ordinary token here (a key or a context may start with @)
        cl.setExpandAtFiles(false);
        cl.setUsageHelpWidth(110);
        return CliErrors.install(cl);
    }

    /** The first argument that is not a global option (or its value), or null. */
    static String commandName(String[] args) {
        for (int i = 0; i < args.length; i++) {
            String a = args[i];
            if ("-n".equals(a) || "--netns".equals(a)) {
                i++;
            } else if (!a.startsWith("-")) {
                return a;
            }
        }
        return null;
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
