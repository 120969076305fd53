package io.cxt.bench.context;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.ThreadLocalRandom;

/**
 * A network namespace made with {@code ip netns add} for the benchmark and deleted on close, so
 * that every router the benchmark plays starts with an empty SAD and SPD of the kernel's default
 * hash sizes.
 */
final class LabNamespace implements AutoCloseable {

    private final String name;

    private LabNamespace(String name) {
        this.name = name;
    }

    static LabNamespace create(String role) throws IOException {
        String name = "cxtb-" + role + "-" + Long.toHexString(ThreadLocalRandom.current().nextLong() & 0xffffffL);
        run(List.of("ip", "netns", "add", name));
        LabNamespace ns = new LabNamespace(name);
        try {
            run(List.of("ip", "-n", name, "link", "set", "lo", "up"));
        } catch (IOException | RuntimeException e) {
            ns.close();
            throw e;
        }
        return ns;
    }

    String name() {
        return name;
    }

    @Override
    public void close() throws IOException {
        run(List.of("ip", "netns", "del", name));
    }

    private static void run(List<String> command) throws IOException {
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
