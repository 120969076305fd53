package io.cxt.testing;

import java.util.List;
import java.util.Optional;
import java.util.concurrent.ThreadLocalRandom;

/**
 * Whether the running kernel can hold ESP SAs, probed once per JVM. The build machines have
 * XFRM but no ESP; tests tagged {@value #TAG} need the lab kernel ({@code tests/lab/}).
 *
 * <p>The probe adds a minimal ESP SA with iproute2 in a scratch namespace, which is deleted
 * again. A kernel without ESP refuses it with EPROTONOSUPPORT, which iproute2 prints as
 * "Protocol not supported" or, with the kernel's extended ACK, "Requested type not found".
 */
public final class EspKernel {

    public static final String TAG = "esp-kernel";
    public static final String SKIP_REASON = "needs an ESP-capable kernel: run tests/lab/run-kernel-suite";
    /**
     * Set (to any value but "0") by tests/lab/run-kernel-suite: there, a kernel without ESP
     * means the lab is broken, and tagged tests must fail instead of being skipped.
     */
    public static final String REQUIRED_ENV = "CXT_ESP_KERNEL_REQUIRED";

    /** Outcome of the probe: {@code detail} says why ESP is missing when that is not the plain EPROTONOSUPPORT. */
    public record Probe(boolean available, Optional<String> detail) {
    }

    private EspKernel() {
    }

    private static final class Lazy {
        static final Probe PROBE = runProbe();
    }

    public static Probe probe() {
        return Lazy.PROBE;
    }

    /**
     * Empty when tagged tests may run here, else why they are skipped.
     *
     * @throws IllegalStateException when ESP is missing although {@value #REQUIRED_ENV} demands it
     */
    public static Optional<String> skipReason() {
        Probe p = probe();
        if (p.available()) {
            return Optional.empty();
        }
        String env = System.getenv(REQUIRED_ENV);
        if (env != null && !env.isEmpty() && !env.equals("0")) {
            throw new IllegalStateException("this kernel cannot hold an ESP SA although " + REQUIRED_ENV
                    + " is set (is this the lab kernel with esp4/esp6 loaded?)"
                    + p.detail().map(d -> ": " + d).orElse(""));
        }
        return Optional.of(SKIP_REASON + p.detail().map(d -> " (" + d + ")").orElse(""));
    }

    private static Probe runProbe() {
        String ns = "cxt-esp-probe-" + ProcessHandle.current().pid() + "-"
                + Integer.toHexString(ThreadLocalRandom.current().nextInt() & 0xfffffff);
        Commands.Result add = Commands.exec(List.of("ip", "netns", "add", ns), null);
        if (add.exit() != 0) {
            return new Probe(false, Optional.of("ESP probe: cannot create a network namespace: " + add.stderr().strip()));
        }
        try {
            Commands.Result sa = Commands.exec(List.of("ip", "-n", ns, "xfrm", "state", "add",
                    "src", "192.0.2.1", "dst", "192.0.2.2", "proto", "esp", "spi", "0x100", "mode", "transport",
                    "enc", "cbc(aes)", "0x" + "00".repeat(16),
                    "auth-trunc", "hmac(sha256)", "0x" + "00".repeat(32), "128"), null);
            if (sa.exit() == 0) {
                return new Probe(true, Optional.empty());
            }
            String err = sa.stderr().strip();
            if (err.contains("Protocol not supported") || err.contains("Requested type not found")) {
                return new Probe(false, Optional.empty());
            }
            return new Probe(false, Optional.of("ESP probe: ip xfrm state add failed: " + err));
        } finally {
            Commands.exec(List.of("ip", "netns", "del", ns), null);
        }
    }
}
