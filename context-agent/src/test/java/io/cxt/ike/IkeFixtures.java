package io.cxt.ike;

import java.nio.charset.StandardCharsets;
import java.util.HexFormat;
import java.util.List;
import java.util.Optional;

import io.cxt.xfrm.KeyBytes;

/**
 * One IKE SA seen from both ends: the mobile node (original initiator) and the access router
 * (original responder), with keys derived from a fixed SKEYSEED as after IKE_SA_INIT.
 */
final class IkeFixtures {
    static final long SPI_I = 0x1122334455667788L;
    static final long SPI_R = 0x99aabbccddeeff00L;
    static final long MN_ESP_IN = 0xc1000001L;
    static final long AR_ESP_IN = 0xc2000002L;

    static final IkeAlgorithms CBC_SHA256 = new IkeAlgorithms(EncryptionAlgorithm.AES_CBC, 256,
            IntegrityAlgorithm.HMAC_SHA2_256_128, PrfAlgorithm.PRF_HMAC_SHA2_256, 19);
    static final IkeAlgorithms CBC_SHA512 = new IkeAlgorithms(EncryptionAlgorithm.AES_CBC, 128,
            IntegrityAlgorithm.HMAC_SHA2_512_256, PrfAlgorithm.PRF_HMAC_SHA2_512, 14);
    static final IkeAlgorithms GCM = new IkeAlgorithms(EncryptionAlgorithm.AES_GCM_16, 256, IntegrityAlgorithm.NONE,
            PrfAlgorithm.PRF_HMAC_SHA2_256, 31);

    static final List<IkeAlgorithms> SUITES = List.of(CBC_SHA256, CBC_SHA512, GCM,
            new IkeAlgorithms(EncryptionAlgorithm.AES_CBC, 192, IntegrityAlgorithm.HMAC_SHA2_256_128,
                    PrfAlgorithm.PRF_HMAC_SHA2_512, 19),
            new IkeAlgorithms(EncryptionAlgorithm.AES_GCM_16, 128, IntegrityAlgorithm.NONE,
                    PrfAlgorithm.PRF_HMAC_SHA2_512, 19),
            new IkeAlgorithms(EncryptionAlgorithm.AES_GCM_16, 192, IntegrityAlgorithm.NONE,
                    PrfAlgorithm.PRF_HMAC_SHA2_256, 19));

    private IkeFixtures() {
    }

    static SkeySeed seed() {
        HexFormat h = HexFormat.of();
        return new SkeySeed(KeyBytes.of(h.parseHex("5f00d1bd2c58ec224b1e6b71fa0f19a1faa7a193952c444411b47c1a9d8ba6fe")),
                h.parseHex("00112233445566778899aabbccddeeff"), h.parseHex("ffeeddccbbaa99887766554433221100"), SPI_I,
                SPI_R);
    }

    static IkeSaContext mobileNode(IkeAlgorithms alg) {
        return side(alg, true, new ChildSa(ProtocolId.ESP, MN_ESP_IN, AR_ESP_IN));
    }

    static IkeSaContext accessRouter(IkeAlgorithms alg) {
        return side(alg, false, new ChildSa(ProtocolId.ESP, AR_ESP_IN, MN_ESP_IN));
    }

    private static IkeSaContext side(IkeAlgorithms alg, boolean initiator, ChildSa child) {
        SkeySeed seed = seed();
        PadEntry peer = initiator
                ? new PadEntry(IdentityType.ID_FQDN, "ar.example.org".getBytes(StandardCharsets.US_ASCII),
                        AuthMethod.SHARED_KEY_MIC, new PeerCredential.PreSharedKey(KeyBytes.of(new byte[] {1, 2, 3, 4})))
                : new PadEntry(IdentityType.ID_RFC822_ADDR, "mn@example.org".getBytes(StandardCharsets.US_ASCII),
                        AuthMethod.SHARED_KEY_MIC, new PeerCredential.PreSharedKey(KeyBytes.of(new byte[] {1, 2, 3, 4})));
        return new IkeSaContext(SPI_I, SPI_R, initiator, alg, seed.deriveKeys(alg), Optional.of(seed),
                new IkeMessageIds(2, 2), new IkeLifetime(1_764_000_000L, 14_400, 15_840), peer, List.of(child));
    }
}
