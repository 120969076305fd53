package io.cxt.ike;

/**
 * The four algorithms negotiated for an IKE SA (RFC 7296 section 2.13). Each maps to an IKEv2
 * transform ID ({@code transformId()} of the enums); the DH group is kept as its transform ID
 * because cxt never computes Diffie-Hellman itself (it is needed again only to rekey).
 *
 * @param encryption         encryption transform
 * @param encryptionKeyBits  its Key Length attribute: 128, 192 or 256
 * @param integrity          integrity transform, {@link IntegrityAlgorithm#NONE} exactly when the
 *                           encryption is AEAD
 * @param prf                pseudorandom function
 * @param dhGroup            Diffie-Hellman group transform ID (e.g. 14 MODP-2048, 19 ECP-256, 31 Curve25519)
 */
public record IkeAlgorithms(EncryptionAlgorithm encryption, int encryptionKeyBits, IntegrityAlgorithm integrity,
        PrfAlgorithm prf, int dhGroup) {

    public IkeAlgorithms {
        if (encryption == null || integrity == null || prf == null) {
            throw new IllegalArgumentException("encryption, integrity and PRF are required");
        }
        if (!EncryptionAlgorithm.isValidKeyBits(encryptionKeyBits)) {
            throw new IllegalArgumentException("AES key length must be 128, 192 or 256 bits, not " + encryptionKeyBits);
        }
        if (encryption.isAead() != (integrity == IntegrityAlgorithm.NONE)) {
            throw new IllegalArgumentException(encryption.isAead()
                    ? "an AEAD transform (" + encryption + ") takes integrity NONE, not " + integrity
                    : encryption + " needs an integrity transform");
        }
        if (dhGroup < 1 || dhGroup > 0xffff) {
            throw new IllegalArgumentException("DH group transform ID out of range 1-65535: " + dhGroup);
        }
    }

    /** Octets of SK_ei and SK_er: the cipher key plus, for AEAD, the salt. */
    public int encryptionKeyLength() {
        return encryptionKeyBits / 8 + encryption.saltLength();
    }

    /** Octets of SK_ai and SK_ar (0 for AEAD). */
    public int integrityKeyLength() {
        return integrity.keyLength();
    }

    /** Octets of SK_d, SK_pi and SK_pr. */
    public int prfKeyLength() {
        return prf.outputLength();
    }

    /** Octets of prf+ output needed for all seven keys. */
    public int keyMaterialLength() {
        return 3 * prfKeyLength() + 2 * integrityKeyLength() + 2 * encryptionKeyLength();
    }

    /** The ICV octets at the end of an SK payload. */
    public int icvLength() {
        return encryption.isAead() ? encryption.aeadIcvLength() : integrity.icvLength();
    }
}
