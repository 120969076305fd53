package io.cxt.testing;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.List;

/** Runs a host command for test set-up (iproute2 and friends) and returns its output. */
public final class Commands {
    private Commands() {
    }

    public record Result(int exit, String stdout, String stderr) {
    }

    /**
     * {@code cmd} run with every signal at its default disposition (coreutils env
     * --default-signal). A JVM started with SIGINT ignored (nohup, a script's background job)
     * passes that on to its children, and a JVM child then never installs its SIGINT handler: tests
     * that signal a child must not depend on how the test run was started.
     */
    public static List<String> withDefaultSignals(List<String> cmd) {
        List<String> out = new java.util.ArrayList<>(cmd.size() + 2);
        out.add("env");
        out.add("--default-signal");
        out.addAll(cmd);
        return out;
    }

    public static Result exec(List<String> cmd, byte[] stdin) {
        try {
            Process p = new ProcessBuilder(cmd).start();
            if (stdin != null) {
                p.getOutputStream().write(stdin);
            }
            p.getOutputStream().close();
            // Read both streams fully; outputs here are small or read by a second thread.
            var errF = new java.util.concurrent.CompletableFuture<byte[]>();
            Thread t = new Thread(() -> {
                try {
                    errF.complete(p.getErrorStream().readAllBytes());
                } catch (IOException e) {
                    errF.complete(new byte[0]);
                }
            });
            t.start();
            byte[] out = p.getInputStream().readAllBytes();
            int exit = p.waitFor();
            t.join();
            return new Result(exit, new String(out, StandardCharsets.UTF_8),
                    new String(errF.join(), StandardCharsets.UTF_8));
        } catch (IOException e) {
            throw new IllegalStateException("cannot run " + cmd + ": " + e.getMessage(), e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    public static String run(String... cmd) {
        Result r = exec(List.of(cmd), null);
        if (r.exit() != 0) {
            throw new IllegalStateException(String.join(" ", cmd) + " exited " + r.exit() + ": " + r.stderr().strip());
        }
        return r.stdout();
    }
}
