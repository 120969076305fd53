package io.cxt.bench;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ThreadLocalRandom;

/**
 * A network namespace made with {@code ip netns add} for a benchmark and deleted on close, so that every
 * router the benchmark plays starts with an empty SAD and SPD of the kernel's default hash sizes.
 */
public final class LabNamespace implements AutoCloseable {

    private final String name;

    private LabNamespace(String name) {
        this.name = name;
    }

    /** A namespace named {@code PREFIX-ROLE-RANDOM}: the prefix tells the benchmark suites' leftovers apart. */
    public static LabNamespace create(String prefix, String role) throws IOException {
        String name = prefix + "-" + role + "-" + Long.toHexString(ThreadLocalRandom.current().nextLong() & 0xffffffL);
        run("ip", "netns", "add", name);
        LabNamespace ns = new LabNamespace(name);
        try {
            ns.ip("link", "set", "lo", "up");
        } catch (IOException | RuntimeException e) {
            ns.close();
            throw e;
        }
        return ns;
    }

    public String name() {
        return name;
    }

    public void ip(String... args) throws IOException {
        List<String> c = new ArrayList<>(List.of("ip", "-n", name));
        c.addAll(List.of(args));
        run(c.toArray(String[]::new));
    }

    /** Sets a sysctl of this namespace (net.* sysctls are per namespace). */
    public void sysctl(String key, String value) throws IOException {
        run("ip", "netns", "exec", name, "sysctl", "-q", "-w", key + "=" + value);
    }

    @Override
    public void close() throws IOException {
        run("ip", "netns", "del", name);
    }

    public static void run(String... command) throws IOException {
        Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        try {
            int rc = p.waitFor();
            if (rc != 0) {
                throw new IOException(String.join(" ", command) + " exited with " + rc + ": " + out.strip()
                        + " (the benchmark needs root: it creates network namespaces)");
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException("interrupted: " + String.join(" ", command), e);
        }
    }
}
