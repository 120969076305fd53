package io.cxt.ike;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.HexFormat;

import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

import org.junit.jupiter.api.Test;


import io.cxt.xfrm.KeyBytes;
import io.cxt.testing.Gen;
import io.cxt.testing.SeededTest;

/**
 * Known-answer tests of the primitives behind SK protection and key derivation. Sources:
 * <ul>
 * <li>RFC 4231 section 4 (HMAC-SHA-256/512 test cases 1, 2 and 5);</li>
 * <li>RFC 4868 section 2.7 (AUTH_HMAC_SHA2_256_128 / AUTH_HMAC_SHA2_512_256 with full-length keys),
 * as carried in strongSwan's src/libstrongswan/plugins/test_vectors/test_vectors/sha2_hmac.c;</li>
 * <li>RFC 3602 section 4 cases 1-3 (AES-128-CBC), as in strongSwan's test_vectors/aes_cbc.c;</li>
 * <li>the GCM specification of McGrew and Viega, test cases 4 and 16 (AES-128/256, with AAD), in the
 * IKE keymat layout key | 4-octet salt with an 8-octet IV, as in strongSwan's
 * test_vectors/aes_gcm.c (aes_gcm4, aes_gcm7);</li>
 * <li>NIST CAVS SP 800-135 IKEv2 KDF sample vectors for SKEYSEED and prf+ (SHA-256 and SHA-512), as
 * carried by NSS in gtests/common/testvectors/ike-sha256-vectors.h and ike-sha512-vectors.h
 * (cases 6 and 8-10);</li>
 * <li>strongSwan's prf+ unit test, src/libstrongswan/tests/suites/test_prf_plus.c.</li>
 * </ul>
 */
class IkeCryptoKnownAnswerTest {
    private static final HexFormat HEX = HexFormat.of();

    private static byte[] h(String hex) {
        return HEX.parseHex(hex);
    }

    private static byte[] ascii(String s) {
        return s.getBytes(StandardCharsets.US_ASCII);
    }

    private static byte[] repeat(int b, int n) {
        byte[] a = new byte[n];
        Arrays.fill(a, (byte) b);
        return a;
    }

    // ---- HMAC (RFC 4231) through the PRF transforms ----

    @Test
    void rfc4231TestCase1() {
        byte[] key = repeat(0x0b, 20);
        assertEquals("b0344c61d8db38535ca8afceaf0bf12b881dc200c9833da726e9376c2e32cff7",
                HEX.formatHex(IkeCrypto.prf(PrfAlgorithm.PRF_HMAC_SHA2_256, key, ascii("Hi There"))));
        assertEquals("87aa7cdea5ef619d4ff0b4241a1d6cb02379f4e2ce4ec2787ad0b30545e17cde"
                + "daa833b7d6b8a702038b274eaea3f4e4be9d914eeb61f1702e696c203a126854",
                HEX.formatHex(IkeCrypto.prf(PrfAlgorithm.PRF_HMAC_SHA2_512, key, ascii("Hi There"))));
    }

    @Test
    void rfc4231TestCase2() {
        byte[] data = ascii("what do ya want for nothing?");
        assertEquals("5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843",
                HEX.formatHex(IkeCrypto.prf(PrfAlgorithm.PRF_HMAC_SHA2_256, ascii("Jefe"), data)));
        assertEquals("164b7a7bfcf819e2e395fbe73b56e0a387bd64222e831fd610270cd7ea250554"
                + "9758bf75c05a994a6d034f65f8f0e6fdcaeab1a34d4a6b4b636e070a38bce737",
                HEX.formatHex(IkeCrypto.prf(PrfAlgorithm.PRF_HMAC_SHA2_512, ascii("Jefe"), data)));
    }

