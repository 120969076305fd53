package io.cxt.ike;

import java.util.Arrays;

import org.bouncycastle.crypto.Digest;
import org.bouncycastle.crypto.InvalidCipherTextException;
import org.bouncycastle.crypto.engines.AESEngine;
import org.bouncycastle.crypto.macs.HMac;
import org.bouncycastle.crypto.modes.CBCBlockCipher;
import org.bouncycastle.crypto.modes.CBCModeCipher;
import org.bouncycastle.crypto.modes.GCMBlockCipher;
import org.bouncycastle.crypto.modes.GCMModeCipher;
import org.bouncycastle.crypto.params.AEADParameters;
import org.bouncycastle.crypto.params.KeyParameter;
import org.bouncycastle.crypto.params.ParametersWithIV;

import io.cxt.xfrm.KeyBytes;

/**
 * The IKEv2 cryptographic primitives, all on Bouncy Castle's lightweight API: prf and prf+ (RFC 7296
 * section 2.13), SKEYSEED and the SA keys (section 2.14), truncated HMAC integrity checksums
 * (RFC 4868), AES-CBC without padding and AES-GCM (RFC 5282). Temporary copies of key bytes are
 * overwritten after use.
 */
public final class IkeCrypto {
    private static final int AES_BLOCK = 16;

    private IkeCrypto() {
    }

    /** prf(K, S). */
    public static byte[] prf(PrfAlgorithm prf, byte[] key, byte[] data) {
        return hmac(prf.newDigest(), key, data, 0, data.length);
    }

    /**
     * prf+(K, S) = T1 | T2 | ... truncated to {@code length}, where T1 = prf(K, S | 0x01) and
     * Tn = prf(K, Tn-1 | S | n). Defined up to 255 blocks.
     */
    public static byte[] prfPlus(PrfAlgorithm prf, byte[] key, byte[] seed, int length) {
        int blockLen = prf.outputLength();
        if (length < 0 || length > 255 * blockLen) {
            throw new IllegalArgumentException("prf+ is defined for at most " + 255 * blockLen + " octets, not " + length);
        }
        HMac mac = new HMac(prf.newDigest());
        byte[] k = key.clone();
        mac.init(new KeyParameter(k));
        Arrays.fill(k, (byte) 0);
        byte[] out = new byte[length];
        byte[] t = new byte[0];
        int off = 0;
        for (int n = 1; off < length; n++) {
            mac.update(t, 0, t.length);
            mac.update(seed, 0, seed.length);
            mac.update((byte) n);
            byte[] next = new byte[blockLen];
            mac.doFinal(next, 0);
            Arrays.fill(t, (byte) 0);
            t = next;
            int take = Math.min(blockLen, length - off);
            System.arraycopy(t, 0, out, off, take);
            off += take;
        }
        Arrays.fill(t, (byte) 0);
        return out;
    }

    /** SKEYSEED = prf(Ni | Nr, g^ir). */
    public static KeyBytes skeyseed(PrfAlgorithm prf, byte[] ni, byte[] nr, byte[] sharedSecret) {
        byte[] nonces = concat(ni, nr);
        byte[] s = prf(prf, nonces, sharedSecret);
        KeyBytes k = KeyBytes.of(s);
        Arrays.fill(s, (byte) 0);
        return k;
    }

    /** prf+(SKEYSEED, Ni | Nr | SPIi | SPIr), split into the seven SA keys. */
    public static IkeKeys deriveIkeKeys(IkeAlgorithms alg, KeyBytes skeyseed, byte[] ni, byte[] nr, long spiI,
            long spiR) {
        byte[] seed = concat(concat(ni, nr), concat(Octets.u64(spiI), Octets.u64(spiR)));
        byte[] key = skeyseed.bytes();
        byte[] material = prfPlus(alg.prf(), key, seed, alg.keyMaterialLength());
        Arrays.fill(key, (byte) 0);
        try {
            return IkeKeys.split(alg, material);
        } finally {
            Arrays.fill(material, (byte) 0);
        }
    }

    /** The integrity checksum: HMAC truncated to the transform's ICV length. */
    static byte[] integrityChecksum(IntegrityAlgorithm alg, KeyBytes key, byte[] data, int off, int len) {
        byte[] k = key.bytes();
        try {
            return Arrays.copyOf(hmac(alg.newDigest(), k, data, off, len), alg.icvLength());
        } finally {
            Arrays.fill(k, (byte) 0);
        }
    }

    static byte[] hmac(Digest digest, byte[] key, byte[] data, int off, int len) {
        HMac mac = new HMac(digest);
        mac.init(new KeyParameter(key));
        mac.update(data, off, len);
        byte[] out = new byte[mac.getMacSize()];
        mac.doFinal(out, 0);
        return out;
    }

    /** AES-CBC over whole blocks (the caller pads, as IKE defines its own padding). */
    static byte[] aesCbc(boolean encrypt, byte[] key, byte[] iv, byte[] data, int off, int len) {
        if (len % AES_BLOCK != 0) {
            throw new IllegalArgumentException("AES-CBC input of " + len + " octets is not a multiple of 16");
        }
        CBCModeCipher cbc = CBCBlockCipher.newInstance(AESEngine.newInstance());
        cbc.init(encrypt, new ParametersWithIV(new KeyParameter(key), iv));
        byte[] out = new byte[len];
        for (int i = 0; i < len; i += AES_BLOCK) {
            cbc.processBlock(data, off + i, out, i);
        }
        return out;
    }

    /** AES-GCM encryption; returns ciphertext | tag. */
    static byte[] aesGcmEncrypt(byte[] key, byte[] nonce, byte[] aad, byte[] plaintext, int tagLength) {
        GCMModeCipher gcm = GCMBlockCipher.newInstance(AESEngine.newInstance());
        gcm.init(true, new AEADParameters(new KeyParameter(key), tagLength * 8, nonce, aad));
        byte[] out = new byte[gcm.getOutputSize(plaintext.length)];
        int n = gcm.processBytes(plaintext, 0, plaintext.length, out, 0);
        try {
            gcm.doFinal(out, n);
        } catch (InvalidCipherTextException e) {
            throw new IllegalStateException("AES-GCM encryption failed", e);
        }
        return out;
    }

    /**
     * AES-GCM decryption of ciphertext | tag. The tag is verified before any plaintext is handed
     * back: on a mismatch the partial output is wiped and {@code null} is returned.
     */
    static byte[] aesGcmDecrypt(byte[] key, byte[] nonce, byte[] aad, byte[] input, int off, int len,
            int tagLength) {
        GCMModeCipher gcm = GCMBlockCipher.newInstance(AESEngine.newInstance());
        gcm.init(false, new AEADParameters(new KeyParameter(key), tagLength * 8, nonce, aad));
        byte[] out = new byte[gcm.getOutputSize(len)];
        int n = gcm.processBytes(input, off, len, out, 0);
        try {
            gcm.doFinal(out, n);
            return out;
        } catch (InvalidCipherTextException e) {
            Arrays.fill(out, (byte) 0);
            return null;
        }
    }

    /** Constant-time comparison, for checksums and tags. */
    public static boolean constantTimeEquals(byte[] a, byte[] b) {
        return org.bouncycastle.util.Arrays.constantTimeAreEqual(a, b);
    }

    static byte[] concat(byte[] a, byte[] b) {
        byte[] c = Arrays.copyOf(a, a.length + b.length);
        System.arraycopy(b, 0, c, a.length, b.length);
        return c;
    }
}
