package io.cxt.cli;

import java.util.ArrayList;
import java.util.List;

import sun.misc.Signal;
import sun.misc.SignalHandler;

/**
 * SIGINT and SIGTERM as a request to stop (for the monitor), so that cxctl ends normally with exit
 * status 0 instead of the JVM's 130 or 143. The JDK's supported hook for this is sun.misc.Signal
 * (module jdk.unsupported); the previous handlers come back when the registration is closed.
 */
final class Signals {
    private Signals() {
    }

    interface Registration extends AutoCloseable {
        @Override
        void close();
    }

    static Registration onTermination(Runnable stop) {
        List<Signal> signals = new ArrayList<>();
        List<SignalHandler> previous = new ArrayList<>();
        for (String name : new String[] {"INT", "TERM"}) {
            try {
                Signal s = new Signal(name);
                SignalHandler old = Signal.handle(s, sig -> stop.run());
                signals.add(s);
                previous.add(old);
            } catch (IllegalArgumentException | UnsupportedOperationException e) {
                // the signal is reserved (e.g. by a debugger's JVM options): then it keeps its default action
            }
        }
        return () -> {
            for (int i = 0; i < signals.size(); i++) {
                try {
                    Signal.handle(signals.get(i), previous.get(i));
                } catch (IllegalArgumentException e) {
                    // cannot happen for a signal we handled a moment ago
                }
            }
        };
    }
}
