package io.cxt.agent;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

import org.slf4j.LoggerFactory;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.LoggerContext;
import ch.qos.logback.classic.encoder.PatternLayoutEncoder;
import ch.qos.logback.classic.pattern.ClassicConverter;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.ConsoleAppender;

/**
 * cxagent's logging: logback to stderr, at a global level with per-subsystem overrides
 * ({@code --log-level cxtp=debug}). When stderr is the journal ({@code $JOURNAL_STREAM} names
 * stderr's device and inode, as systemd sets it), every line starts with its sd-daemon(3)
 * priority ({@code <3>} error, {@code <4>} warning, {@code <6>} info, {@code <7>} debug) and
 * carries no timestamp (the journal adds its own), so that {@code journalctl -p warning} works.
 */
public final class AgentLogging {

    /** Subsystem names (for --log-level NAME=LEVEL) and the logger prefixes they cover. */
    public static final Map<String, List<String>> SUBSYSTEMS = subsystems();

    private AgentLogging() {
    }

    private static Map<String, List<String>> subsystems() {
        Map<String, List<String>> m = new LinkedHashMap<>();
        m.put("agent", List.of("io.cxt.agent"));
        m.put("role", List.of("io.cxt.agent.role"));
        m.put("control", List.of("io.cxt.agent.control"));
        m.put("events", List.of("io.cxt.agent.events"));
        m.put("cxtp", List.of("io.cxt.cxtp"));
        m.put("ike", List.of("io.cxt.ike", "io.cxt.agent.ike"));
        m.put("context", List.of("io.cxt.context"));
        m.put("xfrm", List.of("io.cxt.xfrm", "io.cxt.nl", "io.cxt.sys"));
        return m;
    }

    /** The sd-daemon priority prefix of a level. */
    public static String priority(Level level) {
        return switch (level.toInt()) {
            case Level.ERROR_INT -> "<3>";
            case Level.WARN_INT -> "<4>";
            case Level.INFO_INT -> "<6>";
            default -> "<7>";
        };
    }

    /** Logback converter for %prio. */
    public static final class PriorityConverter extends ClassicConverter {
        @Override
        public String convert(ILoggingEvent event) {
            return priority(event.getLevel());
        }
    }

    /**
     * Whether fd 2 is the stream {@code journalStream} ({@code $JOURNAL_STREAM}, "DEVICE:INODE") names.
     */
    public static boolean stderrIsJournal(String journalStream) {
        if (journalStream == null || !journalStream.matches("\\d+:\\d+")) {
            return false;
        }
        String[] di = journalStream.split(":");
        try {
            Path fd2 = Path.of("/proc/self/fd/2");
            long dev = ((Number) Files.getAttribute(fd2, "unix:dev")).longValue();
            long ino = ((Number) Files.getAttribute(fd2, "unix:ino")).longValue();
            return Long.parseLong(di[0]) == dev && Long.parseLong(di[1]) == ino;
        } catch (Exception e) {
            return false;
        }
    }

    /**
     * Parses "NAME=LEVEL" (a subsystem of {@link #SUBSYSTEMS}).
     *
     * @throws IllegalArgumentException with a one-line reason
     */
    public static Map.Entry<String, Level> parseSubsystemLevel(String spec) {
        int eq = spec.indexOf('=');
        String name = eq < 0 ? "" : spec.substring(0, eq).strip().toLowerCase(Locale.ROOT);
        String level = eq < 0 ? "" : spec.substring(eq + 1).strip().toLowerCase(Locale.ROOT);
        if (!SUBSYSTEMS.containsKey(name)) {
            throw new IllegalArgumentException("--log-level '" + spec + "': SUBSYSTEM=LEVEL with SUBSYSTEM one of "
                    + String.join(", ", SUBSYSTEMS.keySet()));
        }
        if (!List.of("error", "warn", "info", "debug", "trace").contains(level)) {
            throw new IllegalArgumentException("--log-level '" + spec + "': LEVEL is error, warn, info, debug or trace");
        }
        return Map.entry(name, Level.toLevel(level));
    }

    /**
     * Sets up logback: stderr, {@code level} for everything, {@code subsystemLevels} on top. Called
     * again on SIGHUP with the re-read level. An explicit -Dlogback.configurationFile wins.
     */
    public static void configure(String level, Map<String, Level> subsystemLevels) {
        if (System.getProperty("logback.configurationFile") != null) {
            return;
        }
        if (!(LoggerFactory.getILoggerFactory() instanceof LoggerContext ctx)) {
            return;
        }
        ch.qos.logback.classic.Logger root = ctx.getLogger(org.slf4j.Logger.ROOT_LOGGER_NAME);
        if (root.getAppender("stderr") == null) {
            ctx.reset();
            boolean journal = stderrIsJournal(System.getenv("JOURNAL_STREAM"));
            PatternLayoutEncoder enc = new PatternLayoutEncoder();
            enc.setContext(ctx);
            if (journal) {
                @SuppressWarnings("unchecked")
                Map<String, String> rules = (Map<String, String>) ctx.getObject(
                        ch.qos.logback.core.CoreConstants.PATTERN_RULE_REGISTRY);
                if (rules == null) {
                    rules = new java.util.HashMap<>();
                    ctx.putObject(ch.qos.logback.core.CoreConstants.PATTERN_RULE_REGISTRY, rules);
                }
                rules.put("prio", PriorityConverter.class.getName());
                enc.setPattern("%prio%-5level %logger{36}: %msg%n");
            } else {
                enc.setPattern("%d{yyyy-MM-dd'T'HH:mm:ss.SSSXXX} %-5level %logger{36}: %msg%n");
            }
            enc.start();
            ConsoleAppender<ILoggingEvent> app = new ConsoleAppender<>();
            app.setContext(ctx);
            app.setName("stderr");
            app.setTarget("System.err");
            app.setEncoder(enc);
            app.start();
            root.addAppender(app);
        }
        root.setLevel(Level.toLevel(level, Level.INFO));
        for (List<String> prefixes : SUBSYSTEMS.values()) {
            prefixes.forEach(p -> ctx.getLogger(p).setLevel(null));
        }
        subsystemLevels.forEach((name, l) -> SUBSYSTEMS.get(name).forEach(p -> ctx.getLogger(p).setLevel(l)));
    }
}