    @Test
    void rfc4231TestCase5Truncation() {
        byte[] key = repeat(0x0c, 20);
        byte[] data = ascii("Test With Truncation");
        // The 128-bit truncation is exactly AUTH_HMAC_SHA2_256_128's ICV.
        assertEquals("a3b6167473100ee06e0c796c2955552b", HEX.formatHex(IkeCrypto.integrityChecksum(
                IntegrityAlgorithm.HMAC_SHA2_256_128, KeyBytes.of(key), data, 0, data.length)));
        assertEquals("415fad6271580a531d4179bc891d87a6", HEX.formatHex(Arrays.copyOf(IkeCrypto.integrityChecksum(
                IntegrityAlgorithm.HMAC_SHA2_512_256, KeyBytes.of(key), data, 0, data.length), 16)));
    }

    // ---- Integrity transforms (RFC 4868 section 2.7.2) ----

    @Test
    void rfc4868AuthHmacSha2_256_128() {
        assertIcv(IntegrityAlgorithm.HMAC_SHA2_256_128, repeat(0x0b, 32), ascii("Hi There"),
                "198a607eb44bfbc69903a0f1cf2bbdc5");
        assertIcv(IntegrityAlgorithm.HMAC_SHA2_256_128, ascii("JefeJefeJefeJefeJefeJefeJefeJefe"),
                ascii("what do ya want for nothing?"), "167f928588c5cc2eef8e3093caa0e87c");
        assertIcv(IntegrityAlgorithm.HMAC_SHA2_256_128, repeat(0xaa, 32), repeat(0xdd, 50),
                "cdcb1220d1ecccea91e53aba3092f962");
    }

    @Test
    void rfc4868AuthHmacSha2_512_256() {
        assertIcv(IntegrityAlgorithm.HMAC_SHA2_512_256, repeat(0x0b, 64), ascii("Hi There"),
                "637edc6e01dce7e6742a99451aae82df23da3e92439e590e43e761b33e910fb8");
        assertIcv(IntegrityAlgorithm.HMAC_SHA2_512_256,
                ascii("JefeJefeJefeJefeJefeJefeJefeJefeJefeJefeJefeJefeJefeJefeJefeJefe"),
                ascii("what do ya want for nothing?"),
                "cb370917ae8a7ce28cfd1d8f4705d6141c173b2a9362c15df235dfb251b15454");
        assertIcv(IntegrityAlgorithm.HMAC_SHA2_512_256, repeat(0xaa, 64), repeat(0xdd, 50),
                "2ee7acd783624ca9398710f3ee05ae41b9f9b0510c87e49e586cc9bf961733d8");
    }

    private static void assertIcv(IntegrityAlgorithm alg, byte[] key, byte[] data, String expected) {
        assertEquals(alg.keyLength(), key.length);
        byte[] icv = IkeCrypto.integrityChecksum(alg, KeyBytes.of(key), data, 0, data.length);
        assertEquals(alg.icvLength(), icv.length);
        assertEquals(expected, HEX.formatHex(icv));
    }

    // ---- AES-CBC (RFC 3602 section 4) ----

    @Test
    void rfc3602AesCbcCases() {
        assertCbc("06a9214036b8a15b512e03d534120006", "3dafba429d9eb430b422da802c9fac41",
                HEX.formatHex(ascii("Single block msg")), "e353779c1079aeb82708942dbe77181a");
        assertCbc("c286696d887c9aa0611bbb3e2025a45a", "562e17996d093d28ddb3ba695a2e6f58",
                "000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f",
                "d296cd94c2cccf8a3a863028b5e1dc0a7586602d253cfff91b8266bea6d61ab1");
        assertCbc("56e47a38c5598974bc46903dba290349", "8ce82eefbea0da3c44699ed7db51b7d9",
                "a0a1a2a3a4a5a6a7a8a9aaabacadaeafb0b1b2b3b4b5b6b7b8b9babbbcbdbebf"
                        + "c0c1c2c3c4c5c6c7c8c9cacbcccdcecfd0d1d2d3d4d5d6d7d8d9dadbdcdddedf",
                "c30e32ffedc0774e6aff6af0869f71aa0f3af07a9a31a9c684db207eb0ef8e4e"
                        + "35907aa632c3ffdf868bb7b29d3d46ad83ce9f9a102ee99d49a53e87f4c3da55");
    }

