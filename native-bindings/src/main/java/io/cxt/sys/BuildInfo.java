package io.cxt.sys;

/**
 * The build's version, read from the one place it is written: the {@code Implementation-Version}
 * of the jar's manifest (the shaded jar's manifest, set from the parent pom's version). cxctl,
 * cxagent, {@code cxctl agent status} and the scripts ({@code --version}) all show this.
 */
public final class BuildInfo {

    /** Shown when the classes do not come from the packaged jar (a test run from target/classes). */
    public static final String UNKNOWN = "unknown (not run from the cxt jar)";

    private BuildInfo() {
    }

    /** The version, e.g. {@code 0.1.0-SNAPSHOT}, or {@link #UNKNOWN}. */
    public static String version() {
        String v = BuildInfo.class.getPackage().getImplementationVersion();
        return v == null || v.isBlank() ? UNKNOWN : v;
    }
}
