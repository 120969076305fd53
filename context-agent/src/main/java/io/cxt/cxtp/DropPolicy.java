package io.cxt.cxtp;

import java.util.EnumMap;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Test switch that simulates loss: the first N outbound transmissions of a message type are
 * discarded instead of sent (retransmissions and replayed replies count as transmissions). The
 * project has no netem on the host, so this is how tests make packets disappear. Thread-safe; the
 * counts are consumed as messages pass.
 */
public final class DropPolicy {

    private final Map<MessageType, AtomicInteger> remaining = new EnumMap<>(MessageType.class);
    private final Map<MessageType, AtomicInteger> dropped = new EnumMap<>(MessageType.class);

    private DropPolicy(Map<MessageType, Integer> config) {
        for (MessageType t : MessageType.values()) {
            remaining.put(t, new AtomicInteger(config.getOrDefault(t, 0)));
            dropped.put(t, new AtomicInteger());
        }
    }

    /** Drops nothing. */
    public static DropPolicy none() {
        return new DropPolicy(Map.of());
    }

    /** Drops the first {@code count} transmissions of {@code type}. */
    public static DropPolicy dropFirst(MessageType type, int count) {
        return none().andDropFirst(type, count);
    }

    /** A new policy that also drops the first {@code count} of {@code type} (counts start afresh). */
    public DropPolicy andDropFirst(MessageType type, int count) {
        if (count < 0) {
            throw new IllegalArgumentException("count must not be negative");
        }
        Map<MessageType, Integer> config = new EnumMap<>(MessageType.class);
        for (Map.Entry<MessageType, AtomicInteger> e : remaining.entrySet()) {
            config.put(e.getKey(), e.getValue().get());
        }
        config.put(type, count);
        return new DropPolicy(config);
    }

    /** Whether this transmission of {@code type} is to be dropped (consumes one count if so). */
    public boolean shouldDrop(MessageType type) {
        AtomicInteger r = remaining.get(type);
        while (true) {
            int n = r.get();
            if (n <= 0) {
                return false;
            }
            if (r.compareAndSet(n, n - 1)) {
                dropped.get(type).incrementAndGet();
                return true;
            }
        }
    }

    /** How many transmissions of {@code type} were dropped so far. */
    public int dropped(MessageType type) {
        return dropped.get(type).get();
    }
}