    private static void assertCbc(String key, String iv, String plain, String cipher) {
        byte[] p = h(plain);
        assertEquals(cipher, HEX.formatHex(IkeCrypto.aesCbc(true, h(key), h(iv), p, 0, p.length)));
        byte[] c = h(cipher);
        assertEquals(plain, HEX.formatHex(IkeCrypto.aesCbc(false, h(key), h(iv), c, 0, c.length)));
    }

    // ---- AES-GCM (McGrew & Viega test cases 4 and 16), key | salt and 8-octet IV as in IKE ----

    private static final String GCM_PLAIN = "d9313225f88406e5a55909c5aff5269a86a7a9531534f7da2e4c303d8a318a72"
            + "1c3c0c95956809532fcf0e2449a6b525b16aedf5aa0de657ba637b39";
    private static final String GCM_AAD = "feedfacedeadbeeffeedfacedeadbeefabaddad2";

    @Test
    void gcmTestCase4Aes128() {
        assertGcm("feffe9928665731c6d6a8f9467308308" + "cafebabe",
                "42831ec2217774244b7221b784d0d49ce3aa212f2c02a4e035c17e2329aca12e"
                        + "21d514b25466931c7d8f6a5aac84aa051ba30b396a0aac973d58e091"
                        + "5bc94fbc3221a5db94fae95ae7121a47");
    }

    @Test
    void gcmTestCase16Aes256() {
        assertGcm("feffe9928665731c6d6a8f9467308308feffe9928665731c6d6a8f9467308308" + "cafebabe",
                "522dc1f099567d07f47f37a32a84427d643a8cdcbfe5c0c97598a2bd2555d1aa"
                        + "8cb08e48590dbb3da7b08b1056828838c5f61e6393ba7a0abcc9f662"
                        + "76fc6ece0f4e1768cddf8853bb2d551b");
    }

    private static void assertGcm(String keyAndSalt, String cipherAndTag) {
        byte[] k = h(keyAndSalt);
        byte[] aesKey = Arrays.copyOf(k, k.length - 4);
        byte[] nonce = IkeCrypto.concat(Arrays.copyOfRange(k, k.length - 4, k.length), h("facedbaddecaf888"));
        byte[] out = IkeCrypto.aesGcmEncrypt(aesKey, nonce, h(GCM_AAD), h(GCM_PLAIN), 16);
        assertEquals(cipherAndTag, HEX.formatHex(out));
        assertArrayEquals(h(GCM_PLAIN), IkeCrypto.aesGcmDecrypt(aesKey, nonce, h(GCM_AAD), out, 0, out.length, 16));
        out[out.length - 1] ^= 1;
        assertNull(IkeCrypto.aesGcmDecrypt(aesKey, nonce, h(GCM_AAD), out, 0, out.length, 16));
        out[out.length - 1] ^= 1;
        byte[] otherAad = h(GCM_AAD);
        otherAad[0] ^= 1;
        assertNull(IkeCrypto.aesGcmDecrypt(aesKey, nonce, otherAad, out, 0, out.length, 16));
    }

    // ---- IKEv2 KDF: NIST CAVS SP 800-135 samples (via NSS ike-sha256/512-vectors.h) ----

    @Test
    void skeyseedSha256() {
        assertEquals("5f00d1bd2c58ec224b1e6b71fa0f19a1faa7a193952c444411b47c1a9d8ba6fe",
                IkeCrypto.skeyseed(PrfAlgorithm.PRF_HMAC_SHA2_256, h("3f302be1abcb28e1"), h("8c332ee006064c9b"),
                        h("0f4d257d7a58fc4545c7d7a88119eee5d5c9690c5b4c989171d3abbfd99d1d29")).revealHex().substring(2));
    }

    @Test
    void skeyseedSha512() {
        assertEquals("d6e74966b75fd2afab48be319d63d97c8a5d2ffe2e320763a462c664b36c3a94"
                + "4067d867c3a55fd8a7e5cca64b22e24415987e15549f09a81b455adaa5303df8",
                IkeCrypto.skeyseed(PrfAlgorithm.PRF_HMAC_SHA2_512, h("97c41a9b0a03e74c"), h("a659fd06e1746600"),
                        h("276255c3eaace5c6db32b609aa86c0ef07bba4bf2dc4c262995efd95ca607c3f")).revealHex().substring(2));
    }

