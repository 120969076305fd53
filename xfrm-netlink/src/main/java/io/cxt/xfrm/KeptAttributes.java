package io.cxt.xfrm;

import java.util.ArrayList;
import java.util.List;
import java.util.function.Consumer;

import io.cxt.nl.NlAttribute;

/**
 * The attributes an SA or policy record keeps without understanding them
 * ({@link SecurityAssociation#unknownAttributes}, {@link SecurityPolicy#extraAttributes}), seen as
 * plain (type, value) pairs, so that code above xfrm-netlink (the context codec, JSON output) can
 * carry and show them without netlink's own types.
 */
public final class KeptAttributes {

    /** Receives one attribute. */
    @FunctionalInterface
    public interface Sink {
        void accept(int type, byte[] value);
    }

    private KeptAttributes() {
    }

    /** Hands each attribute to {@code sink}, in order. */
    public static void forEach(List<NlAttribute> attrs, Sink sink) {
        for (NlAttribute a : attrs) {
            sink.accept(a.type(), a.value());
        }
    }

    /** No attributes. */
    public static List<NlAttribute> none() {
        return List.of();
    }

    /**
     * {@code count} attributes, each produced by one call of {@code reader} (which hands the
     * attribute it read to the sink it is given), in order.
     */
    public static List<NlAttribute> read(int count, Consumer<Sink> reader) {
        List<NlAttribute> out = new ArrayList<>(count);
        Sink sink = (type, value) -> out.add(new NlAttribute(type, value));
        for (int i = 0; i < count; i++) {
            reader.accept(sink);
        }
        return out;
    }
}
