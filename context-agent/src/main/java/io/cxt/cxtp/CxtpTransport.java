package io.cxt.cxtp;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.util.concurrent.CompletableFuture;

/**
 * Carries CXTP messages to peers and received ones to a {@link CxtpReceiver} given when the
 * transport is opened. Implementations: {@link UdpTransport} (router to router, or MN-AR over
 * UDP), {@link SctpTransport} (router to router, RFC 4067 section 3.1, where SCTP exists) and
 * {@link IcmpTransport} (MN-AR, section 3.2).
 */
public interface CxtpTransport extends AutoCloseable {

    /**
     * Sends one CXTP message. A message that requests an acknowledgement (A flag of CTAR, CTD,
     * PCTD) is retransmitted per the transport's {@link RetransmissionPolicy} until its CTAA or
     * CTDR arrives; the future tells how it ended. Other messages complete with
     * {@link SendResult.Outcome#SENT} at once.
     *
     * @param peer where to (ICMP ignores the port)
     * @param message the octets of one CXTP message
     * @throws IllegalArgumentException if {@code message} is not a CXTP message this transport carries
     * @throws IOException if the first transmission fails or the transport is closed
     */
    CompletableFuture<SendResult> send(InetSocketAddress peer, byte[] message) throws IOException;

    /** Running counters of this transport. */
    TransportCounters counters();

    /** Stops receiving, completes outstanding sends with {@link SendResult.Outcome#CLOSED}, releases the socket. */
    @Override
    void close();
}
