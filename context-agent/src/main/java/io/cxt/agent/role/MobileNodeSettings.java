package io.cxt.agent.role;

import java.net.InetAddress;
import java.nio.file.Path;
import java.util.Objects;

import io.cxt.agent.settings.MobileTransport;
import io.cxt.cxtp.DropPolicy;
import io.cxt.cxtp.RetransmissionPolicy;
import io.cxt.xfrm.KeyBytes;

/**
 * Everything a {@link MobileNodeAgent} needs (role "mobile-node").
 *
 * @param name the agent's name
 * @param homeAddress the MN's home address, or null when it has none
 * @param careOfAddress its care-of address now (at {@code accessRouter})
 * @param accessRouter its current access router's tunnel address
 * @param tokenKey the key shared with the access router for the CTAR token (HMAC-SHA1); may be
 *        replaced later ({@link MobileNodeAgent#setTokenKey}) when it is derived from the IKE SA
 * @param transport ICMP (default) or UDP
 * @param routerUdpPort the AR's MN-side UDP port when {@code transport} is UDP (default 5092)
 * @param retransmission CTAR retransmission (default RFC 4067: 2 s doubling until 15 s)
 * @param sequenceMargin outbound sequence margin for the MN's own rewrite ({@link #of} uses the
 *        router default, 10,000: traffic may still leave on the old SA between the MN's snapshot and
 *        its rewrite, and a sequence number must never be used twice under one key)
 * @param dropPolicy test switch: lose outbound CTARs (default none)
 * @param stateDirectory where the MN's journal lives (a move acknowledged but not yet made in its own kernel,
 *        finished at the next start: issue 12 item 6), or null for none
 * @param movesOwnSas whether the agent moves the MN's kernel SAs and policies to the new care-of address after the
 *        CTAA (true); false when the MN's IKE daemon (charon) owns them and moves them itself by MOBIKE
 *        ({@code [mobile] sa-owner = "charon"}): the agent then only sends the CTAR and changes no kernel state
 */
public record MobileNodeSettings(String name, InetAddress homeAddress, InetAddress careOfAddress, InetAddress accessRouter,
        KeyBytes tokenKey, MobileTransport transport, int routerUdpPort, RetransmissionPolicy retransmission,
        long sequenceMargin, DropPolicy dropPolicy, Path stateDirectory, boolean movesOwnSas) {

    public MobileNodeSettings {
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(careOfAddress, "care-of address");
        Objects.requireNonNull(accessRouter, "access router");
        tokenKey = tokenKey == null ? KeyBytes.EMPTY : tokenKey;
        transport = transport == null ? MobileTransport.ICMP : transport;
        routerUdpPort = routerUdpPort == 0 ? RouterSettings.DEFAULT_MOBILE_UDP_PORT : routerUdpPort;
        retransmission = retransmission == null ? RetransmissionPolicy.RFC_4067 : retransmission;
        dropPolicy = dropPolicy == null ? DropPolicy.none() : dropPolicy;
        if (sequenceMargin < 0) {
            throw new IllegalArgumentException("sequence margin must be >= 0");
        }
    }

    /** The agent moves its own SAs ({@code movesOwnSas} true). */
    public MobileNodeSettings(String name, InetAddress homeAddress, InetAddress careOfAddress, InetAddress accessRouter,
            KeyBytes tokenKey, MobileTransport transport, int routerUdpPort, RetransmissionPolicy retransmission,
            long sequenceMargin, DropPolicy dropPolicy, Path stateDirectory) {
        this(name, homeAddress, careOfAddress, accessRouter, tokenKey, transport, routerUdpPort, retransmission,
                sequenceMargin, dropPolicy, stateDirectory, true);
    }

    /** ICMP, RFC retransmission, margin 10,000, no drops. */
    public static MobileNodeSettings of(String name, InetAddress homeAddress, InetAddress careOfAddress,
                                        InetAddress accessRouter, KeyBytes tokenKey) {
        return new MobileNodeSettings(name, homeAddress, careOfAddress, accessRouter, tokenKey, MobileTransport.ICMP, 0,
                null, io.cxt.context.SequenceNumberPolicy.DEFAULT_MARGIN, null, null);
    }

    public MobileNodeSettings withRetransmission(RetransmissionPolicy r) {
        return new MobileNodeSettings(name, homeAddress, careOfAddress, accessRouter, tokenKey, transport, routerUdpPort,
                r, sequenceMargin, dropPolicy, stateDirectory, movesOwnSas);
    }

    public MobileNodeSettings withDropPolicy(DropPolicy d) {
        return new MobileNodeSettings(name, homeAddress, careOfAddress, accessRouter, tokenKey, transport, routerUdpPort,
                retransmission, sequenceMargin, d, stateDirectory, movesOwnSas);
    }

    public MobileNodeSettings withTransport(MobileTransport t, int port) {
        return new MobileNodeSettings(name, homeAddress, careOfAddress, accessRouter, tokenKey, t, port,
                retransmission, sequenceMargin, dropPolicy, stateDirectory, movesOwnSas);
    }

    public MobileNodeSettings withStateDirectory(Path d) {
        return new MobileNodeSettings(name, homeAddress, careOfAddress, accessRouter, tokenKey, transport, routerUdpPort,
                retransmission, sequenceMargin, dropPolicy, d, movesOwnSas);
    }

    /** {@code false}: the MN's charon owns its SAs; the agent sends the CTAR and changes no kernel state. */
    public MobileNodeSettings withMovesOwnSas(boolean moves) {
        return new MobileNodeSettings(name, homeAddress, careOfAddress, accessRouter, tokenKey, transport, routerUdpPort,
                retransmission, sequenceMargin, dropPolicy, stateDirectory, moves);
    }
}
