package io.cxt.agent.ha;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.file.Path;
import java.time.Clock;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import io.cxt.agent.EventSink;
import io.cxt.agent.config.CharonHaSection;
import io.cxt.agent.view.IkeSaView;
import io.cxt.context.IkeContextSlot;
import io.cxt.context.MobileNodeIdentity;
import io.cxt.context.SequenceNumberPolicy;
import io.cxt.ha.CharonVersions;
import io.cxt.ha.HaAttributeType;
import io.cxt.ha.HaDecodeException;
import io.cxt.ha.HaMessage;
import io.cxt.ha.HaSaBundle;
import io.cxt.ha.HaValue;
import io.cxt.ha.IkeResponseCopy;
import io.cxt.sys.NetNamespace;
import io.cxt.xfrm.AddressText;
import io.cxt.xfrm.SecurityAssociation;
import io.cxt.xfrm.XfrmClient;

/**
 * The IKE half of a handover when charon owns the IKE SA: the few points where the access-router roles call in.
 * <ul>
 * <li>pAR, snapshot: {@link #snapshot} gives the IKE slot for the MN's context (charon's HA state as a
 * {@link HaSaBundle}).</li>
 * <li>nAR, PCTD or CT-Req answered: {@link #held} gives charon the SA to hold PASSIVE, CHILD_SAs installed
 * (charon derives keys and installs them itself; this is the slow part, done before the CTAR).</li>
 * <li>nAR, CTAR: {@link #activate} only sends two datagrams to charon (the activation trigger).</li>
 * <li>pAR, CTDR: {@link #moved} makes charon forget the SA without sending anything to the MN.</li>
 * </ul>
 * At most one transferred SA is held passive per segment (activating a segment activates all its PASSIVE
 * SAs, see {@link CharonHaControl}); a second MN's SA held meanwhile waits and is given to charon at its CTAR.
 */
