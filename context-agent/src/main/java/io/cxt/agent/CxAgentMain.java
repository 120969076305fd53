package io.cxt.agent;

import java.io.PrintStream;
import java.lang.reflect.Constructor;
import java.lang.reflect.Method;
import java.lang.reflect.Proxy;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.CountDownLatch;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import ch.qos.logback.classic.Level;

import io.cxt.agent.config.AgentConfig;
import io.cxt.agent.config.AgentConfigParser;
import io.cxt.agent.config.AgentSection;
import io.cxt.agent.config.MobileSection;
import io.cxt.agent.config.ConfigException;

/**
 * {@code cxagent --config FILE [--check-config] [--foreground] [--debug]}: the context-transfer
 * daemon (docs/agent.md).
 *
 * <p>The few options are parsed by hand so that the daemon does not depend on picocli (which only
 * the cli module carries); the launcher bin/cxagent runs this class from the cxctl jar. cxagent
 * never forks: it always runs in the foreground, as systemd's Type=notify expects, and
 * {@code --foreground} is accepted for habit's sake.
 *
 * <p>Exit status: 0 after a clean stop (SIGTERM or SIGINT) or a good {@code --check-config};
 * 2 for a bad command line or configuration (one line on stderr); 1 when the agent or its control
 * socket cannot start.
 */
public final class CxAgentMain {

    public static final int EXIT_OK = 0;
    public static final int EXIT_FAILURE = 1;
    public static final int EXIT_CONFIG = 2;

    static final String USAGE = "usage: cxagent --config FILE [--check-config] [--foreground] [--debug] [--log-level [SUBSYSTEM=]LEVEL]... | --help | --version";

    private CxAgentMain() {
    }

    public static void main(String[] args) {
        System.exit(run(args, System.out, System.err));
    }

