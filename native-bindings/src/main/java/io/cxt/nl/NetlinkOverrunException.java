package io.cxt.nl;

import io.cxt.sys.ErrnoException;

/**
 * ENOBUFS on a netlink socket: the kernel dropped messages because our receive buffer was full.
 * For a monitor this means events were lost and state must be re-read with a dump.
 */
public class NetlinkOverrunException extends ErrnoException {
    private static final long serialVersionUID = 1L;

    public static final int ENOBUFS = 105;

    public NetlinkOverrunException(String operation) {
        super(operation, ENOBUFS, "netlink receive buffer overrun, messages were lost");
    }
}
