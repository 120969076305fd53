package io.cxt.cxtp;

/**
 * Whether this JVM on this kernel can open SCTP sockets, and if not, why.
 *
 * @param available true when an SCTP socket could be opened
 * @param reason why not (empty when available)
 */
public record SctpAvailability(boolean available, String reason) {

    public static SctpAvailability yes() {
        return new SctpAvailability(true, "");
    }

    public static SctpAvailability no(String reason) {
        return new SctpAvailability(false, reason);
    }

    /** "SCTP available" or "SCTP unavailable: &lt;reason&gt;". */
    public String describe() {
        return available ? "SCTP available" : "SCTP unavailable: " + reason;
    }
}
