package io.cxt.agent;

import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Collection;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;

import io.cxt.agent.control.ControlClient;
import io.cxt.agent.control.ControlException;

/** {@code bin/cxagent} processes for the daemon-level lab tests: started in a namespace, awaited, stopped. */
public final class CxAgentProcesses {

    /** The JVM options of a test's agents: small heap, C1 only (they start faster in the lab kernel). */
    public static final String JAVA_OPTS = "-Xmx128m -Xshare:auto -XX:TieredStopAtLevel=1";

    private CxAgentProcesses() {
    }

    /**
     * Starts {@code bin/cxagent --config CONFIG} in network namespace {@code ns}, its output appended to {@code log},
     * with {@code CXAGENT_JAVA_OPTS} and any further environment variables.
     */
    public static Process launch(String ns, Path config, Path log, String javaOpts, Map<String, String> environment)
            throws IOException {
        // the tests run in their module directory; bin/cxagent is at the project root
        Path cxagent = Path.of("..", "bin", "cxagent").toAbsolutePath().normalize();
        ProcessBuilder pb = new ProcessBuilder("ip", "netns", "exec", ns, cxagent.toString(), "--config", config.toString());
        pb.environment().put("CXAGENT_JAVA_OPTS", javaOpts);
        pb.environment().putAll(environment);
        pb.redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile()));
        return pb.start();
    }

    /** Waits (90 s at most) until the agent answers {@code status} on its control socket; fails if it exits first. */
    public static void awaitUp(String name, Process p, Path socket, Supplier<String> log) throws Exception {
        long end = System.nanoTime() + Duration.ofSeconds(90).toNanos();
        while (true) {
            if (!p.isAlive()) {
                throw new AssertionError("cxagent " + name + " exited " + p.exitValue() + ":\n" + log.get());
            }
            try {
                ControlClient.request(socket, "status", Map.of());
                return;
            } catch (IOException | ControlException e) {
                if (System.nanoTime() > end) {
                    throw new AssertionError("cxagent " + name + " did not answer on " + socket + ":\n" + log.get(), e);
                }
                Thread.sleep(100);
            }
        }
    }

    /** SIGTERM to all, then SIGKILL to those still running after 10 s. */
    public static void stop(Collection<Process> processes) {
        for (Process p : processes) {
            p.destroy();
        }
        for (Process p : processes) {
            try {
                if (!p.waitFor(10, TimeUnit.SECONDS)) {
                    p.destroyForcibly().waitFor(5, TimeUnit.SECONDS);
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }
}
