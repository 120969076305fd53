package io.cxt.agent.ha;

import java.net.InetAddress;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

import io.cxt.agent.ha.HaRejections.Kind;
import io.cxt.ha.HaAttributeType;
import io.cxt.ha.HaMessage;
import io.cxt.ha.HaMessageType;
import io.cxt.ha.HaValue;
import io.cxt.ha.IkeResponseCopy;

/**
 * The local charon's IKE SAs as its HA sync describes them, keyed by SPI pair, found by the MN's address.
 * {@link #apply} takes one decoded message and either changes the store or refuses it (unknown SA,
 * out of order, unsupported, full) without changing anything. Thread-safe (one lock; messages arrive on
 * one thread, lookups come from the roles).
 */
public final class HaSaStore {
    /** A CHILD_SA count above which an SA's CHILD_ADDs are refused (charon creates a few per IKE SA). */
    public static final int MAX_CHILDREN = 64;
    /** Partial IKE_UPDATEs (virtual IPs) kept per SA. */
    static final int MAX_LATER_UPDATES = 4;

    /** The result of applying a message: null kind = applied. */
    public record Outcome(Kind refused, String detail) {
        static final Outcome APPLIED = new Outcome(null, "");

        public boolean applied() {
            return refused == null;
        }
    }

    /** Segment state as charon last announced it (SEGMENT_TAKE / SEGMENT_DROP / STATUS). */
    public record Segments(long activeMask, Instant at) {
    }

    private final Map<Key, HaIkeSaState> sas = new LinkedHashMap<>();
    /** charon's last IKE response per SA (IkeResponseTap), for SAs in {@link #sas} only: bounded with them. */
    private final Map<Key, IkeResponseCopy> responses = new java.util.HashMap<>();
    /** Octets of all kept responses, at most {@link #MAX_RESPONSE_OCTETS}. */
    private long responseOctets;
    private final long maxResponseOctets;
    /**
     * The most octets of responses kept over all SAs. Typical responses (a DPD answer, a CHILD_SA rekey) are 80-600
     * octets, so this is far above need; it stops max-sas SAs times {@link IkeResponseCopy#MAX_OCTETS} (1 GiB).
     */
    static final long MAX_RESPONSE_OCTETS = 16L << 20;
    private final int maxSas;
    private final Clock clock;
    private Segments segments = new Segments(0, null);

    public HaSaStore(int maxSas, Clock clock) {
        this(maxSas, clock, MAX_RESPONSE_OCTETS);
    }

    HaSaStore(int maxSas, Clock clock, long maxResponseOctets) {
        this.maxSas = maxSas;
        this.clock = clock;
        this.maxResponseOctets = maxResponseOctets;
    }

    /** SPIs only: charon's ike_sa_id equality ignores nothing else that could differ for one SA. */
    record Key(long spiI, long spiR) {
        static Key of(HaValue.IkeSaId id) {
            return new Key(id.initiatorSpi(), id.responderSpi());
        }
    }

