package io.cxt.xfrm;

import java.util.Objects;

import io.cxt.sys.ErrnoException;

/**
 * One refused entry of an {@link XfrmBatch}: its index in the batch, the kind of refusal, and the
 * kernel's error (errno and extended-ACK text) as the cause to chain.
 */
public record XfrmFailure(int index, XfrmError error, ErrnoException cause) {
    public XfrmFailure {
        Objects.requireNonNull(error, "error");
        Objects.requireNonNull(cause, "cause");
    }

    /** The kernel's words: extended-ACK text, if any, and the errno name ("File exists" style is in the cause). */
    public String kernelText() {
        return XfrmError.text(cause);
    }
}
