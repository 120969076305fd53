package io.cxt.agent.config;

import java.net.InetAddress;
import java.util.Objects;
import java.util.Optional;

import io.cxt.xfrm.KeyBytes;

/**
 * One {@code [[mobile-node]]} table: the token key of an MN this router may serve (RFC 4067 2.5.1).
 *
 * @param address {@code address} (required, unique): the MN's care-of (or home) address
 * @param tokenKey {@code token-key} or the contents of {@code token-key-file}, 16..64 octets (HMAC-SHA1
 *                 keys are usually 20); empty only when {@code [router] token-key-source = "ike"}
 */
public record MobileNodeKey(InetAddress address, Optional<KeyBytes> tokenKey) {

    public MobileNodeKey {
        Objects.requireNonNull(address, "address");
        Objects.requireNonNull(tokenKey, "tokenKey");
    }
}
