package io.cxt.agent.config;

import java.time.Duration;
import java.util.List;
import java.util.Objects;

/**
 * The {@code [ike]} table (optional; all keys have defaults).
 *
 * @param port {@code port}: 500 (default) or 4500 (NAT traversal)
 * @param maxRoundTrips {@code max-round-trips}: SPI-update attempts before falling back (paper Algorithm 1), default 3
 * @param timer {@code timer}: overall time for the SPI update, default 10s
 * @param retransmitInitial {@code retransmit-initial}: first INFORMATIONAL retransmission, default 500ms (doubling)
 * @param fallbackHook {@code fallback-hook}: command run when the update fails (a full IKE negotiation is
 *                     needed); "%mn%" is replaced by the MN's address; empty = none
 */
public record IkeSection(int port, int maxRoundTrips, Duration timer, Duration retransmitInitial,
        List<String> fallbackHook) {

    public static final IkeSection DEFAULT = new IkeSection(500, 3, Duration.ofSeconds(10), Duration.ofMillis(500),
            List.of());

    public IkeSection {
        Objects.requireNonNull(timer, "timer");
        Objects.requireNonNull(retransmitInitial, "retransmitInitial");
        fallbackHook = List.copyOf(fallbackHook);
    }
}
