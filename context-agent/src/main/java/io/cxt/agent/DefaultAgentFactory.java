package io.cxt.agent;

import java.io.IOException;
import java.net.InetAddress;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import io.cxt.agent.config.AgentConfig;
import io.cxt.agent.config.MobileNodeKey;
import io.cxt.agent.config.MobileSection;
import io.cxt.agent.config.PeerSection;
import io.cxt.agent.config.RouterSection;
import io.cxt.agent.config.SaOwner;
import io.cxt.agent.config.TimerSection;
import io.cxt.agent.config.TokenKeySource;
import io.cxt.agent.control.ControlException;
import io.cxt.agent.ike.IkeCommands;
import io.cxt.agent.ike.IkeSaStore;
import io.cxt.agent.ike.IkeUdpEndpoint;
import io.cxt.agent.ike.KernelSpiChangeApplier;
import io.cxt.agent.ike.KernelSpiReallocator;
import io.cxt.agent.ike.SpiUpdateInitiator;
import io.cxt.agent.ike.SpiUpdateResponder;
import io.cxt.agent.role.AccessRouterAgent;
import io.cxt.agent.role.EventLog;
import io.cxt.agent.role.MobileNodeAgent;
import io.cxt.agent.role.MobileNodeSettings;
import io.cxt.agent.role.PeerSettings;
import io.cxt.agent.role.RouterSettings;
import io.cxt.agent.role.ServedMobileNode;
import io.cxt.context.IkeContextSlot;
import io.cxt.context.MobileNodeIdentity;
import io.cxt.cxtp.RetransmissionPolicy;
import io.cxt.agent.ike.IkeContextSlots;
import io.cxt.ike.IkeSaContext;
import io.cxt.ike.TokenKeyDerivation;
import io.cxt.xfrm.AddressText;
import io.cxt.xfrm.KeyBytes;
import io.cxt.xfrm.XfrmClient;

/**
 * The glue between the configuration and the roles: builds an {@link AccessRouterAgent} (pAR and
 * nAR) or a {@link MobileNodeAgent}, each with the IKE part (io.cxt.agent.ike) beside it, in the
 * network namespace cxagent was started in (systemd, or {@code ip netns exec}). Found by
 * {@link AgentFactories} through META-INF/services.
 *
 * <p>IKE wiring: on a router, the IKE SAs imported for its MNs travel with their contexts (the
 * snapshot gets an {@link IkeContextSlot}); after an activation the nAR keeps the transferred IKE SA
 * and tells the MN its new SPIs and addresses ({@link SpiUpdateInitiator}, the paper's Algorithm 1).
 * On the MN, {@link SpiUpdateResponder} applies such updates to its own kernel. With
 * {@code token-key-source = "ike"} the CTAR token key is derived from the IKE SA on both ends
 * ({@link TokenKeyDerivation}), so whichever router holds the MN's IKE SA can check its token.
 */
public final class DefaultAgentFactory implements AgentFactory {

    private static final Logger LOG = LoggerFactory.getLogger(DefaultAgentFactory.class);

    @Override
    public RunningAgent start(AgentConfig config, EventSink sink) throws Exception {
        EventLog events = new EventLog();
        return switch (config.role()) {
            case ACCESS_ROUTER -> RouterRuntime.start(config, events);
            case MOBILE_NODE -> MobileRuntime.start(config, events);
        };
    }

    /**
     * RFC 4067's schedule from [timers]: the first wait {@code cxtp-retry-initial}, doubling, nothing
     * sent later than {@code cxtp-retry-max} after the first copy (2 s and 15 s give copies at 0, 2, 6, 14 s).
     */
    static RetransmissionPolicy retransmission(TimerSection t) {
        long initial = t.cxtpRetryInitial().toMillis();
        long giveUp = Math.max(initial, t.cxtpRetryMax().toMillis());
        long at = 0;
        long wait = initial;
        int transmissions = 1;
        while (at + wait <= giveUp && transmissions < 32) {
            at += wait;
            wait = Math.min(wait * 2, giveUp);
            transmissions++;
        }
        return new RetransmissionPolicy(t.cxtpRetryInitial(), java.time.Duration.ofMillis(giveUp),
                java.time.Duration.ofMillis(giveUp), transmissions);
    }