public final class HaHandover implements io.cxt.agent.ContextIkeHooks, AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(HaHandover.class);

    private final CharonHaControl control;
    private final EventSink events;
    /** This router's kernel (own socket), for the ESP counters of charon's SAs; null: counters left alone. */
    private final XfrmClient kernel;
    private final SequenceNumberPolicy sequence;
    /** Sets the counters once charon has installed the SAs, off the receive thread. */
    private final ScheduledExecutorService sequencer;
    /** Makes charon send its MOBIKE address list after an activation; null: not configured. */
    private volatile CharonRoamTrigger roamTrigger;
    /** nAR: transferred SAs by the MN's care-of address at the pAR (the context's key), injected or waiting. */
    private final Map<InetAddress, Held> held = new LinkedHashMap<>();
    /** nAR: inbound SPIs given to charon lately, so a transferred SA's SPI taken by another SA is refused. */
    private final CharonSpiCollisions collisions = new CharonSpiCollisions();
    /** pAR: keeps charon's last IKE response per SA for the context; null: not started ({@code response-tap}). */
    private volatile IkeResponseTap responseTap;
    /** nAR: sends the MN that response again at the activation. */
    private final IkeAnswerReplay answerReplay;

    private static final class Held {
        final HaIkeSaState transferred;
        final CharonHaControl.Rewrite rewrite;
        final List<CharonSequenceHandoff.Counters> counters;
        /** The pAR charon's last IKE response on the SA, or null. */
        final IkeResponseCopy response;
        HaIkeSaState injected;
        /** Completes when the pAR's ESP counters are set on charon's SAs here (or it gave up). */
        final CompletableFuture<Void> sequenced = new CompletableFuture<>();

        Held(HaIkeSaState transferred, CharonHaControl.Rewrite rewrite, List<CharonSequenceHandoff.Counters> counters,
                IkeResponseCopy response) {
            this.transferred = transferred;
            this.rewrite = rewrite;
            this.counters = counters;
            this.response = response;
        }
    }

    public HaHandover(CharonHaControl control, EventSink events) {
        this(control, events, null, SequenceNumberPolicy.DEFAULT);
    }

    /**
     * @param kernel this router's kernel, where charon installs the MN's CHILD_SAs; the handover sets their ESP
     *               counters from the pAR's ({@link CharonSequenceHandoff}); closed with this object
     */
    public HaHandover(CharonHaControl control, EventSink events, XfrmClient kernel, SequenceNumberPolicy sequence) {
        this(control, events, kernel, sequence, null);
    }

    /** @param namespace where the IKE response copy is sent from (this router's charon's), null: here */
    private HaHandover(CharonHaControl control, EventSink events, XfrmClient kernel, SequenceNumberPolicy sequence,
            NetNamespace namespace) {
        this.control = control;
        this.events = events;
        this.kernel = kernel;
        this.sequence = sequence;
        this.answerReplay = new IkeAnswerReplay(namespace, events);
        this.sequencer = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "cxt-charon-sequence");
            t.setDaemon(true);
            return t;
        });
    }

    /**
     * Starts the relay for a {@code [charon-ha]} table: refuses a charon whose HA protocol is not version 3
     * (strongSwan 6.0.1 and later), then binds {@code local:port} (in {@code namespace} when not null).
     */
    public static HaHandover start(CharonHaSection c, NetNamespace namespace, EventSink events,
            SequenceNumberPolicy sequence) throws IOException {
        checkCharonVersion(c.charonBinary());
        HaSaStore store = new HaSaStore(c.maxSas(), Clock.systemUTC());
        HaRelay relay = HaRelay.open(new HaRelay.Endpoints(new InetSocketAddress(c.local(), c.port()),
                new InetSocketAddress(c.charon(), c.port())), namespace, store, new HaRejections(c.logInterval()));
        XfrmClient kernel = null;
        HaHandover h = null;
        try {
            kernel = namespace == null ? XfrmClient.open() : XfrmClient.open(namespace);
            h = new HaHandover(new CharonHaControl(relay, c.segment()), events, kernel, sequence, namespace);
            if (c.responseTap()) {
                try {
                    h.responseTap = IkeResponseTap.start(namespace, store);
                } catch (IOException e) {
                    throw new IOException("[charon-ha] response-tap: cannot open the packet tap that keeps charon's last IKE"
                            + " response: " + e.getMessage() + " (cxagent needs CAP_NET_RAW; response-tap = false turns it off)", e);
                }
            }
            if (c.roamTriggerAddress() != null) {
                h.roamTrigger = CharonRoamTrigger.open(c.roamTriggerAddress(), namespace);
            }
            if (c.resyncOnStart()) {
                h.control.resync();
                LOG.info("charon HA: asked charon to resync segment {}: it sends its IKE SAs again and rekeys their"
                        + " CHILD_SAs (one exchange each; nothing when it has none)", c.segment());
            }
            return h;
        } catch (IOException | RuntimeException e) {
            if (h != null) {
                h.close(); // relay, kernel, tap, trigger and the sequencer thread
            } else {
                relay.close();
                if (kernel != null) {
                    kernel.close();
                }
            }
            throw e;
        }
    }

    /** Refuses to start with a charon that speaks another HA protocol version; the message names both. */
    public static void checkCharonVersion(Path charon) throws IOException {
        String out;
        try {
            Process p = new ProcessBuilder(charon.toString(), "--version").redirectErrorStream(true).start();
            if (!p.waitFor(10, TimeUnit.SECONDS)) {
                p.destroyForcibly();
                throw new IOException(charon + " --version did not answer within 10 s");
            }
            out = new String(p.getInputStream().readNBytes(4096), java.nio.charset.StandardCharsets.UTF_8).trim();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException("interrupted asking " + charon + " for its version");
        } catch (IOException e) {
            throw new IOException("[charon-ha] charon-binary " + charon + ": " + e.getMessage()
                    + " (cxagent asks charon for its version: only HA protocol 3, strongSwan 5.x, is spoken)");
        }
        int[] v = CharonVersions.parse(out).orElseThrow(() ->
                new IOException("[charon-ha] cannot tell the strongSwan version from '" + out + "' (" + charon + " --version)"));
        int proto = CharonVersions.haProtocol(v);
        if (proto != HaMessage.VERSION) {
            throw new IOException(String.format("[charon-ha] charon is strongSwan %d.%d.%d, whose HA plugin speaks protocol"
                    + " version %d; cxagent speaks version %d (strongSwan 5.x up to 6.0.0) only", v[0], v[1], v[2], proto,
                    HaMessage.VERSION));
        }
    }

    /** pAR: the IKE slot for this MN's context, or null when charon has no SA with it. */
    public IkeContextSlot snapshot(MobileNodeIdentity mn) {
        Optional<HaIkeSaState> s = control.relay().store().findByMobileNode(mn.careOfAddress(), mn.homeAddress());
        if (s.isEmpty()) {
            return null;
        }
        HaIkeSaState sa = s.get();
        byte[] b = HaSaBundle.encode(sa.replay(), control.relay().store()
                .lastResponse(sa.id().initiatorSpi(), sa.id().responderSpi()).orElse(null));
        try {
            return new IkeContextSlot(sa.id().initiatorSpi(), sa.id().responderSpi(), b);
        } finally {
            java.util.Arrays.fill(b, (byte) 0);
        }
    }

    /** The transferred SA in a slot, or empty when the slot is not an HA bundle (e.g. a cxt-ike-sa import). */
    public static Optional<HaIkeSaState> transferred(IkeContextSlot slot) throws HaDecodeException {
        if (slot == null) {
            return Optional.empty();
        }
        byte[] b = slot.encoded();
        try {
            if (!HaSaBundle.isBundle(b)) {
                return Optional.empty();
            }
            HaSaStore scratch = new HaSaStore(1, Clock.systemUTC());
            for (HaMessage m : HaSaBundle.decode(b)) {
                HaSaStore.Outcome o = scratch.apply(m);
                if (!o.applied()) {
                    throw new HaDecodeException(HaDecodeException.Reason.BAD_VALUE, "transferred HA state: " + o.detail());
                }
            }
            HaIkeSaState s = scratch.get(slot.spiInitiator(), slot.spiResponder()).orElseThrow(() ->
                    new HaDecodeException(HaDecodeException.Reason.BAD_VALUE, "transferred HA state lacks the slot's IKE SA"));
            if (!s.complete()) {
                throw new HaDecodeException(HaDecodeException.Reason.BAD_VALUE, "transferred HA state has no IKE_UPDATE");
            }
            return Optional.of(s);
        } finally {
            java.util.Arrays.fill(b, (byte) 0);
        }
    }

    @Override
    public boolean held(InetAddress previousCareOf, io.cxt.context.MobileNodeContext received, InetAddress thisRouter,
            InetAddress newCareOf) throws io.cxt.context.ContextException {
        return held(previousCareOf, received.ikeContext(), CharonSequenceHandoff.of(received), thisRouter, newCareOf);
    }

    @Override
    public void moved(io.cxt.context.MobileNodeContext sent) {
        moved(sent.mobileNode());
    }

    /**
     * nAR, on PCTD or CT-Req: charon holds the MN's SA passive with its CHILD_SAs installed, local address
     * {@code thisRouter}. Returns whether the slot was charon's (then charon owns the SA's kernel state).
     */
    public boolean held(InetAddress previousCareOf, IkeContextSlot slot, InetAddress thisRouter, InetAddress newCareOf)
            throws io.cxt.context.ContextException {
        return held(previousCareOf, slot, List.of(), thisRouter, newCareOf);
    }

    synchronized boolean held(InetAddress previousCareOf, IkeContextSlot slot, List<CharonSequenceHandoff.Counters> counters,
            InetAddress thisRouter, InetAddress newCareOf) throws io.cxt.context.ContextException {
        String mn = AddressText.of(previousCareOf);
        Optional<HaIkeSaState> t;
        IkeResponseCopy response;
        try {
            t = transferred(slot);
            response = t.isEmpty() ? null : HaSaBundle.decodeResponse(slot.encoded(), slot.spiInitiator(), slot.spiResponder())
                    .orElse(null);
        } catch (HaDecodeException e) {
            events.emit("ike-rejected", mn, "transferred charon HA state unreadable: " + e.getMessage());
            released(previousCareOf);
            return false;
        }
        if (t.isEmpty()) {
            // a newer context of this MN without charon's state replaces any copy held for it (the role leaves the
            // replacing to this side): kept, charon would activate the old SA at the CTAR beside cxt's install
            released(previousCareOf);
            return false;
        }
        refuseSpiCollision(t.get(), thisRouter, mn);
        Held h = new Held(t.get(), new CharonHaControl.Rewrite(thisRouter, newCareOf), ofChildren(counters, t.get()), response);
        if (response != null) {
            answerReplay.prepare(thisRouter, mn);
        }
        Held current = held.get(previousCareOf);
        if (current != null && current.injected != null && current.injected.id().equals(h.transferred.id())) {
            updateInPlace(current, h, previousCareOf, mn);
            return true;
        }
        Held old = held.put(previousCareOf, h);
        if (old != null && old.injected != null) {
            forgetQuietly(old.injected.id(), mn);
        }
        boolean otherWaiting = held.values().stream().anyMatch(x -> x != h && x.injected != null);
        if (otherWaiting) {
            events.emit("ike-ha-deferred", mn, "another MN's IKE SA is held passive in charon's segment: this one is given"
                    + " to charon at the CTAR");
            return true;
        }
        inject(h, mn);
        return true;
    }

    /**
     * The pAR sent the context again (its charon synced an exchange with the MN after the PCTD): charon's passive
     * copy is brought up to date without being deleted, so the CHILD_SAs it already installed, and their ESP
     * counters, stay; new CHILD_SAs get the counters when charon has installed them.
     */
    private void updateInPlace(Held current, Held h, InetAddress previousCareOf, String mn) {
        current.sequenced.complete(null); // stops its counter polling: h continues with the newer counters
        held.put(previousCareOf, h);
        try {
            collisions.given(h.transferred.id().initiatorSpi(), h.transferred.id().responderSpi(), inboundSpis(h.transferred),
                    System.nanoTime());
            h.injected = control.updatePassive(current.injected, h.transferred, h.rewrite);
            events.emit("ike-ha-updated", mn, "charon's passive IKE SA " + h.injected.id() + " brought up to the pAR's newer"
                    + " state: next message IDs " + h.injected.midInitiator() + "/" + h.injected.midResponder() + ", "
                    + h.injected.children().size() + " CHILD_SA(s)");
        } catch (IOException e) {
            held.remove(previousCareOf);
            forgetQuietly(current.injected.id(), mn);
            events.emit("ike-rejected", mn, "could not bring charon's passive IKE SA up to date: " + e.getMessage());
            h.sequenced.complete(null);
            return;
        }
        startSequencing(h, mn);
    }

    /** Refuses the hold when a transferred CHILD_SA's inbound SPI is taken here ({@link CharonSpiCollisions}). */
    private void refuseSpiCollision(HaIkeSaState s, InetAddress local, String mn) throws io.cxt.context.ContextException {
        if (kernel == null) {
            return;
        }
        List<Integer> inbound = inboundSpis(s);
        SecurityAssociation taken;
        try {
            taken = collisions.collision(s.id().initiatorSpi(), s.id().responderSpi(), inbound, local,
                    kernel.states().dump(null, io.cxt.xfrm.XfrmId.PROTO_ESP), System.nanoTime());
        } catch (IOException e) {
            throw new io.cxt.context.ContextException("cannot check the inbound SPIs against this router's SAs: " + e.getMessage(), e);
        }
        if (taken != null) {
            String text = String.format("SPI collision: inbound SPI 0x%08x of the MN's CHILD_SA is in use here by the SA %s -> %s;"
                    + " charon cannot hold it and a stock MN cannot take another SPI: not given to charon (the MN negotiates"
                    + " anew; give each router its own charon.spi_min/spi_max range, docs/strongswan.md)",
                    taken.info().id().spi(), AddressText.of(taken.info().saddr()), AddressText.of(taken.info().id().daddr()));
            events.emit("ike-rejected", mn, text);
            throw new io.cxt.context.ContextException(text);
        }
    }

    /**
     * The counters of the SAs charon will hold for {@code s}: the pAR's kernel may still have a CHILD_SA its charon
     * has deleted (rekeyed: the old inbound SA lingers), which the nAR's charon never installs; waiting for it would
     * leave every counter unset.
     */
    private List<CharonSequenceHandoff.Counters> ofChildren(List<CharonSequenceHandoff.Counters> counters, HaIkeSaState s) {
        java.util.Set<Integer> spis = new java.util.HashSet<>();
        for (int[] p : control.kernelSpis(s)) {
            spis.add(p[0]);
            spis.add(p[1]);
        }
        List<CharonSequenceHandoff.Counters> out = new ArrayList<>();
        for (CharonSequenceHandoff.Counters c : counters) {
            if (spis.contains(c.spi())) {
                out.add(c);
            }
        }
        return out;
    }

    private List<Integer> inboundSpis(HaIkeSaState s) {
        List<Integer> in = new ArrayList<>();
        for (int[] p : control.kernelSpis(s)) {
            in.add(p[0]);
        }
        return in;
    }

    private void inject(Held h, String mn) {
        try {
            collisions.given(h.transferred.id().initiatorSpi(), h.transferred.id().responderSpi(), inboundSpis(h.transferred),
                    System.nanoTime());
            h.injected = control.injectPassive(h.transferred, h.rewrite);
            events.emit("ike-ha-held", mn, "charon holds IKE SA " + h.injected.id() + " passive with "
                    + h.injected.children().size() + " CHILD_SA(s)");
        } catch (IOException e) {
            events.emit("ike-rejected", mn, "could not give charon the IKE SA: " + e.getMessage());
            h.sequenced.complete(null);
            return;
        }
        startSequencing(h, mn);
    }

    /** Sets the pAR's ESP counters on charon's SAs of {@code h} off this thread, or marks it done when there are none. */
    private void startSequencing(Held h, String mn) {
        if (kernel == null || h.counters.isEmpty()) {
            h.sequenced.complete(null);
            return;
        }
        long start = System.nanoTime();
        sequencer.execute(() -> continueSequences(h, mn, start, 1));
    }

    /** Polls (1, 2, 4 ... ms, up to {@link #SEQUENCE_WAIT}) until charon's SAs are in the kernel, then sets them. */
    private void continueSequences(Held h, String mn, long start, long delayMs) {
        if (h.sequenced.isDone()) {
            return;
        }
        try {
            List<CharonSequenceHandoff.Continued> done = CharonSequenceHandoff.apply(kernel, h.counters, h.rewrite.newLocal(), sequence);
            if (done != null) {
                StringBuilder b = new StringBuilder("ESP counters continued on charon's SAs: ");
                for (int i = 0; i < done.size(); i++) {
                    b.append(i == 0 ? "" : "; ").append(done.get(i).text());
                }
                events.emit("ike-ha-sequence", mn, b.toString());
                h.sequenced.complete(null);
                return;
            }
            if (System.nanoTime() - start > SEQUENCE_WAIT.toNanos()) {
                events.emit("ike-rejected", mn, "charon did not install the MN's CHILD_SAs within " + SEQUENCE_WAIT.toMillis()
                        + " ms: their ESP sequence numbers start at zero (the MN may drop what this router sends)");
                h.sequenced.complete(null);
                return;
            }
            sequencer.schedule(() -> continueSequences(h, mn, start, Math.min(delayMs * 2, 64)), delayMs, TimeUnit.MILLISECONDS);
        } catch (IOException | RuntimeException e) {
            events.emit("ike-rejected", mn, "could not continue the ESP sequence numbers on charon's SAs: " + e.getMessage());
            h.sequenced.complete(null);
        }
    }

    private void pulse(CharonRoamTrigger trigger, InetAddress towards, String mn) {
        try {
            int index = trigger.pulse(towards);
            events.emit("ike-ha-roam", mn, "address event (" + AddressText.of(trigger.address()) + " added, announced and removed on"
                    + " interface " + index + ", towards " + AddressText.of(towards) + "): charon sends the MN its address"
                    + " list from here");
        } catch (IOException | RuntimeException e) {
            events.emit("ike-rejected", mn, "could not make charon send the MN its address (roam-trigger-address "
                    + AddressText.of(trigger.address()) + "): " + e.getMessage());
        }
    }

    /**
     * Between the activation datagrams and the address event: charon's HA dispatcher handles the SEGMENT_DROP first
     * (PASSIVE->ESTABLISHED), and a roam skips PASSIVE SAs (ike_sa.c roam()). charon's roam job runs ROAM_DELAY
     * (100 ms) after the first roam event of a window (kernel_netlink_net.c fire_roam_event coalesces the events of
     * ROAM_DELAY into one job, ORing their address flags); the address event makes no other event (no prefix route),
     * so normally the SA has 120 ms, at the least (a window opened by an unrelated event just before) 20 ms.
     * One address event is enough: {@link io.cxt.link.TransientAddress} deletes the address only after the kernel
     * has announced it, so charon always sees RTM_NEWADDR and roams with address=TRUE (docs/strongswan.md); its
     * deletion is an address change too (one roam with the appearance, or a second one with the list again).
     */
    static final Duration ROAM_TRIGGER_DELAY = Duration.ofMillis(20);

    /** How long charon may take to install a held SA's CHILD_SAs. */
    static final Duration SEQUENCE_WAIT = Duration.ofSeconds(3);
    /** How long an activation waits for counters still being set (reactive: the context came just before). */
    static final Duration SEQUENCE_WAIT_AT_ACTIVATION = Duration.ofMillis(500);

    /**
     * nAR, at the CTAR: charon makes the SA ESTABLISHED. Two datagrams (plus the injection if it had to wait).
     *
     * @return whether this MN had a transferred charon SA
     */
    public synchronized boolean activate(InetAddress previousCareOf) {
        Held h = held.remove(previousCareOf);
        if (h == null) {
            return false;
        }
        String mn = AddressText.of(previousCareOf);
        if (h.injected == null) {
            inject(h, mn);
        }
        // charon's outbound SA must not send from sequence number 1 once active
        try {
            h.sequenced.get(SEQUENCE_WAIT_AT_ACTIVATION.toMillis(), TimeUnit.MILLISECONDS);
        } catch (java.util.concurrent.TimeoutException e) {
            events.emit("ike-rejected", mn, "ESP sequence numbers on charon's SAs not yet continued at activation");
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (java.util.concurrent.ExecutionException e) {
            // completed normally only
        }
        try {
            control.activate();
            events.emit("ike-ha-activated", mn, "charon's IKE SA " + h.transferred.id() + " is active here");
            InetAddress towards = h.rewrite.newRemote() != null ? h.rewrite.newRemote()
                    : h.transferred.peerAddress().orElse(previousCareOf);
            if (h.response != null) {
                sequencer.execute(() -> answerReplay.replay(h.response, h.transferred.midResponder(), h.rewrite.newLocal(), towards, mn));
            }
            CharonRoamTrigger trigger = roamTrigger;
            if (trigger != null) {
                // after charon has handled the two datagrams (a roam skips PASSIVE SAs); off the caller's thread
                sequencer.schedule(() -> pulse(trigger, towards, mn), ROAM_TRIGGER_DELAY.toMillis(), TimeUnit.MILLISECONDS);
            }
        } catch (IOException e) {
            events.emit("ike-rejected", mn, "could not activate charon's IKE SA: " + e.getMessage());
        }
        // a waiting MN can now be given to charon
        for (Map.Entry<InetAddress, Held> e : held.entrySet()) {
            if (e.getValue().injected == null) {
                inject(e.getValue(), AddressText.of(e.getKey()));
                break;
            }
        }
        return true;
    }

    /** nAR: a held context expired or was cancelled: charon forgets the passive SA. */
    @Override
    public synchronized void released(InetAddress previousCareOf) {
        Held h = held.remove(previousCareOf);
        if (h != null && h.injected != null) {
            forgetQuietly(h.injected.id(), AddressText.of(previousCareOf));
        }
    }

    /** pAR: every HA message charon syncs for an IKE SA (an exchange, a CHILD_SA added or deleted) is a change. */
    @Override
    public void onIkeSaChanged(IkeSaChanged listener) {
        control.relay().setObserver(m -> m.ikeSaId().ifPresent(id -> listener.changed(id.initiatorSpi(), id.responderSpi())));
        IkeResponseTap tap = responseTap;
        if (tap != null) {
            tap.onChanged(listener::changed); // a new response is part of the IKE slot too
        }
    }

    /** pAR, after the CTDR: charon forgets the MN's SA without sending anything to the MN. */
    public void moved(MobileNodeIdentity mn) {
        control.relay().store().findByMobileNode(mn.careOfAddress(), mn.homeAddress())
                .ifPresent(s -> forgetQuietly(s.id(), AddressText.of(mn.careOfAddress())));
    }

    private void forgetQuietly(HaValue.IkeSaId id, String mn) {
        try {
            control.forget(id);
            events.emit("ike-ha-forgotten", mn, "charon forgot IKE SA " + id + " (nothing sent to the MN)");
        } catch (IOException e) {
            events.emit("ike-rejected", mn, "could not make charon forget IKE SA " + id + ": " + e.getMessage());
        }
    }

    /** Rows for {@code cxctl ike list}. */
    public List<IkeSaView> views() {
        List<IkeSaView> out = new ArrayList<>();
        for (HaIkeSaState s : control.relay().store().list()) {
            out.add(view(s, control));
        }
        return out;
    }

    static IkeSaView view(HaIkeSaState s, CharonHaControl c) {
        HaMessage a = s.add();
        String algs = "encr " + a.number(HaAttributeType.ALG_ENCR).orElse(0L) + "/" + a.number(HaAttributeType.ALG_ENCR_LEN).orElse(0L)
                + " integ " + a.number(HaAttributeType.ALG_INTEG).orElse(0L) + " prf " + a.number(HaAttributeType.ALG_PRF).orElse(0L)
                + " dh " + a.number(HaAttributeType.ALG_DH).orElse(0L);
        List<String> children = new ArrayList<>();
        for (int[] spi : c.kernelSpis(s)) {
            children.add(String.format("ESP in 0x%08x out 0x%08x", spi[0], spi[1]));
        }
        return new IkeSaView(String.format("%016x", s.id().initiatorSpi()), String.format("%016x", s.id().responderSpi()),
                s.id().localIsInitiator() ? "initiator" : "responder", algs, s.remoteIdentity().orElse("?"),
                "next out " + s.midInitiator() + " in " + s.midResponder(), children,
                s.peerAddress().map(AddressText::of).orElse("?") + " (charon)");
    }

    /** Counters for {@code cxctl agent stats}: datagrams and refusals by kind. */
    public Map<String, Long> counters() {
        Map<String, Long> m = new LinkedHashMap<>();
        m.put("charon-ha.received", control.relay().received());
        m.put("charon-ha.sent", control.relay().sent());
        m.put("charon-ha.sas", (long) control.relay().store().size());
        IkeResponseTap tap = responseTap;
        if (tap != null) {
            m.put("charon-ha.responses-seen", tap.seen());
            m.put("charon-ha.responses-kept", tap.kept());
            m.put("charon-ha.response-octets", control.relay().store().responseOctets());
        }
        m.put("charon-ha.answers-sent-again", answerReplay.sent());
        control.relay().rejections().snapshot().forEach((k, v) -> m.put("charon-ha.refused." + k, v));
        return m;
    }

    public CharonHaControl control() {
        return control;
    }

    @Override
    public void close() {
        sequencer.shutdownNow();
        control.relay().close();
        if (responseTap != null) {
            responseTap.close();
        }
        answerReplay.close();
        if (roamTrigger != null) {
            roamTrigger.close();
        }
        if (kernel != null) {
            kernel.close();
        }
    }
}
