package io.cxt.cxtp;

import java.time.Duration;

/**
 * How a {@link CxtpTransport#send} ended.
 *
 * @param outcome what happened
 * @param transmissions how many times the message was handed to the wire, including copies a
 *        {@link DropPolicy} discarded
 * @param elapsed from the first transmission to the outcome
 * @param acknowledgement the CTAA or CTDR that ended the exchange, or null
 */
public record SendResult(Outcome outcome, int transmissions, Duration elapsed, CxtpMessage acknowledgement) {

    public enum Outcome {
        /** No acknowledgement was requested; the message went out once. */
        SENT,
        /** The matching CTAA or CTDR arrived. */
        ACKNOWLEDGED,
        /** The retransmission policy ran out without an acknowledgement. */
        GAVE_UP,
        /** A newer request for the same peer, type and MN replaced this one (one transfer per MN at a time). */
        SUPERSEDED,
        /** The transport was closed first. */
        CLOSED
    }
}
