package io.cxt.agent.role;

import java.io.IOException;
import java.net.Inet6Address;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.LongAdder;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import io.cxt.agent.ActivationListener;
import io.cxt.agent.EventSink;
import io.cxt.agent.control.ControlException;
import io.cxt.agent.control.ControlHandler;
import io.cxt.agent.settings.IpPrefix;
import io.cxt.agent.settings.MobileTransport;
import io.cxt.agent.settings.PeerTransport;
import io.cxt.agent.view.AgentEvent;
import io.cxt.agent.view.AgentStatus;
import io.cxt.agent.view.ContextView;
import io.cxt.agent.view.OperationResult;
import io.cxt.agent.view.PeerView;
import io.cxt.cdb.ContextBlocks;
import io.cxt.context.ContextException;
import io.cxt.context.ContextInstaller;
import io.cxt.context.ContextRemover;
import io.cxt.context.ContextRewriter;
import io.cxt.context.ContextSnapshotter;
import io.cxt.context.InstallReceipt;
import io.cxt.context.MobileNodeContext;
import io.cxt.context.MobileNodeIdentity;
import io.cxt.context.SpiAllocator;
import io.cxt.context.SpiReservations;
import io.cxt.cxtp.AuthorizationToken;
import io.cxt.cxtp.ContextDataBlock;
import io.cxt.cxtp.ContextTransferActivateAcknowledge;
import io.cxt.cxtp.ContextTransferActivateRequest;
import io.cxt.cxtp.ContextTransferCancel;
import io.cxt.cxtp.ContextTransferData;
import io.cxt.cxtp.ContextTransferDataReply;
import io.cxt.cxtp.ContextTransferRequest;
import io.cxt.cxtp.CxtpCodec;
import io.cxt.cxtp.CxtpMessage;
import io.cxt.cxtp.CxtpTransport;
import io.cxt.cxtp.FeatureStatus;
import io.cxt.cxtp.IcmpTransport;
import io.cxt.cxtp.PredictiveContextTransferData;
import io.cxt.cxtp.RouterChannelProtection;
import io.cxt.cxtp.RouterPeer;
import io.cxt.cxtp.SctpTransport;
import io.cxt.cxtp.SctpUnavailableException;
import io.cxt.cxtp.SendResult;
import io.cxt.cxtp.TokenKeyMaterial;
import io.cxt.cxtp.TransportCounter;
import io.cxt.cxtp.TransportOptions;
import io.cxt.cxtp.UdpTransport;
import io.cxt.sys.LibC;
import io.cxt.sys.NetNamespace;
import io.cxt.xfrm.AddressText;
import io.cxt.xfrm.KeyBytes;
import io.cxt.xfrm.SecurityAssociation;
import io.cxt.xfrm.SecurityPolicy;
import io.cxt.xfrm.XfrmClient;

/**
 * The access router agent: plays pAR for MNs that leave it and nAR for MNs that arrive (RFC 4067
 * sections 5.1 and 5.2, decisions in docs/roles.md).
 *
 * <p><b>pAR.</b> {@code transfer} (or a CTAR the MN sends from its old CoA) snapshots the MN's
 * context and pushes it to the nAR in a PCTD that carries the MN's token key, without the A flag
 * (RFC 5.1: the CTDR comes after the CTAR, possibly much later, so there is nothing to
 * retransmit against; a lost PCTD is recovered by the nAR's CT-Req). A CT-Req is answered after
 * verifying the token with the MN's key: CTD with the A flag (PCTD for the null token). A CTDR with
 * S=1 removes the MN's state from this kernel; when the handover timer expires, a reactive
 * transfer (the MN is known to have moved) is removed too, a predictive one that was never
 * activated is only forgotten (the MN never left).
 *
 * <p><b>nAR.</b> A PCTD is decoded, the MN's new CoA predicted (mobile prefix + interface id),
 * inbound SPIs reserved with ALLOCSPI, the context rewritten and held with the handover timer;
 * reservations are renewed before net.core.xfrm_acq_expires. A CTAR is verified with the PCTD's key
 * (the key is then wiped, RFC 6.3), rewritten again if its source differs from the prediction,
 * installed in one netlink batch, acknowledged (CTAA), then reported to the pAR (CTDR S=1) and to
 * the {@link ActivationListener}. A CTAR without a held context triggers a CT-Req to the pAR it
 * names; the CTD completes the activation the same way.
 *
 * <p><b>Activation path</b> (CTAR received to CTAA sent) does no disk I/O, no kernel dump, writes
 * no log line and never waits for the pAR: token check, rewrite (only if the CTAR came from another
 * CoA than predicted), one netlink batch, CTAA. Everything else an activation causes (CTDR to the
 * pAR, the journal record, the event, the activation listener, log lines) is handed to one
 * background thread ({@code cxagent-NAME-after}, a single-thread executor, so their order is
 * kept; it also writes the runtime journal), so the MN gets its CTAA first. Per-phase times come
 * from the clock readings the path takes anyway ({@link ActivationPhases}; in {@link #stats()} as
 * {@code activation.phase.*} and in the "context-activated" event).
 *
 * <p>Threads: transports call in on their receive threads, timers run on one scheduler thread, the
 * control socket on its own; all state changes and kernel operations are serialised on one lock.
 */
