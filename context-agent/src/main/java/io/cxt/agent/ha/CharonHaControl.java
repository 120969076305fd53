package io.cxt.agent.ha;

import java.io.IOException;
import java.net.InetAddress;
import java.nio.ByteOrder;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import io.cxt.ha.HaAttribute;
import io.cxt.ha.HaAttributeType;
import io.cxt.ha.HaMessage;
import io.cxt.ha.HaMessageCodec;
import io.cxt.ha.HaMessageType;
import io.cxt.ha.HaValue;

/**
 * What cxagent makes the local charon do, all through charon's own HA input (src/libcharon/plugins/ha,
 * strongSwan 5.9.8): hold a transferred IKE SA passive with its CHILD_SAs installed ({@link #injectPassive}),
 * make it active ({@link #activate}), forget it without a word to the peer ({@link #forget}: HA IKE_DELETE is
 * {@code checkin_and_destroy}, which sends nothing), and set its message IDs ({@link #messageIds}).
 *
 * <p>Segments: charon activates per segment, a hash of the peer's address, and the hash of every non-IPv4 peer
 * is the same (ha_kernel.c host2int returns 0), so all IPv6 SAs share one segment; activation only changes SAs
 * in the opposite state (PASSIVE -> ESTABLISHED) at the moment the segment goes from inactive to active.
 * {@link #activate} therefore re-takes the segment when it is active: SEGMENT_TAKE (charon deactivates it:
 * its ESTABLISHED SAs turn PASSIVE) immediately followed by SEGMENT_DROP (charon activates it: every PASSIVE
 * SA of the segment turns ESTABLISHED). The other SAs are PASSIVE for the time between the two datagrams
 * (charon handles them one after the other on one thread), and going back to ESTABLISHED keeps their
 * scheduled rekeys. Any other injected SA still held passive would be activated too, so
 * {@link HaHandover} keeps at most one held SA injected per segment.
 */
public final class CharonHaControl {
    private static final Logger LOG = LoggerFactory.getLogger(CharonHaControl.class);

    private final HaRelay relay;
    private final int segment;
    private final ByteOrder charonOrder;

    public CharonHaControl(HaRelay relay, int segment) {
        this.relay = relay;
        this.segment = segment;
        this.charonOrder = ByteOrder.nativeOrder();
    }

    /** How a transferred SA is changed for this router. */
    public record Rewrite(InetAddress newLocal, InetAddress newRemote) {
    }

    /**
     * The SA as this router's charon must hold it: local address (and dynamic local selectors) rewritten to
     * {@code newLocal}, the peer's address to {@code newRemote} when given. Pure.
     */
    public static HaIkeSaState rewrite(HaIkeSaState s, Rewrite r) {
        HaMessage add = s.add();
        HaMessage update = s.update();
        List<HaMessage> children = new ArrayList<>();
        if (update != null) {
            update = update.map(HaAttributeType.LOCAL_ADDR, v -> ((HaValue.Host) v).withAddress(r.newLocal()));
        }
        InetAddress oldLocal = s.localAddress().orElse(null);
        for (HaMessage c : s.children()) {
            children.add(c.map(HaAttributeType.LOCAL_TS, v -> {
                HaValue.TrafficSelector ts = (HaValue.TrafficSelector) v;
                boolean ownAddress = ts.dynamic() || oldLocal != null && ts.from().equals(oldLocal) && ts.to().equals(oldLocal);
                return ownAddress && sameFamily(ts.from(), r.newLocal()) ? ts.withRange(r.newLocal(), r.newLocal()) : ts;
            }));
        }
        if (r.newRemote() != null) {
            add = add.map(HaAttributeType.REMOTE_ADDR, v -> ((HaValue.Host) v).withAddress(r.newRemote()));
            if (update != null) {
                update = update.map(HaAttributeType.REMOTE_ADDR, v -> ((HaValue.Host) v).withAddress(r.newRemote()));
            }
        }
        return new HaIkeSaState(s.id(), add, update, s.laterUpdates(), s.midInitiator(), s.midResponder(), children,
                s.since(), Instant.now());
    }

    private static boolean sameFamily(InetAddress a, InetAddress b) {
        return a.getAddress().length == b.getAddress().length;
    }

    /**
     * Gives charon the SA (IKE_ADD, message IDs, IKE_UPDATE, CHILD_ADDs). charon derives the keys from the DH
     * secret and nonces, installs the CHILD_SAs in its kernel and holds the IKE SA PASSIVE. The relay's store
     * is seeded with it, so later syncs of this SA from this charon (rekeys, message IDs) are recognised.
     *
     * @return the SA as injected
     */
    public HaIkeSaState injectPassive(HaIkeSaState transferred, Rewrite r) throws IOException {
        if (!transferred.complete()) {
            throw new IOException("IKE SA " + transferred.id() + " is incomplete (no IKE_UPDATE seen)");
        }
        HaIkeSaState s = rewrite(transferred, r);
        for (HaMessage m : s.replay()) {
            relay.send(m);
            relay.store().apply(m);
        }
        LOG.info("charon HA: gave charon IKE SA {} of {} ({} CHILD_SA(s)) to hold passive at {}", s.id(),
                s.peerAddress().map(InetAddress::getHostAddress).orElse("?"), s.children().size(), r.newLocal().getHostAddress());
        return s;
    }

