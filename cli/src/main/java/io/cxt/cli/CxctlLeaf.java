package io.cxt.cli;

import java.io.PrintWriter;
import java.util.concurrent.Callable;

import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Spec;

/**
 * What every {@code cxctl} leaf command shares, whichever it talks to (the kernel's XFRM, a context file,
 * cxagent): the root command's options and the output stream picocli was given (the tests capture it).
 */
abstract class CxctlLeaf implements Callable<Integer> {

    @Spec
    CommandSpec spec;

    /** The {@code cxctl} command above this one, holder of -n, --json and --debug. */
    Cxctl root() {
        CommandSpec s = spec;
        while (s != null && !(s.userObject() instanceof Cxctl)) {
            s = s.parent();
        }
        if (s == null) {
            throw new IllegalStateException("cxctl command not found above " + spec.qualifiedName());
        }
        return (Cxctl) s.userObject();
    }

    PrintWriter out() {
        return spec.commandLine().getOut();
    }

    boolean json() {
        return root().json;
    }
}
