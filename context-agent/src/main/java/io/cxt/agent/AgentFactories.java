package io.cxt.agent;

import java.util.ArrayList;
import java.util.List;
import java.util.ServiceLoader;

/** How {@link CxAgentMain} finds the {@link AgentFactory} (see there). */
public final class AgentFactories {

    /** System property naming the factory class (tests, alternative implementations). */
    public static final String PROPERTY = "cxagent.factory";

    private static volatile AgentFactory configured;

    private AgentFactories() {
    }

    /** Sets the factory explicitly (wins over the property and ServiceLoader); null clears it. */
    public static void set(AgentFactory factory) {
        configured = factory;
    }

    /**
     * The factory to use.
     *
     * @throws IllegalStateException with a one-line message when there is none, the property names a bad
     *         class, or several ServiceLoader providers compete
     */
    public static AgentFactory find() {
        AgentFactory f = configured;
        if (f != null) {
            return f;
        }
        String name = System.getProperty(PROPERTY);
        if (name != null && !name.isBlank()) {
            try {
                Class<?> c = Class.forName(name.strip(), true, AgentFactories.class.getClassLoader());
                return (AgentFactory) c.getDeclaredConstructor().newInstance();
            } catch (ReflectiveOperationException | ClassCastException | LinkageError e) {
                throw new IllegalStateException("cannot use agent factory " + name + " (-D" + PROPERTY + "): " + e);
            }
        }
        List<AgentFactory> found = new ArrayList<>();
        for (AgentFactory p : ServiceLoader.load(AgentFactory.class, AgentFactories.class.getClassLoader())) {
            found.add(p);
        }
        if (found.isEmpty()) {
            throw new IllegalStateException("no agent implementation on the class path (no io.cxt.agent.AgentFactory"
                    + " service and no -D" + PROPERTY + ")");
        }
        if (found.size() > 1) {
            List<String> names = found.stream().map(x -> x.getClass().getName()).toList();
            throw new IllegalStateException("several agent factories on the class path " + names + "; choose one with -D"
                    + PROPERTY + "=CLASS");
        }
        return found.get(0);
    }
}
