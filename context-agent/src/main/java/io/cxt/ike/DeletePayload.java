package io.cxt.ike;

import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * Delete payload (RFC 7296 section 3.11). Deleting the IKE SA is protocol 1 with SPI size 0 and no
 * SPIs; deleting Child SAs lists their inbound SPIs (size 4 for AH and ESP).
 *
 * @param protocolId  1 IKE, 2 AH, 3 ESP
 * @param spiSize     octets per SPI
 * @param spis        SPIs, each exactly {@code spiSize} octets (none when spiSize is 0)
 */
public record DeletePayload(int protocolId, int spiSize, List<byte[]> spis) implements IkePayload {
    static final int FIXED_LENGTH = 4;

    public DeletePayload {
        Octets.checkU8(protocolId, "delete protocol ID");
        Octets.checkU8(spiSize, "delete SPI size");
        List<byte[]> copy = new ArrayList<>(spis.size());
        for (byte[] spi : spis) {
            if (spi == null || spi.length != spiSize) {
                throw new IllegalArgumentException("every SPI of a Delete payload must have " + spiSize + " octets");
            }
            copy.add(spi.clone());
        }
        if (spiSize == 0 && !copy.isEmpty()) {
            throw new IllegalArgumentException("a Delete payload with SPI size 0 cannot list SPIs");
        }
        Octets.checkU16(copy.size(), "number of SPIs");
        spis = List.copyOf(copy);
        IkePayload.checkBodyLength(FIXED_LENGTH + spiSize * copy.size(), "Delete");
    }

    /** Deletes the IKE SA this message belongs to. */
    public static DeletePayload ikeSa() {
        return new DeletePayload(ProtocolId.IKE.id(), 0, List.of());
    }

    /** Deletes Child SAs of {@code protocol} (AH or ESP) by their inbound SPIs. */
    public static DeletePayload childSas(ProtocolId protocol, long... inboundSpis) {
        List<byte[]> l = new ArrayList<>();
        for (long spi : inboundSpis) {
            l.add(Octets.writeUnsigned(spi, 4));
        }
        return new DeletePayload(protocol.id(), 4, l);
    }

    @Override
    public List<byte[]> spis() {
        return spis.stream().map(byte[]::clone).toList();
    }

    @Override
    public int type() {
        return PayloadType.DELETE;
    }

    @Override
    public int bodyLength() {
        return FIXED_LENGTH + spiSize * spis.size();
    }

    @Override
    public void encodeBody(ByteBuffer b) {
        b.put((byte) protocolId).put((byte) spiSize).putShort((short) spis.size());
        spis.forEach(b::put);
    }

    static DeletePayload decodeBody(byte[] body) throws IkeDecodeException {
        if (body.length < FIXED_LENGTH) {
            throw new IkeDecodeException("Delete payload body of " + body.length + " octets is shorter than 4");
        }
        int spiSize = body[1] & 0xff;
        int count = (body[2] & 0xff) << 8 | (body[3] & 0xff);
        if (spiSize == 0 && count != 0) {
            throw new IkeDecodeException("Delete payload with SPI size 0 claims " + count + " SPIs");
        }
        if (FIXED_LENGTH + spiSize * count != body.length) {
            throw new IkeDecodeException("Delete payload lists " + count + " SPIs of " + spiSize
                    + " octets but its body has " + (body.length - FIXED_LENGTH) + " octets of SPIs");
        }
        List<byte[]> l = new ArrayList<>(count);
        for (int i = 0; i < count; i++) {
            int off = FIXED_LENGTH + i * spiSize;
            l.add(Arrays.copyOfRange(body, off, off + spiSize));
        }
        return new DeletePayload(body[0] & 0xff, spiSize, l);
    }

    @Override
    public boolean equals(Object o) {
        if (!(o instanceof DeletePayload d) || d.protocolId != protocolId || d.spiSize != spiSize
                || d.spis.size() != spis.size()) {
            return false;
        }
        for (int i = 0; i < spis.size(); i++) {
            if (!Arrays.equals(d.spis.get(i), spis.get(i))) {
                return false;
            }
        }
        return true;
    }

    @Override
    public int hashCode() {
        int h = protocolId * 31 + spiSize;
        for (byte[] s : spis) {
            h = h * 31 + Arrays.hashCode(s);
        }
        return h;
    }

    @Override
    public String toString() {
        return "Delete[protocol=" + protocolId + ", spiSize=" + spiSize + ", spis="
                + spis.stream().map(Octets::hex).toList() + "]";
    }
}
