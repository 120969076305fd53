package io.cxt.agent.ha;

import java.net.InetAddress;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

import io.cxt.ha.HaAttributeType;
import io.cxt.ha.HaMessage;
import io.cxt.ha.HaMessageType;
import io.cxt.ha.HaValue;

/**
 * What charon has told its HA peer about one IKE SA, kept as the messages themselves so they can be given to
 * another charon unchanged (or with addresses rewritten): the IKE_ADD, the last full IKE_UPDATE (the one with
 * the config name) and later partial ones (virtual IPs), the current message IDs and one CHILD_ADD per live
 * CHILD_SA (by inbound SPI, in the order they were added).
 *
 * @param midInitiator next message ID charon will use for a request it sends (0 = none synced yet)
 * @param midResponder next message ID charon expects in a request from the peer (0 = none synced yet)
 */
public record HaIkeSaState(HaValue.IkeSaId id, HaMessage add, HaMessage update, List<HaMessage> laterUpdates,
        long midInitiator, long midResponder, List<HaMessage> children, Instant since, Instant updatedAt) {

    public HaIkeSaState {
        Objects.requireNonNull(id, "id");
        Objects.requireNonNull(add, "add");
        laterUpdates = List.copyOf(laterUpdates);
        children = List.copyOf(children);
        if (add.type() != HaMessageType.IKE_ADD) {
            throw new IllegalArgumentException("not an IKE_ADD: " + add.type());
        }
    }

    /** Whether the SA is complete enough for another charon to hold it (IKE_UPDATE with a config name seen). */
    public boolean complete() {
        return update != null;
    }

    /** The peer's (MN's) address as charon last synced it. */
    public Optional<InetAddress> peerAddress() {
        Optional<HaValue.Host> h = update == null ? Optional.empty() : update.host(HaAttributeType.REMOTE_ADDR);
        if (h.isEmpty()) {
            h = add.host(HaAttributeType.REMOTE_ADDR);
        }
        return h.map(HaValue.Host::address);
    }

    public Optional<InetAddress> localAddress() {
        return update == null ? Optional.empty() : update.host(HaAttributeType.LOCAL_ADDR).map(HaValue.Host::address);
    }

    public Optional<String> remoteIdentity() {
        return update == null ? Optional.empty() : update.first(HaAttributeType.REMOTE_ID).map(Object::toString);
    }

    public Optional<String> configName() {
        return update == null ? Optional.empty() : update.text(HaAttributeType.CONFIG_NAME);
    }

    /** Whether {@code a} is this SA's peer: its IKE address, a MOBIKE peer address or inside a remote selector. */
    public boolean belongsTo(InetAddress a) {
        if (peerAddress().map(a::equals).orElse(false)) {
            return true;
        }
        if (update != null) {
            for (HaValue v : update.all(HaAttributeType.PEER_ADDR)) {
                if (((HaValue.Host) v).address().equals(a)) {
                    return true;
                }
            }
            for (HaMessage m : laterUpdates) {
                for (HaValue v : m.all(HaAttributeType.REMOTE_VIP)) {
                    if (((HaValue.Host) v).address().equals(a)) {
                        return true;
                    }
                }
            }
        }
        for (HaMessage c : children) {
            for (HaValue v : c.all(HaAttributeType.REMOTE_TS)) {
                if (contains((HaValue.TrafficSelector) v, a)) {
                    return true;
                }
            }
        }
        return false;
    }

    /** The HA SPI numbers (see HaMessageCodec.kernelSpi) of the CHILD_SAs, inbound then outbound, in order. */
    public List<long[]> childSpis() {
        List<long[]> out = new ArrayList<>();
        for (HaMessage c : children) {
            out.add(new long[] {c.number(HaAttributeType.INBOUND_SPI).orElse(0L), c.number(HaAttributeType.OUTBOUND_SPI).orElse(0L)});
        }
        return out;
    }

    /** Every message another charon needs, in the order it needs them (IKE_ADD, MIDs, IKE_UPDATEs, CHILD_ADDs). */
    public List<HaMessage> replay() {
        List<HaMessage> out = new ArrayList<>();
        out.add(add);
        if (midInitiator > 0) {
            out.add(HaMessage.of(HaMessageType.IKE_MID_INITIATOR, new io.cxt.ha.HaAttribute(HaAttributeType.IKE_ID, id),
                    io.cxt.ha.HaAttribute.number(HaAttributeType.MID, midInitiator)));
        }
        if (midResponder > 0) {
            out.add(HaMessage.of(HaMessageType.IKE_MID_RESPONDER, new io.cxt.ha.HaAttribute(HaAttributeType.IKE_ID, id),
                    io.cxt.ha.HaAttribute.number(HaAttributeType.MID, midResponder)));
        }
        if (update != null) {
            out.add(update);
        }
        out.addAll(laterUpdates);
        out.addAll(children);
        return out;
    }

    static boolean contains(HaValue.TrafficSelector ts, InetAddress a) {
        byte[] x = a.getAddress();
        byte[] lo = ts.from().getAddress();
        byte[] hi = ts.to().getAddress();
        if (x.length != lo.length) {
            return false;
        }
        return java.util.Arrays.compareUnsigned(x, lo) >= 0 && java.util.Arrays.compareUnsigned(x, hi) <= 0;
    }
}
