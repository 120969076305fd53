package io.cxt.cli;

import java.lang.reflect.Constructor;
import java.lang.reflect.Method;
import java.lang.reflect.Proxy;
import java.util.ArrayList;
import java.util.List;

/**
 * SIGINT and SIGTERM as a request to stop (for the monitor), so that cxctl ends normally with exit
 * status 0 instead of the JVM's 130 or 143. The JDK's hook for this is sun.misc.Signal (module
 * jdk.unsupported, exported for exactly this use); it is reached reflectively so that the build
 * stays free of "internal proprietary API" warnings. Without it the signals keep their default
 * action. The previous handlers come back when the registration is closed.
 */
final class Signals {
    private Signals() {
    }

    interface Registration extends AutoCloseable {
        @Override
        void close();
    }

    private static final Constructor<?> SIGNAL;
    private static final Method HANDLE;
    private static final Class<?> HANDLER;

    static {
        Constructor<?> signal = null;
        Method handle = null;
        Class<?> handler = null;
        try {
            Class<?> s = Class.forName("sun.misc.Signal");
            handler = Class.forName("sun.misc.SignalHandler");
            signal = s.getConstructor(String.class);
            handle = s.getMethod("handle", s, handler);
        } catch (ReflectiveOperationException | LinkageError e) {
            signal = null;
        }
        SIGNAL = signal;
        HANDLE = handle;
        HANDLER = handler;
    }

    static Registration onTermination(Runnable stop) {
        if (SIGNAL == null) {
            return () -> { };
        }
        Object ours = Proxy.newProxyInstance(Signals.class.getClassLoader(), new Class<?>[] {HANDLER},
                (proxy, method, args) -> {
                    if (method.getName().equals("handle")) {
                        stop.run();
                        return null;
                    }
                    return switch (method.getName()) {
                        case "hashCode" -> System.identityHashCode(proxy);
                        case "equals" -> proxy == args[0];
                        default -> "cxctl stop handler";
                    };
                });
        List<Object> signals = new ArrayList<>();
        List<Object> previous = new ArrayList<>();
        for (String name : new String[] {"INT", "TERM"}) {
            try {
                Object s = SIGNAL.newInstance(name);
                previous.add(HANDLE.invoke(null, s, ours));
                signals.add(s);
            } catch (ReflectiveOperationException | IllegalArgumentException e) {
                // the signal is reserved (e.g. by JVM options): it keeps its default action
            }
        }
        return () -> {
            for (int i = 0; i < signals.size(); i++) {
                try {
                    HANDLE.invoke(null, signals.get(i), previous.get(i));
                } catch (ReflectiveOperationException | IllegalArgumentException e) {
                    // cannot happen for a signal handled a moment ago
                }
            }
        };
    }
}
