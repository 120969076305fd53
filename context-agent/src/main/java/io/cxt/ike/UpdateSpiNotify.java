package io.cxt.ike;

/**
 * cxt's UPDATE_SPI notify (paper section 3.2.4): tells the peer that an SPI of this IKE SA or of
 * one of its Child SAs was replaced, typically because the transferred SPI collided on the new
 * access router.
 *
 * <p>Wire layout (docs/ike.md): Protocol ID = 1 IKE, 2 AH, 3 ESP; SPI Size = 8 for IKE, 4 for AH and
 * ESP; SPI = the old SPI; Notification Data = the new SPI (SPI Size octets, network order), then one
 * 32-bit word whose most significant bit is the D bit (0: initiator's SPI, 1: responder's SPI) and
 * whose other 31 bits are padding, sent as zero and ignored on receipt.
 *
 * @param protocol  which kind of SA the SPI belongs to
 * @param oldSpi    the SPI being replaced (unsigned 32 bits for AH and ESP)
 * @param newSpi    its replacement
 * @param owner     whose SPI it is (the D bit)
 */
public record UpdateSpiNotify(ProtocolId protocol, long oldSpi, long newSpi, SpiOwner owner) {
    static final int D_WORD_LENGTH = 4;

    public UpdateSpiNotify {
        if (protocol == null || owner == null) {
            throw new IllegalArgumentException("protocol and owner are required");
        }
        checkSpi(protocol, oldSpi, "old");
        checkSpi(protocol, newSpi, "new");
    }

    private static void checkSpi(ProtocolId protocol, long spi, String which) {
        if (spi == 0) {
            throw new IllegalArgumentException(which + " " + protocol + " SPI must not be zero");
        }
        if (protocol.isChildSaProtocol() && (spi < 0 || spi > 0xffffffffL)) {
            throw new IllegalArgumentException(which + " " + protocol + " SPI is not a 32-bit value: " + spi);
        }
    }

    public NotifyPayload toNotify() {
        int size = protocol.spiSize();
        byte[] data = new byte[size + D_WORD_LENGTH];
        System.arraycopy(Octets.writeUnsigned(newSpi, size), 0, data, 0, size);
        data[size] = (byte) (owner.dBit() ? 0x80 : 0);
        return new NotifyPayload(protocol.id(), CxtExtension.UPDATE_SPI_NOTIFY_TYPE, Octets.writeUnsigned(oldSpi, size),
                data);
    }

    /** Interprets an UPDATE_SPI notify; anything not exactly of the documented layout is malformed. */
    public static UpdateSpiNotify fromNotify(NotifyPayload n) throws IkeDecodeException {
        if (n.notifyType() != CxtExtension.UPDATE_SPI_NOTIFY_TYPE) {
            throw new IkeDecodeException("notify type " + n.notifyType() + " is not UPDATE_SPI");
        }
        ProtocolId protocol;
        try {
            protocol = ProtocolId.fromId(n.protocolId());
        } catch (IllegalArgumentException e) {
            throw new IkeDecodeException("UPDATE_SPI notify has protocol ID " + n.protocolId()
                    + " (expected 1 IKE, 2 AH or 3 ESP)");
        }
        byte[] spi = n.spi();
        byte[] data = n.data();
        int size = protocol.spiSize();
        if (spi.length != size) {
            throw new IkeDecodeException("UPDATE_SPI notify for " + protocol + " has SPI size " + spi.length
                    + ", expected " + size);
        }
        if (data.length != size + D_WORD_LENGTH) {
            throw new IkeDecodeException("UPDATE_SPI notify for " + protocol + " has " + data.length
                    + " octets of data, expected " + (size + D_WORD_LENGTH) + " (new SPI and the D-bit word)");
        }
        byte[] newSpi = java.util.Arrays.copyOf(data, size);
        long oldValue = Octets.readUnsigned(spi);
        long newValue = Octets.readUnsigned(newSpi);
        if (oldValue == 0 || newValue == 0) {
            throw new IkeDecodeException("UPDATE_SPI notify for " + protocol + " carries a zero SPI");
        }
        SpiOwner owner = (data[size] & 0x80) != 0 ? SpiOwner.RESPONDER : SpiOwner.INITIATOR;
        return new UpdateSpiNotify(protocol, oldValue, newValue, owner);
    }

    @Override
    public String toString() {
        String fmt = protocol == ProtocolId.IKE ? "0x%016x" : "0x%08x";
        return "UpdateSpi[" + protocol + " " + owner.name().toLowerCase() + "'s SPI " + String.format(fmt, oldSpi)
                + " -> " + String.format(fmt, newSpi) + "]";
    }
}
