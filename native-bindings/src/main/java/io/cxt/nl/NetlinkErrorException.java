package io.cxt.nl;

import io.cxt.sys.ErrnoException;

/**
 * The kernel refused a netlink request. Carries errno and, when the kernel gave one, its
 * extended-ACK text (e.g. {@code "Invalid SA direction"}), which is usually the most precise
 * explanation there is.
 */
public class NetlinkErrorException extends ErrnoException {
    private static final long serialVersionUID = 1L;

    private final String extAck;
    private final int requestType;
    private final int attributeOffset;

    public NetlinkErrorException(String operation, int errno, String extAck, int requestType, int attributeOffset) {
        super(operation, errno, extAck);
        this.extAck = extAck;
        this.requestType = requestType;
        this.attributeOffset = attributeOffset;
    }

    /** The kernel's extended-ACK message, or null. */
    public String extAck() {
        return extAck;
    }

    /** The netlink message type that was refused. */
    public int requestType() {
        return requestType;
    }

    /** Offset of the offending attribute in the request, or -1. */
    public int attributeOffset() {
        return attributeOffset;
    }
}
