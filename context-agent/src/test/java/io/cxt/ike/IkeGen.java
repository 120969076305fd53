package io.cxt.ike;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;

import io.cxt.testing.Gen;
import io.cxt.xfrm.KeyBytes;

/** Seeded generators for the IKE records. */
final class IkeGen {
    private IkeGen() {
    }

    static byte[] bytes(Gen g, int min, int max) {
        return g.bytes(min, max);
    }

    static long u32(Gen g) {
        return g.oneIn(6) ? g.of(0L, 1L, 0xffffffffL) : Integer.toUnsignedLong(g.anyInt());
    }

    static long nonZeroU32(Gen g) {
        long v;
        do {
            v = u32(g);
        } while (v == 0);
        return v;
    }

    static long nonZeroSpi64(Gen g) {
        long v;
        do {
            v = g.u64();
        } while (v == 0);
        return v;
    }

    static IkeHeader header(Gen g) {
        long i = g.u64();
        long r = g.u64();
        int next = g.u8();
        int minor = g.between(0, 15);
        int exch = g.u8();
        int flags = g.between(0, 7);
        return new IkeHeader(i, r, next, 2, minor, exch, (flags & 1) != 0, (flags & 2) != 0, (flags & 4) != 0,
                u32(g), u32(g));
    }

    static NotifyPayload notifyPayload(Gen g) {
        return new NotifyPayload(g.u8(), g.u16(), bytes(g, 0, 16), bytes(g, 0, 40));
    }

    static DeletePayload delete(Gen g) {
        if (g.bool()) {
            return DeletePayload.ikeSa();
        }
        int proto = g.u8();
        int size = g.between(1, 8);
        return new DeletePayload(proto, size, g.list(0, 5, () -> g.bytes(size)));
    }

    static VendorIdPayload vendorId(Gen g) {
        return new VendorIdPayload(bytes(g, 0, 32));
    }

    static OpaquePayload opaque(Gen g) {
        int t;
        do {
            t = g.between(1, 255);
        } while (PayloadChain.isInterpreted(t));
        return new OpaquePayload(t, g.bool(), bytes(g, 0, 40));
    }

    static EncryptedPayload encrypted(Gen g) {
        return new EncryptedPayload(g.u8(), bytes(g, 0, 80));
    }

    /** Any payload that may appear in front of an SK payload or inside it. */
    static IkePayload plainPayload(Gen g) {
        return switch (g.between(0, 3)) {
            case 0 -> notifyPayload(g);
            case 1 -> delete(g);
            case 2 -> vendorId(g);
            default -> opaque(g);
        };
    }

    static List<IkePayload> plainChain(Gen g) {
        return g.list(0, 6, () -> plainPayload(g));
    }

    static List<IkePayload> messageChain(Gen g) {
        List<IkePayload> out = new ArrayList<>(plainChain(g));
        if (g.bool()) {
            out.add(encrypted(g));
        }
        return out;
    }

    static IkeMessage message(Gen g) {
        return new IkeMessage(header(g), messageChain(g));
    }

    static IkeAlgorithms algorithms(Gen g) {
        int bits = g.ofInts(128, 192, 256);
        if (g.bool()) {
            return new IkeAlgorithms(EncryptionAlgorithm.AES_CBC, bits,
                    g.of(IntegrityAlgorithm.HMAC_SHA2_256_128, IntegrityAlgorithm.HMAC_SHA2_512_256),
                    g.of(PrfAlgorithm.values()), g.ofInts(14, 19, 20, 21, 31));
        }
        return new IkeAlgorithms(EncryptionAlgorithm.AES_GCM_16, bits, IntegrityAlgorithm.NONE,
                g.of(PrfAlgorithm.values()), g.ofInts(14, 19, 31));
    }

    static IkeKeys keys(Gen g, IkeAlgorithms alg) {
        return IkeKeys.split(alg, g.bytes(alg.keyMaterialLength()));
    }

    static UpdateSpiNotify updateSpi(Gen g) {
        if (g.bool()) {
            return new UpdateSpiNotify(ProtocolId.IKE, nonZeroSpi64(g), nonZeroSpi64(g), g.of(SpiOwner.values()));
        }
        return new UpdateSpiNotify(g.of(ProtocolId.AH, ProtocolId.ESP), nonZeroU32(g), nonZeroU32(g),
                g.of(SpiOwner.values()));
    }