public final class AccessRouterAgent implements ControlHandler, AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(AccessRouterAgent.class);
    private static final String VERSION = io.cxt.sys.BuildInfo.version();
    private static final int REMEMBERED_SEQUENCES = 65_536;

    /** A peer router and what we count about it. */
    private static final class Peer {
        final PeerSettings settings;
        final InetSocketAddress socket;
        CxtpTransport transport;
        final LongAdder sent = new LongAdder();
        final LongAdder received = new LongAdder();
        final LongAdder rejected = new LongAdder();
        volatile Instant lastSeen;

        Peer(PeerSettings settings) {
            this.settings = settings;
            this.socket = settings.socketAddress();
        }
    }

    /** A context this router sent as pAR. */
    private static final class Sent {
        final MobileNodeContext snapshot;
        final Peer peer;
        final boolean predictive;
        final long since = System.nanoTime();
        ScheduledFuture<?> timer;

        Sent(MobileNodeContext snapshot, Peer peer, boolean predictive) {
            this.snapshot = snapshot;
            this.peer = peer;
            this.predictive = predictive;
        }
    }

    /** A context received and held (not active) as nAR. */
    private static final class Held {
        final MobileNodeContext received;
        final Peer peer;
        final boolean predictive;
        TokenKeyMaterial tokenKey;
        SpiReservations reservations;
        InetAddress predictedCareOf;
        MobileNodeContext rewritten;
        final long since = System.nanoTime();
        ScheduledFuture<?> timer;
        ScheduledFuture<?> refresh;
        /** The journal's serial of this context's current hold record. */
        long journalSerial;

        Held(MobileNodeContext received, Peer peer, boolean predictive, TokenKeyMaterial tokenKey) {
            this.received = received;
            this.peer = peer;
            this.predictive = predictive;
            this.tokenKey = tokenKey;
        }
    }

    /** A CTAR waiting for the pAR's CTD (reactive). */
    private static final class Pending {
        final ContextTransferActivateRequest ctar;
        final InetSocketAddress from;
        final Peer peer;
        final long receivedNanos;
        ScheduledFuture<?> timer;

        Pending(ContextTransferActivateRequest ctar, InetSocketAddress from, Peer peer, long receivedNanos) {
            this.ctar = ctar;
            this.from = from;
            this.peer = peer;
            this.receivedNanos = receivedNanos;
        }
    }

    /** A context this router installed as nAR. */
    private record Active(MobileNodeContext installed, InstallReceipt receipt, Peer peer, boolean predictive, long since) {
    }

    private final RouterSettings settings;
    private final XfrmClient kernel;
    private final NetNamespace namespace;
    private final EventSink events;
    private final ActivationListener listener;
    private final Instant startedAt = Instant.now();
    private final Object lock = new Object();
    private final Map<String, Peer> peersByName = new LinkedHashMap<>();
    private final Map<InetSocketAddress, Peer> peersBySocket = new HashMap<>();
    private final Map<InetAddress, Peer> peersByTunnel = new HashMap<>();
    private final Map<InetAddress, KeyBytes> tokenKeys = new ConcurrentHashMap<>();
    private final Map<InetAddress, InetAddress> homeAddresses = new ConcurrentHashMap<>();
    private final Map<InetAddress, Sent> sent = new HashMap<>();
    /** Concurrent so that the MN transport's screen can look without the lock; changed under the lock. */
    private final Map<InetAddress, Held> held = new ConcurrentHashMap<>();
    private final Map<InetAddress, Pending> pending = new HashMap<>();
    private final Map<InetAddress, Active> active = new HashMap<>();
    private final Map<String, Boolean> usedSequences = Collections.synchronizedMap(new LinkedHashMap<>(256, 0.75f, false) {
        private static final long serialVersionUID = 1L;

        @Override
        protected boolean removeEldestEntry(Map.Entry<String, Boolean> e) {
            return size() > REMEMBERED_SEQUENCES;
        }
    });
    private final Map<String, LongAdder> counters = new ConcurrentHashMap<>();
    private final ContextSnapshotter snapshotter;
    private final SpiAllocator spiAllocator;
    private final ContextInstaller installer;
    private final ContextRemover remover;
    private final RuntimeJournal journal;
    private final ScheduledExecutorService timers;
    /** Post-CTAA work and journal writes, in order, off the activation thread. */
    private final ExecutorService background;
    private final ActivationPhases phases = new ActivationPhases();
    private final AtomicLong lastActivationNanos = new AtomicLong(-1);
    private RouterChannelProtection protection;
    private io.cxt.cxtp.ChannelCounterStore channelStore;
    private UdpTransport udp;
    private SctpTransport sctp;
    private CxtpTransport mobile;
    private volatile String lastHandover = "";
    private volatile boolean closed;

    private AccessRouterAgent(RouterSettings settings, XfrmClient kernel, NetNamespace namespace, EventSink events,
                              ActivationListener listener) throws IOException {
        this.settings = settings;
        this.kernel = kernel;
        this.namespace = namespace;
        this.events = events == null ? EventSink.NONE : events;
        this.listener = listener == null ? ActivationListener.NONE : listener;
        this.snapshotter = new ContextSnapshotter(kernel);
        this.spiAllocator = new SpiAllocator(kernel, settings.sadLookup(), settings.spiMin(), settings.spiMax());
        this.installer = new ContextInstaller(kernel);
        this.remover = new ContextRemover(kernel, settings.sequencePolicy());
        this.background = Executors.newSingleThreadExecutor(r -> {
            Thread t = new Thread(r, "cxagent-" + settings.name() + "-after");
            t.setDaemon(true);
            return t;
        });
        this.journal = new RuntimeJournal(settings.stateDirectory(), settings.name(), background,
                RuntimeJournal.COMPACT_MIN_BYTES);
        this.timers = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "cxagent-" + settings.name() + "-timer");
            t.setDaemon(true);
            return t;
        });
        for (ServedMobileNode mn : settings.mobileNodes()) {
            tokenKeys.put(mn.careOfAddress(), mn.tokenKey());
            if (mn.homeAddress() != null) {
                homeAddresses.put(mn.careOfAddress(), mn.homeAddress());
            }
        }
    }

    /**
     * Starts the agent: removes what a dead predecessor left in the kernel (runtime journal), then
     * opens the router channel (UDP with {@link RouterChannelProtection} for all peers; SCTP as well
     * when a peer asks for it) and the MN-side transport, all sockets inside {@code namespace}.
     *
     * @param namespace the network namespace of the router's interfaces, or null for this one
     * @throws IOException if a socket cannot be opened, SCTP is configured but unavailable, or the
     *         journal cannot be reconciled
     */
    public static AccessRouterAgent start(RouterSettings settings, XfrmClient kernel, NetNamespace namespace,
                                          EventSink events, ActivationListener listener) throws IOException {
        AccessRouterAgent a = new AccessRouterAgent(settings, kernel, namespace, events, listener);
        try {
            a.open();
            return a;
        } catch (IOException | RuntimeException e) {
            a.close();
            throw e;
        }
    }

    private void open() throws IOException {
        int removed = journal.reconcile(kernel);
        if (removed > 0) {
            emit("reconciled", "", "removed " + removed + " SAs/policies a previous run left for contexts not activated");
        }
        // Counters survive restarts and clock steps (no replay of captured envelopes, no repeated nonce).
        channelStore = io.cxt.cxtp.ChannelCounterStore.open(settings.stateDirectory()
                .resolve(settings.name().replaceAll("[^A-Za-z0-9._-]", "_") + ".channel"));
        protection = RouterChannelProtection.restartSafe(settings.senderId(), channelStore,
                settings.handoverTimeout().plus(RouterChannelProtection.DEFAULT_CLOCK_SKEW), java.time.Clock.systemUTC());
        boolean wantSctp = false;
        for (PeerSettings ps : settings.peers()) {
            Peer p = new Peer(ps);
            peersByName.put(ps.name(), p);
            peersBySocket.put(p.socket, p);
            peersByTunnel.put(ps.tunnelAddress(), p);
            if (!ps.tunnelAddress().equals(ps.address())) {
                peersByTunnel.putIfAbsent(ps.address(), p);
            }
            protection.addPeer(new RouterPeer(ps.senderId(), p.socket, ps.key()));
            wantSctp |= ps.transport() == PeerTransport.SCTP;
        }
        TransportOptions routerOptions = TransportOptions.defaults().withRetransmission(settings.retransmission())
                .withDropPolicy(settings.routerDropPolicy()).withCtarRatePerSecond(0).withProtection(protection);
        InetSocketAddress bind = new InetSocketAddress(settings.address(), settings.cxtpPort());
        udp = inNamespace(() -> UdpTransport.open(bind, this::routerReceived, routerOptions, this::rejected));
        if (wantSctp) {
            try {
                sctp = inNamespace(() -> SctpTransport.open(bind, this::routerReceived,
                        TransportOptions.sctpDefaults().withDropPolicy(settings.routerDropPolicy()).withProtection(protection)));
            } catch (SctpUnavailableException e) {
                throw new IOException("a peer is configured with transport = \"sctp\" but " + e.getMessage()
                        + "; use transport = \"udp\"", e);
            }
        }
        for (Peer p : peersByName.values()) {
            p.transport = p.settings.transport() == PeerTransport.SCTP ? sctp : udp;
        }
        TransportOptions mobileOptions = TransportOptions.defaults().withRetransmission(settings.mobileRetransmission())
                .withDropPolicy(settings.mobileDropPolicy()).withCtarRatePerSecond(settings.ctarRate())
                .withCtarScreen(new io.cxt.cxtp.RequestScreen() {
                    @Override
                    public boolean admits(InetSocketAddress from, ContextTransferActivateRequest ctar) {
                        return worthProcessing(from, ctar);
                    }

                    @Override
                    public boolean expected(InetSocketAddress from, ContextTransferActivateRequest ctar) {
                        return held.containsKey(ctar.previousAddress()); // lock-free read (concurrent map)
                    }
                });
        if (settings.mobileTransport() == MobileTransport.ICMP) {
            int family = settings.tunnelAddress() instanceof Inet6Address ? LibC.AF_INET6 : LibC.AF_INET;
            mobile = IcmpTransport.open(family, namespace, this::mobileReceived, mobileOptions);
        } else {
            // Bound to the wildcard: the tunnel address need not be on an interface of this router
            // (a pAR only ever answers trigger CTARs), and replies take the routed source address.
            InetAddress any = InetAddress.getByName(settings.tunnelAddress() instanceof Inet6Address ? "::" : "0.0.0.0");
            InetSocketAddress mb = new InetSocketAddress(any, settings.mobileUdpPort());
            mobile = inNamespace(() -> UdpTransport.open(mb, this::mobileReceived, mobileOptions));
        }
        LOG.info("{}: access router up: CXTP {} port {} ({} peers), MN side {} on {}", settings.name(),
                AddressText.of(settings.address()), udp.localAddress().getPort(), peersByName.size(),
                settings.mobileTransport().spelling(), AddressText.of(settings.tunnelAddress()));
    }

    private interface Opener<T> {
        T open() throws IOException;
    }

    /** Runs {@code opener} with this thread in the router's namespace, so its sockets live there. */
    private <T> T inNamespace(Opener<T> opener) throws IOException {
        if (namespace == null) {
            return opener.open();
        }
        List<T> out = new ArrayList<>(1);
        namespace.runInside(() -> {
            out.add(opener.open());
            return 0;
        });
        return out.get(0);
    }

    // ================================================================ public API

    /** Settings the agent runs with. */
    /**
     * Where the pAR finds the IKE SA that travels with an MN's context (the agent's IKE store; set by
     * the glue). Null or a null answer: the context carries no IKE SA.
     */
    public void setIkeContextSource(java.util.function.Function<MobileNodeIdentity, io.cxt.context.IkeContextSlot> source) {
        this.ikeContextSource = source;
    }

    private volatile java.util.function.Function<MobileNodeIdentity, io.cxt.context.IkeContextSlot> ikeContextSource;

    /** The IKE daemon's side (charon through its HA plugin, io.cxt.agent.ha), told of held, released and moved contexts. */
    public void setIkeHooks(io.cxt.agent.ContextIkeHooks hooks) {
        this.ikeHooks = hooks == null ? io.cxt.agent.ContextIkeHooks.NONE : hooks;
    }

    private volatile io.cxt.agent.ContextIkeHooks ikeHooks = io.cxt.agent.ContextIkeHooks.NONE;

    private MobileNodeContext snapshotWithIke(MobileNodeIdentity mn) throws IOException, ContextException {
        MobileNodeContext snap = snapshotter.snapshot(mn, settings.tunnelAddress());
        var source = ikeContextSource;
        io.cxt.context.IkeContextSlot ike = source == null ? null : source.apply(mn);
        return ike == null ? snap : snap.withIkeContext(ike);
    }

    public RouterSettings settings() {
        return settings;
    }

    /** Where the router channel is bound (the port is the real one when 0 was configured). */
    public InetSocketAddress routerChannelAddress() {
        return udp.localAddress();
    }

    /**
     * Sets (or replaces) the token key shared with a MN (token-key-source = "ike": derived from
     * its IKE SA by the IKE layer). The key is copied; the caller keeps its own.
     */
    public void setTokenKey(InetAddress mobileNode, KeyBytes key) {
        tokenKeys.put(mobileNode, KeyBytes.of(key.bytes()));
    }

    /**
     * Predictive transfer (pAR): snapshots the MN at {@code mobileNode} (its care-of address here)
     * and sends a PCTD to the peer {@code to} (name, CXTP address or tunnel address).
     */
    public OperationResult transfer(InetAddress mobileNode, String to) throws ControlException {
        Peer peer = peer(to);
        KeyBytes key = tokenKeys.get(mobileNode);
        if (key == null) {
            throw new ControlException("no token key for MN " + AddressText.of(mobileNode)
                    + " (configure it in a [[mobile-node]] table, or with token-key-source = \"ike\" import the MN's"
                    + " IKE SA: cxctl ike import FILE --mn " + AddressText.of(mobileNode) + ")");
        }
        long t0 = System.nanoTime();
        MobileNodeContext snap;
        synchronized (lock) {
            try {
                snap = snapshotWithIke(new MobileNodeIdentity(homeAddresses.get(mobileNode), mobileNode));
            } catch (IOException | ContextException e) {
                emit("transfer-failed", mobileNode, "snapshot failed: " + e.getMessage());
                throw new ControlException("snapshot of MN " + AddressText.of(mobileNode) + " failed: " + e.getMessage(), e);
            }
        }
        if (snap.securityAssociations().isEmpty() && snap.policies().isEmpty()) {
            emit("transfer-failed", mobileNode, "no SAs or policies for this MN in the kernel");
            throw new ControlException("MN " + AddressText.of(mobileNode) + " has no SAs or policies here");
        }
        return push(mobileNode, snap, peer, key, t0);
    }

    /** Sends a snapshot predictively (tests use it directly with contexts this kernel cannot hold). */
    OperationResult push(InetAddress mobileNode, MobileNodeContext snap, String to) throws ControlException {
        KeyBytes key = tokenKeys.get(mobileNode);
        if (key == null) {
            throw new ControlException("no token key for MN " + AddressText.of(mobileNode));
        }
        return push(mobileNode, snap, peer(to), key, System.nanoTime());
    }

    private OperationResult push(InetAddress mobileNode, MobileNodeContext snap, Peer peer, KeyBytes key, long t0)
            throws ControlException {
        byte[] bytes;
        synchronized (lock) {
            List<ContextDataBlock> blocks = ContextBlocks.encode(snap);
            PredictiveContextTransferData pctd = new PredictiveContextTransferData(false, 0, mobileNode,
                    TokenKeyMaterial.hmacSha1(key), blocks);
            bytes = CxtpCodec.encode(pctd);
            blocks.forEach(ContextDataBlock::wipe);
            Sent old = sent.put(mobileNode, new Sent(snap, peer, true));
            if (old != null && old.timer != null) {
                old.timer.cancel(false);
            }
            Sent s = sent.get(mobileNode);
            s.timer = schedule(() -> sentExpired(mobileNode, s), settings.handoverTimeout());
        }
        boolean sentOk = send(peer, bytes);
        java.util.Arrays.fill(bytes, (byte) 0); // the transport keeps its own copy as long as it needs one
        if (!sentOk) {
            throw new ControlException("could not send the PCTD to " + peer.settings.name());
        }
        long us = (System.nanoTime() - t0) / 1000;
        emit("context-sent", mobileNode, "predictive PCTD to " + peer.settings.name() + ": " + snap.securityAssociations().size()
                + " SAs (" + spis(snap) + "), " + snap.policies().size() + " policies, " + bytes.length + " octets");
        Map<String, Object> d = new LinkedHashMap<>();
        d.put("pctdOctets", bytes.length);
        d.put("sas", snap.securityAssociations().size());
        d.put("policies", snap.policies().size());
        d.put("micros", us);
        d.put("peer", peer.settings.name());
        return new OperationResult(true, "MN " + AddressText.of(mobileNode) + ": context sent to "
                + peer.settings.name() + " (predictive, " + bytes.length + " octets)", d);
    }

    /**
     * Cancels a transfer for a MN: a context held here (nAR) is dropped and its reservations
     * released, and the pAR told with a CTC; a context sent from here (pAR) is forgotten and the
     * nAR told with a CTC, so it releases its reservations. The kernel state of an MN that has not
     * moved is kept.
     */
    public OperationResult cancel(InetAddress mobileNode, String peerName) throws ControlException {
        Peer only = peerName == null || peerName.isEmpty() ? null : peer(peerName);
        List<Peer> told = new ArrayList<>();
        synchronized (lock) {
            Held h = held.get(mobileNode);
            if (h != null && (only == null || only == h.peer)) {
                held.remove(mobileNode);
                releaseHeld(mobileNode, h);
                told.add(h.peer);
            }
            Pending p = pending.get(mobileNode);
            if (p != null && (only == null || only == p.peer)) {
                pending.remove(mobileNode);
                if (p.timer != null) {
                    p.timer.cancel(false);
                }
            }
            Sent s = sent.get(mobileNode);
            if (s != null && (only == null || only == s.peer)) {
                sent.remove(mobileNode);
                if (s.timer != null) {
                    s.timer.cancel(false);
                }
                if (!told.contains(s.peer)) {
                    told.add(s.peer);
                }
            }
        }
        if (told.isEmpty()) {
            throw new ControlException("no transfer of MN " + AddressText.of(mobileNode) + " to cancel");
        }
        byte[] ctc = CxtpCodec.encode(new ContextTransferCancel(mobileNode));
        List<String> names = new ArrayList<>();
        for (Peer p : told) {
            send(p, ctc);
            names.add(p.settings.name());
        }
        emit("transfer-cancelled", mobileNode, "CTC sent to " + String.join(", ", names));
        return new OperationResult(true, "MN " + AddressText.of(mobileNode) + ": transfer cancelled, CTC sent to "
                + String.join(", ", names), Map.of("peers", names));
    }

    public AgentStatus status() {
        int n;
        synchronized (lock) {
            n = sent.size() + held.size() + active.size();
        }
        return new AgentStatus("access-router", settings.name(), ProcessHandle.current().pid(), VERSION,
                startedAt.toString(), Duration.between(startedAt, Instant.now()).toSeconds(),
                List.of(AddressText.of(settings.address()), AddressText.of(settings.tunnelAddress())), n,
                peersByName.size(), 0, lastHandover);
    }

    public List<ContextView> contexts() {
        long now = System.nanoTime();
        List<ContextView> out = new ArrayList<>();
        synchronized (lock) {
            for (Map.Entry<InetAddress, Sent> e : sent.entrySet()) {
                Sent s = e.getValue();
                out.add(view(s.snapshot, e.getKey(), "SENT", s.peer, s.predictive, now - s.since, s.timer));
            }
            for (Map.Entry<InetAddress, Held> e : held.entrySet()) {
                Held h = e.getValue();
                MobileNodeContext c = h.rewritten != null ? h.rewritten : h.received;
                out.add(view(c, e.getKey(), "HELD", h.peer, h.predictive, now - h.since, h.timer));
            }
            for (Map.Entry<InetAddress, Active> e : active.entrySet()) {
                Active a = e.getValue();
                out.add(view(a.installed(), e.getKey(), "ACTIVE", a.peer(), a.predictive(), now - a.since(), null));
            }
        }
        return out;
    }

    public List<PeerView> peers() {
        List<PeerView> out = new ArrayList<>();
        for (Peer p : peersByName.values()) {
            Instant seen = p.lastSeen;
            out.add(new PeerView(p.settings.name(), AddressText.of(p.settings.address()) + " " + p.socket.getPort(),
                    p.settings.transport().spelling(), p.settings.senderId(), p.sent.sum(), p.received.sum(),
                    p.rejected.sum(), seen == null ? "" : seen.toString()));
        }
        return out;
    }

    /** Counters: the agent's own, per event kind (when the sink is an {@link EventLog}), per transport. */
    public Map<String, Long> stats() {
        Map<String, Long> m = new TreeMap<>();
        counters.forEach((k, v) -> m.put(k, v.sum()));
        if (events instanceof EventLog log) {
            m.putAll(log.counters());
        }
        addTransport(m, "router.udp", udp);
        addTransport(m, "router.sctp", sctp);
        addTransport(m, "mobile." + settings.mobileTransport().spelling(), mobile);
        if (protection != null) {
            m.put("router.protection.accepted", protection.acceptedCount());
            for (RouterChannelProtection.RejectionReason r : RouterChannelProtection.RejectionReason.values()) {
                m.put("router.protection.rejected." + r.name().toLowerCase(java.util.Locale.ROOT), protection.rejectedCount(r));
            }
        }
        synchronized (lock) {
            m.put("contexts.sent", (long) sent.size());
            m.put("contexts.held", (long) held.size());
            m.put("contexts.active", (long) active.size());
            m.put("contexts.pending", (long) pending.size());
        }
        long last = lastActivationNanos.get();
        if (last >= 0) {
            m.put("activation.last.micros", last / 1000);
        }
        phases.putStats(m);
        return m;
    }

    private static void addTransport(Map<String, Long> m, String prefix, CxtpTransport t) {
        if (t == null) {
            return;
        }
        t.counters().snapshot().forEach((k, v) -> m.put(prefix + "." + k.name().toLowerCase(java.util.Locale.ROOT), v));
        t.counters().perMessageType().forEach((k, v) -> m.put(prefix + "." + k, v));
    }

    /** Events after {@code since} (only when the sink is an {@link EventLog}). */
    public List<AgentEvent> events(long since) throws ControlException {
        if (events instanceof EventLog log) {
            return log.since(since);
        }
        throw new ControlException("this agent does not keep events");
    }

    /** Counter value (0 if never counted), e.g. "ctar.rejected", "activations". */
    public long counter(String name) {
        LongAdder a = counters.get(name);
        return a == null ? 0 : a.sum();
    }

    @Override
    public Object handle(String command, Map<String, String> arguments) throws ControlException {
        Map<String, String> args = arguments == null ? Map.of() : arguments;
        return switch (command) {
            case "status" -> status();
            case "contexts" -> contexts();
            case "peers" -> peers();
            case "stats" -> stats();
            case "events" -> events(parseLong(args.getOrDefault("since", "0")));
            case "transfer" -> transfer(address(args, "mn"), required(args, "to"));
            case "cancel" -> cancel(address(args, "mn"), args.get("peer"));
            case "activate" -> throw new ControlException("activate is a mobile-node command; this agent is an access router");
            default -> throw new ControlException("unknown command '" + command + "' for an access router");
        };
    }

    // ================================================================ router channel

    private void rejected(InetSocketAddress from, RouterChannelProtection.RejectionReason reason) {
        count("router.rejected");
        Peer p = peersBySocket.get(from);
        String who;
        String source = "";
        if (p != null) {
            p.rejected.increment();
            who = p.settings.name() + " (" + AddressText.of(from.getAddress()) + ")";
        } else {
            // One rate-limit key for all unknown senders: a spoofed source must not create state.
            who = "unknown";
            source = " from " + AddressText.of(from.getAddress()) + " port " + from.getPort();
        }
        emit("protection-rejected", who, "router channel envelope" + source + " dropped: "
                + reason.name().toLowerCase(java.util.Locale.ROOT).replace('_', ' ') + "; nothing installed");
    }

    private void routerReceived(InetSocketAddress from, CxtpMessage m, byte[] bytes) {
        if (closed) {
            return;
        }
        Peer peer = peersBySocket.get(from);
        if (peer == null) {
            count("router.unknown-source");
            return;
        }
        peer.received.increment();
        peer.lastSeen = Instant.now();
        try {
            switch (m.type()) {
                case PCTD -> contextData(peer, m, ((PredictiveContextTransferData) m).contexts(),
                        ((PredictiveContextTransferData) m).tokenKey());
                case CTD -> contextData(peer, m, ((ContextTransferData) m).contexts(), null);
                case CT_REQ -> contextRequest(peer, (ContextTransferRequest) m);
                case CTDR -> dataReply(peer, (ContextTransferDataReply) m);
                case CTC -> cancelled(peer, (ContextTransferCancel) m);
                default -> count("router.unexpected-type");
            }
        } catch (RuntimeException e) {
            LOG.warn("{}: {} from {} failed", settings.name(), m.type(), peer.settings.name(), e);
            emit("transfer-failed", m.previousAddress(), m.type() + " from " + peer.settings.name() + ": " + e);
        }
    }

    /** nAR: a CTD or PCTD arrived. */
    private void contextData(Peer peer, CxtpMessage m, List<ContextDataBlock> blocks, TokenKeyMaterial key) {
        InetAddress prev = m.previousAddress();
        MobileNodeContext ctx;
        try {
            ctx = ContextBlocks.decode(blocks);
        } catch (RuntimeException e) {
            blocks.forEach(ContextDataBlock::wipe);
            emit("transfer-failed", prev, "undecodable context from " + peer.settings.name() + ": " + e.getMessage());
            if (m.acknowledgementRequested()) {
                send(peer, CxtpCodec.encode(new ContextTransferDataReply(false, prev,
                        List.of(new FeatureStatus(ContextBlocks.FPT_HEADER, StatusCodes.MALFORMED_CONTEXT)))));
            }
            return;
        }
        blocks.forEach(ContextDataBlock::wipe); // decoded: the key octets live on only in ctx
        // Issue 12 item 4: only what concerns this MN is installed; the rest is refused and counted.
        io.cxt.context.PeerContextScreen.Result screened = io.cxt.context.PeerContextScreen.screen(ctx, prev,
                peer.settings.tunnelAddress(), io.cxt.context.PeerContextScreen.Allowance.NONE);
        screened.counts().forEach((reason, n) -> counters.computeIfAbsent("peer-context."
                + reason.name().toLowerCase(java.util.Locale.ROOT).replace('_', '-'), k -> new LongAdder()).add(n));
        if (screened.refusedAny()) {
            emit("context-refused", prev, "from " + peer.settings.name() + ", not installed: "
                    + String.join("; ", screened.details()));
        }
        ctx = screened.context();
        Pending p;
        synchronized (lock) {
            p = pending.remove(prev);
            if (p != null && p.timer != null) {
                p.timer.cancel(false);
            }
        }
        if (p != null) {
            completeReactive(peer, p, ctx, key);
            return;
        }
        if (key == null) {
            // A CTD without a CTAR waiting (it came too late, or was never asked for): nothing could
            // verify a later CTAR against it. S=0 stops the pAR's retransmission; it keeps its state.
            emit("transfer-failed", prev, "CTD from " + peer.settings.name() + " without a pending CTAR ignored");
            ctx.discard();
            if (m.acknowledgementRequested()) {
                send(peer, CxtpCodec.encode(new ContextTransferDataReply(false, prev,
                        List.of(new FeatureStatus(ContextBlocks.FPT_HEADER, StatusCodes.NO_CONTEXT)))));
            }
            return;
        }
        hold(peer, prev, ctx, key, m.type() == io.cxt.cxtp.MessageType.PCTD);
    }

    private void hold(Peer peer, InetAddress prev, MobileNodeContext ctx, TokenKeyMaterial key, boolean predictive) {
        SpiReservations reserved;
        synchronized (lock) {
            Held old = held.remove(prev);
            if (old != null) {
                releaseHeld(prev, old);
            }
            if (ikeHooks.held(prev, ctx, settings.tunnelAddress(), predictCareOf(prev))) {
                // charon installed this MN's SAs and policies from the transferred HA state: cxt reserves and
                // installs none of them, so the two never fight over one SPI (docs/strongswan.md)
                MobileNodeContext full = ctx;
                ctx = new MobileNodeContext(full.mobileNode(), full.sourceRouter(), full.targetRouter(), full.newCareOf(),
                        List.of(), List.of(), full.spiMappings(), full.ikeContext(), full.createdAt(), full.lifetime());
                full.discard();
            }
            Held h = new Held(ctx, peer, predictive, key);
            try {
                h.reservations = spiAllocator.reserveInbound(ctx, settings.tunnelAddress());
                h.predictedCareOf = predictCareOf(prev);
                if (h.predictedCareOf != null) {
                    h.rewritten = ContextRewriter.forTarget(ctx, h.predictedCareOf, settings.tunnelAddress(),
                            h.reservations.mappings(), settings.sequencePolicy());
                }
            } catch (IOException | ContextException | RuntimeException e) {
                if (h.reservations != null) {
                    releaseQuietly(h.reservations);
                }
                emit("transfer-failed", prev, "cannot hold the context from " + peer.settings.name() + ": " + e.getMessage());
                ctx.discard();
                key.key().wipe();
                return;
            }
            held.put(prev, h);
            reserved = h.reservations;
            h.journalSerial = journal.hold(journalEntry(prev, h.rewritten != null ? h.rewritten : ctx, h.reservations));
            h.timer = schedule(() -> heldExpired(prev, h), settings.handoverTimeout());
            long refresh = settings.reservationRefresh().toMillis();
            if (!h.reservations.held().isEmpty() && refresh > 0) {
                h.refresh = timers.scheduleWithFixedDelay(() -> refreshReservations(prev, h), refresh, refresh,
                        TimeUnit.MILLISECONDS);
            }
        }
        emit("context-received", prev, (predictive ? "predictive" : "reactive") + " context from " + peer.settings.name()
                + ": " + ctx.securityAssociations().size() + " SAs (" + spis(ctx) + "), " + ctx.policies().size()
                + " policies; held, " + reserved.held().size() + " SPIs reserved" + mappingText(reserved));
    }

    private InetAddress predictCareOf(InetAddress previous) {
        IpPrefix p = settings.mobilePrefix();
        return p == null ? null : p.withInterfaceIdOf(previous);
    }

    /** pAR: the nAR asks for a MN's context (reactive). */
    private void contextRequest(Peer peer, ContextTransferRequest req) {
        InetAddress prev = req.previousAddress();
        KeyBytes key = tokenKeys.get(prev);
        if (key == null) {
            emit("ctreq-rejected", prev, "CT-Req from " + peer.settings.name() + " for an MN this router does not serve");
            count("ctreq.rejected");
            return;
        }
        if (!req.hasNullToken()) {
            if (!AuthorizationToken.verify(key, req)) {
                emit("ctreq-rejected", prev, "CT-Req from " + peer.settings.name() + " with a wrong token (sequence "
                        + req.sequenceNumber() + "); no context sent");
                count("ctreq.rejected");
                return;
            }
            if (usedSequences.putIfAbsent(AddressText.of(prev) + "|" + req.sequenceNumber(), Boolean.TRUE) != null) {
                emit("ctreq-rejected", prev, "CT-Req from " + peer.settings.name() + " repeats sequence "
                        + req.sequenceNumber() + "; no context sent");
                count("ctreq.replayed");
                return;
            }
        }
        MobileNodeContext snap;
        byte[] bytes;
        synchronized (lock) {
            try {
                snap = snapshotWithIke(new MobileNodeIdentity(homeAddresses.get(prev), prev));
            } catch (IOException | ContextException e) {
                emit("transfer-failed", prev, "snapshot for CT-Req from " + peer.settings.name() + " failed: " + e.getMessage());
                return;
            }
            if (snap.securityAssociations().isEmpty() && snap.policies().isEmpty()) {
                emit("transfer-failed", prev, "CT-Req from " + peer.settings.name() + ": no SAs or policies here");
                return;
            }
            List<ContextDataBlock> blocks = ContextBlocks.encode(snap);
            CxtpMessage reply = req.hasNullToken()
                    ? new PredictiveContextTransferData(true, 0, prev, TokenKeyMaterial.hmacSha1(key), blocks)
                    : new ContextTransferData(true, 0, prev, blocks);
            bytes = CxtpCodec.encode(reply);
            blocks.forEach(ContextDataBlock::wipe);
            Sent old = sent.put(prev, new Sent(snap, peer, false));
            if (old != null && old.timer != null) {
                old.timer.cancel(false);
            }
            Sent s = sent.get(prev);
            s.timer = schedule(() -> sentExpired(prev, s), settings.handoverTimeout());
        }
        count("ctreq.answered");
        send(peer, bytes);
        int octets = bytes.length;
        java.util.Arrays.fill(bytes, (byte) 0);
        emit("context-sent", prev, "reactive " + (req.hasNullToken() ? "PCTD" : "CTD") + " to " + peer.settings.name()
                + ": " + snap.securityAssociations().size() + " SAs (" + spis(snap) + "), " + snap.policies().size()
                + " policies, " + octets + " octets");
    }

    /** pAR: the nAR reports the outcome. */
    private void dataReply(Peer peer, ContextTransferDataReply r) {
        InetAddress prev = r.previousAddress();
        Sent s;
        synchronized (lock) {
            s = sent.get(prev);
            if (s == null || s.peer != peer) {
                count("ctdr.unmatched");
                return;
            }
            sent.remove(prev);
            if (s.timer != null) {
                s.timer.cancel(false);
            }
        }
        if (!r.success()) {
            emit("transfer-failed", prev, peer.settings.name() + " reports failure (" + statusText(r.statuses())
                    + "); this router keeps the MN's state");
            s.snapshot.discard();
            return;
        }
        removeMoved(prev, s, "CTDR S=1 from " + peer.settings.name());
    }

    /** pAR: removes a moved MN's SAs and policies from this kernel. */
    private void removeMoved(InetAddress prev, Sent s, String why) {
        synchronized (lock) {
            // A context this router once installed as nAR has moved on from here: no longer ACTIVE.
            active.values().removeIf(a -> prev.equals(a.installed().newCareOf()));
        }
        long delay = settings.removalDelay().toMillis();
        if (delay > 0) {
            remover.removeLater(s.snapshot, delay, timers);
            ikeHooks.moved(s.snapshot); // charon deletes its kernel SAs now; cxt's delayed removal then finds them gone
            emit("context-removed", prev, why + ": " + s.snapshot.securityAssociations().size() + " SAs ("
                    + spis(s.snapshot) + "), " + s.snapshot.policies().size() + " policies removed in " + delay + " ms");
            return;
        }
        synchronized (lock) {
            try {
                remover.remove(s.snapshot);
                ikeHooks.moved(s.snapshot);
                emit("context-removed", prev, why + ": " + s.snapshot.securityAssociations().size() + " SAs ("
                        + spis(s.snapshot) + "), " + s.snapshot.policies().size() + " policies removed");
            } catch (IOException | ContextException e) {
                emit("removal-failed", prev, why + ": " + e.getMessage());
            } finally {
                s.snapshot.discard();
            }
        }
    }

    /** A CTC from a peer: drop what we hold or sent for the MN. */
    private void cancelled(Peer peer, ContextTransferCancel c) {
        InetAddress prev = c.previousAddress();
        boolean any = false;
        synchronized (lock) {
            Held h = held.get(prev);
            if (h != null && h.peer == peer) {
                held.remove(prev);
                releaseHeld(prev, h);
                any = true;
            }
            Sent s = sent.get(prev);
            if (s != null && s.peer == peer) {
                sent.remove(prev);
                if (s.timer != null) {
                    s.timer.cancel(false);
                }
                s.snapshot.discard();
                any = true;
            }
        }
        if (any) {
            emit("transfer-cancelled", prev, "CTC from " + peer.settings.name());
        } else {
            count("ctc.unmatched");
        }
    }

    // ================================================================ MN side (activation path)

    private void mobileReceived(InetSocketAddress from, CxtpMessage m, byte[] bytes) {
        if (closed) {
            return;
        }
        if (!(m instanceof ContextTransferActivateRequest ctar)) {
            count("mobile.unexpected-type");
            return;
        }
        long t0 = System.nanoTime();
        try {
            activateRequest(from, ctar, t0);
        } catch (RuntimeException e) {
            later(() -> {
                LOG.warn("{}: CTAR from {} failed", settings.name(), from, e);
                emitAt(t0, "activation-failed", ctar.previousAddress(), "internal error: " + e);
            });
        }
    }

    /**
     * The MN transport's cheap check, before a CTAR costs rate tokens: it must name a configured
     * peer as the other router, or be a MN's trigger CTAR from an address we hold a token key for.
     */
    private boolean worthProcessing(InetSocketAddress from, ContextTransferActivateRequest ctar) {
        return peersByTunnel.containsKey(ctar.otherRouterAddress())
                || (from.getAddress().equals(ctar.previousAddress()) && tokenKeys.containsKey(ctar.previousAddress()));
    }

    private void activateRequest(InetSocketAddress from, ContextTransferActivateRequest ctar, long t0) {
        InetAddress prev = ctar.previousAddress();
        count("ctar.received");
        if (from.getAddress().equals(prev) && tokenKeys.containsKey(prev)) {
            triggerFromMobileNode(from, ctar);
            return;
        }
        String sequenceKey = AddressText.of(prev) + "|" + ctar.sequenceNumber();
        if (usedSequences.containsKey(sequenceKey)) {
            count("ctar.replayed");
            later(() -> emitAt(t0, "ctar-replayed", prev, "CTAR sequence " + ctar.sequenceNumber() + " from "
                    + AddressText.of(from.getAddress()) + " was already used; ignored"));
            return;
        }
        Held h;
        boolean badToken = false;
        synchronized (lock) {
            h = held.get(prev);
            if (h != null) {
                if (!AuthorizationToken.verify(h.tokenKey, ctar)) {
                    badToken = true;
                } else {
                    held.remove(prev);
                    cancelTimers(h);
                    h.tokenKey.key().wipe(); // RFC 4067 6.3: the nAR discards the key after validation
                    h.tokenKey = null;
                }
            }
        }
        if (badToken) {
            count("ctar.rejected");
            sendCtaa(from, prev, StatusCodes.BAD_TOKEN);
            later(() -> emitAt(t0, "ctar-rejected", prev, "wrong authorization token (sequence " + ctar.sequenceNumber()
                    + " from " + AddressText.of(from.getAddress()) + "); CTAA failure, nothing installed"));
            return;
        }
        if (h == null) {
            startReactive(from, ctar, t0);
            return;
        }
        usedSequences.put(sequenceKey, Boolean.TRUE);
        activate(from, prev, h.received, h.peer, h.predictive, h.reservations, h.predictedCareOf, h.rewritten,
                h.journalSerial, t0);
    }

    /**
     * Installs and acknowledges: (rewrite if the CTAR came from another CoA than predicted) install
     * in one batch, CTAA to the MN. Then, on the background thread and in this order: CTDR to the
     * pAR, journal record, event, activation listener.
     *
     * <p>Clock readings on this thread: {@code t0} (CTAR decoded, the caller's), one before the
     * install, the installer's one after it, one after the CTAA (plus one after a rewrite).
     */
    private void activate(InetSocketAddress from, InetAddress prev, MobileNodeContext received, Peer peer,
                          boolean predictive, SpiReservations reservations, InetAddress predicted,
                          MobileNodeContext rewritten, long journalSerial, long t0) {
        InetAddress newCareOf = from.getAddress();
        MobileNodeContext ctx = rewritten;
        InstallReceipt receipt;
        long verified = System.nanoTime();
        long installStart = verified;
        long rewriteNanos = -1;
        Exception failure = null;
        synchronized (lock) {
            try {
                if (ctx == null || !newCareOf.equals(predicted)) {
                    ctx = ContextRewriter.forTarget(received, newCareOf, settings.tunnelAddress(), reservations.mappings(),
                            settings.sequencePolicy());
                    installStart = System.nanoTime();
                    rewriteNanos = installStart - verified;
                }
                receipt = installer.install(ctx, reservations, installStart);
                active.put(prev, new Active(ctx, receipt, peer, predictive, installStart + receipt.nanos()));
            } catch (IOException | ContextException | RuntimeException e) {
                receipt = null;
                failure = e;
                releaseQuietly(reservations);
                if (!(e instanceof io.cxt.context.IncompleteRollbackException)) {
                    journal.done(AddressText.of(prev), journalSerial);
                } // else the hold stays open: a restart removes the leftovers (issue 12 item 6)
            }
        }
        if (failure != null) {
            count("activation.failed");
            sendCtaa(from, prev, StatusCodes.INSTALL_FAILED);
            String why = failure.getMessage();
            later(() -> {
                send(peer, CxtpCodec.encode(new ContextTransferDataReply(false, prev,
                        List.of(new FeatureStatus(ContextBlocks.FPT_HEADER, StatusCodes.INSTALL_FAILED)))));
                emitAt(t0, "activation-failed", prev, "install failed: " + why + "; CTAA failure, nothing installed");
                received.discard();
            });
            return;
        }
        sendCtaa(from, prev, 0);
        long sent = System.nanoTime();
        long took = sent - t0;
        lastActivationNanos.set(took);
        count("activations");
        MobileNodeContext installed = ctx;
        long installNanos = receipt.nanos();
        long ctaaNanos = sent - (installStart + installNanos);
        long beforeNanos = verified - t0;
        long rewriteTook = rewriteNanos;
        later(() -> activated(from, prev, received, installed, peer, predictive, reservations, journalSerial, sent,
                took, beforeNanos, rewriteTook, installNanos, ctaaNanos));
    }

    /** Background thread: what follows a successful activation, in the order of the RFC and the design. */
    private void activated(InetSocketAddress from, InetAddress prev, MobileNodeContext received, MobileNodeContext ctx,
                           Peer peer, boolean predictive, SpiReservations reservations, long journalSerial,
                           long sentNanos, long took, long beforeNanos, long rewriteNanos, long installNanos,
                           long ctaaNanos) {
        InetAddress newCareOf = from.getAddress();
        // On a shared core this thread may be picked before the MN side that the CTAA just woke
        // (or the next CTAR): step back once, so bookkeeping goes after them. Free on an idle core.
        Thread.yield();
        String mn = AddressText.of(prev);
        // The journal first (this is its writer thread): once the CTDR is out the pAR deletes its
        // copy, and a crash after that must find this activation recorded (issue 12 item 6).
        journal.activeNow(mn, journalSerial);
        send(peer, CxtpCodec.encode(new ContextTransferDataReply(true, prev, List.of())));
        if (predictive) {
            phases.record(beforeNanos, rewriteNanos, installNanos, ctaaNanos, took);
        } else {
            phases.recordReactive(beforeNanos, rewriteNanos, installNanos, ctaaNanos, took);
        }
        lastHandover = "MN " + mn + " -> " + AddressText.of(newCareOf) + " from " + peer.settings.name()
                + (predictive ? " (predictive)" : " (reactive)") + ", " + took / 1000 + " us";
        StringBuilder phaseText = new StringBuilder(" (").append(predictive ? "verify " : "fetch ")
                .append(beforeNanos / 1000);
        if (rewriteNanos >= 0) {
            phaseText.append(", rewrite ").append(rewriteNanos / 1000);
        }
        phaseText.append(", install ").append(installNanos / 1000).append(", CTAA ").append(ctaaNanos / 1000).append(" us)");
        emitAt(sentNanos, "context-activated", mn, (predictive ? "predictive" : "reactive") + " from " + peer.settings.name()
                + ", new CoA " + AddressText.of(newCareOf) + ", " + ctx.securityAssociations().size() + " SAs (" + spis(ctx)
                + "), " + ctx.policies().size() + " policies" + mappingText(reservations) + ", CTAR->CTAA " + took / 1000
                + " us" + phaseText);
        try {
            listener.activated(new ActivationListener.Activation(received, ctx, reservations.mappings(), prev, newCareOf,
                    received.sourceRouter(), settings.tunnelAddress(), received.ikeContext()));
        } catch (RuntimeException e) {
            LOG.warn("{}: activation listener failed for MN {}", settings.name(), mn, e);
        }
        // Installed: the kernel has the keys; the copy kept in 'active' is only shown (contexts).
        ctx.wipeSecurityAssociationKeys();
        received.wipeSecurityAssociationKeys();
    }

    /** Hands work to the background thread (in order); runs it here if the agent is shutting down. */
    private void later(Runnable work) {
        try {
            background.execute(work);
        } catch (java.util.concurrent.RejectedExecutionException e) {
            work.run();
        }
    }

    /** nAR without a held context: ask the pAR the CTAR names (CT-Req), answer the MN when the CTD comes. */
    private void startReactive(InetSocketAddress from, ContextTransferActivateRequest ctar, long t0) {
        InetAddress prev = ctar.previousAddress();
        Peer peer = peersByTunnel.get(ctar.otherRouterAddress());
        if (peer == null) {
            count("ctar.rejected");
            sendCtaa(from, prev, StatusCodes.UNKNOWN_ROUTER);
            later(() -> emitAt(t0, "ctar-rejected", prev, "CTAR names previous router "
                    + AddressText.of(ctar.otherRouterAddress()) + ", not a configured peer; CTAA failure"));
            return;
        }
        synchronized (lock) {
            if (pending.containsKey(prev)) {
                count("ctar.while-pending");
                return;
            }
            Pending p = new Pending(ctar, from, peer, t0);
            pending.put(prev, p);
            p.timer = schedule(() -> reactiveTimedOut(prev, p), settings.reactiveTimeout());
        }
        count("ctreq.sent");
        send(peer, CxtpCodec.encode(ContextTransferRequest.forActivateRequest(ctar)));
        later(() -> emitAt(t0, "ctreq-sent", prev, "no context held: CT-Req (sequence " + ctar.sequenceNumber() + ") to "
                + peer.settings.name()));
    }

    /** nAR: the CTD for a pending CTAR arrived (the pAR verified the token, or sent a PCTD for us to verify). */
    private void completeReactive(Peer peer, Pending p, MobileNodeContext ctx, TokenKeyMaterial key) {
        InetAddress prev = p.ctar.previousAddress();
        if (key != null) {
            boolean ok = AuthorizationToken.verify(key, p.ctar);
            key.key().wipe();
            if (!ok) {
                count("ctar.rejected");
                sendCtaa(p.from, prev, StatusCodes.BAD_TOKEN);
                send(peer, CxtpCodec.encode(new ContextTransferDataReply(false, prev,
                        List.of(new FeatureStatus(ContextBlocks.FPT_HEADER, StatusCodes.BAD_TOKEN)))));
                emit("ctar-rejected", prev, "wrong authorization token; CTAA failure, nothing installed");
                ctx.discard();
                return;
            }
        }
        SpiReservations res;
        long serial;
        synchronized (lock) {
            try {
                res = spiAllocator.reserveInbound(ctx, settings.tunnelAddress());
            } catch (IOException | ContextException | RuntimeException e) {
                sendCtaa(p.from, prev, StatusCodes.INSTALL_FAILED);
                send(peer, CxtpCodec.encode(new ContextTransferDataReply(false, prev,
                        List.of(new FeatureStatus(ContextBlocks.FPT_HEADER, StatusCodes.INSTALL_FAILED)))));
                emit("activation-failed", prev, "SPI reservation failed: " + e.getMessage());
                ctx.discard();
                return;
            }
            serial = journal.hold(journalEntry(prev, ctx, res));
        }
        usedSequences.put(AddressText.of(prev) + "|" + p.ctar.sequenceNumber(), Boolean.TRUE);
        activate(p.from, prev, ctx, peer, false, res, null, null, serial, p.receivedNanos);
    }

    private void reactiveTimedOut(InetAddress prev, Pending p) {
        synchronized (lock) {
            if (pending.get(prev) != p) {
                return;
            }
            pending.remove(prev);
        }
        sendCtaa(p.from, prev, StatusCodes.NO_CONTEXT);
        emit("transfer-failed", prev, "no CTD from " + p.peer.settings.name() + " within "
                + settings.reactiveTimeout().toMillis() + " ms after CT-Req; CTAA failure");
    }

    /**
     * pAR: the MN sent its CTAR here, from its current CoA, naming the nAR (RFC 4067 5.1 trigger):
     * verify its token, acknowledge, and push the context predictively.
     */
    private void triggerFromMobileNode(InetSocketAddress from, ContextTransferActivateRequest ctar) {
        InetAddress prev = ctar.previousAddress();
        KeyBytes key = tokenKeys.get(prev);
        if (!AuthorizationToken.verify(key, ctar)) {
            count("ctar.rejected");
            sendCtaa(from, prev, StatusCodes.BAD_TOKEN);
            emit("ctar-rejected", prev, "trigger CTAR with a wrong token; no transfer");
            return;
        }
        Peer peer = peersByTunnel.get(ctar.otherRouterAddress());
        if (peer == null) {
            sendCtaa(from, prev, StatusCodes.UNKNOWN_ROUTER);
            emit("ctar-rejected", prev, "trigger CTAR names " + AddressText.of(ctar.otherRouterAddress())
                    + ", not a configured peer");
            return;
        }
        sendCtaa(from, prev, 0);
        timers.execute(() -> {
            try {
                transfer(prev, peer.settings.name());
            } catch (ControlException e) {
                LOG.warn("{}: MN-triggered transfer of {} failed: {}", settings.name(), AddressText.of(prev), e.getMessage());
            }
        });
    }

    private void sendCtaa(InetSocketAddress to, InetAddress prev, int status) {
        List<FeatureStatus> failed = status == 0 ? List.of() : List.of(new FeatureStatus(ContextBlocks.FPT_HEADER, status));
        try {
            mobile.send(to, CxtpCodec.encode(new ContextTransferActivateAcknowledge(prev, failed)));
            count(status == 0 ? "ctaa.sent.success" : "ctaa.sent.failure");
        } catch (IOException | RuntimeException e) {
            count("ctaa.send-failed");
            LOG.warn("{}: CTAA to {} failed: {}", settings.name(), to, e.toString());
        }
    }

    // ================================================================ timers

    private ScheduledFuture<?> schedule(Runnable r, Duration after) {
        try {
            return timers.schedule(r, Math.max(0, after.toMillis()), TimeUnit.MILLISECONDS);
        } catch (java.util.concurrent.RejectedExecutionException e) {
            return null;
        }
    }

    /** pAR handover timer. */
    private void sentExpired(InetAddress prev, Sent s) {
        synchronized (lock) {
            if (sent.get(prev) != s) {
                return;
            }
            sent.remove(prev);
        }
        if (s.predictive) {
            emit("transfer-expired", prev, "predictive transfer to " + s.peer.settings.name()
                    + " never activated; forgotten, kernel state kept (the MN did not leave)");
            s.snapshot.discard();
        } else {
            removeMoved(prev, s, "handover timer expired after a reactive transfer to " + s.peer.settings.name());
        }
    }

    /** nAR handover timer. */
    private void heldExpired(InetAddress prev, Held h) {
        synchronized (lock) {
            if (held.get(prev) != h) {
                return;
            }
            held.remove(prev);
            releaseHeld(prev, h);
        }
        emit("context-expired", prev, "held context from " + h.peer.settings.name() + " not activated within "
                + settings.handoverTimeout().toMillis() + " ms; reservations released");
    }

    /** Renews a held context's larval SAs before the kernel expires them (net.core.xfrm_acq_expires). */
    private void refreshReservations(InetAddress prev, Held h) {
        synchronized (lock) {
            if (held.get(prev) != h) {
                return;
            }
            try {
                spiAllocator.release(h.reservations);
                h.reservations = spiAllocator.reserveInbound(h.received, settings.tunnelAddress());
                if (h.predictedCareOf != null) {
                    h.rewritten = ContextRewriter.forTarget(h.received, h.predictedCareOf, settings.tunnelAddress(),
                            h.reservations.mappings(), settings.sequencePolicy());
                }
                h.journalSerial = journal.hold(journalEntry(prev, h.rewritten != null ? h.rewritten : h.received,
                        h.reservations));
                count("reservations.renewed");
            } catch (IOException | ContextException | RuntimeException e) {
                held.remove(prev);
                releaseHeld(prev, h);
                emit("transfer-failed", prev, "renewing the SPI reservations failed: " + e.getMessage() + "; context dropped");
            }
        }
    }

    private static void cancelTimers(Held h) {
        if (h.timer != null) {
            h.timer.cancel(false);
        }
        if (h.refresh != null) {
            h.refresh.cancel(false);
        }
    }

    /** Caller holds the lock and has removed {@code h} from {@link #held}. */
    private void releaseHeld(InetAddress prev, Held h) {
        ikeHooks.released(prev);
        cancelTimers(h);
        releaseQuietly(h.reservations);
        journal.done(AddressText.of(prev), h.journalSerial);
        if (h.tokenKey != null) {
            h.tokenKey.key().wipe();
            h.tokenKey = null;
        }
        h.received.discard();
    }

    private void releaseQuietly(SpiReservations r) {
        if (r == null) {
            return;
        }
        try {
            spiAllocator.release(r);
        } catch (IOException e) {
            LOG.warn("{}: releasing {} SPI reservations failed: {}", settings.name(), r.held().size(), e.getMessage());
        }
    }

    private RuntimeJournal.Entry journalEntry(InetAddress prev, MobileNodeContext ctx, SpiReservations res) {
        List<io.cxt.xfrm.SaKey> sas = new ArrayList<>(res.held());
        List<RuntimeJournal.OutboundSa> out = new ArrayList<>();
        InetAddress local = settings.tunnelAddress();
        for (SecurityAssociation sa : ctx.securityAssociations()) {
            if (sa.source().equals(local) || sa.source().equals(ctx.sourceRouter())) {
                out.add(new RuntimeJournal.OutboundSa(local, sa.spi(), sa.proto()));
            } else if (ctx.isRewritten()) {
                sas.add(sa.key());
            }
        }
        List<io.cxt.xfrm.PolicyId> pols = new ArrayList<>();
        for (SecurityPolicy p : ctx.policies()) {
            pols.add(p.id());
        }
        return new RuntimeJournal.Entry(AddressText.of(prev), sas, out, pols);
    }

    // ================================================================ helpers

    private boolean send(Peer peer, byte[] message) {
        try {
            peer.transport.send(peer.socket, message);
            peer.sent.increment();
            return true;
        } catch (IOException | RuntimeException e) {
            count("router.send-failed");
            LOG.warn("{}: sending to {} failed: {}", settings.name(), peer.settings.name(), e.toString());
            return false;
        }
    }

    private Peer peer(String nameOrAddress) throws ControlException {
        Peer p = peersByName.get(nameOrAddress);
        if (p != null) {
            return p;
        }
        InetAddress a = io.cxt.xfrm.AddressText.parseOrNull(nameOrAddress);
        if (a != null) {
            for (Peer q : peersByName.values()) {
                if (q.settings.address().equals(a) || q.settings.tunnelAddress().equals(a)) {
                    return q;
                }
            }
        }
        throw new ControlException("unknown peer '" + nameOrAddress + "' (configured: " + String.join(", ", peersByName.keySet()) + ")");
    }

    private ContextView view(MobileNodeContext c, InetAddress prev, String state, Peer peer, boolean predictive,
                             long ageNanos, ScheduledFuture<?> timer) {
        List<String> sas = new ArrayList<>();
        for (SecurityAssociation sa : c.securityAssociations()) {
            sas.add(protoName(sa.proto()) + " spi " + String.format("0x%08x", sa.spi()) + " "
                    + AddressText.of(sa.source()) + " -> " + AddressText.of(sa.destination()));
        }
        String ike = c.ikeContext() == null ? ""
                : String.format("0x%016xi/0x%016xr", c.ikeContext().spiInitiator(), c.ikeContext().spiResponder());
        InetAddress home = c.mobileNode().homeAddress();
        return new ContextView(home == null ? AddressText.of(prev) : AddressText.of(home), AddressText.of(prev), state,
                peer.settings.name(), predictive ? "predictive" : "reactive", sas, c.policies().size(), ike,
                ageNanos / 1_000_000, timer == null ? -1 : Math.max(0, timer.getDelay(TimeUnit.MILLISECONDS)));
    }

    private static String protoName(int proto) {
        return switch (proto) {
            case 50 -> "esp";
            case 51 -> "ah";
            case 108 -> "comp";
            default -> "proto " + proto;
        };
    }

    private static String spis(MobileNodeContext c) {
        if (c.securityAssociations().isEmpty()) {
            return "none";
        }
        StringBuilder sb = new StringBuilder("SPI");
        for (SecurityAssociation sa : c.securityAssociations()) {
            sb.append(' ').append(String.format("0x%08x", sa.spi()));
        }
        return sb.toString();
    }

    private static String mappingText(SpiReservations r) {
        return r == null || r.mappings().isEmpty() ? "" : ", SPI changes " + r.mappings();
    }

    private static String statusText(List<FeatureStatus> st) {
        List<String> out = new ArrayList<>();
        for (FeatureStatus f : st) {
            out.add(String.format("FPT 0x%04x: %s", f.featureProfileType(), StatusCodes.describe(f.statusCode())));
        }
        return out.isEmpty() ? "no detail" : String.join(", ", out);
    }

    private void emit(String kind, InetAddress mn, String detail) {
        emit(kind, mn == null ? "" : AddressText.of(mn), detail);
    }

    private void emitAt(long nanoTime, String kind, InetAddress mn, String detail) {
        emitAt(nanoTime, kind, mn == null ? "" : AddressText.of(mn), detail);
    }

    private void emitAt(long nanoTime, String kind, String mn, String detail) {
        try {
            events.emitAt(nanoTime, kind, mn, detail);
        } catch (RuntimeException e) {
            LOG.debug("event sink failed: {}", e.toString());
        }
    }

    private void emit(String kind, String mn, String detail) {
        try {
            events.emit(kind, mn, detail);
        } catch (RuntimeException e) {
            LOG.debug("event sink failed: {}", e.toString());
        }
    }

    private void count(String name) {
        counters.computeIfAbsent(name, k -> new LongAdder()).increment();
    }

    private static InetAddress address(Map<String, String> args, String key) throws ControlException {
        String v = required(args, key);
        InetAddress a = io.cxt.xfrm.AddressText.parseOrNull(v);
        if (a == null) {
            throw new ControlException("'" + key + "' is not an address: " + v);
        }
        return a;
    }

    private static String required(Map<String, String> args, String key) throws ControlException {
        String v = args.get(key);
        if (v == null || v.isBlank()) {
            throw new ControlException("missing argument '" + key + "'");
        }
        return v;
    }

    private static long parseLong(String s) throws ControlException {
        try {
            return Long.parseLong(s);
        } catch (NumberFormatException e) {
            throw new ControlException("not a number: " + s);
        }
    }

    /** Waits until journal records enqueued so far are written (tests). */
    void flushJournal() {
        drainBackground();
    }

    /**
     * Waits until the background thread has done everything handed to it so far, including what
     * that work handed on (post-CTAA work enqueues its journal record): tests, shutdown.
     */
    void drainBackground() {
        for (int i = 0; i < 2; i++) {
            try {
                background.submit(() -> { }).get(5, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            } catch (Exception e) {
                LOG.debug("background drain: {}", e.toString());
                return;
            }
        }
    }

    private void stopBackground() {
        background.shutdown();
        try {
            background.awaitTermination(5, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /**
     * Stops without cleaning up: sockets closed, timers stopped, but reservations and half-done
     * state stay in the kernel and the journal as they are, as if the process had died (tests of
     * restart reconciliation).
     */
    void abandon() {
        closed = true;
        timers.shutdownNow();
        drainBackground();
        closeTransports();
        journal.close();
        stopBackground();
    }

    /** Zeroes the token keys and the router channel keys this agent holds (at shutdown). */
    private void wipeKeys() {
        tokenKeys.values().forEach(KeyBytes::wipe);
        tokenKeys.clear();
        if (protection != null) {
            protection.wipeKeys();
        }
    }

    private void closeTransports() {
        if (mobile != null) {
            mobile.close();
        }
        if (udp != null) {
            udp.close();
        }
        if (sctp != null) {
            sctp.close();
        }
        if (channelStore != null) {
            try {
                channelStore.close();
            } catch (IOException e) {
                LOG.debug("{}: closing the channel counter store: {}", settings.name(), e.toString());
            }
        }
    }

    /**
     * Clean shutdown: held contexts are released (reservations deleted, journal marked done),
     * active ones stay installed, sockets close.
     */
    @Override
    public void close() {
        if (closed) {
            return;
        }
        closed = true;
        timers.shutdownNow();
        drainBackground();
        closeTransports();
        synchronized (lock) {
            for (Map.Entry<InetAddress, Held> e : held.entrySet()) {
                releaseHeld(e.getKey(), e.getValue());
            }
            held.clear();
            for (Sent s : sent.values()) {
                s.snapshot.discard();
            }
            sent.clear();
            pending.clear();
        }
        journal.close();
        stopBackground();
        wipeKeys();
        LOG.info("{}: access router stopped", settings.name());
    }
}
