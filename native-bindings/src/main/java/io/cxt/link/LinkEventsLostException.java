package io.cxt.link;

import java.io.IOException;

/**
 * The kernel dropped rtnetlink notifications (ENOBUFS on the monitor's socket): whoever follows the links must read
 * the current state again ({@link RtnetlinkMonitor#currentState}).
 */
public final class LinkEventsLostException extends IOException {
    private static final long serialVersionUID = 1L;

    public LinkEventsLostException(String message, Throwable cause) {
        super(message, cause);
    }
}
