package io.cxt.agent.config;

import java.net.InetAddress;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Objects;

import io.cxt.agent.settings.IpPrefix;

/**
 * The {@code [mobile.movement]} table: the MN sends its CTAR by itself when it attaches to a new
 * access router (docs/agent.md, docs/roles.md).
 *
 * @param interfaces {@code interfaces} (required, non-empty): the interface names watched
 * @param router {@code router}: "gateway" (default; the default route's gateway through the
 *        interface, which is the Router Advertisement's source when the route came from an RA) or
 *        "configured" ({@code routers})
 * @param debounce {@code debounce} (default 20ms): quiet time after the last change before the CTAR
 * @param routersByInterface {@code routers} entries keyed by an interface name
 * @param routersByPrefix {@code routers} entries keyed by a care-of prefix (win over the interface)
 */
public record MovementSection(List<String> interfaces, String router, Duration debounce,
        Map<String, InetAddress> routersByInterface, Map<IpPrefix, InetAddress> routersByPrefix) {

    public MovementSection {
        interfaces = List.copyOf(interfaces);
        Objects.requireNonNull(router, "router");
        Objects.requireNonNull(debounce, "debounce");
        routersByInterface = Map.copyOf(routersByInterface);
        routersByPrefix = java.util.Collections.unmodifiableMap(new java.util.LinkedHashMap<>(routersByPrefix));
    }
}
