package io.cxt.sys;

import java.io.IOException;

/**
 * A system call failed: carries errno, its symbolic name and the C library's text, so a
 * message reads {@code socket: EPERM (Operation not permitted)}.
 */
public class ErrnoException extends IOException {
    private static final long serialVersionUID = 1L;

    private final int errno;
    private final String operation;

    public ErrnoException(String operation, int errno) {
        this(operation, errno, null);
    }

    protected ErrnoException(String operation, int errno, String detail) {
        super(format(operation, errno, detail));
        this.operation = operation;
        this.errno = errno;
    }

    private static String format(String operation, int errno, String detail) {
        StringBuilder sb = new StringBuilder();
        if (operation != null && !operation.isEmpty()) {
            sb.append(operation).append(": ");
        }
        if (detail != null && !detail.isEmpty()) {
            sb.append(detail).append(": ");
        }
        sb.append(Errno.name(errno)).append(" (").append(describe(errno)).append(')');
        return sb.toString();
    }

    /** The C library's text for an errno ("File exists"). */
    public static String describe(int errno) {
        try {
            String text = LibC.INSTANCE.strerror(errno);
            return text == null ? "Unknown error " + errno : text;
        } catch (RuntimeException | LinkageError e) {
            return "Unknown error " + errno;
        }
    }

    /** Throws the exception for the errno left by the last call on this thread. */
    public static ErrnoException last(String operation) {
        return new ErrnoException(operation, LibC.errno());
    }

    public int errno() {
        return errno;
    }

    public String errnoName() {
        return Errno.name(errno);
    }

    public String operation() {
        return operation;
    }
}
