package io.cxt.agent.view;

/**
 * A configured peer router (answer to {@code peers}).
 *
 * @param name configured name
 * @param address "addr port"
 * @param transport "udp" or "sctp"
 * @param senderId the peer's router-channel sender id
 * @param sent CXTP messages sent to it
 * @param received messages accepted from it
 * @param rejected envelopes from its address that failed protection (bad tag, replay, ...)
 * @param lastSeen ISO-8601 instant of the last accepted message, empty if never
 */
public record PeerView(String name, String address, String transport, int senderId, long sent, long received,
        long rejected, String lastSeen) {
}
