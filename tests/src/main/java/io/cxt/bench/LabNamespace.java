package io.cxt.bench.activation;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ThreadLocalRandom;

/** A namespace made with {@code ip netns add} for the benchmark and deleted on close (fresh SAD/SPD). */
final class LabNamespace implements AutoCloseable {

    private final String name;

    private LabNamespace(String name) {
        this.name = name;
    }

    static LabNamespace create(String role) throws IOException {
        String name = "cxta-" + role + "-" + Long.toHexString(ThreadLocalRandom.current().nextLong() & 0xffffffL);
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

    String name() {
        return name;
    }

    void ip(String... args) throws IOException {
        List<String> c = new ArrayList<>(List.of("ip", "-n", name));
        c.addAll(List.of(args));
        run(c.toArray(String[]::new));
    }

    /** Sets a sysctl of this namespace (net.* sysctls are per namespace). */
    void sysctl(String key, String value) throws IOException {
        run("ip", "netns", "exec", name, "sysctl", "-q", "-w", key + "=" + value);
    }

    @Override
    public void close() throws IOException {
        run("ip", "netns", "del", name);
    }

    static void run(String... command) throws IOException {
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
