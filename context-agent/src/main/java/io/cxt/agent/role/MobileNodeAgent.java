package io.cxt.agent.role;

import java.io.IOException;
import java.net.Inet6Address;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.StandardProtocolFamily;
import java.nio.channels.DatagramChannel;
import java.security.SecureRandom;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.LongAdder;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import io.cxt.agent.EventSink;
import io.cxt.agent.control.ControlException;
import io.cxt.agent.control.ControlHandler;
import io.cxt.agent.settings.MobileTransport;
import io.cxt.agent.view.AgentEvent;
import io.cxt.agent.view.AgentStatus;
import io.cxt.agent.view.ContextView;
import io.cxt.agent.view.OperationResult;
import io.cxt.context.ContextException;
import io.cxt.context.ContextInstaller;
import io.cxt.context.ContextRewriter;
import io.cxt.context.ContextSnapshotter;
import io.cxt.context.MobileNodeContext;
import io.cxt.context.MobileNodeIdentity;
import io.cxt.context.RewritePlan;
import io.cxt.context.SequenceNumberPolicy;
import io.cxt.cxtp.AuthorizationToken;
import io.cxt.cxtp.ContextTransferActivateAcknowledge;
import io.cxt.cxtp.ContextTransferActivateRequest;
import io.cxt.cxtp.CxtpCodec;
import io.cxt.cxtp.CxtpTransport;
import io.cxt.cxtp.FeatureStatus;
import io.cxt.cxtp.IcmpTransport;
import io.cxt.cxtp.SendResult;
import io.cxt.cxtp.TransportOptions;
import io.cxt.cxtp.UdpTransport;
import io.cxt.sys.LibC;
import io.cxt.sys.NetNamespace;
import io.cxt.xfrm.AddressText;
import io.cxt.xfrm.KeyBytes;
import io.cxt.xfrm.SecurityAssociation;
import io.cxt.xfrm.IpsecKernel;

/**
 * The mobile node agent (role "mobile-node"). {@link #activate} is RFC 4067 section 5's MN side:
 * a CTAR with a fresh random sequence number and the authorization token over ICMP (or UDP) to
 * the nAR, retransmitted per the RFC (2 s doubling, 15 s) until the CTAA; on success the same
 * rewrite the nAR made is applied to the MN's own kernel (new care-of address, new tunnel peer)
 * with {@link ContextInstaller#replace}, and the nAR becomes the current router. SPIs the nAR had
 * to change reach the MN later through IKE (UPDATE_SPI, issue 6).
 *
 * <p>The CTAR's sequence numbers are random 32-bit values whose token is not the null token, and
 * one is never reused within CT_RETRY_MAX (the AR's repeat memory).
 */
