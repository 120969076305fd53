package io.cxt.agent.role;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.time.Instant;
import java.util.Collections;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
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
import io.cxt.cdb.ContextBlocks;
import io.cxt.context.ContextInstaller;
import io.cxt.context.ContextRemover;
import io.cxt.context.ContextSnapshotter;
import io.cxt.context.InstallReceipt;
import io.cxt.context.MobileNodeContext;
import io.cxt.context.MobileNodeIdentity;
import io.cxt.context.SpiAllocator;
import io.cxt.context.SpiReservations;
import io.cxt.cxtp.ContextTransferActivateAcknowledge;
import io.cxt.cxtp.ContextTransferActivateRequest;
import io.cxt.cxtp.CxtpCodec;
import io.cxt.cxtp.CxtpTransport;
import io.cxt.cxtp.FeatureStatus;
import io.cxt.cxtp.RouterChannelProtection;
import io.cxt.cxtp.SctpTransport;
import io.cxt.cxtp.TokenKeyMaterial;
import io.cxt.cxtp.UdpTransport;
import io.cxt.sys.NetNamespace;
import io.cxt.xfrm.AddressText;
import io.cxt.xfrm.KeyBytes;
import io.cxt.xfrm.IpsecKernel;

/**
 * What the parts of an {@link AccessRouterAgent} share: the settings, the engine over the kernel
 * interface, the contexts sent (pAR), held, pending and active (nAR) under one lock, the peers,
 * the timers, the background thread, counters and events, and the few helpers every part uses
 * (send to a peer, CTAA to the MN, emit, count, schedule, hand work to the background thread).
 * Package-private: the parts ({@link PreviousRouterRole}, {@link NextRouterRole},
 * {@link RouterChannel}) read and change it; only {@link AccessRouterAgent} is public.
 */
final class RouterCore {

    private static final Logger LOG = LoggerFactory.getLogger(AccessRouterAgent.class);
    static final int REMEMBERED_SEQUENCES = 65_536;

    /** Replaced whole by {@link AccessRouterAgent#reloadPeersAndMobileNodes} (SIGHUP); everything but peers and MNs stays. */
    volatile RouterSettings settings;
    final IpsecKernel kernel;
    final NetNamespace namespace;
    final EventSink events;
    final ActivationListener listener;
    final Instant startedAt = Instant.now();
    final Object lock = new Object();
    // Filled once at open, then replaced whole (never changed in place) by AccessRouterAgent#reloadPeersAndMobileNodes.
    volatile Map<String, Peer> peersByName = new LinkedHashMap<>();
    volatile Map<InetSocketAddress, Peer> peersBySocket = new HashMap<>();
    volatile Map<InetAddress, Peer> peersByTunnel = new HashMap<>();
    final Map<InetAddress, KeyBytes> tokenKeys = new ConcurrentHashMap<>();
    final Map<InetAddress, InetAddress> homeAddresses = new ConcurrentHashMap<>();
    final Map<InetAddress, Sent> sent = new HashMap<>();
    /** Concurrent so that the MN transport's screen can look without the lock; changed under the lock. */
    final Map<InetAddress, Held> held = new ConcurrentHashMap<>();
    final Map<InetAddress, Pending> pending = new HashMap<>();
    final Map<InetAddress, Active> active = new HashMap<>();
    /**
     * Activations a previous run installed but may not have acknowledged (kill -9 between its install and its
     * CTAA; found complete in the kernel at start), by the MN's previous CoA: the MN's retransmitted CTAR, from the
     * CoA the installed outbound SA leads to, is answered with a success CTAA (issue 12 item 6). Filled at start;
     * each entry is dropped after the handover timeout.
     */
    final Map<InetAddress, RuntimeJournal.Unreplied> recoveredActivations = new ConcurrentHashMap<>();
    final Map<String, Boolean> usedSequences = Collections.synchronizedMap(new LinkedHashMap<>(256, 0.75f, false) {
        private static final long serialVersionUID = 1L;

        @Override
        protected boolean removeEldestEntry(Map.Entry<String, Boolean> e) {
            return size() > REMEMBERED_SEQUENCES;
        }
    });
    /** The router's own counters, one per {@link RouterCounter} (read without the lock). */
    final java.util.EnumMap<RouterCounter, LongAdder> counts = new java.util.EnumMap<>(RouterCounter.class);
    /** Entries refused from peer contexts, by reason ("peer-context.REASON"). */
    final Map<String, LongAdder> refusedPeerEntries = new ConcurrentHashMap<>();
    final ContextSnapshotter snapshotter;
    final SpiAllocator spiAllocator;
    final ContextInstaller installer;
    final ContextRemover remover;
    final RuntimeJournal journal;
    final ScheduledExecutorService timers;
    /** Post-CTAA work and journal writes, in order, off the activation thread. */
    final ExecutorService background;
    final ActivationPhases phases = new ActivationPhases();
    final AtomicLong lastActivationNanos = new AtomicLong(-1);
    RouterChannelProtection protection;
    io.cxt.cxtp.ChannelCounterStore channelStore;
    UdpTransport udp;
    SctpTransport sctp;
    CxtpTransport mobile;
    volatile String lastHandover = "";
    volatile boolean closed;
    private boolean steerFailureLogged;

