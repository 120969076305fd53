package io.cxt.ike;

import java.util.Arrays;

import io.cxt.xfrm.KeyBytes;

/**
 * The seven secrets of an IKE SA (RFC 7296 section 2.14). Messages from the original initiator are
 * protected with SK_ei / SK_ai, messages from the original responder with SK_er / SK_ar. With an
 * AEAD transform SK_ai and SK_ar are empty and SK_ei / SK_er end with the 4-octet salt.
 * Keys never print ({@link KeyBytes}).
 */
public record IkeKeys(KeyBytes skD, KeyBytes skAi, KeyBytes skAr, KeyBytes skEi, KeyBytes skEr, KeyBytes skPi,
        KeyBytes skPr) {

    public IkeKeys {
        for (KeyBytes k : new KeyBytes[] {skD, skAi, skAr, skEi, skEr, skPi, skPr}) {
            if (k == null) {
                throw new IllegalArgumentException("all seven IKE SA keys are required (empty for none)");
            }
        }
    }

    /** Splits prf+ output in the order SK_d | SK_ai | SK_ar | SK_ei | SK_er | SK_pi | SK_pr. */
    public static IkeKeys split(IkeAlgorithms alg, byte[] keyMaterial) {
        if (keyMaterial.length != alg.keyMaterialLength()) {
            throw new IllegalArgumentException("key material has " + keyMaterial.length + " octets, need "
                    + alg.keyMaterialLength());
        }
        int[] lengths = {alg.prfKeyLength(), alg.integrityKeyLength(), alg.integrityKeyLength(),
            alg.encryptionKeyLength(), alg.encryptionKeyLength(), alg.prfKeyLength(), alg.prfKeyLength()};
        KeyBytes[] k = new KeyBytes[7];
        int off = 0;
        for (int i = 0; i < 7; i++) {
            byte[] part = Arrays.copyOfRange(keyMaterial, off, off + lengths[i]);
            k[i] = KeyBytes.of(part);
            Arrays.fill(part, (byte) 0);
            off += lengths[i];
        }
        return new IkeKeys(k[0], k[1], k[2], k[3], k[4], k[5], k[6]);
    }

    /** Throws if a key's length does not fit the algorithms. */
    public void checkLengths(IkeAlgorithms alg) {
        check("SK_d", skD, alg.prfKeyLength());
        check("SK_ai", skAi, alg.integrityKeyLength());
        check("SK_ar", skAr, alg.integrityKeyLength());
        check("SK_ei", skEi, alg.encryptionKeyLength());
        check("SK_er", skEr, alg.encryptionKeyLength());
        check("SK_pi", skPi, alg.prfKeyLength());
        check("SK_pr", skPr, alg.prfKeyLength());
    }

    private static void check(String name, KeyBytes k, int expected) {
        if (k.length() != expected) {
            throw new IllegalArgumentException(name + " has " + k.length() + " octets, the algorithms need " + expected);
        }
    }

    /** SK_ei or SK_er: the encryption key of messages sent by the original initiator or responder. */
    public KeyBytes encryptionKey(boolean fromOriginalInitiator) {
        return fromOriginalInitiator ? skEi : skEr;
    }

    /** SK_ai or SK_ar. */
    public KeyBytes integrityKey(boolean fromOriginalInitiator) {
        return fromOriginalInitiator ? skAi : skAr;
    }

    /** Overwrites all seven keys with zeros. */
    public void wipe() {
        for (KeyBytes k : new KeyBytes[] {skD, skAi, skAr, skEi, skEr, skPi, skPr}) {
            k.wipe();
        }
    }
}
