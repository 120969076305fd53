package io.cxt.agent.role;

/**
 * What an access router counts (in {@code stats} under its spelling, e.g. {@code ctar.received});
 * the CXTP transports count theirs in {@link io.cxt.cxtp.TransportCounter}.
 */
enum RouterCounter {
    ACTIVATION_FAILED("activation.failed"),
    ACTIVATIONS("activations"),
    CTAA_SEND_FAILED("ctaa.send-failed"),
    CTAA_SENT_FAILURE("ctaa.sent.failure"),
    CTAA_SENT_SUCCESS("ctaa.sent.success"),
    CTAR_RECEIVED("ctar.received"),
    CTAR_REJECTED("ctar.rejected"),
    CTAR_REPLAYED("ctar.replayed"),
    CTAR_WHILE_PENDING("ctar.while-pending"),
    CTC_UNMATCHED("ctc.unmatched"),
    CTDR_UNMATCHED("ctdr.unmatched"),
    CTREQ_ANSWERED("ctreq.answered"),
    CTREQ_REJECTED("ctreq.rejected"),
    CTREQ_REPLAYED("ctreq.replayed"),
    CTREQ_SENT("ctreq.sent"),
    MOBILE_UNEXPECTED_TYPE("mobile.unexpected-type"),
    RESERVATIONS_RENEWED("reservations.renewed"),
    ROUTER_REJECTED("router.rejected"),
    ROUTER_SEND_FAILED("router.send-failed"),
    ROUTER_UNEXPECTED_TYPE("router.unexpected-type"),
    ROUTER_UNKNOWN_SOURCE("router.unknown-source");

    private static final RouterCounter[] VALUES = values();

    private final String spelling;

    RouterCounter(String spelling) {
        this.spelling = spelling;
    }

    /** The name in {@code stats} and {@code counter(name)}. */
    String spelling() {
        return spelling;
    }

    /** The counter of a spelling, or null. */
    static RouterCounter of(String spelling) {
        for (RouterCounter c : VALUES) {
            if (c.spelling.equals(spelling)) {
                return c;
            }
        }
        return null;
    }
}