    static PadEntry padEntry(Gen g) {
        return switch (g.between(0, 3)) {
            case 0 -> new PadEntry(IdentityType.ID_FQDN,
                    (g.chars(g.between(1, 12), 'a', 'z') + ".example.org").getBytes(StandardCharsets.US_ASCII),
                    AuthMethod.SHARED_KEY_MIC, new PeerCredential.PreSharedKey(KeyBytes.of(bytes(g, 1, 48))));
            case 1 -> new PadEntry(IdentityType.ID_IPV4_ADDR, g.bytes(4), AuthMethod.SHARED_KEY_MIC,
                    new PeerCredential.PreSharedKey(KeyBytes.of(bytes(g, 1, 48))));
            case 2 -> new PadEntry(IdentityType.ID_IPV6_ADDR, g.bytes(16), AuthMethod.ECDSA_SHA256_P256,
                    new PeerCredential.Certificate(bytes(g, 20, 200)));
            default -> new PadEntry(g.of(IdentityType.ID_DER_ASN1_DN, IdentityType.ID_KEY_ID, IdentityType.ID_DER_ASN1_GN),
                    bytes(g, 1, 40), AuthMethod.DIGITAL_SIGNATURE, new PeerCredential.Certificate(bytes(g, 20, 200)));
        };
    }

    /** Child SAs with distinct (protocol, inbound SPI). */
    static List<ChildSa> childSas(Gen g) {
        Set<String> seen = new HashSet<>();
        List<ChildSa> out = new ArrayList<>();
        for (ChildSa c : g.list(0, 4, () -> new ChildSa(g.of(ProtocolId.AH, ProtocolId.ESP), nonZeroU32(g),
                nonZeroU32(g)))) {
            if (seen.add(c.protocol() + "/" + c.inboundSpi())) {
                out.add(c);
            }
        }
        return out;
    }

    /** The same context with every secret (SK_*, SKEYSEED, PSK) replaced by its bitwise complement. */
    static IkeSaContext withOtherSecrets(IkeSaContext sa) {
        IkeKeys k = sa.keys();
        IkeKeys other = new IkeKeys(not(k.skD()), not(k.skAi()), not(k.skAr()), not(k.skEi()), not(k.skEr()),
                not(k.skPi()), not(k.skPr()));
        Optional<SkeySeed> seed = sa.keySeed().map(s -> new SkeySeed(not(s.skeyseed()), s.ni(), s.nr(),
                s.initiatorSpi(), s.responderSpi()));
        PadEntry p = sa.peer();
        PadEntry peer = p.credential() instanceof PeerCredential.PreSharedKey psk
                ? new PadEntry(p.identityType(), p.identity(), p.authMethod(), new PeerCredential.PreSharedKey(not(psk.key())))
                : p;
        return new IkeSaContext(sa.initiatorSpi(), sa.responderSpi(), sa.originalInitiator(), sa.algorithms(), other,
                seed, sa.messageIds(), sa.lifetime(), peer, sa.childSas());
    }

    private static KeyBytes not(KeyBytes k) {
        byte[] b = k.bytes();
        for (int i = 0; i < b.length; i++) {
            b[i] = (byte) ~b[i];
        }
        return KeyBytes.of(b);
    }

    static IkeSaContext context(Gen g) {
        IkeAlgorithms alg = algorithms(g);
        Optional<SkeySeed> seed = g.bool() ? Optional.of(new SkeySeed(KeyBytes.of(bytes(g, 32, 64)), bytes(g, 16, 64),
                bytes(g, 16, 64), nonZeroSpi64(g), nonZeroSpi64(g))) : Optional.empty();
        IkeMessageIds ids = new IkeMessageIds(u32(g), u32(g));
        long rekey = g.between(0, 100_000);
        IkeLifetime lifetime = new IkeLifetime(g.between(0, Integer.MAX_VALUE) * 2L, rekey, rekey * 2);
        long spiI = nonZeroSpi64(g);
        long spiR = nonZeroSpi64(g);
        boolean init = g.bool();
        IkeKeys randomKeys = keys(g, alg);
        IkeKeys keys = seed.map(x -> x.deriveKeys(alg)).orElse(randomKeys);
        return new IkeSaContext(spiI, spiR, init, alg, keys, seed, ids, lifetime, padEntry(g), childSas(g));
    }
}
