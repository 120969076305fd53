package io.cxt.cxtp;

import java.net.InetSocketAddress;

import io.cxt.xfrm.KeyBytes;

/**
 * A router CXTP talks to, as {@link RouterChannelProtection} knows it: its sender id (the first
 * half of every nonce it uses), where its envelopes come from (null: any source), and the
 * 256-bit AES-GCM key the two routers share. The key never prints.
 *
 * @param senderId the peer's 32-bit sender id; must differ from our own
 * @param address where the peer sends from and we send to; null to skip the source check
 * @param key 32 octets
 */
public record RouterPeer(int senderId, InetSocketAddress address, KeyBytes key) {

    public RouterPeer {
        if (key == null || key.length() != RouterChannelProtection.KEY_LENGTH) {
            throw new IllegalArgumentException("router channel key must be " + RouterChannelProtection.KEY_LENGTH
                    + " octets (AES-256)");
        }
    }
}
