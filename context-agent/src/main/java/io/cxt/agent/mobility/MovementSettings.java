package io.cxt.agent.mobility;

import java.net.InetAddress;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;
import java.util.Set;

import io.cxt.agent.settings.IpPrefix;

/**
 * What the mobile node's movement detection watches and how it finds the new access router
 * ({@code [mobile.movement]} in cxagent.conf, docs/agent.md).
 *
 * @param interfaces the interfaces whose attachments are moves (names); others are ignored
 * @param routerSource how the new access router's address is found
 * @param debounce quiet time after the last link/address/route change before the CTAR is sent, so a
 *        burst (link up, address, default route) or a flapping link makes one trigger
 * @param routersByInterface configured routers per interface name ({@link RouterSource#CONFIGURED})
 * @param routersByPrefix configured routers per care-of prefix; a prefix match wins over the interface
 */
public record MovementSettings(Set<String> interfaces, RouterSource routerSource, Duration debounce,
        Map<String, InetAddress> routersByInterface, Map<IpPrefix, InetAddress> routersByPrefix) {

    /** Default debounce: long enough for `ip` to finish a link-up + address + route sequence. */
    public static final Duration DEFAULT_DEBOUNCE = Duration.ofMillis(20);

    /** How the access router of a new link is found. */
    public enum RouterSource {
        /** The gateway of the default route through the interface (static, DHCP, or a Router Advertisement's source). */
        GATEWAY,
        /** {@code routers}: by the new care-of address's prefix, else by the interface. */
        CONFIGURED;

        public String spelling() {
            return name().toLowerCase(java.util.Locale.ROOT);
        }

        public static RouterSource parse(String s) {
            return switch (s) {
                case "gateway" -> GATEWAY;
                case "configured" -> CONFIGURED;
                default -> throw new IllegalArgumentException("must be \"gateway\" or \"configured\" (got \"" + s + "\")");
            };
        }
    }

    public MovementSettings {
        interfaces = Set.copyOf(interfaces);
        Objects.requireNonNull(routerSource, "routerSource");
        debounce = debounce == null ? DEFAULT_DEBOUNCE : debounce;
        if (debounce.isNegative()) {
            throw new IllegalArgumentException("debounce must not be negative");
        }
        routersByInterface = Map.copyOf(routersByInterface);
        routersByPrefix = java.util.Collections.unmodifiableMap(new LinkedHashMap<>(routersByPrefix));
        if (interfaces.isEmpty()) {
            throw new IllegalArgumentException("movement detection needs at least one interface");
        }
    }
}