    public synchronized Outcome apply(HaMessage m) {
        Instant now = clock.instant();
        switch (m.type()) {
            case SEGMENT_TAKE, SEGMENT_DROP, STATUS -> {
                // TAKE/DROP change the named segments; STATUS lists all active ones
                long mask = m.type() == HaMessageType.STATUS ? 0 : segments.activeMask();
                for (HaValue v : m.all(HaAttributeType.SEGMENT)) {
                    long bit = 1L << Math.min(63, ((HaValue.Number) v).value());
                    mask = m.type() == HaMessageType.SEGMENT_DROP ? mask & ~bit : mask | bit;
                }
                segments = new Segments(mask, now);
                return Outcome.APPLIED;
            }
            case RESYNC, IKE_IV -> {
                return new Outcome(Kind.UNSUPPORTED, m.type() + " (IKEv1 / resync are not relayed)");
            }
            default -> {
            }
        }
        Optional<HaValue.IkeSaId> oid = m.ikeSaId();
        if (oid.isEmpty()) {
            return new Outcome(Kind.UNSUPPORTED, m.type() + " without IKE_ID");
        }
        HaValue.IkeSaId id = oid.get();
        Key key = Key.of(id);
        HaIkeSaState s = sas.get(key);
        switch (m.type()) {
            case IKE_ADD -> {
                if (m.number(HaAttributeType.IKE_VERSION).orElse(2L) != 2) {
                    return new Outcome(Kind.UNSUPPORTED, "IKEv1 SA " + id);
                }
                if (s == null && sas.size() >= maxSas) {
                    return new Outcome(Kind.FULL, "max-sas " + maxSas + " reached, IKE SA " + id + " not recorded");
                }
                sas.put(key, new HaIkeSaState(id, m, null, List.of(), 0, 0, List.of(), now, now));
                return Outcome.APPLIED;
            }
            default -> {
            }
        }
        if (s == null) {
            return new Outcome(Kind.UNKNOWN_SA, m.type() + " for unknown IKE SA " + id);
        }
        switch (m.type()) {
            case IKE_UPDATE -> {
                if (m.first(HaAttributeType.CONFIG_NAME).isPresent()) {
                    s = new HaIkeSaState(s.id(), s.add(), m, List.of(), s.midInitiator(), s.midResponder(), s.children(), s.since(), now);
                } else if (s.update() == null) {
                    return new Outcome(Kind.OUT_OF_ORDER, "partial IKE_UPDATE before the full one for " + id);
                } else {
                    List<HaMessage> later = new ArrayList<>(s.laterUpdates());
                    later.add(m);
                    while (later.size() > MAX_LATER_UPDATES) {
                        later.remove(0);
                    }
                    s = new HaIkeSaState(s.id(), s.add(), s.update(), later, s.midInitiator(), s.midResponder(), s.children(), s.since(), now);
                }
            }
            case IKE_MID_INITIATOR, IKE_MID_RESPONDER -> {
                long mid = m.number(HaAttributeType.MID).orElse(0L);
                boolean init = m.type() == HaMessageType.IKE_MID_INITIATOR;
                long cur = init ? s.midInitiator() : s.midResponder();
                if (mid < cur) {
                    return new Outcome(Kind.OUT_OF_ORDER, m.type() + " " + mid + " below " + cur + " for " + id);
                }
                s = new HaIkeSaState(s.id(), s.add(), s.update(), s.laterUpdates(), init ? mid : s.midInitiator(),
                        init ? s.midResponder() : mid, s.children(), s.since(), now);
            }
            case IKE_DELETE -> {
                sas.remove(key);
                forgetResponse(key);
                return Outcome.APPLIED;
            }
            case CHILD_ADD -> {
                if (s.update() == null) {
                    return new Outcome(Kind.OUT_OF_ORDER, "CHILD_ADD before IKE_UPDATE for " + id);
                }
                Optional<Long> in = m.number(HaAttributeType.INBOUND_SPI);
                if (in.isEmpty()) {
                    return new Outcome(Kind.UNSUPPORTED, "CHILD_ADD without INBOUND_SPI for " + id);
                }
                List<HaMessage> children = new ArrayList<>();
                for (HaMessage c : s.children()) {
                    if (!c.number(HaAttributeType.INBOUND_SPI).equals(in)) {
                        children.add(c);
                    }
                }
                if (children.size() >= MAX_CHILDREN) {
                    return new Outcome(Kind.FULL, MAX_CHILDREN + " CHILD_SAs for " + id);
                }
                children.add(m);
                s = new HaIkeSaState(s.id(), s.add(), s.update(), s.laterUpdates(), s.midInitiator(), s.midResponder(), children, s.since(), now);
            }
            case CHILD_DELETE -> {
                Optional<Long> in = m.number(HaAttributeType.INBOUND_SPI);
                if (in.isEmpty()) {
                    return new Outcome(Kind.UNSUPPORTED, "CHILD_DELETE without INBOUND_SPI for " + id);
                }
                List<HaMessage> children = new ArrayList<>(s.children());
                if (!children.removeIf(c -> c.number(HaAttributeType.INBOUND_SPI).equals(in))) {
                    // a CHILD_SA of a known IKE SA made before this relay started (charon deletes them after the
                    // rekeys of a resync, HaHandover.start): already not here, nothing to change or refuse
                    return Outcome.APPLIED;
                }
                s = new HaIkeSaState(s.id(), s.add(), s.update(), s.laterUpdates(), s.midInitiator(), s.midResponder(), children, s.since(), now);
            }
            default -> throw new AssertionError(m.type());
        }
        sas.put(key, s);
        return Outcome.APPLIED;
    }

    /** The IKE SA whose peer is this address (IKE address, MOBIKE peer address, virtual IP or remote selector). */
    public synchronized Optional<HaIkeSaState> findByMobileNode(InetAddress... addresses) {
        for (InetAddress a : addresses) {
            if (a == null) {
                continue;
            }
            for (HaIkeSaState s : sas.values()) {
                if (s.complete() && s.peerAddress().map(a::equals).orElse(false)) {
                    return Optional.of(s);
                }
            }
            for (HaIkeSaState s : sas.values()) {
                if (s.complete() && s.belongsTo(a)) {
                    return Optional.of(s);
                }
            }
        }
        return Optional.empty();
    }

    public synchronized Optional<HaIkeSaState> get(long spiI, long spiR) {
        return Optional.ofNullable(sas.get(new Key(spiI, spiR)));
    }

    /** Removes an SA (after cxt told charon to forget it: charon does not echo injected deletes). */
    public synchronized boolean remove(long spiI, long spiR) {
        forgetResponse(new Key(spiI, spiR));
        return sas.remove(new Key(spiI, spiR)) != null;
    }

    /**
     * Takes one IKE response datagram charon sent (a packet tap saw it leave): kept as the SA's last response when
     * the SA is known here and the packet came from the SA's local address (a tap also sees what this router
     * forwards: someone else's packet with a known SA's SPIs is not charon's), else ignored. Returns whether it
     * changed what is kept.
     */
    public synchronized boolean recordResponse(IkeResponseCopy.Captured c) {
        Key key = new Key(c.spiInitiator(), c.spiResponder());
        HaIkeSaState sa = sas.get(key);
        if (sa == null || !sa.localAddress().map(c.source()::equals).orElse(false)) {
            return false;
        }
        IkeResponseCopy old = responses.get(key);
        IkeResponseCopy now = old == null ? IkeResponseCopy.of(c) : old.with(c);
        if (now == old) {
            return false;
        }
        forgetResponse(key);
        if (responseOctets + now.octets() > maxResponseOctets) {
            return old != null; // not kept (the older copy went too: it no longer answers the last request)
        }
        responses.put(key, now);
        responseOctets += now.octets();
        return true;
    }

    private void forgetResponse(Key key) {
        IkeResponseCopy r = responses.remove(key);
        if (r != null) {
            responseOctets -= r.octets();
        }
    }

    /** Octets of the responses kept (for tests and counters). */
    public synchronized long responseOctets() {
        return responseOctets;
    }

    /** charon's last IKE response on the SA, when a packet tap saw one. */
    public synchronized Optional<IkeResponseCopy> lastResponse(long spiI, long spiR) {
        return Optional.ofNullable(responses.get(new Key(spiI, spiR)));
    }

    public synchronized List<HaIkeSaState> list() {
        return List.copyOf(sas.values());
    }

    public synchronized int size() {
        return sas.size();
    }

    public synchronized Segments segments() {
        return segments;
    }
}
