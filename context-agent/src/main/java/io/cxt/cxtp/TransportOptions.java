package io.cxt.cxtp;

import java.time.Duration;

/**
 * How a transport behaves.
 *
 * @param retransmission when to retransmit messages that ask for an acknowledgement
 * @param dropPolicy test switch to lose outbound messages
 * @param duplicateMemory how long a received request is remembered to recognise repeats; at least
 *        CT_RETRY_MAX so that every retransmission of a request is recognised
 * @param ctarRatePerSecond CT_REQUEST_RATE for received CTARs; 0 for no limit
 * @param protection router channel protection (UDP and SCTP only), or null for plain messages
 * @param ctarScreen cheap checks on received CTARs before they are charged to the rate
 */
public record TransportOptions(RetransmissionPolicy retransmission, DropPolicy dropPolicy, Duration duplicateMemory,
                               int ctarRatePerSecond, RouterChannelProtection protection, RequestScreen ctarScreen) {

    public TransportOptions(RetransmissionPolicy retransmission, DropPolicy dropPolicy, Duration duplicateMemory,
                            int ctarRatePerSecond, RouterChannelProtection protection) {
        this(retransmission, dropPolicy, duplicateMemory, ctarRatePerSecond, protection, RequestScreen.ALL);
    }

    public TransportOptions {
        if (retransmission == null) {
            retransmission = RetransmissionPolicy.RFC_4067;
        }
        if (dropPolicy == null) {
            dropPolicy = DropPolicy.none();
        }
        if (ctarScreen == null) {
            ctarScreen = RequestScreen.ALL;
        }
        if (duplicateMemory == null || duplicateMemory.isNegative()) {
            throw new IllegalArgumentException("duplicate memory must be a non-negative duration");
        }
    }

    /** RFC 4067 defaults: 2 s doubling retransmission for 15 s, 15 s duplicate memory, 10 CTAR/s, no protection. */
    public static TransportOptions defaults() {
        return new TransportOptions(RetransmissionPolicy.RFC_4067, DropPolicy.none(), CxtpConstants.CT_RETRY_MAX,
                CxtpConstants.CT_REQUEST_RATE, null);
    }

    /**
     * For SCTP, which retransmits by itself: one transmission, and CT_MAX_TRANSFER_TIME to wait for
     * the CTDR before reporting {@link SendResult.Outcome#GAVE_UP}.
     */
    public static TransportOptions sctpDefaults() {
        return defaults().withRetransmission(RetransmissionPolicy.singleTransmission(CxtpConstants.CT_MAX_TRANSFER_TIME));
    }

    public TransportOptions withRetransmission(RetransmissionPolicy p) {
        return new TransportOptions(p, dropPolicy, duplicateMemory, ctarRatePerSecond, protection, ctarScreen);
    }

    public TransportOptions withDropPolicy(DropPolicy d) {
        return new TransportOptions(retransmission, d, duplicateMemory, ctarRatePerSecond, protection, ctarScreen);
    }

    public TransportOptions withDuplicateMemory(Duration d) {
        return new TransportOptions(retransmission, dropPolicy, d, ctarRatePerSecond, protection, ctarScreen);
    }

    public TransportOptions withCtarRatePerSecond(int rate) {
        return new TransportOptions(retransmission, dropPolicy, duplicateMemory, rate, protection, ctarScreen);
    }

    public TransportOptions withProtection(RouterChannelProtection p) {
        return new TransportOptions(retransmission, dropPolicy, duplicateMemory, ctarRatePerSecond, p, ctarScreen);
    }

    public TransportOptions withCtarScreen(RequestScreen screen) {
        return new TransportOptions(retransmission, dropPolicy, duplicateMemory, ctarRatePerSecond, protection, screen);
    }
}
