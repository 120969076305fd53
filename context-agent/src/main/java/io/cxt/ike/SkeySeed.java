package io.cxt.ike;

import java.util.Arrays;

import io.cxt.xfrm.KeyBytes;

/**
 * What the IKE SA keys were derived from (RFC 7296 section 2.14): SKEYSEED, the nonces, and the
 * SPIs in effect at IKE_SA_INIT. The SPIs are kept here because an UPDATE_SPI for the IKE SA changes
 * the SA's SPIs but not its keys; re-deriving must use the original ones.
 *
 * @param skeyseed      prf(Ni | Nr, g^ir)
 * @param ni            the initiator's nonce (Nonce payload data only)
 * @param nr            the responder's nonce
 * @param initiatorSpi  SPIi at IKE_SA_INIT
 * @param responderSpi  SPIr at IKE_SA_INIT
 */
public record SkeySeed(KeyBytes skeyseed, byte[] ni, byte[] nr, long initiatorSpi, long responderSpi) {

    public SkeySeed {
        if (skeyseed == null || skeyseed.length() == 0) {
            throw new IllegalArgumentException("SKEYSEED is required");
        }
        ni = Octets.copy(ni, "Ni");
        nr = Octets.copy(nr, "Nr");
        // RFC 7296 asks for 16-256 octets; shorter nonces are accepted so that published KDF vectors
        // (8-octet nonces) can be used.
        if (ni.length == 0 || ni.length > 256 || nr.length == 0 || nr.length > 256) {
            throw new IllegalArgumentException("nonces must have 1-256 octets");
        }
    }

    @Override
    public byte[] ni() {
        return ni.clone();
    }

    @Override
    public byte[] nr() {
        return nr.clone();
    }

    /** {SK_d | SK_ai | SK_ar | SK_ei | SK_er | SK_pi | SK_pr} = prf+(SKEYSEED, Ni | Nr | SPIi | SPIr). */
    public IkeKeys deriveKeys(IkeAlgorithms alg) {
        return IkeCrypto.deriveIkeKeys(alg, skeyseed, ni, nr, initiatorSpi, responderSpi);
    }

    public void wipe() {
        skeyseed.wipe();
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof SkeySeed s && s.skeyseed.equals(skeyseed) && Arrays.equals(s.ni, ni)
                && Arrays.equals(s.nr, nr) && s.initiatorSpi == initiatorSpi && s.responderSpi == responderSpi;
    }

    @Override
    public int hashCode() {
        return Arrays.hashCode(ni) * 31 + Arrays.hashCode(nr) + Long.hashCode(initiatorSpi ^ responderSpi);
    }

    @Override
    public String toString() {
        return "SkeySeed[skeyseed=" + skeyseed + ", ni=" + Octets.hex(ni) + ", nr=" + Octets.hex(nr) + ", spiI="
                + Octets.spi64(initiatorSpi) + ", spiR=" + Octets.spi64(responderSpi) + "]";
    }
}
