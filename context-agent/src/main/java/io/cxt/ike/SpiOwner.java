package io.cxt.ike;

/**
 * Whose SPI an UPDATE_SPI notify changes: the D bit of the paper's section 3.2.4. "Initiator" is the
 * original initiator of the IKE SA (the mobile node), for the IKE SA's SPIs as for Child SAs (where
 * the initiator's SPI is the one the initiator receives on).
 */
public enum SpiOwner {
    /** D = 0. */
    INITIATOR,
    /** D = 1. */
    RESPONDER;

    public static SpiOwner of(boolean originalInitiator) {
        return originalInitiator ? INITIATOR : RESPONDER;
    }

    public boolean dBit() {
        return this == RESPONDER;
    }
}
