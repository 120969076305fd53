package io.cxt.cli;

import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.ParentCommand;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Model.CommandSpec;

/** {@code cxctl xfrm}: the kernel's SAD and SPD, like {@code ip xfrm}. */
@Command(name = "xfrm",
        mixinStandardHelpOptions = true,
        description = "Security associations (state), security policies (policy) and XFRM events (monitor).",
        subcommands = {})
public final class XfrmCommand implements Runnable {

    @ParentCommand
    Cxctl root;

    @Spec
    CommandSpec spec;

    @Override
    public void run() {
        throw new CommandLine.ParameterException(spec.commandLine(), "xfrm needs an object: state, policy or monitor");
    }

    Cxctl root() {
        return root;
    }
}
