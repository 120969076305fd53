package io.cxt.agent.config;

import java.net.InetAddress;
import java.util.Objects;
import java.util.Optional;

import io.cxt.agent.settings.MobileTransport;
import io.cxt.xfrm.KeyBytes;

/**
 * The {@code [mobile]} table (role mobile-node).
 *
 * @param homeAddress {@code home-address} (required)
 * @param careOfAddress {@code care-of-address} (required): the current care-of address at start
 * @param accessRouter {@code access-router} (required): the current access router's address
 * @param tokenKey {@code token-key} or {@code token-key-file}; empty when {@code token-key-source = "ike"}
 * @param tokenKeySource {@code token-key-source}: configured (default) or ike
 * @param transport {@code transport}: icmp (default) or udp
 * @param movement {@code [mobile.movement]}: movement detection, absent = off (manual {@code activate})
 * @param saOwner {@code sa-owner}: cxagent (default) or charon, the MN's own IKE daemon ({@link SaOwner})
 */
public record MobileSection(InetAddress homeAddress, InetAddress careOfAddress, InetAddress accessRouter,
        Optional<KeyBytes> tokenKey, TokenKeySource tokenKeySource, MobileTransport transport,
        Optional<MovementSection> movement, SaOwner saOwner) {

    public MobileSection {
        Objects.requireNonNull(homeAddress, "homeAddress");
        Objects.requireNonNull(careOfAddress, "careOfAddress");
        Objects.requireNonNull(accessRouter, "accessRouter");
        Objects.requireNonNull(tokenKey, "tokenKey");
        Objects.requireNonNull(tokenKeySource, "tokenKeySource");
        Objects.requireNonNull(transport, "transport");
        Objects.requireNonNull(movement, "movement");
        saOwner = saOwner == null ? SaOwner.CXAGENT : saOwner;
    }

    /** Without {@code sa-owner} (cxagent owns the SAs). */
    public MobileSection(InetAddress homeAddress, InetAddress careOfAddress, InetAddress accessRouter,
            Optional<KeyBytes> tokenKey, TokenKeySource tokenKeySource, MobileTransport transport,
            Optional<MovementSection> movement) {
        this(homeAddress, careOfAddress, accessRouter, tokenKey, tokenKeySource, transport, movement, SaOwner.CXAGENT);
    }
}
