package io.cxt.cli;

import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.ParentCommand;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Model.CommandSpec;

/** {@code cxctl xfrm}: the kernel's SAD and SPD, like {@code ip xfrm}. */
@Command(name = "xfrm",
        mixinStandardHelpOptions = true,
        description = {"The kernel's IPsec state, like 'ip xfrm': security associations (state), security"
            + " policies (policy) and their notifications (monitor).",
            "Arguments are keyword/value tokens in ip-xfrm(8)'s grammar, e.g.",
            "  cxctl xfrm state list src 192.0.2.1 proto esp",
            "Output is laid out like ip's; --json (before or after the command) prints JSON instead."},
        footer = {"%nCommands:%n"
            + "  state   { list | get | add | update | delete | flush | count | info | allocspi }%n"
            + "  policy  { list | get | add | update | delete | flush | count | info | setdefault | getdefault"
            + " | set }%n"
            + "  monitor [ all | OBJECTS ]%n"
            + "Run 'cxctl xfrm state --help', 'cxctl xfrm state add --help' etc. for each grammar." + "%n" + XfrmHelp.EXIT_STATUS},
        subcommands = {StateCommand.class, PolicyCommand.class, MonitorCommand.class})
public final class XfrmCommand implements Runnable {

    @ParentCommand
    Cxctl root;

    @Spec
    CommandSpec spec;

    @Override
    public void run() {
        throw new CommandLine.ParameterException(spec.commandLine(),
                "xfrm needs an object: state, policy or monitor");
    }

    Cxctl root() {
        return root;
    }
}
