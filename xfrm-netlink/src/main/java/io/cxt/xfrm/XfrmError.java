package io.cxt.xfrm;

import io.cxt.nl.MalformedNetlinkException;
import io.cxt.nl.NetlinkErrorException;
import io.cxt.sys.Errno;

/**
 * Why the kernel refused an XFRM request, for the refusals callers act on; every other errno is
 * {@link #OTHER}. Callers switch on this instead of comparing errno names.
 *
 * <p>What each means for XFRM: {@link #EEXIST} an SA or policy with that identity is there already
 * (NEWSA/NEWPOLICY with create-exclusive, or ALLOCSPI asking for a taken SPI); {@link #ENOENT} no
 * such policy, or ALLOCSPI found no free SPI in the range; {@link #ESRCH} no such SA (DELSA, GETSA,
 * UPDSA of a missing SA).
 */
public enum XfrmError {
    EEXIST(Errno.EEXIST),
    ENOENT(Errno.ENOENT),
    ESRCH(Errno.ESRCH),
    EINVAL(Errno.EINVAL),
    ENOMEM(Errno.ENOMEM),
    ENOBUFS(Errno.ENOBUFS),
    EPERM(Errno.EPERM),
    EAFNOSUPPORT(Errno.EAFNOSUPPORT),
    EPROTONOSUPPORT(Errno.EPROTONOSUPPORT),
    /** Any other errno, or not a kernel refusal at all. */
    OTHER(-1);

    private static final XfrmError[] VALUES = values();

    private final int errno;

    XfrmError(int errno) {
        this.errno = errno;
    }

    /** The errno number, or -1 for {@link #OTHER}. */
    public int errno() {
        return errno;
    }

    /** The entry (SA or policy) is not there: ENOENT (policies) or ESRCH (SAs). */
    public boolean absent() {
        return this == ENOENT || this == ESRCH;
    }

    /** The kind of an errno number. */
    public static XfrmError of(int errno) {
        for (XfrmError e : VALUES) {
            if (e.errno == errno) {
                return e;
            }
        }
        return OTHER;
    }

    /**
     * The kind of a refusal thrown by an XFRM operation; {@link #OTHER} for anything that is not the
     * kernel refusing a request (an I/O error, a malformed reply).
     */
    public static XfrmError of(Throwable t) {
        return t instanceof NetlinkErrorException n ? of(n.errno()) : OTHER;
    }

    /** Whether {@code t} is the kernel refusing a request (rather than a socket or decode failure). */
    public static boolean isRefusal(Throwable t) {
        return t instanceof NetlinkErrorException;
    }

    /** Whether {@code t} is a netlink or XFRM reply that does not decode. */
    public static boolean isMalformedReply(Throwable t) {
        return t instanceof MalformedNetlinkException;
    }

    /** The kernel's words for a refusal: its extended-ACK text, if any, and the errno name. */
    public static String text(Throwable t) {
        if (t instanceof NetlinkErrorException n) {
            return (n.extAck() == null || n.extAck().isEmpty() ? "" : n.extAck() + ": ") + n.errnoName();
        }
        return t.getMessage();
    }
}