    static final String SHA256_SKEYSEED = "5f00d1bd2c58ec224b1e6b71fa0f19a1faa7a193952c444411b47c1a9d8ba6fe";
    static final String SHA256_DKM = "0b137d669b0947d7d026d593f0305ad401ff0c471357d695778a9c7f4b4869ec"
            + "e98aca531188d16041b3bb936d2dbb3b4993a6e768a809160de45d0283f273a6"
            + "cdf6854379e31be72b8d3d1fa990cf9c5b015ca9f918a7df6253c958114a09d4"
            + "e1c19bdcd4db14b29d98db1a74ad405c588662c14a04d0d36aa4ab55e90f8986"
            + "d12d4aad";
    static final String SHA512_SKEYSEED = "d6e74966b75fd2afab48be319d63d97c8a5d2ffe2e320763a462c664b36c3a94"
            + "4067d867c3a55fd8a7e5cca64b22e24415987e15549f09a81b455adaa5303df8";
    static final String SHA512_DKM = "22259105314717dc73c210919ee9cb3ded774dc087e866aa3960404c0ed7b8e7"
            + "8e79b993888388e2e5cb238d4bfcb4cdee9da074a26e329d6c2f2f660cc9c711"
            + "c941a2fb3d85a2e5d01e579c8f2c9d00fa6fabe76a137b00c7ff1b291899906"
            + "588c26f073d819063238c4c844f0f8d221b65b76dbc9ed6f6368e5dba86b3e81b"
            + "60eb44a1";

    @Test
    void prfPlusSha256() {
        byte[] seed = h("3f302be1abcb28e1" + "8c332ee006064c9b" + "40dac39e1e1a8640" + "8619a1cf9a6e4c07");
        for (int len : new int[] {132, 32, 15}) {
            assertEquals(SHA256_DKM.substring(0, 2 * len), HEX.formatHex(
                    IkeCrypto.prfPlus(PrfAlgorithm.PRF_HMAC_SHA2_256, h(SHA256_SKEYSEED), seed, len)));
        }
    }

    @Test
    void prfPlusSha512() {
        byte[] seed = h("97c41a9b0a03e74c" + "a659fd06e1746600" + "ff43c5c689b95481" + "e2ba607f30079bb7");
        for (int len : new int[] {132, 64, 15}) {
            assertEquals(SHA512_DKM.substring(0, 2 * len), HEX.formatHex(
                    IkeCrypto.prfPlus(PrfAlgorithm.PRF_HMAC_SHA2_512, h(SHA512_SKEYSEED), seed, len)));
        }
    }

    /**
     * strongSwan's prf+ unit test (src/libstrongswan/tests/suites/test_prf_plus.c, "counter" case):
     * PRF_HMAC_SHA2_256, key 0x0b x 20, seed "Hi There", read in chunks of 3, 6, 7, 16, 8, 8, 14, 20
     * and 40 octets; concatenated here.
     */
    @Test
    void prfPlusStrongSwanVector() {
        String expected = "b9bdc08988b4c2b75aa93e596ac84205fa2ddde1bf7a2572067b00e14b237732"
                + "830509981ad2f94a8c32a47daa2255b660c436347ae756a6edc023477d809590"
                + "e682f61d9c04b06b4ad971a34c8147fa66792ff1434b93c722b32e12f48832eb"
                + "c15ce2369ce71fe9b7b81e5704c14d0f5280a6ec626e992d7a9f";
        assertEquals(expected, HEX.formatHex(IkeCrypto.prfPlus(PrfAlgorithm.PRF_HMAC_SHA2_256, repeat(0x0b, 20),
                ascii("Hi There"), expected.length() / 2)));
    }

