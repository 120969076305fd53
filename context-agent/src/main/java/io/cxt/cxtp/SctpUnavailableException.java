package io.cxt.cxtp;

import java.io.IOException;

/** SCTP cannot be used here; the message is "SCTP unavailable: &lt;reason&gt;". */
public final class SctpUnavailableException extends IOException {
    private static final long serialVersionUID = 1L;

    private final transient SctpAvailability availability;

    public SctpUnavailableException(SctpAvailability availability) {
        super(availability.describe());
        this.availability = availability;
    }

    public SctpAvailability availability() {
        return availability;
    }
}
