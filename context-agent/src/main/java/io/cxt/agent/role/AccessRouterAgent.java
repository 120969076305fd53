package io.cxt.agent.role;

import java.io.IOException;
import java.net.Inet6Address;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.LongAdder;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import io.cxt.agent.ActivationListener;
import io.cxt.agent.EventSink;
import io.cxt.agent.control.ControlException;
import io.cxt.agent.control.ControlHandler;
import io.cxt.agent.settings.MobileTransport;
import io.cxt.agent.settings.PeerTransport;
import io.cxt.agent.view.AgentEvent;
import io.cxt.agent.view.AgentStatus;
import io.cxt.agent.view.ContextView;
import io.cxt.agent.view.OperationResult;
import io.cxt.agent.view.PeerView;
import io.cxt.context.MobileNodeContext;
import io.cxt.context.MobileNodeIdentity;
import io.cxt.cxtp.ContextTransferActivateRequest;
import io.cxt.cxtp.ContextTransferCancel;
import io.cxt.cxtp.CxtpCodec;
import io.cxt.cxtp.CxtpTransport;
import io.cxt.cxtp.IcmpTransport;
import io.cxt.cxtp.RouterChannelProtection;
import io.cxt.cxtp.RouterPeer;
import io.cxt.cxtp.SctpTransport;
import io.cxt.cxtp.SctpUnavailableException;
import io.cxt.cxtp.TransportOptions;
import io.cxt.cxtp.UdpTransport;
import io.cxt.sys.LibC;
import io.cxt.sys.NetNamespace;
import io.cxt.xfrm.AddressText;
import io.cxt.xfrm.KeyBytes;
import io.cxt.xfrm.IpsecKernel;
import io.cxt.agent.role.RouterCore.Active;
import io.cxt.agent.role.RouterCore.Held;
import io.cxt.agent.role.RouterCore.Peer;
import io.cxt.agent.role.RouterCore.Pending;
import io.cxt.agent.role.RouterCore.Sent;

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

    private final RouterCore core;
    private final PreviousRouterRole previous;
    private final NextRouterRole next;
    private final RouterChannel channel;

    private AccessRouterAgent(RouterSettings settings, IpsecKernel kernel, NetNamespace namespace, EventSink events,
                              ActivationListener listener) throws IOException {
        this.core = new RouterCore(settings, kernel, namespace, events, listener);
        this.previous = new PreviousRouterRole(core);
        this.next = new NextRouterRole(core, previous);
        this.channel = new RouterChannel(core, previous, next);
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
    public static AccessRouterAgent start(RouterSettings settings, IpsecKernel kernel, NetNamespace namespace,
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
        RuntimeJournal.Recovered r = core.journal.recover(core.kernel, core.settings.tunnelAddress());
        if (r.removed() > 0 || r.leftAlone() > 0) {
            core.emit("reconciled", "", "removed " + r.removed() + " SAs/policies a previous run left half done"
                    + (r.leftAlone() == 0 ? "" : "; left alone " + r.leftAlone() + " with the same ids that are not cxt's"));
        }
        // Counters survive restarts and clock steps (no replay of captured envelopes, no repeated nonce).
        core.channelStore = io.cxt.cxtp.ChannelCounterStore.open(core.settings.stateDirectory()
                .resolve(core.settings.name().replaceAll("[^A-Za-z0-9._-]", "_") + ".channel"));
        core.protection = RouterChannelProtection.restartSafe(core.settings.senderId(), core.channelStore,
                core.settings.handoverTimeout().plus(RouterChannelProtection.DEFAULT_CLOCK_SKEW), java.time.Clock.systemUTC());
        boolean wantSctp = false;
        for (PeerSettings ps : core.settings.peers()) {
            Peer p = new Peer(ps);
            core.peersByName.put(ps.name(), p);
            core.peersBySocket.put(p.socket, p);
            core.peersByTunnel.put(ps.tunnelAddress(), p);
            if (!ps.tunnelAddress().equals(ps.address())) {
                core.peersByTunnel.putIfAbsent(ps.address(), p);
            }
            core.protection.addPeer(new RouterPeer(ps.senderId(), p.socket, ps.key()));
            wantSctp |= ps.transport() == PeerTransport.SCTP;
        }
        TransportOptions routerOptions = TransportOptions.defaults().withRetransmission(core.settings.retransmission())
                .withDropPolicy(core.settings.routerDropPolicy()).withCtarRatePerSecond(0).withProtection(core.protection);
        InetSocketAddress bind = new InetSocketAddress(core.settings.address(), core.settings.cxtpPort());
        core.udp = inNamespace(() -> UdpTransport.open(bind, channel::routerReceived, routerOptions, channel::rejected));
        core.admitOnlyPeers();
        if (wantSctp) {
            try {
                core.sctp = inNamespace(() -> SctpTransport.open(bind, channel::routerReceived,
                        TransportOptions.sctpDefaults().withDropPolicy(core.settings.routerDropPolicy()).withProtection(core.protection)));
            } catch (SctpUnavailableException e) {
                throw new IOException("a peer is configured with transport = \"sctp\" but " + e.getMessage()
                        + "; use transport = \"udp\"", e);
            }
        }
        for (Peer p : core.peersByName.values()) {
            p.transport = p.settings.transport() == PeerTransport.SCTP ? core.sctp : core.udp;
        }
        TransportOptions mobileOptions = TransportOptions.defaults().withRetransmission(core.settings.mobileRetransmission())
                .withDropPolicy(core.settings.mobileDropPolicy()).withCtarRatePerSecond(core.settings.ctarRate())
                .withCtarScreen(new io.cxt.cxtp.RequestScreen() {
                    @Override
                    public boolean admits(InetSocketAddress from, ContextTransferActivateRequest ctar) {
                        return next.worthProcessing(from, ctar);
                    }

                    @Override
                    public boolean expected(InetSocketAddress from, ContextTransferActivateRequest ctar) {
                        return core.held.containsKey(ctar.previousAddress()); // lock-free read (concurrent map)
                    }
                });
        if (core.settings.mobileTransport() == MobileTransport.ICMP) {
            int family = core.settings.tunnelAddress() instanceof Inet6Address ? LibC.AF_INET6 : LibC.AF_INET;
            core.mobile = IcmpTransport.open(family, core.namespace, next::mobileReceived, mobileOptions);
        } else {
            // Bound to the wildcard: the tunnel address need not be on an interface of this router
            // (a pAR only ever answers trigger CTARs), and replies take the routed source address.
            InetAddress any = InetAddress.getByName(core.settings.tunnelAddress() instanceof Inet6Address ? "::" : "0.0.0.0");
            InetSocketAddress mb = new InetSocketAddress(any, core.settings.mobileUdpPort());
            core.mobile = inNamespace(() -> UdpTransport.openWithPriorityLane(mb, next::mobileReceived, mobileOptions));
        }
        finishPreviousRun(r);
        LOG.info("{}: access router up: CXTP {} port {} ({} peers), MN side {} on {}", core.settings.name(),
                AddressText.of(core.settings.address()), core.udp.localAddress().getPort(), core.peersByName.size(),
                core.settings.mobileTransport().spelling(), AddressText.of(core.settings.tunnelAddress()));
    }

    /** What a previous run left between two messages (issue 12 item 6): see RuntimeJournal#recover. */
    private void finishPreviousRun(RuntimeJournal.Recovered r) {
        r.unreplied().forEach(next::resumeUnreplied);
        r.awaiting().forEach(previous::restore);
    }

    private interface Opener<T> {
        T open() throws IOException;
    }

    /** Runs {@code opener} with this thread in the router's namespace, so its sockets live there. */
    private <T> T inNamespace(Opener<T> opener) throws IOException {
        if (core.namespace == null) {
            return opener.open();
        }
        List<T> out = new ArrayList<>(1);
        core.namespace.runInside(() -> {
            out.add(opener.open());
            return 0;
        });
        return out.get(0);
    }

    // ================================================================ public API

    /**
     * Where the pAR finds the IKE SA that travels with an MN's context (the agent's IKE store; set by
     * the glue). Null or a null answer: the context carries no IKE SA.
     */
    public void setIkeContextSource(java.util.function.Function<MobileNodeIdentity, io.cxt.context.IkeContextSlot> source) {
        core.ikeContextSource = source;
    }

    /** The IKE daemon's side (charon through its HA plugin, io.cxt.agent.ha), told of held, released and moved contexts. */
    public void setIkeHooks(io.cxt.agent.ContextIkeHooks hooks) {
        core.ikeHooks = hooks == null ? io.cxt.agent.ContextIkeHooks.NONE : hooks;
        core.ikeHooks.onIkeSaChanged(previous::ikeSaChanged);
    }

    public RouterSettings settings() {
        return core.settings;
    }

    /** Where the router channel is bound (the port is the real one when 0 was configured). */
    public InetSocketAddress routerChannelAddress() {
        return core.udp.localAddress();
    }

    /**
     * Sets (or replaces) the token key shared with a MN (token-key-source = "ike": derived from
     * its IKE SA by the IKE layer). The key is copied; the caller keeps its own.
     */
    public void setTokenKey(InetAddress mobileNode, KeyBytes key) {
        core.tokenKeys.put(mobileNode, KeyBytes.of(key.bytes()));
    }

    /**
     * Predictive transfer (pAR): snapshots the MN at {@code mobileNode} (its care-of address here)
     * and sends a PCTD to the peer {@code to} (name, CXTP address or tunnel address).
     */
    public OperationResult transfer(InetAddress mobileNode, String to) throws ControlException {
        return previous.transfer(mobileNode, to);
    }

    /** Sends a snapshot predictively (tests use it directly with contexts this kernel cannot hold). */
    OperationResult push(InetAddress mobileNode, MobileNodeContext snap, String to) throws ControlException {
        return previous.push(mobileNode, snap, to);
    }

    /** As {@link #push}, as the update of a transfer started {@code elapsedMillis} before (tests). */
    OperationResult pushUpdate(InetAddress mobileNode, MobileNodeContext snap, String to, long elapsedMillis)
            throws ControlException {
        return previous.push(mobileNode, snap, core.peer(to), core.tokenKeys.get(mobileNode), System.nanoTime(), elapsedMillis);
    }

    @Override
    public Object handle(String command, Map<String, String> arguments) throws ControlException {
        return RouterCommand.run(this, RouterCommand.parse(command, arguments));
    }

    /**
     * Cancels a transfer for a MN: a context held here (nAR) is dropped and its reservations
     * released, and the pAR told with a CTC; a context sent from here (pAR) is forgotten and the
     * nAR told with a CTC, so it releases its reservations. The kernel state of an MN that has not
     * moved is kept.
     */
    public OperationResult cancel(InetAddress mobileNode, String peerName) throws ControlException {
        Peer only = peerName == null || peerName.isEmpty() ? null : core.peer(peerName);
        List<Peer> told = new ArrayList<>();
        synchronized (core.lock) {
            Held h = core.held.get(mobileNode);
            if (h != null && (only == null || only == h.peer)) {
                core.held.remove(mobileNode);
                next.releaseHeld(mobileNode, h);
                told.add(h.peer);
            }
            Pending p = core.pending.get(mobileNode);
            if (p != null && (only == null || only == p.peer)) {
                core.pending.remove(mobileNode);
                if (p.timer != null) {
                    p.timer.cancel(false);
                }
            }
            Sent s = core.sent.get(mobileNode);
            if (s != null && (only == null || only == s.peer)) {
                core.sent.remove(mobileNode);
                if (s.timer != null) {
                    s.timer.cancel(false);
                }
                core.journal.released(AddressText.of(mobileNode), s.journalSerial);
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
            core.send(p, ctc);
            names.add(p.settings.name());
        }
        core.emit("transfer-cancelled", mobileNode, "CTC sent to " + String.join(", ", names));
        return new OperationResult(true, "MN " + AddressText.of(mobileNode) + ": transfer cancelled, CTC sent to "
                + String.join(", ", names), Map.of("peers", names));
    }

    public AgentStatus status() {
        int n;
        synchronized (core.lock) {
            n = core.sent.size() + core.held.size() + core.active.size();
        }
        return new AgentStatus("access-router", core.settings.name(), ProcessHandle.current().pid(), VERSION,
                core.startedAt.toString(), Duration.between(core.startedAt, Instant.now()).toSeconds(),
                List.of(AddressText.of(core.settings.address()), AddressText.of(core.settings.tunnelAddress())), n,
                core.peersByName.size(), 0, core.lastHandover);
    }

    public List<ContextView> contexts() {
        long now = System.nanoTime();
        List<ContextView> out = new ArrayList<>();
        synchronized (core.lock) {
            for (Map.Entry<InetAddress, Sent> e : core.sent.entrySet()) {
                Sent s = e.getValue();
                out.add(RouterText.view(s.snapshot, e.getKey(), "SENT", s.peer, s.predictive, now - s.since, s.timer));
            }
            for (Map.Entry<InetAddress, Held> e : core.held.entrySet()) {
                Held h = e.getValue();
                MobileNodeContext c = h.rewritten != null ? h.rewritten : h.received;
                out.add(RouterText.view(c, e.getKey(), "HELD", h.peer, h.predictive, now - h.since, h.timer));
            }
            for (Map.Entry<InetAddress, Active> e : core.active.entrySet()) {
                Active a = e.getValue();
                out.add(RouterText.view(a.installed(), e.getKey(), "ACTIVE", a.peer(), a.predictive(), now - a.since(), null));
            }
        }
        return out;
    }

    public List<PeerView> peers() {
        List<PeerView> out = new ArrayList<>();
        for (Peer p : core.peersByName.values()) {
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
        core.counts.forEach((k, v) -> {
            long n = v.sum();
            if (n > 0) { // a counter shows once it has counted something (stats keep their old keys)
                m.put(k.spelling(), n);
            }
        });
        core.refusedPeerEntries.forEach((k, v) -> m.put(k, v.sum()));
        if (core.events instanceof EventLog log) {
            m.putAll(log.counters());
        }
        addTransport(m, "router.udp", core.udp);
        addTransport(m, "router.sctp", core.sctp);
        addTransport(m, "mobile." + core.settings.mobileTransport().spelling(), core.mobile);
        // datagrams the kernel dropped at the sockets: full receive buffers and, on the router
        // channel, the peer filter (SO_MEMINFO)
        if (core.udp != null) {
            m.put("router.udp.kernel_drops", core.udp.kernelDrops());
        }
        if (core.mobile instanceof UdpTransport u) {
            m.put("mobile.udp.kernel_drops", u.kernelDrops());
            if (u.hasPriorityLane()) {
                m.put("mobile.udp.priority_lane_drops", u.priorityLaneDrops());
            }
        }
        if (core.protection != null) {
            m.put("router.protection.accepted", core.protection.acceptedCount());
            for (RouterChannelProtection.RejectionReason r : RouterChannelProtection.RejectionReason.values()) {
                m.put("router.protection.rejected." + r.name().toLowerCase(java.util.Locale.ROOT), core.protection.rejectedCount(r));
            }
        }
        synchronized (core.lock) {
            m.put("contexts.sent", (long) core.sent.size());
            m.put("contexts.held", (long) core.held.size());
            m.put("contexts.active", (long) core.active.size());
            m.put("contexts.pending", (long) core.pending.size());
        }
        long last = core.lastActivationNanos.get();
        if (last >= 0) {
            m.put("activation.last.micros", last / 1000);
        }
        core.phases.putStats(m);
        return m;
    }

    private static void addTransport(Map<String, Long> m, String prefix, CxtpTransport t) {
        if (t == null) {
            return;
        }
        t.counters().snapshot().forEach((k, v) -> m.put(prefix + "." + k.name().toLowerCase(java.util.Locale.ROOT), v));
        t.counters().perMessageType().forEach((k, v) -> m.put(prefix + "." + k, v));
    }

    /** Latency histograms since start (CTAR to CTAA, install, phases) for {@code metrics}. */
    public List<io.cxt.agent.view.HistogramView> histograms() {
        return core.phases.histograms();
    }

    /**
     * SIGHUP: replaces the peers and the served mobile nodes (with their keys) and nothing else.
     * Contexts are kept: a sent, held or active context keeps the peer it was exchanged with (its
     * counters and, while the peer's address is unchanged, the new key on the wire). Unchanged
     * peers keep their counters and replay windows; a changed or new peer starts a fresh window, a
     * removed one's key is wiped. Token keys learnt from IKE SAs (not configured) are kept.
     *
     * @throws IllegalArgumentException when the new lists are inconsistent (duplicate names, a
     *         peer with this router's sender id); nothing is changed then
     */
    public void reloadPeersAndMobileNodes(List<PeerSettings> peers, List<ServedMobileNode> mobileNodes) {
        synchronized (core.lock) {
            RouterSettings old = core.settings;
            RouterSettings fresh = old.toBuilder().peers(peers).mobileNodes(mobileNodes).build();
            Map<String, RouterCore.Peer> byName = new java.util.LinkedHashMap<>();
            Map<InetSocketAddress, RouterCore.Peer> bySocket = new java.util.HashMap<>();
            Map<InetAddress, RouterCore.Peer> byTunnel = new java.util.HashMap<>();
            for (PeerSettings ps : fresh.peers()) {
                RouterCore.Peer p = core.peersByName.get(ps.name());
                if (p == null || !p.settings.equals(ps)) { // KeyBytes compare by value
                    p = new RouterCore.Peer(ps);
                    p.transport = ps.transport() == PeerTransport.SCTP ? core.sctp : core.udp;
                }
                byName.put(ps.name(), p);
                bySocket.put(p.socket, p);
                byTunnel.put(ps.tunnelAddress(), p);
                if (!ps.tunnelAddress().equals(ps.address())) {
                    byTunnel.putIfAbsent(ps.address(), p);
                }
            }
            if (fresh.peers().stream().anyMatch(ps -> ps.transport() == PeerTransport.SCTP) && core.sctp == null) {
                throw new IllegalArgumentException("an SCTP peer needs the SCTP endpoint, opened only at start (restart)");
            }
            if (core.udp != null) { // before anything changes: a refusal leaves the old peers in force
                try {
                    core.udp.admitOnlyFrom(bySocket.keySet());
                } catch (IOException e) {
                    throw new IllegalArgumentException("cannot filter the router channel to the new peers: " + e.getMessage(), e);
                }
            }
            for (RouterCore.Peer gone : core.peersByName.values()) {
                if (byName.get(gone.settings.name()) != gone) {
                    core.protection.removePeer(gone.settings.senderId());
                }
            }
            for (RouterCore.Peer p : byName.values()) {
                if (core.peersByName.get(p.settings.name()) != p) {
                    core.protection.addPeer(new io.cxt.cxtp.RouterPeer(p.settings.senderId(), p.socket, p.settings.key()));
                }
            }
            core.peersByName = byName;
            core.peersBySocket = bySocket;
            core.peersByTunnel = byTunnel;
            for (ServedMobileNode mn : old.mobileNodes()) {
                core.tokenKeys.remove(mn.careOfAddress(), mn.tokenKey());
                core.homeAddresses.remove(mn.careOfAddress());
            }
            for (ServedMobileNode mn : fresh.mobileNodes()) {
                core.tokenKeys.put(mn.careOfAddress(), mn.tokenKey());
                if (mn.homeAddress() != null) {
                    core.homeAddresses.put(mn.careOfAddress(), mn.homeAddress());
                }
            }
            core.settings = fresh;
            LOG.info("{}: reloaded: {} peers ({}), {} mobile nodes", old.name(), byName.size(),
                    String.join(", ", byName.keySet()), fresh.mobileNodes().size());
        }
    }

    /** Events after {@code since} (only when the sink is an {@link EventLog}). */
    public List<AgentEvent> events(long since) throws ControlException {
        if (core.events instanceof EventLog log) {
            return log.since(since);
        }
        throw new ControlException("this agent does not keep events");
    }

    /** Counter value (0 if never counted), e.g. "ctar.rejected", "activations". */
    public long counter(String name) {
        RouterCounter c = RouterCounter.of(name);
        LongAdder a = c != null ? core.counts.get(c) : core.refusedPeerEntries.get(name);
        return a == null ? 0 : a.sum();
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
                core.background.submit(() -> { }).get(5, TimeUnit.SECONDS);
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
        core.background.shutdown();
        try {
            core.background.awaitTermination(5, TimeUnit.SECONDS);
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
        core.closed = true;
        core.timers.shutdownNow();
        drainBackground();
        closeTransports();
        core.journal.close();
        stopBackground();
    }

    /** Zeroes the token keys and the router channel keys this agent holds (at shutdown). */
    private void wipeKeys() {
        core.tokenKeys.values().forEach(KeyBytes::wipe);
        core.tokenKeys.clear();
        if (core.protection != null) {
            core.protection.wipeKeys();
        }
    }

    private void closeTransports() {
        if (core.mobile != null) {
            core.mobile.close();
        }
        if (core.udp != null) {
            core.udp.close();
        }
        if (core.sctp != null) {
            core.sctp.close();
        }
        if (core.channelStore != null) {
            try {
                core.channelStore.close();
            } catch (IOException e) {
                LOG.debug("{}: closing the channel counter store: {}", core.settings.name(), e.toString());
            }
        }
    }

    /**
     * Clean shutdown: held contexts are released (reservations deleted, journal marked done),
     * active ones stay installed, sockets close.
     */
    @Override
    public void close() {
        if (core.closed) {
            return;
        }
        core.closed = true;
        core.timers.shutdownNow();
        drainBackground();
        closeTransports();
        synchronized (core.lock) {
            for (Map.Entry<InetAddress, Held> e : core.held.entrySet()) {
                next.releaseHeld(e.getKey(), e.getValue());
            }
            core.held.clear();
            for (Sent s : core.sent.values()) {
                s.snapshot.discard();
            }
            core.sent.clear();
            core.pending.clear();
        }
        core.journal.close();
        stopBackground();
        wipeKeys();
        LOG.info("{}: access router stopped", core.settings.name());
    }
}
