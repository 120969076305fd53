package io.cxt.ike;

import java.nio.ByteBuffer;

/**
 * One IKEv2 payload (RFC 7296 section 3.2). The generic header's Next Payload field is not part of
 * a payload: it is derived from the chain when encoding ({@link PayloadChain}). Payload types the
 * codec does not interpret are kept as {@link OpaquePayload}, with their critical bit.
 */
public sealed interface IkePayload permits NotifyPayload, DeletePayload, VendorIdPayload, EncryptedPayload,
        OpaquePayload {

    int GENERIC_HEADER_LENGTH = 4;
    /** The Payload Length field is 16 bits and includes the generic header. */
    int MAX_BODY_LENGTH = 0xffff - GENERIC_HEADER_LENGTH;

    /** The payload type number (what the previous Next Payload field names). */
    int type();

    /** The critical bit; only meaningful for payload types the receiver does not understand. */
    default boolean critical() {
        return false;
    }

    /** Length of the payload body after the generic header. */
    int bodyLength();

    /** Writes the body (after the generic header). */
    void encodeBody(ByteBuffer b);

    default int encodedLength() {
        return GENERIC_HEADER_LENGTH + bodyLength();
    }

    static void checkBodyLength(int length, String what) {
        if (length > MAX_BODY_LENGTH) {
            throw new IllegalArgumentException(what + " body of " + length + " octets exceeds " + MAX_BODY_LENGTH);
        }
    }
}