    /**
     * Brings an SA charon already holds passive up to a newer transferred state of the same IKE SA (the pAR sent
     * the context again after an exchange with the MN), in place: the message IDs, a changed IKE_UPDATE, the
     * CHILD_ADDs of CHILD_SAs charon does not hold yet and CHILD_DELETEs for those gone. CHILD_SAs in both stay
     * installed (no kernel churn: their ESP counters stay set). Returns the SA as charon now holds it.
     */
    public HaIkeSaState updatePassive(HaIkeSaState injected, HaIkeSaState transferred, Rewrite r) throws IOException {
        if (!injected.id().equals(transferred.id())) {
            throw new IllegalArgumentException("not the same IKE SA: " + injected.id() + " and " + transferred.id());
        }
        HaIkeSaState s = rewrite(transferred, r);
        List<HaMessage> out = new ArrayList<>();
        for (HaMessage m : s.replay()) {
            if (m.type() == HaMessageType.IKE_MID_INITIATOR && s.midInitiator() > injected.midInitiator()
                    || m.type() == HaMessageType.IKE_MID_RESPONDER && s.midResponder() > injected.midResponder()) {
                out.add(m);
            }
        }
        if (s.update() != null && (injected.update() == null
                || !java.util.Arrays.equals(HaMessageCodec.encode(s.update()), HaMessageCodec.encode(injected.update())))) {
            out.add(s.update());
        }
        for (HaMessage m : s.laterUpdates().subList(Math.min(injected.laterUpdates().size(), s.laterUpdates().size()),
                s.laterUpdates().size())) {
            out.add(m);
        }
        for (HaMessage c : injected.children()) {
            if (child(s, c) == null) {
                out.add(HaMessage.of(HaMessageType.CHILD_DELETE, new HaAttribute(HaAttributeType.IKE_ID, s.id()),
                        HaAttribute.number(HaAttributeType.INBOUND_SPI, c.number(HaAttributeType.INBOUND_SPI).orElse(0L))));
            }
        }
        for (HaMessage c : s.children()) {
            if (child(injected, c) == null) {
                out.add(c);
            }
        }
        for (HaMessage m : out) {
            relay.send(m);
            relay.store().apply(m);
        }
        LOG.info("charon HA: brought passive IKE SA {} up to date ({} message(s): next MIDs {}/{}, {} CHILD_SA(s))", s.id(),
                out.size(), s.midInitiator(), s.midResponder(), s.children().size());
        return s;
    }

    /** The CHILD_ADD in {@code s} with the inbound SPI of {@code c}, or null. */
    private static HaMessage child(HaIkeSaState s, HaMessage c) {
        java.util.Optional<Long> in = c.number(HaAttributeType.INBOUND_SPI);
        for (HaMessage x : s.children()) {
            if (x.number(HaAttributeType.INBOUND_SPI).equals(in)) {
                return x;
            }
        }
        return null;
    }

    /**
     * Makes charon's PASSIVE SAs of the segment ESTABLISHED: SEGMENT_TAKE then SEGMENT_DROP (see the class
     * comment). The TAKE changes nothing when the segment is inactive, so both are always sent: the relay
     * cannot know whether charon's segment was activated (FIFO +N) before it started listening.
     */
    public void activate() throws IOException {
        HaAttribute seg = HaAttribute.number(HaAttributeType.SEGMENT, segment);
        relay.send(HaMessage.of(HaMessageType.SEGMENT_TAKE, seg));
        relay.send(HaMessage.of(HaMessageType.SEGMENT_DROP, seg));
        // charon does not answer a peer's SEGMENT_DROP; record what it did
        relay.store().apply(HaMessage.of(HaMessageType.SEGMENT_TAKE, seg));
    }

    /**
     * Asks charon for every IKE SA of the segment (HA RESYNC; charon's ha_cache.c resync): it sends their IKE_ADD,
     * IKE_UPDATEs and message IDs again and rekeys each of their CHILD_SAs, whose CHILD_ADDs then reach the relay. For a
     * relay that started after charon had SAs: without it those SAs are unknown here and cannot be transferred.
     */
    public void resync() throws IOException {
        relay.send(HaMessage.of(HaMessageType.RESYNC, HaAttribute.number(HaAttributeType.SEGMENT, segment)));
    }

    /** charon forgets the IKE SA and its CHILD_SAs (kernel state included) without sending anything to the peer. */
    public void forget(HaValue.IkeSaId id) throws IOException {
        relay.send(HaMessage.of(HaMessageType.IKE_DELETE, new HaAttribute(HaAttributeType.IKE_ID, id)));
        relay.store().remove(id.initiatorSpi(), id.responderSpi());
    }

    /** Sets charon's next message IDs for the SA (0 = leave that one alone; charon ignores a 0 MID too). */
    public void messageIds(HaValue.IkeSaId id, long nextInitiator, long nextResponder) throws IOException {
        if (nextInitiator > 0) {
            HaMessage m = HaMessage.of(HaMessageType.IKE_MID_INITIATOR, new HaAttribute(HaAttributeType.IKE_ID, id),
                    HaAttribute.number(HaAttributeType.MID, nextInitiator));
            relay.send(m);
            relay.store().apply(m);
        }
        if (nextResponder > 0) {
            HaMessage m = HaMessage.of(HaMessageType.IKE_MID_RESPONDER, new HaAttribute(HaAttributeType.IKE_ID, id),
                    HaAttribute.number(HaAttributeType.MID, nextResponder));
            relay.send(m);
            relay.store().apply(m);
        }
    }

    /** The kernel SPIs of an SA's CHILD_SAs, inbound then outbound (charon's HA numbers are in its byte order). */
    public List<int[]> kernelSpis(HaIkeSaState s) {
        List<int[]> out = new ArrayList<>();
        for (long[] p : s.childSpis()) {
            out.add(new int[] {HaMessageCodec.kernelSpi(p[0], charonOrder), HaMessageCodec.kernelSpi(p[1], charonOrder)});
        }
        return out;
    }

    public HaRelay relay() {
        return relay;
    }
}
