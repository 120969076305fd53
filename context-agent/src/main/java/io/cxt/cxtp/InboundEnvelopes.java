package io.cxt.cxtp;

import java.net.InetSocketAddress;
import java.util.Arrays;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * What the UDP and SCTP transports do with every message that arrives, after their own socket
 * reading: open the router channel envelope when the transport is protected (a refused one is
 * counted, reported to the rejection listener if there is one, and dropped), hand the plaintext to
 * reliable delivery, then zero it (decrypted contexts carry keys).
 */
final class InboundEnvelopes {

    private static final Logger LOG = LoggerFactory.getLogger(InboundEnvelopes.class);

    private final String label;
    private final RouterChannelProtection protection;
    private final TransportCounters counters;
    private final UdpTransport.RejectionListener rejectionListener;
    private final ReliableDelivery delivery;

    /**
     * @param label             the transport and its address, for log lines ("udp [::]:5091")
     * @param protection        the router channel protection, or null for plain CXTP
     * @param rejectionListener told of refused envelopes, or null
     */
    InboundEnvelopes(String label, RouterChannelProtection protection, TransportCounters counters,
                     UdpTransport.RejectionListener rejectionListener, ReliableDelivery delivery) {
        this.label = label;
        this.protection = protection;
        this.counters = counters;
        this.rejectionListener = rejectionListener;
        this.delivery = delivery;
    }

    /** Opens (if protected), delivers and wipes one received message; {@code received} is the caller's copy. */
    void deliver(InetSocketAddress from, byte[] received) {
        byte[] message = received;
        if (protection != null) {
            RouterChannelProtection.Opened o = protection.open(from, received);
            if (o instanceof RouterChannelProtection.Rejected r) {
                counters.increment(TransportCounter.PROTECTION_REJECTED);
                LOG.debug("{}: envelope from {} rejected: {}", label, from, r.reason());
                if (rejectionListener != null) {
                    try {
                        rejectionListener.rejected(from, r.reason());
                    } catch (RuntimeException e) {
                        LOG.debug("{}: rejection listener failed: {}", label, e.toString());
                    }
                }
                return;
            }
            RouterChannelProtection.Accepted a = (RouterChannelProtection.Accepted) o;
            message = a.plaintext();
            a.wipe();
        }
        try {
            delivery.inbound(from, message);
        } finally {
            if (protection != null) {
                Arrays.fill(message, (byte) 0);
            }
        }
    }
}
