package io.cxt.ike;

import java.nio.ByteBuffer;
import java.util.Arrays;

/**
 * Notify payload (RFC 7296 section 3.10). The SPI Size field is the length of {@code spi}.
 *
 * @param protocolId  1 IKE, 2 AH, 3 ESP, or 0 when there is no SPI
 * @param notifyType  the Notify Message Type
 * @param spi         the SPI field (0-255 octets)
 * @param data        the Notification Data
 */
public record NotifyPayload(int protocolId, int notifyType, byte[] spi, byte[] data) implements IkePayload {
    static final int FIXED_LENGTH = 4;

    public NotifyPayload {
        Octets.checkU8(protocolId, "notify protocol ID");
        Octets.checkU16(notifyType, "notify message type");
        spi = Octets.copy(spi, "notify SPI");
        data = Octets.copy(data, "notify data");
        if (spi.length > 0xff) {
            throw new IllegalArgumentException("notify SPI of " + spi.length + " octets exceeds 255");
        }
        IkePayload.checkBodyLength(FIXED_LENGTH + spi.length + data.length, "Notify");
    }

    /** A notify without SPI and data, such as UPDATE_SA_ADDRESSES. */
    public static NotifyPayload of(int notifyType) {
        return new NotifyPayload(0, notifyType, new byte[0], new byte[0]);
    }

    @Override
    public int type() {
        return PayloadType.NOTIFY;
    }

    @Override
    public byte[] spi() {
        return spi.clone();
    }

    @Override
    public byte[] data() {
        return data.clone();
    }

    @Override
    public int bodyLength() {
        return FIXED_LENGTH + spi.length + data.length;
    }

    @Override
    public void encodeBody(ByteBuffer b) {
        b.put((byte) protocolId).put((byte) spi.length).putShort((short) notifyType).put(spi).put(data);
    }

    static NotifyPayload decodeBody(byte[] body) throws IkeDecodeException {
        if (body.length < FIXED_LENGTH) {
            throw new IkeDecodeException("Notify payload body of " + body.length + " octets is shorter than 4");
        }
        int spiSize = body[1] & 0xff;
        if (FIXED_LENGTH + spiSize > body.length) {
            throw new IkeDecodeException("Notify SPI size " + spiSize + " exceeds the payload body of " + body.length);
        }
        int type = (body[2] & 0xff) << 8 | (body[3] & 0xff);
        return new NotifyPayload(body[0] & 0xff, type, Arrays.copyOfRange(body, 4, 4 + spiSize),
                Arrays.copyOfRange(body, 4 + spiSize, body.length));
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof NotifyPayload n && n.protocolId == protocolId && n.notifyType == notifyType
                && Arrays.equals(n.spi, spi) && Arrays.equals(n.data, data);
    }

    @Override
    public int hashCode() {
        return (protocolId * 31 + notifyType) * 31 + Arrays.hashCode(spi) * 17 + Arrays.hashCode(data);
    }

    @Override
    public String toString() {
        return "Notify[protocol=" + protocolId + ", type=" + notifyType + ", spi=" + Octets.hex(spi) + ", data="
                + Octets.hex(data) + "]";
    }
}
