package io.cxt.tests;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import java.util.stream.Stream;

import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestFactory;
import org.junit.jupiter.api.io.TempDir;

/**
 * Issue 14 item 4: every script and program of the checkout answers {@code --help} (exit 0, text,
 * no side effect) and {@code --version} ("NAME VERSION", the parent pom's version, via
 * bin/cxt-version). Found by walking bin/, tests/, dist/, .ci/ and vagrant/ for executable files.
 *
 * <p>Running an unknown script as root is how one finds out it formats a disk: a script is only
 * run when its first lines show that it handles {@code --version} before doing anything (the
 * top-of-file {@code case}); one that does not fails here without being run. After all runs no
 * mount appeared and the checkout is unchanged ({@code git status}).
 */
class ScriptsHelpVersionTest {

    private static final Path ROOT = root();
    private static final int HEAD_LINES = 45;

    @TempDir
    Path cwd;

    private static Path root() {
        Path p = Path.of("").toAbsolutePath();
        while (p != null && !Files.isRegularFile(p.resolve("bin/cxt-version"))) {
            p = p.getParent();
        }
        if (p == null) {
            throw new IllegalStateException("not inside the cxt checkout");
        }
        return p;
    }

    static List<Path> scripts() throws IOException {
        List<Path> out = new ArrayList<>();
        for (String dir : List.of("bin", "tests", "dist", ".ci", "vagrant")) {
            Path d = ROOT.resolve(dir);
            if (!Files.isDirectory(d)) {
                continue;
            }
            try (Stream<Path> s = Files.walk(d)) {
                s.filter(Files::isRegularFile).filter(Files::isExecutable)
                        .filter(p -> !ROOT.relativize(p).toString().matches(".*(^|/)(target|src|\\.git)/.*"))
                        .sorted().forEach(out::add);
            }
        }
        return out;
    }

    static String version() throws IOException {
        String pom = Files.readString(ROOT.resolve("pom.xml"));
        Matcher m = Pattern.compile("<artifactId>cxt-parent</artifactId>\\s*<version>([^<]+)</version>").matcher(pom);
        assertTrue(m.find(), "the parent pom's version");
        return m.group(1);
    }

    private record Run(int exit, String out, String err) {
    }

    private Run run(Path script, String arg) throws Exception {
        ProcessBuilder pb = new ProcessBuilder(script.toString(), arg).directory(cwd.toFile())
                .redirectInput(ProcessBuilder.Redirect.from(Path.of("/dev/null").toFile()));
        Path out = cwd.resolve("out");
        Path err = cwd.resolve("err");
        pb.redirectOutput(out.toFile()).redirectError(err.toFile());
        Process p = pb.start();
        boolean done = p.waitFor(60, TimeUnit.SECONDS);
        if (!done) {
            p.descendants().forEach(ProcessHandle::destroyForcibly);
            p.destroyForcibly();
        }
        assertTrue(done, script + " " + arg + " did not finish within 60 s (does it do more than answer?)");
        return new Run(p.exitValue(), Files.readString(out, StandardCharsets.UTF_8), Files.readString(err, StandardCharsets.UTF_8));
    }

    /** The script handles --version (and so, by the house pattern, --help) in its first lines. */
    static boolean answersBeforeActing(Path script) throws IOException {
        List<String> head;
        try (Stream<String> lines = Files.lines(script, StandardCharsets.UTF_8)) {
            head = lines.limit(HEAD_LINES).collect(Collectors.toList());
        } catch (java.io.UncheckedIOException e) {
            return false; // not text
        }
        return head.stream().anyMatch(l -> l.contains("--version")) && (head.stream().anyMatch(l -> l.contains("--help"))
                || Files.readString(script).contains("--help"));
    }

    private static List<String> mounts() throws IOException {
        return Files.readAllLines(Path.of("/proc/self/mountinfo")).stream().map(l -> l.split(" ")[4])
                .filter(m -> m.equals("/run") || m.equals("/proc") || m.equals("/dev/shm") || m.equals("/var/tmp")
                        || m.equals("/dev/pts") || m.equals("/sys"))
                .sorted().collect(Collectors.toList());
    }

    private static String gitStatus() throws Exception {
        Process p = new ProcessBuilder("git", "-C", ROOT.toString(), "status", "--porcelain", "--untracked-files=all")
                .redirectErrorStream(true).start();
        String s = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        p.waitFor(30, TimeUnit.SECONDS);
        return s;
    }

    @TestFactory
    List<DynamicTest> everyScriptAnswersHelpAndVersion() throws Exception {
        String version = version();
        List<DynamicTest> tests = new ArrayList<>();
        List<Path> all = scripts();
        assertTrue(all.size() >= 25, "found the scripts: " + all);
        for (Path s : all) {
            String rel = ROOT.relativize(s).toString();
            String name = s.getFileName().toString();
            tests.add(DynamicTest.dynamicTest(rel, () -> {
                // the launchers hand every argument to the Java programs, which answer both first thing
                boolean launcher = rel.equals("bin/cxctl") || rel.equals("bin/cxagent");
                assertTrue(launcher || answersBeforeActing(s), rel + " must answer --help and --version before doing anything"
                        + " (a case on $1 in its first " + HEAD_LINES + " lines); not run");
                if (launcher) {
                    assumeTrue(Files.isRegularFile(ROOT.resolve("cli/target/cxctl.jar")), "needs the jar (mvn package)");
                }
                List<String> before = mounts();
                String gitBefore = gitStatus();
                Run help = run(s, "--help");
                assertEquals(0, help.exit(), rel + " --help: " + help.err());
                assertFalse(help.out().isBlank(), rel + " --help prints its usage");
                assertFalse(help.out().toLowerCase(java.util.Locale.ROOT).contains("unknown"), rel + ": " + help.out());
                Run v = run(s, "--version");
                assertEquals(0, v.exit(), rel + " --version: " + v.err());
                assertEquals(name + " " + version, v.out().strip(), rel + " --version");
                assertEquals(before, mounts(), rel + ": no mount changed");
                assertEquals(gitBefore, gitStatus(), rel + ": the checkout is unchanged");
            }));
        }
        return tests;
    }

    @Test
    void guestInitRefusesToRunOutsideTheGuest() throws Exception {
        Path init = ROOT.resolve("tests/lab/guest-init");
        assertTrue(answersBeforeActing(init));
        List<String> before = mounts();
        Run r = run(init, "--run-anyway");
        assertEquals(2, r.exit(), r.out() + r.err());
        assertEquals("guest-init: runs only as PID 1 of the lab guest (tests/lab/run-in-kernel starts it), not here\n", r.err());
        assertEquals(before, mounts());
    }

    @Test
    void installDepsCoversWhatTheReadmeCommandsRun() throws IOException {
        String deps = Files.readString(ROOT.resolve("bin/install-deps"));
        // README's two commands: tests/lab/handover-demo (build, lab kernel, ping through the nAR) and tests/run-tests
        for (String tool : List.of("java", "mvn", "ip", "ping", "sysctl", "dpkg-deb", "perl", "unzip", "python3", "timeout")) {
            assertTrue(deps.contains("command -v " + tool + " "), "bin/install-deps checks for " + tool);
        }
        assertTrue(deps.contains("iputils-ping"), "ping comes from iputils-ping");
    }
}