public final class MobileNodeAgent implements ControlHandler, AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(MobileNodeAgent.class);
    private static final String VERSION = io.cxt.sys.BuildInfo.version();
    /** IPv6 (40) + ICMPv6 CXTP header (8) + Ethernet (14): what a CXTP message costs on the wire (docs/cxtp.md). */
    public static final int WIRE_OVERHEAD_IPV6 = 62;
    /** IPv4 (20) + ICMP CXTP header (8) + Ethernet (14). */
    public static final int WIRE_OVERHEAD_IPV4 = 42;

    private final MobileNodeSettings settings;
    private final IpsecKernel kernel;
    private final NetNamespace namespace;
    private final EventSink events;
    private final Instant startedAt = Instant.now();
    private final SecureRandom random = new SecureRandom();
    private final Object activation = new Object();
    private final Map<String, LongAdder> counters = new ConcurrentHashMap<>();
    private final io.cxt.agent.metrics.LatencyHistogram ctarToCtaa = new io.cxt.agent.metrics.LatencyHistogram(
            "cxt_ctar_to_ctaa_seconds", "MN: first CTAR sent to CTAA received (retransmissions included)", Map.of("mode", "mn"));
    private final io.cxt.agent.metrics.LatencyHistogram activationLatency = new io.cxt.agent.metrics.LatencyHistogram(
            "cxt_activation_seconds", "MN: first CTAR sent to its own SAs and policies moved to the new CoA", Map.of());
    private final Map<Long, Long> recentSequences = new LinkedHashMap<>();
    private final ContextSnapshotter snapshotter;
    private final ContextInstaller installer;
    private volatile KeyBytes tokenKey;
    private volatile MobileNodeIdentity identity;
    private volatile InetAddress router;
    private volatile String lastHandover = "";
    private CxtpTransport transport;
    /** Null when the settings name no state directory. */
    private MobileJournal journal;

    private MobileNodeAgent(MobileNodeSettings settings, IpsecKernel kernel, NetNamespace namespace, EventSink events) {
        this.settings = settings;
        this.kernel = kernel;
        this.namespace = namespace;
        this.events = events == null ? EventSink.NONE : events;
        this.tokenKey = settings.tokenKey();
        this.identity = new MobileNodeIdentity(settings.homeAddress(), settings.careOfAddress());
        this.router = settings.accessRouter();
        this.snapshotter = new ContextSnapshotter(kernel);
        this.installer = new ContextInstaller(kernel);
    }

    /**
     * Starts the agent: opens the MN-AR transport inside {@code namespace} (null: this one).
     *
     * @param kernel the MN's own kernel (its namespace)
     */
    public static MobileNodeAgent start(MobileNodeSettings settings, IpsecKernel kernel, NetNamespace namespace,
                                        EventSink events) throws IOException {
        MobileNodeAgent a = new MobileNodeAgent(settings, kernel, namespace, events);
        try {
            if (settings.stateDirectory() != null) {
                a.journal = new MobileJournal(settings.stateDirectory(), settings.name());
                a.finishPreviousRun();
            }
            TransportOptions o = TransportOptions.defaults().withRetransmission(settings.retransmission())
                    .withDropPolicy(settings.dropPolicy()).withCtarRatePerSecond(0);
            if (settings.transport() == MobileTransport.ICMP) {
                int family = settings.careOfAddress() instanceof Inet6Address ? LibC.AF_INET6 : LibC.AF_INET;
                a.transport = IcmpTransport.open(family, namespace, (from, m, b) -> { }, o);
            } else {
                InetSocketAddress any = new InetSocketAddress(
                        settings.careOfAddress() instanceof Inet6Address ? InetAddress.getByName("::") : InetAddress.getByName("0.0.0.0"), 0);
                a.transport = a.inNamespace(() -> UdpTransport.open(any, (from, m, b) -> { }, o));
            }
            LOG.info("{}: mobile node up: CoA {}, router {}, {}", settings.name(), AddressText.of(settings.careOfAddress()),
                    AddressText.of(settings.accessRouter()), settings.transport().spelling());
            return a;
        } catch (IOException | RuntimeException e) {
            a.close();
            throw e;
        }
    }

    /**
     * A previous run that died between the nAR's success CTAA and its own kernel update (its journal's open
     * {@code moving} record): the nAR has the context and the pAR has removed or will remove its copy, so this run
     * makes the move in its own kernel, if the SAs are still at the old care-of address, and starts there.
     */
    private void finishPreviousRun() throws IOException {
        MobileJournal.Move m = journal.unfinished();
        if (m != null && !settings.movesOwnSas()) {
            // written by a run that moved its own SAs; charon owns them now and moves them itself
            identity = new MobileNodeIdentity(settings.homeAddress(), m.newCareOf());
            router = m.nar();
        } else if (m != null) {
            MobileNodeIdentity old = new MobileNodeIdentity(settings.homeAddress(), m.oldCareOf());
            try {
                MobileNodeContext own = moveOwnState(old, m.newCareOf(), m.oldRouter(), m.nar());
                emit("reconciled", old, "a previous run was acknowledged by " + AddressText.of(m.nar()) + " (sequence "
                        + m.sequence() + ") but died before moving its own state: " + own.securityAssociations().size()
                        + " SAs and " + own.policies().size() + " policies moved to CoA " + AddressText.of(m.newCareOf()));
            } catch (ContextException e) {
                throw new IOException("finishing the move a previous run started (journal " + journal.file() + "): "
                        + e.getMessage(), e);
            }
            identity = new MobileNodeIdentity(settings.homeAddress(), m.newCareOf());
            router = m.nar();
        }
        journal.reset();
    }

    /** Snapshots this MN's own SAs and policies at {@code mn}'s care-of address and moves them to the nAR. */
    private MobileNodeContext moveOwnState(MobileNodeIdentity mn, InetAddress coa, InetAddress oldRouter, InetAddress nar)
            throws IOException, ContextException {
        MobileNodeContext own = snapshotter.snapshot(mn, mn.careOfAddress());
        if (own.securityAssociations().isEmpty() && own.policies().isEmpty()) {
            return own; // nothing there (any more)
        }
        RewritePlan plan = RewritePlan.forMobileNode(mn.careOfAddress(), coa, oldRouter, nar, List.of(),
                new SequenceNumberPolicy(settings.sequenceMargin()));
        MobileNodeContext moved = ContextRewriter.rewrite(own, plan, nar, coa);
        installer.replace(own, moved);
        own.discard();
        return own;
    }

    private interface Opener<T> {
        T open() throws IOException;
    }

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

    // ================================================================ for the IKE side

    /** The MN as it is now: home address and current care-of address. */
    public MobileNodeIdentity currentIdentity() {
        return identity;
    }

    /** The access router the MN is attached to now (tunnel address). */
    public InetAddress currentRouter() {
        return router;
    }

    /**
     * Tells the agent where the MN is when something else moved it (e.g. a full IKE negotiation
     * with a new router after a failed transfer).
     */
    public void updateLocation(InetAddress careOfAddress, InetAddress accessRouter) {
        synchronized (activation) {
            identity = new MobileNodeIdentity(identity.homeAddress(), careOfAddress);
            router = accessRouter;
        }
    }

    /**
     * Runs {@code work} once no activation is in progress. The nAR sends its IKE update right after
     * the CTAA, while this MN may still be moving its own SAs: an update applied in between would
     * look for the SAs at the old care-of address and be refused. Reentrant.
     */
    public <T> T afterActivation(java.util.concurrent.Callable<T> work) throws Exception {
        synchronized (activation) {
            return work.call();
        }
    }

    /** Replaces the token key (token-key-source = "ike"); copied. */
    public void setTokenKey(KeyBytes key) {
        tokenKey = KeyBytes.of(key.bytes());
    }

    // ================================================================ activation

    /**
     * Activates the MN's context at {@code nar} from {@code newCareOf} (null: the source address
     * the MN's routing picks towards the nAR).
     *
     * @return ok with details delayMicros (CTAR sent to CTAA received), ctarOctets, ctaaOctets (CXTP
     *         message sizes), ctarWireOctets, ctaaWireOctets (on the wire over Ethernet),
     *         retransmissions, sequenceNumber, newCareOf; not ok when the nAR refused or never answered
     * @throws ControlException when the activation could not be attempted or the own rewrite failed
     */
    public OperationResult activate(InetAddress nar, InetAddress newCareOf) throws ControlException {
        synchronized (activation) {
            MobileNodeIdentity mn = identity;
            InetAddress oldRouter = router;
            InetAddress coa = newCareOf != null ? newCareOf : sourceTowards(nar);
            if (tokenKey.length() == 0) {
                throw new ControlException("no token key configured for this mobile node");
            }
            long seq;
            int token;
            do {
                seq = Integer.toUnsignedLong(random.nextInt());
                token = AuthorizationToken.compute(tokenKey, mn.careOfAddress(), seq, List.of());
            } while (!AuthorizationToken.isUsable(token) || recentlyUsed(seq));
            ContextTransferActivateRequest ctar = new ContextTransferActivateRequest(true, mn.careOfAddress(), oldRouter,
                    seq, token, List.of());
            byte[] bytes = CxtpCodec.encode(ctar);
            int port = settings.transport() == MobileTransport.UDP ? settings.routerUdpPort() : 0;
            SendResult r;
            long ctarSent = System.nanoTime();
            try {
                var f = transport.send(new InetSocketAddress(nar, port), bytes);
                count("ctar.sent");
                long wait = settings.retransmission().giveUpAt().toMillis() + 2000;
                r = f.get(wait, TimeUnit.MILLISECONDS);
            } catch (IOException e) {
                throw new ControlException("CTAR to " + AddressText.of(nar) + " could not be sent: " + e.getMessage(), e);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new ControlException("interrupted while waiting for the CTAA");
            } catch (ExecutionException | TimeoutException e) {
                throw new ControlException("no outcome for the CTAR to " + AddressText.of(nar) + ": " + e);
            }
            int overhead = nar instanceof Inet6Address ? WIRE_OVERHEAD_IPV6 : WIRE_OVERHEAD_IPV4;
            Map<String, Object> d = new LinkedHashMap<>();
            d.put("sequenceNumber", seq);
            d.put("ctarSentNanoTime", ctarSent); // System.nanoTime() at the send: movement detection's timeline
            d.put("ctarOctets", bytes.length);
            d.put("ctarWireOctets", bytes.length + overhead);
            d.put("retransmissions", Math.max(0, r.transmissions() - 1));
            d.put("newCareOf", AddressText.of(coa));
            if (r.outcome() != SendResult.Outcome.ACKNOWLEDGED
                    || !(r.acknowledgement() instanceof ContextTransferActivateAcknowledge ctaa)) {
                count("activation.no-answer");
                emit("activation-failed", mn, "no CTAA from " + AddressText.of(nar) + " (" + r.outcome() + " after "
                        + r.transmissions() + " transmissions)");
                return new OperationResult(false, "MN " + AddressText.of(mn.careOfAddress()) + ": no CTAA from "
                        + AddressText.of(nar) + " (" + r.outcome().name().toLowerCase(java.util.Locale.ROOT) + ")", d);
            }
            int ctaaOctets = CxtpCodec.encodedLength(ctaa);
            d.put("delayMicros", r.elapsed().toNanos() / 1000);
            d.put("ctaaOctets", ctaaOctets);
            d.put("ctaaWireOctets", ctaaOctets + overhead);
            if (!ctaa.failedContexts().isEmpty()) {
                count("activation.refused");
                List<String> why = new ArrayList<>();
                for (FeatureStatus s : ctaa.failedContexts()) {
                    why.add(StatusCodes.describe(s.statusCode()));
                }
                d.put("failure", String.join(", ", why));
                emit("activation-failed", mn, AddressText.of(nar) + " refused the CTAR: " + String.join(", ", why));
                return new OperationResult(false, "MN " + AddressText.of(mn.careOfAddress()) + ": " + AddressText.of(nar)
                        + " refused the activation (" + String.join(", ", why) + ")", d);
            }
            long t1 = System.nanoTime();
            MobileNodeContext own = null;
            boolean moveOwn = settings.movesOwnSas();
            if (journal != null && moveOwn) {
                journal.moving(new MobileJournal.Move(seq, mn.careOfAddress(), coa, oldRouter, nar));
            }
            CrashPoint.reached("mn.acknowledged");
            if (moveOwn) {
                try {
                    own = moveOwnState(mn, coa, oldRouter, nar);
                } catch (IOException | ContextException | RuntimeException e) {
                    count("activation.own-rewrite-failed");
                    emit("activation-failed", mn, "the nAR activated, but moving the MN's own SAs failed: " + e.getMessage());
                    throw new ControlException("nAR " + AddressText.of(nar) + " activated the context, but moving this MN's own "
                            + "SAs and policies failed: " + e.getMessage(), e);
                }
            }
            if (journal != null && moveOwn) {
                journal.moved(seq);
            }
            long moved = System.nanoTime();
            d.put("ownRewriteMicros", (moved - t1) / 1000);
            d.put("ownMovedNanoTime", moved); // the MN's own SAs and policies moved: its handover is complete
            ctarToCtaa.record(r.elapsed().toNanos());
            activationLatency.record(moved - ctarSent);
            d.put("sas", own == null ? 0 : own.securityAssociations().size());
            d.put("policies", own == null ? 0 : own.policies().size());
            identity = new MobileNodeIdentity(mn.homeAddress(), coa);
            router = nar;
            count("activations");
            lastHandover = AddressText.of(oldRouter) + " -> " + AddressText.of(nar) + ", CoA " + AddressText.of(coa)
                    + ", CTAR->CTAA " + r.elapsed().toNanos() / 1000 + " us";
            emit("context-activated", mn, "at " + AddressText.of(nar) + " from CoA " + AddressText.of(coa) + " (sequence "
                    + seq + ", " + (r.transmissions() - 1) + " retransmissions, CTAR->CTAA " + r.elapsed().toNanos() / 1000
                    + " us); " + (own == null ? "SAs and policies left to the MN's IKE daemon (sa-owner charon)"
                    : "own " + own.securityAssociations().size() + " SAs (" + spis(own) + ") and " + own.policies().size()
                    + " policies moved"));
            return new OperationResult(true, "MN " + AddressText.of(mn.careOfAddress()) + " activated at "
                    + AddressText.of(nar) + " with CoA " + AddressText.of(coa), d);
        }
    }

    private boolean recentlyUsed(long seq) {
        long now = System.nanoTime();
        long memory = io.cxt.cxtp.CxtpConstants.CT_RETRY_MAX.toNanos();
        recentSequences.values().removeIf(t -> now - t > memory);
        return recentSequences.putIfAbsent(seq, now) != null;
    }

    /** The source address this MN's routing uses towards {@code nar}. */
    private InetAddress sourceTowards(InetAddress nar) throws ControlException {
        try {
            InetAddress a = inNamespace(() -> {
                try (DatagramChannel ch = DatagramChannel.open(nar instanceof Inet6Address
                        ? StandardProtocolFamily.INET6 : StandardProtocolFamily.INET)) {
                    ch.connect(new InetSocketAddress(nar, 9));
                    return ((InetSocketAddress) ch.getLocalAddress()).getAddress();
                }
            });
            if (a.isAnyLocalAddress()) {
                throw new ControlException("no route to " + AddressText.of(nar) + "; give the new care-of address (coa)");
            }
            return a;
        } catch (IOException e) {
            throw new ControlException("no route to " + AddressText.of(nar) + " (" + e.getMessage()
                    + "); give the new care-of address (coa)", e);
        }
    }

    // ================================================================ views

    public AgentStatus status() {
        return new AgentStatus("mobile-node", settings.name(), ProcessHandle.current().pid(), VERSION, startedAt.toString(),
                Duration.between(startedAt, Instant.now()).toSeconds(), List.of(AddressText.of(identity.careOfAddress())),
                1, 0, 0, lastHandover);
    }

    /** The MN's own context as its kernel holds it now. */
    public List<ContextView> contexts() throws ControlException {
        MobileNodeIdentity mn = identity;
        MobileNodeContext own;
        try {
            own = snapshotter.snapshot(mn, mn.careOfAddress());
        } catch (IOException | ContextException e) {
            throw new ControlException("reading the MN's own SAs failed: " + e.getMessage(), e);
        }
        List<String> sas = new ArrayList<>();
        for (SecurityAssociation sa : own.securityAssociations()) {
            sas.add((sa.proto() == 50 ? "esp" : "proto " + sa.proto()) + " spi " + String.format("0x%08x", sa.spi()) + " "
                    + AddressText.of(sa.source()) + " -> " + AddressText.of(sa.destination()));
        }
        ContextView v = new ContextView(mn.homeAddress() == null ? AddressText.of(mn.careOfAddress())
                : AddressText.of(mn.homeAddress()), AddressText.of(mn.careOfAddress()), "ACTIVE", AddressText.of(router), "",
                sas, own.policies().size(), "", Duration.between(startedAt, Instant.now()).toMillis(), -1);
        own.discard();
        return List.of(v);
    }

    /** Latency histograms since start (CTAR to CTAA, whole activation) for {@code metrics}. */
    public List<io.cxt.agent.view.HistogramView> histograms() {
        return List.of(ctarToCtaa.snapshot(), activationLatency.snapshot());
    }

    public Map<String, Long> stats() {
        Map<String, Long> m = new TreeMap<>();
        counters.forEach((k, v) -> m.put(k, v.sum()));
        if (events instanceof EventLog log) {
            m.putAll(log.counters());
        }
        if (transport != null) {
            transport.counters().snapshot().forEach((k, v) -> m.put("mobile." + settings.transport().spelling() + "."
                    + k.name().toLowerCase(java.util.Locale.ROOT), v));
            transport.counters().perMessageType().forEach((k, v) -> m.put("mobile." + settings.transport().spelling() + "." + k, v));
        }
        return m;
    }

    public List<AgentEvent> events(long since) throws ControlException {
        if (events instanceof EventLog log) {
            return log.since(since);
        }
        throw new ControlException("this agent does not keep events");
    }

    @Override
    public Object handle(String command, Map<String, String> arguments) throws ControlException {
        Map<String, String> args = arguments == null ? Map.of() : arguments;
        return switch (command) {
            case "status" -> status();
            case "contexts" -> contexts();
            case "stats" -> stats();
            case "peers" -> List.of();
            case "events" -> events(ControlArguments.number(args.getOrDefault("since", "0")));
            case "activate" -> activate(ControlArguments.address(args, "nar"),
                    args.get("coa") == null || args.get("coa").isBlank() ? null : ControlArguments.address(args, "coa"));
            case "transfer", "cancel" -> throw new ControlException(command + " is an access-router command; this agent is a mobile node");
            default -> throw new ControlException("unknown command '" + command + "' for a mobile node");
        };
    }

    private static String spis(MobileNodeContext c) {
        List<String> out = new ArrayList<>();
        for (SecurityAssociation sa : c.securityAssociations()) {
            out.add(String.format("0x%08x", sa.spi()));
        }
        return out.isEmpty() ? "none" : "SPI " + String.join(" ", out);
    }

    private void emit(String kind, MobileNodeIdentity mn, String detail) {
        try {
            events.emit(kind, AddressText.of(mn.homeAddress() != null ? mn.homeAddress() : mn.careOfAddress()), detail);
        } catch (RuntimeException e) {
            LOG.debug("event sink failed: {}", e.toString());
        }
    }

    private void count(String name) {
        counters.computeIfAbsent(name, k -> new LongAdder()).increment();
    }

    @Override
    public void close() {
        if (transport != null) {
            transport.close();
        }
        if (journal != null) {
            journal.close();
        }
        LOG.info("{}: mobile node stopped", settings.name());
    }
}
