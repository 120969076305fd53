package io.cxt.sys;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Runs a short action with the calling thread inside a named network namespace
 * ({@code /var/run/netns/NAME}, as made by {@code ip netns add}) and always brings the thread back.
 *
 * <p>Why this is safe: {@code setns(2)} with CLONE_NEWNET only moves the calling thread, and a
 * socket stays in the namespace it was created in for its whole life. So the pattern is: enter,
 * create the socket, restore in {@code finally}. No thread is ever left inside the namespace, and
 * if restoring fails the process is in an unknown state, which we report as an {@link Error}.
 */
public final class NetNamespace {

    /** Where {@code ip netns} keeps its bind mounts. */
    public static final Path NETNS_RUN_DIR = Path.of("/var/run/netns");

    private final String name;
    private final Path path;

    private NetNamespace(String name, Path path) {
        this.name = name;
        this.path = path;
    }

    /** A namespace by its {@code ip netns} name; checks that it exists. */
    public static NetNamespace named(String name) throws IOException {
        if (name == null || name.isEmpty() || name.contains("/") || name.equals(".") || name.equals("..")) {
            throw new IllegalArgumentException("invalid network namespace name: '" + name + "'");
        }
        Path p = NETNS_RUN_DIR.resolve(name);
        if (!Files.exists(p)) {
            throw new IOException("network namespace '" + name + "' does not exist (" + p + ")");
        }
        return new NetNamespace(name, p);
    }

    /** A namespace by a path to its nsfs file (e.g. {@code /proc/PID/ns/net}). */
    public static NetNamespace atPath(Path path) {
        return new NetNamespace(path.toString(), path);
    }

    public String name() {
        return name;
    }

    public Path path() {
        return path;
    }

    /** Something to do inside the namespace that returns a file descriptor or other int. */
    @FunctionalInterface
    public interface IntAction {
        int run() throws IOException;
    }

    /**
     * Runs {@code action} with this thread in the namespace; returns its result. The thread is
     * back in its original namespace when this returns or throws.
     */
    public int runInside(IntAction action) throws IOException {
        LibC libc = LibC.INSTANCE;
        int self = libc.open("/proc/thread-self/ns/net", LibC.O_RDONLY | LibC.O_CLOEXEC);
        if (self < 0) {
            throw ErrnoException.last("open /proc/thread-self/ns/net");
        }
        try {
            int target = libc.open(path.toString(), LibC.O_RDONLY | LibC.O_CLOEXEC);
            if (target < 0) {
                throw ErrnoException.last("open " + path);
            }
            try {
                if (libc.setns(target, LibC.CLONE_NEWNET) < 0) {
                    throw new ErrnoException("setns " + name, LibC.errno(),
                            "entering a network namespace needs CAP_SYS_ADMIN");
                }
            } finally {
                libc.close(target);
            }
            try {
                return action.run();
            } finally {
                if (libc.setns(self, LibC.CLONE_NEWNET) < 0) {
                    // The thread is stranded in the other namespace; nothing sane can continue.
                    throw new IllegalStateException("could not return thread to its network namespace: "
                            + Errno.name(LibC.errno()));
                }
            }
        } finally {
            libc.close(self);
        }
    }

    @Override
    public String toString() {
        return "netns " + name;
    }
}
