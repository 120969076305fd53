package io.cxt.agent.config;

import java.net.InetAddress;
import java.time.Duration;
import java.util.Objects;

import io.cxt.agent.settings.IpPrefix;
import io.cxt.agent.settings.MobileTransport;
import io.cxt.context.SadLookupCase;

/**
 * The {@code [router]} table (role access-router).
 *
 * @param address {@code address} (required): this router's CXTP address towards peers and MNs
 * @param cxtpPort {@code cxtp-port}, default 5091 (RFC 4065)
 * @param mobileTransport {@code mobile-transport}: icmp (default, RFC 4067) or udp, MN <-> AR
 * @param mobilePrefix {@code mobile-prefix} (required): MN care-of prefix served here
 * @param senderId {@code sender-id} (required): this router's router-channel sender id (unsigned 32 bits)
 * @param handoverTimeout {@code handover-timeout}, default 30s (RFC 4067's CT_MAX_HANDOVER_TIME has no value)
 * @param ctarRate {@code ctar-rate}: CTARs per second before rate limiting, default 10 (CT_REQUEST_RATE)
 * @param sequenceMargin {@code sequence-margin}: added to transferred outbound ESP sequence numbers, default 10000
 * @param sadLookup {@code sad-lookup}: spi, spi-dst (default, Linux) or spi-dst-src
 * @param spiRange {@code spi-range}, default 0x100-0xcfffffff
 * @param tokenKeySource {@code token-key-source}: configured (default) or ike
 * @param peerAllowance {@code peer-mobile-prefixes}, {@code peer-marks}, {@code peer-unknown-attributes}: what a
 *        peer's context may make this router install beyond the MN's own addresses (default: nothing)
 */
public record RouterSection(InetAddress address, int cxtpPort, MobileTransport mobileTransport, IpPrefix mobilePrefix,
        int senderId, Duration handoverTimeout, int ctarRate, long sequenceMargin, SadLookupCase sadLookup,
        SpiRange spiRange, TokenKeySource tokenKeySource, PeerAllowance peerAllowance) {

    /**
     * What the operator allows a peer's context beyond the MN's own addresses (issue 12 item 4).
     *
     * @param mobilePrefixes prefixes a policy's MN side may cover (e.g. the MNs' home prefix)
     * @param marksAndIfIds whether marks, set-marks and if_id from peers are installed
     * @param unknownAttributes whether netlink attributes this version does not know are installed
     */
    public record PeerAllowance(java.util.List<io.cxt.agent.settings.IpPrefix> mobilePrefixes, boolean marksAndIfIds,
            boolean unknownAttributes) {
        public static final PeerAllowance NONE = new PeerAllowance(java.util.List.of(), false, false);

        public PeerAllowance {
            mobilePrefixes = java.util.List.copyOf(mobilePrefixes);
        }
    }

    public static final int DEFAULT_CXTP_PORT = 5091;
    public static final Duration DEFAULT_HANDOVER_TIMEOUT = Duration.ofSeconds(30);
    public static final int DEFAULT_CTAR_RATE = 10;
    public static final long DEFAULT_SEQUENCE_MARGIN = 10_000;

    public RouterSection {
        Objects.requireNonNull(address, "address");
        Objects.requireNonNull(mobileTransport, "mobileTransport");
        Objects.requireNonNull(mobilePrefix, "mobilePrefix");
        Objects.requireNonNull(handoverTimeout, "handoverTimeout");
        Objects.requireNonNull(sadLookup, "sadLookup");
        Objects.requireNonNull(spiRange, "spiRange");
        Objects.requireNonNull(tokenKeySource, "tokenKeySource");
        peerAllowance = peerAllowance == null ? PeerAllowance.NONE : peerAllowance;
    }
}
