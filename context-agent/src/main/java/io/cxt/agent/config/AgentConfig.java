package io.cxt.agent.config;

import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * cxagent's configuration, one record per TOML table (docs/agent.md). Made by
 * {@link AgentConfigParser}, which has validated everything: a role's required tables are present,
 * the other role's tables absent, sender ids unique, keys of the right length. Key material is held
 * in io.cxt.xfrm.KeyBytes, so {@link #toString()} never shows it.
 *
 * @param source the file (or source name) it was read from, for messages
 * @param agent {@code [agent]}
 * @param router {@code [router]}: present iff role is access-router
 * @param peers {@code [[peer]]} tables, in file order (access-router only; may be empty)
 * @param mobileNodes {@code [[mobile-node]]} tables, in file order (access-router only; may be empty)
 * @param mobile {@code [mobile]}: present iff role is mobile-node
 * @param ike {@code [ike]} (defaults when absent)
 * @param timers {@code [timers]} (defaults when absent)
 * @param charonHa {@code [charon-ha]}: cxagent as the local charon's HA peer (access-router only; absent = off)
 * @param warnings things that are allowed but unwise (e.g. a key file readable by group or others),
 *                 one line each, to be logged once logging is set up
 */
public record AgentConfig(String source, AgentSection agent, Optional<RouterSection> router, List<PeerSection> peers,
        List<MobileNodeKey> mobileNodes, Optional<MobileSection> mobile, IkeSection ike, TimerSection timers,
        List<String> warnings, Optional<CharonHaSection> charonHa) {

    public AgentConfig {
        Objects.requireNonNull(source, "source");
        Objects.requireNonNull(agent, "agent");
        Objects.requireNonNull(router, "router");
        Objects.requireNonNull(mobile, "mobile");
        Objects.requireNonNull(ike, "ike");
        Objects.requireNonNull(timers, "timers");
        peers = List.copyOf(peers);
        mobileNodes = List.copyOf(mobileNodes);
        warnings = List.copyOf(warnings);
        charonHa = charonHa == null ? Optional.empty() : charonHa;
    }

    /** Without {@code [charon-ha]}. */
    public AgentConfig(String source, AgentSection agent, Optional<RouterSection> router, List<PeerSection> peers,
            List<MobileNodeKey> mobileNodes, Optional<MobileSection> mobile, IkeSection ike, TimerSection timers,
            List<String> warnings) {
        this(source, agent, router, peers, mobileNodes, mobile, ike, timers, warnings, Optional.empty());
    }

    public AgentRole role() {
        return agent.role();
    }

    /** The peer with this configured name, if any. */
    public Optional<PeerSection> peer(String name) {
        return peers.stream().filter(p -> p.name().equals(name)).findFirst();
    }
}
