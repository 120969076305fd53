package io.cxt.cxtp;

import java.time.Duration;

/**
 * CXTP protocol numbers and timing constants (RFC 4067 sections 3 and 4, RFC 4065).
 *
 * <p>Constant names: RFC 4067 uses two spellings for the same constants ({@code CT_REQUEST_RETRY}
 * in the section 4 table, {@code CXTP_REQUEST_RETRY} in section 3.2; likewise
 * {@code CT_RETRY_MAX}/{@code CXTP_RETRY_MAX} and {@code CT_MAX_TRANSFER_TIME}/
 * {@code CXTP_MAX_TRANSFER_TIME}). We decided the section 4 table is normative and use its
 * {@code CT_} names only. {@code CT_MAX_HANDOVER_TIME} (section 2.5.3) is not defined anywhere;
 * we read it as {@link #CT_MAX_TRANSFER_TIME}, the only constant about how long a pAR holds a
 * transfer.
 */
public final class CxtpConstants {
    private CxtpConstants() {
    }

    /** The only protocol version this code speaks. */
    public static final int VERSION = 1;

    /** CTAR messages per second an AR processes before it starts dropping (section 6.3). */
    public static final int CT_REQUEST_RATE = 10;

    /** How long a pAR waits before aborting a transfer; also the SCTP retransmission bound. */
    public static final Duration CT_MAX_TRANSFER_TIME = Duration.ofMillis(200);

    /** Wait before the first CTAR retransmission on the MN-AR interface. */
    public static final Duration CT_REQUEST_RETRY = Duration.ofSeconds(2);

    /** Give up retransmitting this long after the initial transmission. */
    public static final Duration CT_RETRY_MAX = Duration.ofSeconds(15);

    /** A MN must not reuse a CTAR sequence number within this period (section 3.2). */
    public static final Duration SEQUENCE_REUSE_GUARD = Duration.ofSeconds(7);

    /** IANA port for CXTP between routers (RFC 4065 section 2; SCTP, also used for UDP here). */
    public static final int PORT = 5091;

    /** ICMPv4 Experimental Mobility type (RFC 4065 section 3). */
    public static final int ICMPV4_TYPE = 41;

    /** ICMPv6 Experimental Mobility type (RFC 4065 section 4). */
    public static final int ICMPV6_TYPE = 150;

    /** ICMP code for CXTP messages. */
    public static final int ICMP_CODE = 0;

    /** Experimental Mobility subtype of CXTP (RFC 4065 section 8). */
    public static final int ICMP_SUBTYPE_CXTP = 1;

    /** IP hop limit / TTL of MN-AR ICMP messages (RFC 4067 section 3.2). */
    public static final int ICMP_HOP_LIMIT = 255;

    /**
     * SCTP Payload Protocol Identifier. RFC 4067 says "'CXTP' (see [IANA])" but RFC 4065 assigns
     * no number, so we decided on the four ASCII octets 'C','X','T','P' as a big-endian integer.
     */
    public static final int SCTP_PPID = 0x43585450;

    /** Authorization token algorithm: HMAC_SHA1 (RFC 4065 section 7). */
    public static final int ALGORITHM_HMAC_SHA1 = 1;

    /** The largest Context Data Block: 255 words of 8 octets. */
    public static final int MAX_CDB_LENGTH = 255 * 8;

    /** The largest message the 16-bit Length field can describe. */
    public static final int MAX_MESSAGE_LENGTH = 0xffff;
}
