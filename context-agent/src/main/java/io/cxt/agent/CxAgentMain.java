package io.cxt.agent;

import java.io.PrintStream;
import java.lang.reflect.Constructor;
import java.lang.reflect.Method;
import java.lang.reflect.Proxy;
import java.nio.file.Path;
import java.util.concurrent.CountDownLatch;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.LoggerContext;
import ch.qos.logback.classic.encoder.PatternLayoutEncoder;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.ConsoleAppender;

import io.cxt.agent.config.AgentConfig;
import io.cxt.agent.config.AgentConfigParser;
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

    static final String USAGE = "usage: cxagent --config FILE [--check-config] [--foreground] [--debug] | --help | --version";

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
                    out.println("  --version       print the version and exit");
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
        configureLogging(debug ? "debug" : config.agent().logLevel());
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
        installSignalHandlers(stop::countDown);
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
        // Any other way out of the JVM (System.exit elsewhere, SIGHUP) still stops cleanly.
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

    /**
     * Logback to stderr (journald under systemd) with time, level, logger and message, at the given
     * level. An explicit -Dlogback.configurationFile wins.
     */
    static void configureLogging(String level) {
        if (System.getProperty("logback.configurationFile") != null) {
            return;
        }
        if (!(LoggerFactory.getILoggerFactory() instanceof LoggerContext ctx)) {
            return;
        }
        ctx.reset();
        PatternLayoutEncoder enc = new PatternLayoutEncoder();
        enc.setContext(ctx);
        enc.setPattern("%d{yyyy-MM-dd'T'HH:mm:ss.SSSXXX} %-5level %logger{36}: %msg%n");
        enc.start();
        ConsoleAppender<ILoggingEvent> app = new ConsoleAppender<>();
        app.setContext(ctx);
        app.setName("stderr");
        app.setTarget("System.err");
        app.setEncoder(enc);
        app.start();
        ch.qos.logback.classic.Logger root = ctx.getLogger(org.slf4j.Logger.ROOT_LOGGER_NAME);
        root.addAppender(app);
        root.setLevel(Level.toLevel(level, Level.INFO));
    }

    /** SIGTERM and SIGINT through sun.misc.Signal (jdk.unsupported), reached reflectively to keep the build warning-free. */
    private static void installSignalHandlers(Runnable onSignal) {
        try {
            Class<?> signal = Class.forName("sun.misc.Signal");
            Class<?> handler = Class.forName("sun.misc.SignalHandler");
            Constructor<?> make = signal.getConstructor(String.class);
            Method handle = signal.getMethod("handle", signal, handler);
            Object h = Proxy.newProxyInstance(CxAgentMain.class.getClassLoader(), new Class<?>[] {handler},
                    (proxy, method, a) -> switch (method.getName()) {
                        case "handle" -> {
                            onSignal.run();
                            yield null;
                        }
                        case "hashCode" -> System.identityHashCode(proxy);
                        case "equals" -> proxy == a[0];
                        default -> "cxagent stop handler";
                    });
            handle.invoke(null, make.newInstance("TERM"), h);
            handle.invoke(null, make.newInstance("INT"), h);
        } catch (ReflectiveOperationException | LinkageError | RuntimeException e) {
            LoggerFactory.getLogger(CxAgentMain.class).warn("cannot catch SIGTERM ({}); a stop will exit with 143", e.toString());
        }
    }
}