    /** Runs cxagent until SIGTERM/SIGINT (or returns at once for --check-config, --help and errors). */
    public static int run(String[] args, PrintStream out, PrintStream err) {
        Path configFile = null;
        boolean check = false;
        boolean debug = false;
        String globalLevel = null;
        Map<String, Level> subsystemLevels = new LinkedHashMap<>();
        for (int i = 0; i < args.length; i++) {
            String a = args[i];
            switch (a) {
                case "--config", "-c" -> {
                    if (i + 1 >= args.length) {
                        err.println("cxagent: --config needs a FILE; " + USAGE);
                        return EXIT_CONFIG;
                    }
                    configFile = Path.of(args[++i]);
                }
                case "--check-config" -> check = true;
                case "--foreground", "-f" -> { /* always */ }
                case "--debug" -> debug = true;
                case "--log-level" -> {
                    if (i + 1 >= args.length) {
                        err.println("cxagent: --log-level needs [SUBSYSTEM=]LEVEL; " + USAGE);
                        return EXIT_CONFIG;
                    }
                    String spec = args[++i];
                    try {
                        if (spec.contains("=")) {
                            Map.Entry<String, Level> e = AgentLogging.parseSubsystemLevel(spec);
                            subsystemLevels.put(e.getKey(), e.getValue());
                        } else {
                            globalLevel = AgentLogging.parseSubsystemLevel("agent=" + spec).getValue().levelStr
                                    .toLowerCase(java.util.Locale.ROOT);
                        }
                    } catch (IllegalArgumentException e) {
                        err.println("cxagent: " + e.getMessage());
                        return EXIT_CONFIG;
                    }
                }
                case "--version", "-V" -> {
                    out.println("cxagent " + io.cxt.sys.BuildInfo.version());
                    return EXIT_OK;
                }
                case "--help", "-h" -> {
                    out.println(USAGE);
                    out.println();
                    out.println("Runs the cxt context-transfer agent (RFC 4067 CXTP; access router or mobile node)");
                    out.println("as configured in FILE (TOML; see docs/agent.md). It stays in the foreground, logs to");
                    out.println("stderr and tells systemd (Type=notify) when it is ready. SIGTERM stops it cleanly.");
                    out.println();
                    out.println("  --config FILE   the configuration, e.g. /etc/cxt/cxagent.conf");
                    out.println("  --check-config  validate FILE (and its key files) and exit: 0 good, 2 bad");
                    out.println("  --foreground    accepted; cxagent never daemonizes");
                    out.println("  --debug         log at debug level (overrides [agent] log-level)");
                    out.println("  --log-level [SUBSYSTEM=]LEVEL  a level for everything, or for one subsystem (repeatable):");
                    out.println("                  " + String.join(", ", AgentLogging.SUBSYSTEMS.keySet()) + "; LEVEL error|warn|info|debug|trace");
                    out.println("  --version       print the version and exit");
                    out.println();
                    out.println("SIGHUP re-reads FILE and applies [[peer]], [[mobile-node]], keys and the log level without dropping");
                    out.println("contexts. A FILE that does not parse, or changes what takes a restart ([agent] other than log-level,");
                    out.println("[router], [ike], [timers], ...), is not applied: one error line, the running configuration stays.");
                    out.println("Under systemd (JOURNAL_STREAM) log lines carry sd-daemon priorities (<3> <4> <6> <7>).");
                    out.println();
                    out.println("Exit status: 0 clean stop, 1 start-up failure, 2 bad command line or configuration.");
                    return EXIT_OK;
                }
                default -> {
                    if (a.startsWith("--config=")) {
                        configFile = Path.of(a.substring("--config=".length()));
                    } else {
                        err.println("cxagent: unknown option '" + a + "'; " + USAGE);
                        return EXIT_CONFIG;
                    }
                }
            }
        }
        if (configFile == null) {
            err.println("cxagent: --config FILE is required; " + USAGE);
            return EXIT_CONFIG;
        }
        AgentConfig config;
        try {
            config = AgentConfigParser.parse(configFile);
        } catch (ConfigException e) {
            err.println("cxagent: " + e.getMessage());
            return EXIT_CONFIG;
        }
        if (check) {
            config.warnings().forEach(w -> err.println("cxagent: warning: " + w));
            out.println(configFile + ": ok (role " + config.role().spelling() + ", name " + config.agent().name()
                    + (config.router().isPresent() ? ", " + config.peers().size() + " peers, "
                            + config.mobileNodes().size() + " mobile nodes" : "") + ")");
            return EXIT_OK;
        }
        String fixedLevel = debug ? "debug" : globalLevel;
        AgentLogging.configure(fixedLevel != null ? fixedLevel : config.agent().logLevel(), subsystemLevels);
        Logger log = LoggerFactory.getLogger(CxAgentMain.class);
        config.warnings().forEach(w -> log.warn("{}", w));

        AgentFactory factory;
        try {
            factory = AgentFactories.find();
        } catch (IllegalStateException e) {
            err.println("cxagent: " + e.getMessage());
            return EXIT_FAILURE;
        }
        SystemdNotifier notifier = SystemdNotifier.fromEnvironment();
        CountDownLatch stop = new CountDownLatch(1);
        // Catch SIGTERM/SIGINT ourselves so that a requested stop ends with status 0 (the JVM's default is 143/130).
        // SIGHUP: re-read the configuration (the JVM's default for HUP is to exit with 129).
        AgentConfig[] current = {config};
        Path file = configFile;
        java.util.concurrent.atomic.AtomicReference<RunningAgent> started = new java.util.concurrent.atomic.AtomicReference<>();
        installSignalHandlers(stop::countDown, () -> {
            synchronized (current) {
                current[0] = reload(file, current[0], started.get(), fixedLevel, subsystemLevels);
            }
        });
        // before any thread on the handover path starts (the rehearsal's too); a restart changes it
        io.cxt.sys.RealtimeThreads.configure(config.agent().realtimePriority());
        if (config.agent().realtimePriority() > 0) {
            log.info("handover threads run under SCHED_FIFO priority {} (realtime-priority)", config.agent().realtimePriority());
        }
        AgentDaemon daemon;
        try {
            daemon = AgentDaemon.start(config, factory, loggingSink(), notifier);
        } catch (Exception e) {
            String m = e.getMessage() == null ? e.toString() : e.getMessage();
            // one line in the log (stderr/journal); the stack trace only at debug level
            log.error("cannot start: {}", m);
            log.debug("start-up failure", e);
            notifier.status("failed: " + m);
            notifier.close();
            return EXIT_FAILURE;
        }
        started.set(daemon.agent());
        // Any other way out of the JVM (System.exit elsewhere) still stops cleanly.
        Thread hook = new Thread(daemon::close, "cxagent-shutdown");
        Runtime.getRuntime().addShutdownHook(hook);
        try {
            stop.await();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        log.info("termination requested");
        daemon.close();
        try {
            Runtime.getRuntime().removeShutdownHook(hook);
        } catch (IllegalStateException e) {
            // already shutting down
        }
        return EXIT_OK;
    }

    /** Events go to the log (the roles' EventLog keeps them for {@code cxctl agent events}). */
    static EventSink loggingSink() {
        Logger events = LoggerFactory.getLogger("io.cxt.agent.events");
        return (kind, mn, detail) -> events.info("{}{} {}", kind, mn == null || mn.isEmpty() ? "" : " mn " + mn, detail);
    }

    /** Logging as {@link AgentLogging#configure} sets it up, without subsystem levels (tests). */
    static void configureLogging(String level) {
        AgentLogging.configure(level, Map.of());
    }

    /**
     * SIGHUP: parses the file again and applies what can change while contexts live: {@code [[peer]]}
     * and {@code [[mobile-node]]} tables with their keys (through {@link RunningAgent#reload}), the
     * mobile node's token key, and the log level (unless fixed on the command line). A file that does
     * not parse, changes something that needs a restart ({@link #restartOnly}), or that the agent
     * refuses is not applied at all: one ERROR line names the reason and the running configuration
     * stays.
     *
     * @param agent the running agent, or null when SIGHUP comes before it started (then only the log level)
     * @return the configuration now in force
     */
    static AgentConfig reload(Path file, AgentConfig running, RunningAgent agent, String fixedLevel,
                              Map<String, Level> subsystemLevels) {
        Logger log = LoggerFactory.getLogger(CxAgentMain.class);
        String keep = "; the running configuration stays";
        AgentConfig fresh;
        try {
            fresh = AgentConfigParser.parse(file);
        } catch (ConfigException e) {
            log.error("SIGHUP: not applied: {}{}", e.getMessage(), keep);
            return running;
        } catch (RuntimeException e) {
            log.error("SIGHUP: not applied: cannot re-read {}: {}{}", file, e.toString(), keep);
            return running;
        }
        List<String> restart = restartOnly(running, fresh);
        if (!restart.isEmpty()) {
            log.error("SIGHUP: {} not applied: {} changed, which takes a restart (systemctl restart cxagent){}", file,
                    String.join(", ", restart), keep);
            return running;
        }
        List<String> changed = new ArrayList<>();
        if (!fresh.peers().equals(running.peers())) {
            changed.add("[[peer]] (" + fresh.peers().size() + ")");
        }
        if (!fresh.mobileNodes().equals(running.mobileNodes())) {
            changed.add("[[mobile-node]] (" + fresh.mobileNodes().size() + ")");
        }
        if (!fresh.mobile().map(MobileSection::tokenKey).equals(running.mobile().map(MobileSection::tokenKey))) {
            changed.add("[mobile] token key");
        }
        if (!changed.isEmpty()) {
            if (agent == null) {
                log.error("SIGHUP: {} not applied: the agent is still starting{}", file, keep);
                return running;
            }
            try {
                agent.reload(fresh);
            } catch (IllegalArgumentException | IllegalStateException e) {
                log.error("SIGHUP: {} not applied: {}{}", file, e.getMessage(), keep);
                return running;
            }
        }
        String level = fixedLevel != null ? fixedLevel : fresh.agent().logLevel();
        AgentLogging.configure(level, subsystemLevels);
        fresh.warnings().stream().filter(w -> !running.warnings().contains(w)).forEach(w -> log.warn("{}", w));
        log.info("SIGHUP: {} applied: log level {}{}", file, level,
                changed.isEmpty() ? "" : "; " + String.join(", ", changed) + " replaced, contexts kept");
        return fresh;
    }

    /** What differs between two configurations that only a restart can change (empty: none). */
    static List<String> restartOnly(AgentConfig running, AgentConfig fresh) {
        List<String> out = new ArrayList<>();
        AgentSection a = running.agent();
        AgentSection b = fresh.agent();
        if (!a.withLogLevel("").equals(b.withLogLevel(""))) {
            out.add("[agent] (other than log-level)");
        }
        if (!running.router().equals(fresh.router())) {
            out.add("[router]");
        }
        if (!running.mobile().map(CxAgentMain::withoutKey).equals(fresh.mobile().map(CxAgentMain::withoutKey))) {
            out.add("[mobile] (other than the token key)");
        }
        if (!running.ike().equals(fresh.ike())) {
            out.add("[ike]");
        }
        if (!running.timers().equals(fresh.timers())) {
            out.add("[timers]");
        }
        if (!running.charonHa().equals(fresh.charonHa())) {
            out.add("[charon-ha]");
        }
        return out;
    }

    private static MobileSection withoutKey(MobileSection m) {
        return new MobileSection(m.homeAddress(), m.careOfAddress(), m.accessRouter(), java.util.Optional.empty(),
                m.tokenKeySource(), m.transport(), m.movement(), m.saOwner());
    }

    /** SIGTERM and SIGINT through sun.misc.Signal (jdk.unsupported), reached reflectively to keep the build warning-free. */
    private static void installSignalHandlers(Runnable onSignal, Runnable onHangup) {
        try {
            Class<?> signal = Class.forName("sun.misc.Signal");
            Class<?> handler = Class.forName("sun.misc.SignalHandler");
            Constructor<?> make = signal.getConstructor(String.class);
            Method handle = signal.getMethod("handle", signal, handler);
            Object h = Proxy.newProxyInstance(CxAgentMain.class.getClassLoader(), new Class<?>[] {handler},
                    (proxy, method, a) -> switch (method.getName()) {
                        case "handle" -> {
                            if ("HUP".equals(String.valueOf(signal.getMethod("getName").invoke(a[0])))) {
                                onHangup.run();
                            } else {
                                onSignal.run();
                            }
                            yield null;
                        }
                        case "hashCode" -> System.identityHashCode(proxy);
                        case "equals" -> proxy == a[0];
                        default -> "cxagent stop handler";
                    });
            handle.invoke(null, make.newInstance("TERM"), h);
            handle.invoke(null, make.newInstance("INT"), h);
            handle.invoke(null, make.newInstance("HUP"), h);
        } catch (ReflectiveOperationException | LinkageError | RuntimeException e) {
            LoggerFactory.getLogger(CxAgentMain.class).warn("cannot catch SIGTERM ({}); a stop will exit with 143", e.toString());
        }
    }
}
