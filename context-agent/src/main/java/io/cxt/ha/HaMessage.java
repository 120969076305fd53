package io.cxt.ha;

import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.function.UnaryOperator;

/**
 * One strongSwan HA datagram (protocol version 3, strongSwan 5.x): a type and its attributes in wire order.
 * Attributes may repeat (PEER_ADDR, LOCAL_TS, REMOTE_TS); order is kept so that re-encoding is exact.
 */
public record HaMessage(HaMessageType type, List<HaAttribute> attributes) {
    /** The only HA protocol version cxt speaks: strongSwan 5.x and 6.0.0. 6.0.1 sends 4, 6.0.2 and later 5. */
    public static final int VERSION = 3;

    public HaMessage {
        Objects.requireNonNull(type, "type");
        attributes = List.copyOf(attributes);
    }

    public static HaMessage of(HaMessageType type, HaAttribute... attributes) {
        return new HaMessage(type, List.of(attributes));
    }

    /** The first value of an attribute, if present. */
    public Optional<HaValue> first(HaAttributeType t) {
        for (HaAttribute a : attributes) {
            if (a.type() == t) {
                return Optional.of(a.value());
            }
        }
        return Optional.empty();
    }

    /** All values of an attribute, in wire order. */
    public List<HaValue> all(HaAttributeType t) {
        List<HaValue> out = new ArrayList<>();
        for (HaAttribute a : attributes) {
            if (a.type() == t) {
                out.add(a.value());
            }
        }
        return out;
    }

    /** HA_IKE_ID, which every IKE and CHILD message carries. */
    public Optional<HaValue.IkeSaId> ikeSaId() {
        return first(HaAttributeType.IKE_ID).map(HaValue.IkeSaId.class::cast);
    }

    public Optional<Long> number(HaAttributeType t) {
        return first(t).map(v -> ((HaValue.Number) v).value());
    }

    public Optional<HaValue.Host> host(HaAttributeType t) {
        return first(t).map(HaValue.Host.class::cast);
    }

    public Optional<String> text(HaAttributeType t) {
        return first(t).map(v -> ((HaValue.Text) v).text());
    }

    /** This message with every attribute of {@code t} replaced by {@code f(value)}; order kept. */
    public HaMessage map(HaAttributeType t, UnaryOperator<HaValue> f) {
        List<HaAttribute> out = new ArrayList<>(attributes.size());
        for (HaAttribute a : attributes) {
            out.add(a.type() == t ? new HaAttribute(t, f.apply(a.value())) : a);
        }
        return new HaMessage(type, out);
    }

    /** This message with one attribute added at the end. */
    public HaMessage with(HaAttribute a) {
        List<HaAttribute> out = new ArrayList<>(attributes);
        out.add(a);
        return new HaMessage(type, out);
    }

    @Override
    public String toString() {
        return "HA " + type + " " + attributes;
    }
}
