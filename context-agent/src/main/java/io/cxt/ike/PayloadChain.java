package io.cxt.ike;

import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;

/**
 * Encodes and decodes a chain of payloads linked by their Next Payload fields (RFC 7296 section
 * 3.2): the type of each payload is named by the field before it (the IKE header's, or the
 * previous payload's). An Encrypted payload ends the chain; its own Next Payload field names the
 * first payload inside it.
 */
public final class PayloadChain {
    private PayloadChain() {
    }

    /** Whether the type has its own record (all other types become {@link OpaquePayload}). */
    static boolean isInterpreted(int type) {
        return type == PayloadType.NOTIFY || type == PayloadType.DELETE || type == PayloadType.VENDOR_ID
                || type == PayloadType.ENCRYPTED;
    }

    /** The type to put in the field before the chain (IKE header or SK payload): 0 when empty. */
    public static int firstType(List<IkePayload> payloads) {
        return payloads.isEmpty() ? PayloadType.NONE : payloads.get(0).type();
    }

    public static int encodedLength(List<IkePayload> payloads) {
        int n = 0;
        for (IkePayload p : payloads) {
            n += p.encodedLength();
        }
        return n;
    }

    /**
     * Rejects chains that cannot be sent: an Encrypted payload must be the last payload of a
     * message and never inside another Encrypted payload (RFC 7296 section 3.1).
     */
    static void checkPlacement(List<IkePayload> payloads, boolean insideEncrypted) {
        for (int i = 0; i < payloads.size(); i++) {
            if (payloads.get(i) instanceof EncryptedPayload) {
                if (insideEncrypted) {
                    throw new IllegalArgumentException("an Encrypted payload cannot contain another one");
                }
                if (i != payloads.size() - 1) {
                    throw new IllegalArgumentException("the Encrypted payload must be the last payload");
                }
            }
        }
    }

    public static byte[] encode(List<IkePayload> payloads) {
        ByteBuffer b = ByteBuffer.allocate(encodedLength(payloads));
        encode(payloads, b);
        return b.array();
    }

    public static void encode(List<IkePayload> payloads, ByteBuffer b) {
        for (int i = 0; i < payloads.size(); i++) {
            IkePayload p = payloads.get(i);
            int next;
            if (p instanceof EncryptedPayload e) {
                next = e.firstInnerPayload();
            } else {
                next = i + 1 < payloads.size() ? payloads.get(i + 1).type() : PayloadType.NONE;
            }
            b.put((byte) next);
            b.put((byte) (p.critical() ? 0x80 : 0));
            b.putShort((short) p.encodedLength());
            p.encodeBody(b);
        }
    }

    /**
     * Decodes the chain that starts with a payload of {@code firstType} and must fill exactly
     * {@code length} octets from {@code offset}.
     *
     * @param insideEncrypted whether these are the decrypted contents of an SK payload (which may not
     *                        contain another one)
     */
    public static List<IkePayload> decode(int firstType, byte[] bytes, int offset, int length, boolean insideEncrypted)
            throws IkeDecodeException {
        List<IkePayload> out = new ArrayList<>();
        int pos = offset;
        int end = offset + length;
        int type = firstType;
        while (type != PayloadType.NONE) {
            if (end - pos < IkePayload.GENERIC_HEADER_LENGTH) {
                throw new IkeDecodeException("payload of type " + type + " at offset " + pos
                        + " is truncated: " + (end - pos) + " octets left for its 4-octet generic header");
            }
            int next = bytes[pos] & 0xff;
            boolean critical = (bytes[pos + 1] & 0x80) != 0;
            int payloadLength = (bytes[pos + 2] & 0xff) << 8 | (bytes[pos + 3] & 0xff);
            if (payloadLength < IkePayload.GENERIC_HEADER_LENGTH) {
                throw new IkeDecodeException("payload of type " + type + " at offset " + pos + " has length "
                        + payloadLength + ", less than its generic header");
            }
            if (payloadLength > end - pos) {
                throw new IkeDecodeException("payload of type " + type + " at offset " + pos + " has length "
                        + payloadLength + " but only " + (end - pos) + " octets remain");
            }
            byte[] body = java.util.Arrays.copyOfRange(bytes, pos + IkePayload.GENERIC_HEADER_LENGTH,
                    pos + payloadLength);
            pos += payloadLength;
            switch (type) {
                case PayloadType.NOTIFY -> out.add(NotifyPayload.decodeBody(body));
                case PayloadType.DELETE -> out.add(DeletePayload.decodeBody(body));
                case PayloadType.VENDOR_ID -> out.add(new VendorIdPayload(body));
                case PayloadType.ENCRYPTED -> {
                    if (insideEncrypted) {
                        throw new IkeDecodeException("an Encrypted payload contains another Encrypted payload");
                    }
                    if (pos != end) {
                        throw new IkeDecodeException((end - pos)
                                + " octets follow the Encrypted payload, which must be the last payload");
                    }
                    out.add(new EncryptedPayload(next, body));
                    return out;
                }
                default -> out.add(new OpaquePayload(type, critical, body));
            }
            type = next;
        }
        if (pos != end) {
            throw new IkeDecodeException((end - pos) + " octets follow the last payload of the chain");
        }
        return out;
    }
}
