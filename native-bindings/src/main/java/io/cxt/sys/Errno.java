package io.cxt.sys;

/**
 * errno numbers and their symbolic names, from jnr-constants (the platform's own table, the one
 * jnr-ffi uses), so errors read like {@code EEXIST (File exists)} rather than a bare number. Only the
 * numbers cxt acts on are named here; {@link #name} knows every errno.
 */
public final class Errno {
    public static final int EPERM = number(jnr.constants.platform.Errno.EPERM);
    public static final int ENOENT = number(jnr.constants.platform.Errno.ENOENT);
    public static final int ESRCH = number(jnr.constants.platform.Errno.ESRCH);
    public static final int EINTR = number(jnr.constants.platform.Errno.EINTR);
    public static final int EAGAIN = number(jnr.constants.platform.Errno.EAGAIN);
    public static final int ENOMEM = number(jnr.constants.platform.Errno.ENOMEM);
    public static final int EEXIST = number(jnr.constants.platform.Errno.EEXIST);
    public static final int EINVAL = number(jnr.constants.platform.Errno.EINVAL);
    public static final int ENOBUFS = number(jnr.constants.platform.Errno.ENOBUFS);
    public static final int EAFNOSUPPORT = number(jnr.constants.platform.Errno.EAFNOSUPPORT);
    public static final int EPROTONOSUPPORT = number(jnr.constants.platform.Errno.EPROTONOSUPPORT);

    private Errno() {
    }

    private static int number(jnr.constants.platform.Errno e) {
        return e.defined() ? e.intValue() : -1;
    }

    /** The symbolic name of an errno ("EEXIST"), or "E" and the number when the platform has none. */
    public static String name(int errno) {
        if (errno > 0) {
            jnr.constants.platform.Errno e = jnr.constants.platform.Errno.valueOf(errno);
            if (e != null && e.defined() && e.intValue() == errno) {
                return e.name();
            }
        }
        return "E" + errno;
    }

    /** The number of a symbolic name, or -1. */
    public static int number(String name) {
        try {
            return number(jnr.constants.platform.Errno.valueOf(name));
        } catch (IllegalArgumentException e) {
            return -1;
        }
    }
}