    static SpiUpdateInitiator.Options ikeOptions(AgentConfig c) {
        return new SpiUpdateInitiator.Options(c.ike().port(), c.ike().maxRoundTrips(), c.ike().timer(),
                c.ike().retransmitInitial(), c.ike().fallbackHook());
    }

    static IkeUdpEndpoint openIke(AgentConfig c, IkeUdpEndpoint.Handler handler) throws IOException {
        return IkeUdpEndpoint.open(c.ike().port(), null, handler);
    }

    // ------------------------------------------------------------------------------------ router

    static final class RouterRuntime implements RunningAgent {
        private final AgentConfig config;
        private final EventLog events;
        private final IkeSaStore ike;
        private XfrmClient kernel;
        private IkeUdpEndpoint endpoint;
        private SpiUpdateInitiator initiator;
        private AccessRouterAgent agent;
        /** [charon-ha]: the local charon owns the IKE SAs (and ports 500/4500); null without it. */
        private io.cxt.agent.ha.HaHandover charonHa;

        private RouterRuntime(AgentConfig config, EventLog events) {
            this.config = config;
            this.events = events;
            this.ike = new IkeSaStore(events);
        }

        static RouterRuntime start(AgentConfig config, EventLog events) throws Exception {
            RouterRuntime r = new RouterRuntime(config, events);
            try {
                r.open();
                return r;
            } catch (Exception | Error e) {
                r.close();
                throw e;
            }
        }

        private void open() throws IOException {
            RouterSection rs = config.router().orElseThrow();
            // Before any socket opens: nothing can arrive while the warm-up holds the CPU.
            ActivationWarmup.atStart(config.agent().name());
            ActivationRehearsal.atStart(config.agent().name()); // kernel and sockets, in a scratch namespace
            kernel = XfrmClient.open();
            if (config.charonHa().isPresent()) {
                // charon speaks IKE here (ports 500/4500 are its own); cxagent is its HA peer
                charonHa = io.cxt.agent.ha.HaHandover.start(config.charonHa().get(), null, events,
                        new io.cxt.context.SequenceNumberPolicy(rs.sequenceMargin()));
            } else {
                endpoint = openIke(config, (from, m, via) -> { });
                initiator = new SpiUpdateInitiator(ike, endpoint, events, ikeOptions(config),
                        new KernelSpiReallocator(kernel, rs.spiRange().first(), rs.spiRange().last()));
                endpoint.setHandler(IkeUdpEndpoint.byDirection((from, m, via) -> { }, initiator::received));
            }
            List<PeerSettings> peers = peerSettings(config);
            List<ServedMobileNode> served = servedMobileNodes(config);
            RouterSettings settings = RouterSettings.builder(config.agent().name(), rs.address(), rs.senderId())
                    .cxtpPort(rs.cxtpPort())
                    .mobileTransport(rs.mobileTransport())
                    .mobilePrefix(rs.mobilePrefix())
                    .handoverTimeout(rs.handoverTimeout())
                    .ctarRate(rs.ctarRate())
                    .sequenceMargin(rs.sequenceMargin())
                    .sadLookup(rs.sadLookup())
                    .spiRange(rs.spiRange().first(), rs.spiRange().last())
                    .stateDirectory(config.agent().stateDirectory())
                    .peers(peers)
                    .mobileNodes(served)
                    .retransmission(retransmission(config.timers()))
                    .peerAllowance(peerAllowance(rs.peerAllowance()))
                    .build();
            agent = AccessRouterAgent.start(settings, kernel, null, events, this::activated);
            agent.setIkeContextSource(this::ikeContextFor);
            if (charonHa != null) {
                agent.setIkeHooks(charonHa);
            }
        }

