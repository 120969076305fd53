package io.cxt.cli;

/** A command line that parsed but makes no sense (e.g. "spi" without "proto"): exit 2. */
public class UsageException extends IllegalArgumentException {
    private static final long serialVersionUID = 1L;

    public UsageException(String message) {
        super(message);
    }
}
