package io.cxt.ike;

/** Security protocol identifiers used by Notify and Delete payloads (RFC 7296 section 3.3.1). */
public enum ProtocolId {
    IKE(1, 8),
    AH(2, 4),
    ESP(3, 4);

    private final int id;
    private final int spiSize;

    ProtocolId(int id, int spiSize) {
        this.id = id;
        this.spiSize = spiSize;
    }

    public int id() {
        return id;
    }

    /** Octets of an SPI of this protocol: 8 for an IKE SA, 4 for AH and ESP. */
    public int spiSize() {
        return spiSize;
    }

    public boolean isChildSaProtocol() {
        return this != IKE;
    }

    public static ProtocolId fromId(int id) {
        for (ProtocolId p : values()) {
            if (p.id == id) {
                return p;
            }
        }
        throw new IllegalArgumentException("unknown IKEv2 protocol ID " + id);
    }
}
