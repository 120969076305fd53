package io.cxt.nl;

import java.io.IOException;

/** A dump kept being interrupted (NLM_F_DUMP_INTR) by concurrent changes, even after restarts. */
public class NetlinkDumpInterruptedException extends IOException {
    private static final long serialVersionUID = 1L;

    public NetlinkDumpInterruptedException(String message) {
        super(message);
    }
}
