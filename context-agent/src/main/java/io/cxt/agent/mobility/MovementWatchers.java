package io.cxt.agent.mobility;

import java.io.IOException;
import java.net.InetAddress;
import java.util.LinkedHashMap;
import java.util.Map;

import io.cxt.agent.EventSink;
import io.cxt.agent.config.IpPrefix;
import io.cxt.agent.config.MovementSection;
import io.cxt.agent.role.MobileNodeAgent;
import io.cxt.agent.role.Prefix;

/** Glue: a {@link MovementWatcher} from {@code [mobile.movement]} for a running {@link MobileNodeAgent}. */
public final class MovementWatchers {
    private MovementWatchers() {
    }

    /** The settings a {@code [mobile.movement]} table describes. */
    public static MovementSettings settings(MovementSection s) {
        Map<Prefix, InetAddress> byPrefix = new LinkedHashMap<>();
        for (Map.Entry<IpPrefix, InetAddress> e : s.routersByPrefix().entrySet()) {
            byPrefix.put(new Prefix(e.getKey().network(), e.getKey().length()), e.getValue());
        }
        return new MovementSettings(new java.util.LinkedHashSet<>(s.interfaces()),
                MovementSettings.RouterSource.parse(s.router()), s.debounce(), s.routersByInterface(), byPrefix);
    }

    /** Starts watching this process's namespace; each move becomes {@code agent.activate(router, coa)}. */
    public static MovementWatcher start(String name, MovementSection section, MobileNodeAgent agent, EventSink events)
            throws IOException {
        return MovementWatcher.start(name, settings(section), null, new MovementWatcher.Location() {
            @Override
            public InetAddress careOf() {
                return agent.currentIdentity().careOfAddress();
            }

            @Override
            public InetAddress router() {
                return agent.currentRouter();
            }
        }, agent::activate, events);
    }
}
