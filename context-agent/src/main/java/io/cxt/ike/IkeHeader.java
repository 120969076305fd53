package io.cxt.ike;

import java.nio.ByteBuffer;

/**
 * The fixed 28-octet IKE header (RFC 7296 section 3.1). Message ID and length are unsigned 32-bit
 * values held in a long. The reserved X flag bits are ignored on receipt and sent as zero, as the
 * RFC requires, so they are not part of the record.
 *
 * @param initiatorSpi   the IKE SA initiator's SPI
 * @param responderSpi   the IKE SA responder's SPI (zero only in the first IKE_SA_INIT request)
 * @param nextPayload    type of the first payload, 0 if none
 * @param majorVersion   2 for IKEv2 (the decoder rejects anything else)
 * @param minorVersion   0 when sending; ignored on receipt
 * @param exchangeType   e.g. {@link ExchangeType#INFORMATIONAL}
 * @param response       the R flag: this message is a response
 * @param higherVersion  the V flag: sender speaks a higher major version (sent as 0 by IKEv2)
 * @param initiator      the I flag: sent by the original initiator of the IKE SA
 * @param messageId      the message ID
 * @param length         length of the whole message including this header
 */
public record IkeHeader(long initiatorSpi, long responderSpi, int nextPayload, int majorVersion, int minorVersion,
        int exchangeType, boolean response, boolean higherVersion, boolean initiator, long messageId,
        long length) {

    public static final int LENGTH = 28;
    public static final int IKEV2_MAJOR_VERSION = 2;

    private static final int FLAG_RESPONSE = 0x20;
    private static final int FLAG_VERSION = 0x10;
    private static final int FLAG_INITIATOR = 0x08;

    public IkeHeader {
        Octets.checkU8(nextPayload, "next payload");
        if (majorVersion < 0 || majorVersion > 15 || minorVersion < 0 || minorVersion > 15) {
            throw new IllegalArgumentException("IKE version nibbles out of range: " + majorVersion + "." + minorVersion);
        }
        Octets.checkU8(exchangeType, "exchange type");
        Octets.checkU32(messageId, "message ID");
        Octets.checkU32(length, "length");
    }

    /** An IKEv2 (2.0) header; next payload and length are filled in when the message is encoded. */
    public static IkeHeader of(long initiatorSpi, long responderSpi, int exchangeType, boolean response,
            boolean initiator, long messageId) {
        return new IkeHeader(initiatorSpi, responderSpi, PayloadType.NONE, IKEV2_MAJOR_VERSION, 0, exchangeType,
                response, false, initiator, messageId, LENGTH);
    }

    public IkeHeader withNextPayloadAndLength(int next, long totalLength) {
        return new IkeHeader(initiatorSpi, responderSpi, next, majorVersion, minorVersion, exchangeType, response,
                higherVersion, initiator, messageId, totalLength);
    }

    public byte[] encode() {
        ByteBuffer b = ByteBuffer.allocate(LENGTH);
        encode(b);
        return b.array();
    }

    public void encode(ByteBuffer b) {
        b.putLong(initiatorSpi);
        b.putLong(responderSpi);
        b.put((byte) nextPayload);
        b.put((byte) (majorVersion << 4 | minorVersion));
        b.put((byte) exchangeType);
        b.put((byte) ((response ? FLAG_RESPONSE : 0) | (higherVersion ? FLAG_VERSION : 0)
                | (initiator ? FLAG_INITIATOR : 0)));
        b.putInt((int) messageId);
        b.putInt((int) length);
    }

    /** Decodes the header at the start of {@code message}; the rest of the bytes are not examined. */
    public static IkeHeader decode(byte[] message) throws IkeDecodeException {
        if (message.length < LENGTH) {
            throw new IkeDecodeException("IKE message of " + message.length + " octets is shorter than the "
                    + LENGTH + "-octet IKE header");
        }
        ByteBuffer b = ByteBuffer.wrap(message, 0, LENGTH);
        long spiI = b.getLong();
        long spiR = b.getLong();
        int next = b.get() & 0xff;
        int version = b.get() & 0xff;
        int exchange = b.get() & 0xff;
        int flags = b.get() & 0xff;
        long mid = b.getInt() & 0xffffffffL;
        long len = b.getInt() & 0xffffffffL;
        int major = version >>> 4;
        if (major != IKEV2_MAJOR_VERSION) {
            throw new IkeDecodeException("IKE major version " + major + " is not spoken (only IKEv2)");
        }
        return new IkeHeader(spiI, spiR, next, major, version & 0x0f, exchange, (flags & FLAG_RESPONSE) != 0,
                (flags & FLAG_VERSION) != 0, (flags & FLAG_INITIATOR) != 0, mid, len);
    }

    @Override
    public String toString() {
        return "IkeHeader[spiI=" + Octets.spi64(initiatorSpi) + ", spiR=" + Octets.spi64(responderSpi)
                + ", next=" + nextPayload + ", version=" + majorVersion + "." + minorVersion + ", exchange="
                + exchangeType + ", flags=" + (initiator ? "I" : "") + (response ? "R" : "") + (higherVersion ? "V" : "")
                + ", mid=" + messageId + ", length=" + length + "]";
    }
}
