package io.cxt.agent.config;

import java.net.InetAddress;
import java.util.Objects;

import io.cxt.agent.settings.PeerTransport;
import io.cxt.xfrm.KeyBytes;

/**
 * One {@code [[peer]]} table: another access router this one exchanges contexts with.
 *
 * @param name {@code name} (required, unique)
 * @param address {@code address} (required)
 * @param port {@code port}, default 5091
 * @param transport {@code transport}: udp (default) or sctp
 * @param senderId {@code sender-id} (required, unique, not this router's own)
 * @param key {@code key} or the contents of {@code key-file}: the AES-256-GCM router-channel key, 32 octets
 *            (prints as &lt;redacted&gt;)
 */
public record PeerSection(String name, InetAddress address, int port, PeerTransport transport, int senderId,
        KeyBytes key) {

    public PeerSection {
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(address, "address");
        Objects.requireNonNull(transport, "transport");
        Objects.requireNonNull(key, "key");
    }
}
