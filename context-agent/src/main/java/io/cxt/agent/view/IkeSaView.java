package io.cxt.agent.view;

import java.util.List;

/**
 * An IKE SA the agent holds, keys redacted (answer to {@code ike-list} / {@code ike-show}).
 *
 * @param initiatorSpi 16 hex digits
 * @param responderSpi 16 hex digits
 * @param role "initiator" or "responder" (original role)
 * @param algorithms e.g. "aes256gcm16-prfsha256-modp2048" or "aes128-sha256-prfsha256-..."
 * @param peerIdentity the peer's identity from its PAD entry
 * @param messageIds "next request to send / next request expected"
 * @param childSas one line per child SA, e.g. "esp in 0xc0000001 out 0xc0000002"
 * @param owner the MN (home address) this IKE SA belongs to, if known
 */
public record IkeSaView(String initiatorSpi, String responderSpi, String role, String algorithms, String peerIdentity,
        String messageIds, List<String> childSas, String owner) {
    public IkeSaView {
        childSas = List.copyOf(childSas);
    }
}