        static List<PeerSettings> peerSettings(AgentConfig config) {
            List<PeerSettings> peers = new ArrayList<>();
            for (PeerSection p : config.peers()) {
                peers.add(new PeerSettings(p.name(), p.address(), p.port(), p.transport(), p.senderId(), p.key(), null));
            }
            return peers;
        }

        static List<ServedMobileNode> servedMobileNodes(AgentConfig config) {
            List<ServedMobileNode> served = new ArrayList<>();
            for (MobileNodeKey mn : config.mobileNodes()) {
                mn.tokenKey().ifPresent(k -> served.add(new ServedMobileNode(mn.address(), null, k)));
            }
            return served;
        }

        /** SIGHUP: new [[peer]] and [[mobile-node]] tables (and their key files); contexts stay. */
        @Override
        public void reload(AgentConfig fresh) {
            agent.reloadPeersAndMobileNodes(peerSettings(fresh), servedMobileNodes(fresh));
        }

        static io.cxt.context.PeerContextScreen.Allowance peerAllowance(RouterSection.PeerAllowance a) {
            List<io.cxt.context.PeerContextScreen.Prefix> prefixes = new ArrayList<>();
            for (io.cxt.agent.settings.IpPrefix p : a.mobilePrefixes()) {
                prefixes.add(new io.cxt.context.PeerContextScreen.Prefix(p.network(), p.length()));
            }
            return new io.cxt.context.PeerContextScreen.Allowance(prefixes, a.marksAndIfIds(), a.unknownAttributes());
        }

        /** pAR: the IKE SA imported for this MN (by home or care-of address) travels with its context. */
        private IkeContextSlot ikeContextFor(MobileNodeIdentity mn) {
            if (charonHa != null) {
                IkeContextSlot slot = charonHa.snapshot(mn);
                if (slot != null) {
                    return slot;
                }
            }
            Optional<IkeSaStore.Entry> e = ownedBy(mn);
            return e.map(entry -> IkeContextSlots.of(entry.sa())).orElse(null);
        }

        private Optional<IkeSaStore.Entry> ownedBy(MobileNodeIdentity mn) {
            Optional<IkeSaStore.Entry> e = Optional.empty();
            if (mn.homeAddress() != null) {
                e = ike.findByOwner(AddressText.of(mn.homeAddress()));
            }
            if (e.isEmpty() && mn.careOfAddress() != null) {
                e = ike.findByOwner(AddressText.of(mn.careOfAddress()));
            }
            return e;
        }

        /** nAR: after the CTAA left. The IKE SA (if any) becomes ours; the MN hears of new SPIs/addresses. */
        private void activated(ActivationListener.Activation a) {
            if (charonHa != null && charonHa.activate(a.previousCareOf())) {
                return; // charon owns this MN's IKE SA
            }
            if (a.ike() != null && tokenKeysFromIke()) {
                try {
                    IkeSaContext sa = IkeContextSlots.decode(a.ike());
                    agent.setTokenKey(a.newCareOf(), TokenKeyDerivation.fromIkeSa(sa));
                } catch (Exception e) {
                    LOG.warn("{}: transferred IKE SA unreadable, no token key for {}: {}", config.agent().name(),
                            AddressText.of(a.newCareOf()), e.getMessage());
                }
            }
            if (initiator != null) {
                initiator.activated(a);
            }
        }

        private boolean tokenKeysFromIke() {
            return config.router().map(r -> r.tokenKeySource() == TokenKeySource.IKE).orElse(false);
        }

