package io.cxt.ike;

/**
 * The two message ID counters of an IKE SA endpoint (RFC 7296 section 2.2): the ID of the next
 * request it sends and the ID it expects in the peer's next request. Responses carry their
 * request's ID. cxt keeps a window of one in each direction. The ID 0xFFFFFFFF is never used: when
 * a counter reaches it the IKE SA must be rekeyed or closed.
 */
public record IkeMessageIds(long nextRequestToSend, long nextRequestExpected) {
    /** The last value a counter may hold; it marks an exhausted message ID space. */
    public static final long EXHAUSTED = 0xffffffffL;

    public IkeMessageIds {
        Octets.checkU32(nextRequestToSend, "next request message ID to send");
        Octets.checkU32(nextRequestExpected, "next request message ID expected");
    }

    IkeMessageIds afterSendingRequest() {
        if (nextRequestToSend == EXHAUSTED) {
            throw new IllegalStateException("message IDs of this IKE SA are exhausted; rekey or close it");
        }
        return new IkeMessageIds(nextRequestToSend + 1, nextRequestExpected);
    }

    IkeMessageIds afterAcceptingRequest() {
        return new IkeMessageIds(nextRequestToSend, nextRequestExpected + 1);
    }
}
