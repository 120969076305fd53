package io.cxt.agent.config;

/**
 * The configuration file is wrong. {@link #getMessage()} is one line naming the file, the line
 * (when known) and the key, e.g. {@code /etc/cxt/cxagent.conf:12: [[peer]] #2 sender-id: 1 is
 * this router's own sender id}. Never contains key bytes.
 */
public class ConfigException extends Exception {

    private static final long serialVersionUID = 1L;

    private final String source;
    private final int line;
    private final String key;
    private final String problem;

    public ConfigException(String source, int line, String key, String problem) {
        super(format(source, line, key, problem));
        this.source = source;
        this.line = line;
        this.key = key;
        this.problem = problem;
    }

    private static String format(String source, int line, String key, String problem) {
        StringBuilder b = new StringBuilder(source);
        if (line > 0) {
            b.append(':').append(line);
        }
        b.append(": ");
        if (key != null && !key.isEmpty()) {
            b.append(key).append(": ");
        }
        return b.append(problem.replace('\n', ' ').replace('\r', ' ')).toString();
    }

    /** The file name (or the source name given to the parser). */
    public String source() {
        return source;
    }

    /** 1-based line of the offending key or table, 0 if unknown. */
    public int line() {
        return line;
    }

    /** The key, qualified by its table, e.g. "[router] sender-id"; empty for file-level problems. */
    public String key() {
        return key;
    }

    /** The problem without file, line and key. */
    public String problem() {
        return problem;
    }
}