        @Override
        public Object handle(String command, Map<String, String> arguments) throws ControlException {
            if (IkeCommands.isIkeCommand(command)) {
                Object result = ike.handleIke(command, arguments);
                if (command.equals("ike-list") && charonHa != null) {
                    List<Object> all = new ArrayList<>((List<?>) result);
                    all.addAll(charonHa.views());
                    return all;
                }
                if (command.equals("ike-import") && tokenKeysFromIke()) {
                    String owner = arguments.getOrDefault("mn", "");
                    if (owner.isEmpty()) {
                        throw new ControlException("ike-import on a router with token-key-source = \"ike\" needs mn=ADDRESS "
                                + "(the MN's care-of address) to know whose token key it is");
                    }
                    IkeSaStore.Entry e = ike.findByOwner(owner).orElseThrow();
                    InetAddress mn = io.cxt.xfrm.AddressText.parseOrNull(owner);
                    if (mn == null) {
                        throw new ControlException("mn=" + owner + " is not an address");
                    }
                    agent.setTokenKey(mn, TokenKeyDerivation.fromIkeSa(e.sa()));
                }
                return result;
            }
            if (command.equals("metrics")) {
                @SuppressWarnings("unchecked")
                Map<String, Long> counters = (Map<String, Long>) handle("stats", Map.of());
                return new io.cxt.agent.view.MetricsView(counters, agent.histograms());
            }
            Object result = agent.handle(command, arguments);
            if (command.equals("stats")) {
                Map<String, Long> m = withIkeCounters(result, endpoint);
                if (charonHa != null) {
                    m.putAll(charonHa.counters());
                }
                return m;
            }
            return result;
        }

        @Override
        public boolean healthy() {
            return agent != null;
        }

        @Override
        public String statusLine() {
            return agent == null ? "" : agent.contexts().size() + " contexts, " + ike.size() + " IKE SAs"
                    + (charonHa == null ? "" : ", " + charonHa.views().size() + " charon IKE SAs");
        }

        @Override
        public void close() {
            closeQuietly(agent);
            closeQuietly(initiator);
            closeQuietly(endpoint);
            closeQuietly(charonHa);
            closeQuietly(kernel);
        }
    }

    // ------------------------------------------------------------------------------------ mobile node

    static final class MobileRuntime implements RunningAgent {
        private final AgentConfig config;
        private final EventLog events;
        private final IkeSaStore ike;
        private XfrmClient kernel;
        private MobileNodeAgent agent;
        private IkeUdpEndpoint endpoint;
        private SpiUpdateResponder responder;
        private io.cxt.agent.mobility.MovementWatcher movement;

        private MobileRuntime(AgentConfig config, EventLog events) {
            this.config = config;
            this.events = events;
            this.ike = new IkeSaStore(events);
        }

        static MobileRuntime start(AgentConfig config, EventLog events) throws Exception {
            MobileRuntime r = new MobileRuntime(config, events);
            try {
                r.open();
                return r;
            } catch (Exception | Error e) {
                r.close();
                throw e;
            }
        }

        private void open() throws IOException {
            MobileSection m = config.mobile().orElseThrow();
            ActivationWarmup.atStart(config.agent().name());
            ActivationRehearsal.atStart(config.agent().name());
            kernel = XfrmClient.open();
            MobileNodeSettings settings = new MobileNodeSettings(config.agent().name(), m.homeAddress(), m.careOfAddress(),
                    m.accessRouter(), m.tokenKey().orElse(KeyBytes.EMPTY),
                    m.transport(), 0,
                    retransmission(config.timers()), io.cxt.context.SequenceNumberPolicy.DEFAULT_MARGIN, null,
                    config.agent().stateDirectory(), m.saOwner() == SaOwner.CXAGENT);
            agent = MobileNodeAgent.start(settings, kernel, null, events);
            // sa-owner = "charon": charon owns the MN's SAs and ports 500/4500, so no IKE endpoint and no UPDATE_SPI
            // responder (a stock charon MN learns the nAR from the nAR charon's address list: docs/strongswan.md)
            if (m.saOwner() == SaOwner.CXAGENT) {
                openIkeResponder();
            }
            if (m.movement().isPresent()) {
                movement = io.cxt.agent.mobility.MovementWatchers.start(config.agent().name(), m.movement().get(), agent,
                        events);
            }
        }

