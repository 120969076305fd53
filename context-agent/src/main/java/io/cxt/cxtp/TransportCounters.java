package io.cxt.cxtp;

import java.util.EnumMap;
import java.util.Map;
import java.util.concurrent.atomic.LongAdder;

/** Thread-safe running counts of a transport. */
public final class TransportCounters {
    private final Map<TransportCounter, LongAdder> counts = new EnumMap<>(TransportCounter.class);

    public TransportCounters() {
        for (TransportCounter c : TransportCounter.values()) {
            counts.put(c, new LongAdder());
        }
        for (MessageType t : MessageType.values()) {
            perType.put(t, new LongAdder[] {new LongAdder(), new LongAdder(), new LongAdder(), new LongAdder()});
        }
    }

    /** Messages and CXTP octets per message type and direction (envelopes and lower headers not counted). */
    private final Map<MessageType, LongAdder[]> perType = new EnumMap<>(MessageType.class);

    public long get(TransportCounter c) {
        return counts.get(c).sum();
    }

    void increment(TransportCounter c) {
        counts.get(c).increment();
    }

    void sent(MessageType type, int octets) {
        add(type, 0, octets);
    }

    void received(MessageType type, int octets) {
        add(type, 2, octets);
    }

    private void add(MessageType type, int slot, int octets) {
        LongAdder[] a = perType.get(type); // filled for every type in the constructor: no lock on the send path
        a[slot].increment();
        a[slot + 1].add(octets);
    }

    /**
     * Non-zero per-type counts as {@code sent.pctd.messages}, {@code sent.pctd.octets},
     * {@code received.ctar.messages}, ... (retransmissions and replayed replies included in "sent").
     */
    public Map<String, Long> perMessageType() {
        Map<String, Long> m = new java.util.TreeMap<>();
        perType.forEach((type, a) -> {
            String t = type.name().toLowerCase(java.util.Locale.ROOT).replace("_", "-");
            if (a[0].sum() != 0) {
                m.put("sent." + t + ".messages", a[0].sum());
                m.put("sent." + t + ".octets", a[1].sum());
            }
            if (a[2].sum() != 0) {
                m.put("received." + t + ".messages", a[2].sum());
                m.put("received." + t + ".octets", a[3].sum());
            }
        });
        return m;
    }

    /** A copy of the non-zero counts. */
    public Map<TransportCounter, Long> snapshot() {
        Map<TransportCounter, Long> m = new EnumMap<>(TransportCounter.class);
        counts.forEach((k, v) -> {
            if (v.sum() != 0) {
                m.put(k, v.sum());
            }
        });
        return m;
    }

    @Override
    public String toString() {
        return snapshot().toString();
    }
}
