package io.cxt.cli;

/** cxctl's exit codes, in the tradition of iproute2 and sysexits. */
public final class ExitCodes {
    private ExitCodes() {
    }

    /** Success. */
    public static final int OK = 0;
    /** The kernel (or the agent) refused or failed the operation. */
    public static final int FAILURE = 1;
    /** Bad command line: unknown option, bad address, missing argument. */
    public static final int USAGE = 2;
}
