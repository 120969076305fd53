package io.cxt.agent.mobility;

import java.io.IOException;
import java.net.InetAddress;

import io.cxt.agent.EventSink;
import io.cxt.agent.config.MovementSection;
import io.cxt.agent.role.MobileNodeAgent;

/** Glue: a {@link MovementWatcher} from {@code [mobile.movement]} for a running {@link MobileNodeAgent}. */
public final class MovementWatchers {
    private MovementWatchers() {
    }

    /** The settings a {@code [mobile.movement]} table describes. */
    public static MovementSettings settings(MovementSection s) {
        return new MovementSettings(new java.util.LinkedHashSet<>(s.interfaces()),
                MovementSettings.RouterSource.parse(s.router()), s.debounce(), s.routersByInterface(), s.routersByPrefix());
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
