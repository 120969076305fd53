package io.cxt.agent.role;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.util.Objects;

import io.cxt.agent.settings.PeerTransport;
import io.cxt.cxtp.CxtpConstants;
import io.cxt.cxtp.RouterChannelProtection;
import io.cxt.xfrm.KeyBytes;

/**
 * A peer access router (one {@code [[peer]]} of the configuration).
 *
 * @param name configured name (used in logs, events and {@code transfer to=NAME})
 * @param address where the peer speaks CXTP (router channel)
 * @param port its CXTP port (RFC 4067: 5091)
 * @param transport UDP (with the RFC's retransmission) or SCTP
 * @param senderId the peer's router-channel sender id
 * @param key the AES-256-GCM key shared with the peer (32 octets; never printed)
 * @param tunnelAddress the peer's address as mobile nodes see it in their SAs and put in a CTAR's
 *        "Previous (New) AR IP Address" (null: same as {@code address})
 */
public record PeerSettings(String name, InetAddress address, int port, PeerTransport transport, int senderId, KeyBytes key,
        InetAddress tunnelAddress) {

    public PeerSettings {
        Objects.requireNonNull(name, "peer name");
        Objects.requireNonNull(address, "peer address");
        if (port <= 0 || port > 0xffff) {
            throw new IllegalArgumentException("peer " + name + ": port must be 1..65535");
        }
        transport = transport == null ? PeerTransport.UDP : transport;
        if (key == null || key.length() != RouterChannelProtection.KEY_LENGTH) {
            throw new IllegalArgumentException("peer " + name + ": router channel key must be 32 octets");
        }
        tunnelAddress = tunnelAddress == null ? address : tunnelAddress;
    }

    /** A UDP peer on the CXTP port whose tunnel address is its CXTP address. */
    public static PeerSettings udp(String name, InetAddress address, int senderId, KeyBytes key) {
        return new PeerSettings(name, address, CxtpConstants.PORT, PeerTransport.UDP, senderId, key, null);
    }

    public InetSocketAddress socketAddress() {
        return new InetSocketAddress(address, port);
    }

    @Override
    public String toString() {
        return "PeerSettings[" + name + " " + io.cxt.xfrm.AddressText.of(address) + " " + port + " "
                + transport.spelling() + " sender " + Integer.toUnsignedString(senderId) + "]";
    }
}
