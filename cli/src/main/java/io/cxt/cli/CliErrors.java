package io.cxt.cli;

import java.io.PrintWriter;

import io.cxt.sys.ErrnoException;
import io.cxt.xfrm.XfrmError;
import picocli.CommandLine;
import picocli.CommandLine.IExecutionExceptionHandler;
import picocli.CommandLine.IParameterExceptionHandler;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.ParseResult;

/**
 * Turns every failure into one line on stderr and an exit code: 2 for a bad command line, 1 for
 * anything the kernel or the system refused. A stack trace only with --debug.
 */
final class CliErrors implements IExecutionExceptionHandler, IParameterExceptionHandler {

    @Override
    public int handleParseException(ParameterException ex, String[] args) {
        CommandLine cmd = ex.getCommandLine();
        PrintWriter err = cmd.getErr();
        // one line: the problem, then where to read the grammar
        err.println("cxctl: " + oneLine(ex.getMessage()) + " (see '" + cmd.getCommandSpec().qualifiedName()
                + " --help')");
        if (Cxctl.debugRequested(args)) {
            ex.printStackTrace(err);
        }
        err.flush();
        return ExitCodes.USAGE;
    }

    @Override
    public int handleExecutionException(Exception thrown, CommandLine cmd, ParseResult parseResult) {
        Exception ex = thrown instanceof java.io.UncheckedIOException u ? u.getCause() : thrown;
        PrintWriter err = cmd.getErr();
        err.println("cxctl: " + describe(ex));
        if (Cxctl.debugRequested(parseResult.originalArgs().toArray(new String[0]))) {
            ex.printStackTrace(err);
        }
        err.flush();
        if (ex instanceof UsageException || ex instanceof IllegalArgumentException && !XfrmError.isMalformedReply(ex)) {
            return ExitCodes.USAGE;
        }
        return ExitCodes.FAILURE;
    }

    /** One line saying what went wrong, in the kernel's own words where it gave any. */
    static String describe(Throwable ex) {
        if (XfrmError.isRefusal(ex)) {
            ErrnoException n = (ErrnoException) ex;
            return "kernel refused: " + XfrmError.text(ex) + " (" + ErrnoException.describe(n.errno()) + ")";
        }
        if (XfrmError.isMalformedReply(ex)) {
            return "malformed netlink reply: " + ex.getMessage();
        }
        String m = ex.getMessage();
        if (m == null || m.isBlank()) {
            m = ex.getClass().getSimpleName();
        }
        return oneLine(m);
    }

    private static String oneLine(String m) {
        return m == null ? "" : m.strip().replace('\n', ' ').replace('\r', ' ');
    }

    static CommandLine install(CommandLine cl) {
        CliErrors h = new CliErrors();
        return cl.setExecutionExceptionHandler(h).setParameterExceptionHandler(h);
    }
}