    /** Where the pAR finds the IKE SA that travels with an MN's context (null: none). */
    volatile java.util.function.Function<MobileNodeIdentity, io.cxt.context.IkeContextSlot> ikeContextSource;
    /** The IKE daemon's side, told of held, released and moved contexts. */
    volatile io.cxt.agent.ContextIkeHooks ikeHooks = io.cxt.agent.ContextIkeHooks.NONE;

    RouterCore(RouterSettings settings, IpsecKernel kernel, NetNamespace namespace, EventSink events,
                              ActivationListener listener) throws IOException {
        this.settings = settings;
        this.kernel = kernel;
        this.namespace = namespace;
        this.events = events == null ? EventSink.NONE : events;
        this.listener = listener == null ? ActivationListener.NONE : listener;
        for (RouterCounter c : RouterCounter.values()) {
            counts.put(c, new LongAdder()); // filled before any thread reads: the map's shape never changes
        }
        this.snapshotter = new ContextSnapshotter(kernel);
        this.spiAllocator = new SpiAllocator(kernel, settings.sadLookup(), settings.spiMin(), settings.spiMax());
        this.installer = new ContextInstaller(kernel);
        this.remover = new ContextRemover(kernel, settings.sequencePolicy());
        this.background = Executors.newSingleThreadExecutor(r -> {
            Thread t = new Thread(r, "cxagent-" + settings.name() + "-after");
            t.setDaemon(true);
            return t;
        });
        this.journal = new RuntimeJournal(settings.stateDirectory(), settings.name());
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
    /** A peer router and what we count about it. */
    static final class Peer {
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
    static final class Sent {
        final MobileNodeContext snapshot;
        final Peer peer;
        final boolean predictive;
        final long since = System.nanoTime();
        ScheduledFuture<?> timer;
        /** When the handover timer fires (System.nanoTime); a refreshed PCTD keeps the first transfer's deadline. */
        long deadlineNanos;
        /** When the first PCTD of this transfer left (System.nanoTime): a refresh's Elapsed Time counts from it. */
        long firstSentNanos = since;
        /** The journal's serial of this transfer's sent record. */
        long journalSerial;
        /**
         * For a transfer a previous run sent (restored from the journal after a restart): the ids and fingerprints
         * of what it moves, removed on the CTDR instead of {@link #snapshot} (then empty); null otherwise.
         */
        RuntimeJournal.Entry restoredItems;

        Sent(MobileNodeContext snapshot, Peer peer, boolean predictive) {
            this.snapshot = snapshot;
            this.peer = peer;
            this.predictive = predictive;
        }
    }

    /** A context received and held (not active) as nAR. */
    static final class Held {
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
    static final class Pending {
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
    record Active(MobileNodeContext installed, InstallReceipt receipt, Peer peer, boolean predictive, long since) {
    }

    /** Hands work to the background thread (in order); runs it here if the agent is shutting down. */
    void later(Runnable work) {
        try {
            background.execute(work);
        } catch (java.util.concurrent.RejectedExecutionException e) {
            work.run();
        }
    }

    void sendCtaa(InetSocketAddress to, InetAddress prev, int status) {
        List<FeatureStatus> failed = status == 0 ? List.of() : List.of(new FeatureStatus(ContextBlocks.FPT_HEADER, status));
        try {
            mobile.send(to, CxtpCodec.encode(new ContextTransferActivateAcknowledge(prev, failed)));
            count(status == 0 ? RouterCounter.CTAA_SENT_SUCCESS : RouterCounter.CTAA_SENT_FAILURE);
        } catch (IOException | RuntimeException e) {
            count(RouterCounter.CTAA_SEND_FAILED);
            LOG.warn("{}: CTAA to {} failed: {}", settings.name(), to, e.toString());
        }
    }

    ScheduledFuture<?> schedule(Runnable r, Duration after) {
        try {
            return timers.schedule(r, Math.max(0, after.toMillis()), TimeUnit.MILLISECONDS);
        } catch (java.util.concurrent.RejectedExecutionException e) {
            return null;
        }
    }

    boolean send(Peer peer, byte[] message) {
        try {
            peer.transport.send(peer.socket, message);
            peer.sent.increment();
            return true;
        } catch (IOException | RuntimeException e) {
            count(RouterCounter.ROUTER_SEND_FAILED);
            LOG.warn("{}: sending to {} failed: {}", settings.name(), peer.settings.name(), e.toString());
            return false;
        }
    }

    Peer peer(String nameOrAddress) throws ControlException {
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

    void emit(String kind, InetAddress mn, String detail) {
        emit(kind, mn == null ? "" : AddressText.of(mn), detail);
    }

    void emitAt(long nanoTime, String kind, InetAddress mn, String detail) {
        emitAt(nanoTime, kind, mn == null ? "" : AddressText.of(mn), detail);
    }

    void emitAt(long nanoTime, String kind, String mn, String detail) {
        try {
            events.emitAt(nanoTime, kind, mn, detail);
        } catch (RuntimeException e) {
            LOG.debug("event sink failed: {}", e.toString());
        }
    }

    void emit(String kind, String mn, String detail) {
        try {
            events.emit(kind, mn, detail);
        } catch (RuntimeException e) {
            LOG.debug("event sink failed: {}", e.toString());
        }
    }

    /**
     * Points the MN-facing port's priority lane at the MNs whose contexts are held now (issue 12:
     * their CTARs then queue apart from any flood of CTARs for unknown MNs). Called after a hold;
     * a released MN stays in the list until the next hold (harmless: its CTARs are answered on the
     * lane as anywhere else). Caller holds {@link #lock}. A refusal leaves the lane as it was.
     */
    void steerExpectedCtars() {
        if (mobile instanceof UdpTransport u && u.hasPriorityLane()) {
            try {
                u.steerCtarsFor(held.keySet());
            } catch (java.io.IOException e) {
                if (!steerFailureLogged) {
                    steerFailureLogged = true;
                    LOG.warn("{}: cannot point the priority lane at held MNs ({}); their CTARs share the port's queue",
                            settings.name(), e.getMessage());
                }
            }
        }
    }

    /**
     * Keeps only the configured peers' datagrams on the router channel's UDP socket (dropped in the
     * kernel: what the envelope check refuses as an unknown peer or wrong source anyway).
     */
    void admitOnlyPeers() throws java.io.IOException {
        if (udp != null) {
            udp.admitOnlyFrom(peersBySocket.keySet());
        }
    }

    void count(RouterCounter c) {
        counts.get(c).increment();
    }
}
