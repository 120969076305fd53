package io.cxt.cxtp;

/** What a {@link CxtpTransport} counts. */
public enum TransportCounter {
    /** Messages handed to the socket (first transmissions, retransmissions and replayed replies). */
    TRANSMITTED,
    /** Retransmissions of unacknowledged requests. */
    RETRANSMITTED,
    /** Transmissions discarded by the {@link DropPolicy}. */
    DROPPED_BY_POLICY,
    /** Transmissions that failed in the socket (retransmissions are retried on schedule). */
    SEND_FAILED,
    /** Messages handed to the receiver (counted when the receiver returns). */
    DELIVERED,
    /** Received octets that are not a well-formed CXTP message. */
    MALFORMED,
    /** Well-formed messages this transport does not carry (e.g. a CTD over ICMP). */
    UNEXPECTED_TYPE,
    /** Repeated requests ignored (same CTAR sequence number and MN address, or a repeated CTD/PCTD). */
    DUPLICATE_IGNORED,
    /** Cached replies re-sent in answer to a repeated request. */
    REPLY_REPLAYED,
    /** CTARs dropped because they came faster than CT_REQUEST_RATE (globally or from their source). */
    RATE_LIMITED,
    /** CTARs refused by the receiver's cheap checks before rate accounting ({@link RequestScreen}, or too long). */
    SCREENED,
    /** Acknowledgements that completed a pending request. */
    ACK_MATCHED,
    /** Acknowledgements for which no request was pending. */
    ACK_UNMATCHED,
    /** Requests whose retransmissions ran out. */
    GAVE_UP,
    /** Router channel envelopes refused by {@link RouterChannelProtection}. */
    PROTECTION_REJECTED,
    /** ICMP messages whose TTL or hop limit was not 255 (so possibly from off-link). */
    WRONG_HOP_LIMIT,
    /** Datagrams read from the priority lane (CTARs of MNs whose contexts are held: {@link UdpTransport#steerCtarsFor}). */
    PRIORITY_LANE,
    /** The receiver callback threw. */
    RECEIVER_FAILED
}