        private void openIkeResponder() throws IOException {
            KernelSpiChangeApplier applier = new KernelSpiChangeApplier(kernel, agent::currentIdentity, agent::currentRouter,
                    router -> agent.updateLocation(agent.currentIdentity().careOfAddress(), router));
            // The update waits for a running activation (the MN's own rewrite) to finish first.
            responder = new SpiUpdateResponder(ike, (sa, peer, changes) -> agent.afterActivation(() -> {
                applier.apply(sa, peer, changes);
                return null;
            }), events, new SecureRandom());
            endpoint = openIke(config, IkeUdpEndpoint.byDirection(responder::received, (from, msg, via) -> { }));
        }

        @Override
        public Object handle(String command, Map<String, String> arguments) throws ControlException {
            if (IkeCommands.isIkeCommand(command)) {
                Map<String, String> args = arguments;
                if (command.equals("ike-import") && !arguments.containsKey("mn")) {
                    args = new java.util.HashMap<>(arguments);
                    args.put("mn", AddressText.of(agent.currentIdentity().homeAddress() != null
                            ? agent.currentIdentity().homeAddress() : agent.currentIdentity().careOfAddress()));
                }
                Object result = ike.handleIke(command, args);
                if (command.equals("ike-import")
                        && config.mobile().map(mm -> mm.tokenKeySource() == TokenKeySource.IKE).orElse(false)) {
                    ike.findByOwner(args.get("mn")).ifPresent(e -> agent.setTokenKey(TokenKeyDerivation.fromIkeSa(e.sa())));
                }
                return result;
            }
            if (command.equals("metrics")) {
                @SuppressWarnings("unchecked")
                Map<String, Long> counters = (Map<String, Long>) handle("stats", Map.of());
                return new io.cxt.agent.view.MetricsView(counters, agent.histograms());
            }
            Object result = agent.handle(command, arguments);
            if (command.equals("stats")) {
                Map<String, Long> m = withIkeCounters(result, endpoint);
                if (responder != null) {
                    responder.counters().forEach((k, v) -> m.put("ike.responder." + k, v));
                }
                if (movement != null) {
                    m.putAll(movement.counters());
                }
                return m;
            }
            return result;
        }

        /** SIGHUP: a new token key (token-key or token-key-file) when it is configured, not derived from IKE. */
        @Override
        public void reload(AgentConfig fresh) {
            MobileSection m = fresh.mobile().orElseThrow();
            if (m.tokenKeySource() == TokenKeySource.IKE) {
                return;
            }
            agent.setTokenKey(m.tokenKey().orElse(KeyBytes.EMPTY));
        }

        @Override
        public String statusLine() {
            return agent == null ? "" : "at " + AddressText.of(agent.currentRouter()) + ", " + ike.size() + " IKE SAs";
        }

        @Override
        public void close() {
            closeQuietly(movement);
            closeQuietly(endpoint);
            closeQuietly(agent);
            closeQuietly(kernel);
        }
    }

    /** The role's {@code stats} with the IKE endpoint's message and octet counters added. */
    @SuppressWarnings("unchecked")
    static Map<String, Long> withIkeCounters(Object roleStats, IkeUdpEndpoint endpoint) {
        Map<String, Long> m = new java.util.TreeMap<>((Map<String, Long>) roleStats);
        if (endpoint != null) {
            m.putAll(endpoint.counters());
        }
        return m;
    }

    static void closeQuietly(AutoCloseable c) {
        if (c == null) {
            return;
        }
        try {
            c.close();
        } catch (Exception e) {
            LOG.debug("close: {}", e.toString());
        }
    }
}