    @Test
    void ikeSaKeysAreTakenInRfcOrderFromTheDkm() {
        // PRF-HMAC-SHA2-256, HMAC-SHA2-256-128, AES-128: SK_d 32 | SK_ai 32 | SK_ar 32 | SK_ei 16 | SK_er 16
        // = the first 128 of the 132 DKM octets.
        IkeAlgorithms alg = new IkeAlgorithms(EncryptionAlgorithm.AES_CBC, 128, IntegrityAlgorithm.HMAC_SHA2_256_128,
                PrfAlgorithm.PRF_HMAC_SHA2_256, 14);
        IkeKeys k = IkeCrypto.deriveIkeKeys(alg, KeyBytes.of(h(SHA256_SKEYSEED)), h("3f302be1abcb28e1"),
                h("8c332ee006064c9b"), 0x40dac39e1e1a8640L, 0x8619a1cf9a6e4c07L);
        String got = hex(k.skD()) + hex(k.skAi()) + hex(k.skAr()) + hex(k.skEi()) + hex(k.skEr());
        assertEquals(SHA256_DKM.substring(0, 256), got);

        // PRF-HMAC-SHA2-512, HMAC-SHA2-512-256: SK_d 64 | SK_ai 64 = the first 128 octets.
        IkeAlgorithms alg512 = new IkeAlgorithms(EncryptionAlgorithm.AES_CBC, 256,
                IntegrityAlgorithm.HMAC_SHA2_512_256, PrfAlgorithm.PRF_HMAC_SHA2_512, 14);
        IkeKeys k512 = IkeCrypto.deriveIkeKeys(alg512, KeyBytes.of(h(SHA512_SKEYSEED)), h("97c41a9b0a03e74c"),
                h("a659fd06e1746600"), 0xff43c5c689b95481L, 0xe2ba607f30079bb7L);
        assertEquals(SHA512_DKM.substring(0, 256), hex(k512.skD()) + hex(k512.skAi()));
    }

    private static String hex(KeyBytes k) {
        return k.revealHex().substring(2);
    }

    // ---- prf+ against a second, independent implementation (javax.crypto.Mac) ----

    @SeededTest(cases = 300)
    void prfPlusMatchesAnIndependentImplementation(Gen g) throws Exception  {
        byte[] key = g.bytes(1, 100);
        byte[] seed = g.bytes(0, 100);
        int length = g.betweenEdgy(0, 700);
        boolean sha512 = g.bool();
        PrfAlgorithm prf = sha512 ? PrfAlgorithm.PRF_HMAC_SHA2_512 : PrfAlgorithm.PRF_HMAC_SHA2_256;
        assertArrayEquals(jcePrfPlus(sha512 ? "HmacSHA512" : "HmacSHA256", key, seed, length),
                IkeCrypto.prfPlus(prf, key, seed, length));
    }

    /** RFC 7296 section 2.13, written independently of IkeCrypto. */
    private static byte[] jcePrfPlus(String mac, byte[] key, byte[] seed, int length) throws Exception {
        Mac m = Mac.getInstance(mac);
        m.init(new SecretKeySpec(key, mac));
        java.io.ByteArrayOutputStream out = new java.io.ByteArrayOutputStream();
        byte[] t = new byte[0];
        for (int i = 1; out.size() < length; i++) {
            m.update(t);
            m.update(seed);
            m.update((byte) i);
            t = m.doFinal();
            out.write(t);
        }
        return Arrays.copyOf(out.toByteArray(), length);
    }

    @Test
    void prfPlusIsUndefinedBeyond255Blocks() {
        assertEquals(255 * 32, IkeCrypto.prfPlus(PrfAlgorithm.PRF_HMAC_SHA2_256, new byte[1], new byte[0], 255 * 32)
                .length);
        assertThrows(IllegalArgumentException.class,
                () -> IkeCrypto.prfPlus(PrfAlgorithm.PRF_HMAC_SHA2_256, new byte[1], new byte[0], 255 * 32 + 1));
    }

    @Test
    void constantTimeCompare() {
        assertEquals(true, IkeCrypto.constantTimeEquals(h("0102"), h("0102")));
        assertEquals(false, IkeCrypto.constantTimeEquals(h("0102"), h("0103")));
        assertEquals(false, IkeCrypto.constantTimeEquals(h("0102"), h("010203")));
    }
}
