package io.cxt.ike;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;

import io.cxt.xfrm.KeyBytes;

/** jqwik generators for the IKE records. */
final class IkeArbitraries {
    private IkeArbitraries() {
    }

    static Arbitrary<byte[]> bytes(int min, int max) {
        return Arbitraries.bytes().array(byte[].class).ofMinSize(min).ofMaxSize(max);
    }

    static Arbitrary<Long> u32() {
        return Arbitraries.longs().between(0, 0xffffffffL);
    }

    static Arbitrary<Long> nonZeroU32() {
        return Arbitraries.longs().between(1, 0xffffffffL);
    }

    static Arbitrary<Long> nonZeroSpi64() {
        return Arbitraries.longs().filter(l -> l != 0);
    }

    static Arbitrary<IkeHeader> header() {
        return Combinators.combine(Arbitraries.longs(), Arbitraries.longs(), Arbitraries.integers().between(0, 255),
                Arbitraries.integers().between(0, 15), Arbitraries.integers().between(0, 255),
                Arbitraries.integers().between(0, 7), u32(), u32())
                .as((i, r, next, minor, exch, flags, mid, len) -> new IkeHeader(i, r, next, 2, minor, exch,
                        (flags & 1) != 0, (flags & 2) != 0, (flags & 4) != 0, mid, len));
    }

    static Arbitrary<NotifyPayload> notifyPayload() {
        return Combinators.combine(Arbitraries.integers().between(0, 255), Arbitraries.integers().between(0, 0xffff),
                bytes(0, 16), bytes(0, 40)).as(NotifyPayload::new);
    }

    static Arbitrary<DeletePayload> delete() {
        Arbitrary<DeletePayload> ike = Arbitraries.just(DeletePayload.ikeSa());
        Arbitrary<DeletePayload> child = Combinators.combine(Arbitraries.integers().between(0, 255),
                Arbitraries.integers().between(1, 8), Arbitraries.integers().between(0, 5))
                .flatAs((proto, size, n) -> bytes(size, size).list().ofSize(n)
                        .map(spis -> new DeletePayload(proto, size, spis)));
        return Arbitraries.oneOf(ike, child);
    }

    static Arbitrary<VendorIdPayload> vendorId() {
        return bytes(0, 32).map(VendorIdPayload::new);
    }

    static Arbitrary<OpaquePayload> opaque() {
        return Combinators.combine(Arbitraries.integers().between(1, 255).filter(t -> !PayloadChain.isInterpreted(t)),
                Arbitraries.of(true, false), bytes(0, 40)).as(OpaquePayload::new);
    }

    static Arbitrary<EncryptedPayload> encrypted() {
        return Combinators.combine(Arbitraries.integers().between(0, 255), bytes(0, 80)).as(EncryptedPayload::new);
    }

    /** Any payload that may appear in front of an SK payload or inside it. */
    static Arbitrary<IkePayload> plainPayload() {
        return Arbitraries.oneOf(notifyPayload(), delete(), vendorId(), opaque());
    }

    static Arbitrary<List<IkePayload>> plainChain() {
        return plainPayload().list().ofMaxSize(6);
    }

    static Arbitrary<List<IkePayload>> messageChain() {
        return Combinators.combine(plainChain(), Arbitraries.of(true, false), encrypted()).as((l, withSk, sk) -> {
            List<IkePayload> out = new ArrayList<>(l);
            if (withSk) {
                out.add(sk);
            }
            return out;
        });
    }

    static Arbitrary<IkeMessage> message() {
        return Combinators.combine(header(), messageChain()).as(IkeMessage::new);
    }

    static Arbitrary<IkeAlgorithms> algorithms() {
        Arbitrary<Integer> bits = Arbitraries.of(128, 192, 256);
        Arbitrary<IkeAlgorithms> cbc = Combinators.combine(bits,
                Arbitraries.of(IntegrityAlgorithm.HMAC_SHA2_256_128, IntegrityAlgorithm.HMAC_SHA2_512_256),
                Arbitraries.of(PrfAlgorithm.values()), Arbitraries.of(14, 19, 20, 21, 31))
                .as((b, i, p, dh) -> new IkeAlgorithms(EncryptionAlgorithm.AES_CBC, b, i, p, dh));
        Arbitrary<IkeAlgorithms> gcm = Combinators.combine(bits, Arbitraries.of(PrfAlgorithm.values()),
                Arbitraries.of(14, 19, 31))
                .as((b, p, dh) -> new IkeAlgorithms(EncryptionAlgorithm.AES_GCM_16, b, IntegrityAlgorithm.NONE, p, dh));
        return Arbitraries.oneOf(cbc, gcm);
    }

    static Arbitrary<IkeKeys> keys(IkeAlgorithms alg) {
        return bytes(alg.keyMaterialLength(), alg.keyMaterialLength()).map(b -> IkeKeys.split(alg, b));
    }

    static Arbitrary<UpdateSpiNotify> updateSpi() {
        Arbitrary<UpdateSpiNotify> ike = Combinators.combine(nonZeroSpi64(), nonZeroSpi64(),
                Arbitraries.of(SpiOwner.values())).as((o, n, w) -> new UpdateSpiNotify(ProtocolId.IKE, o, n, w));
        Arbitrary<UpdateSpiNotify> child = Combinators.combine(Arbitraries.of(ProtocolId.AH, ProtocolId.ESP),
                nonZeroU32(), nonZeroU32(), Arbitraries.of(SpiOwner.values())).as(UpdateSpiNotify::new);
        return Arbitraries.oneOf(ike, child);
    }

    static Arbitrary<PadEntry> padEntry() {
        Arbitrary<PadEntry> psk = Combinators.combine(
                Arbitraries.strings().withCharRange('a', 'z').ofMinLength(1).ofMaxLength(12),
                bytes(1, 48)).as((name, key) -> new PadEntry(IdentityType.ID_FQDN,
                        (name + ".example.org").getBytes(java.nio.charset.StandardCharsets.US_ASCII),
                        AuthMethod.SHARED_KEY_MIC, new PeerCredential.PreSharedKey(KeyBytes.of(key))));
        Arbitrary<PadEntry> v4 = Combinators.combine(bytes(4, 4), bytes(1, 48)).as((a, key) -> new PadEntry(
                IdentityType.ID_IPV4_ADDR, a, AuthMethod.SHARED_KEY_MIC,
                new PeerCredential.PreSharedKey(KeyBytes.of(key))));
        Arbitrary<PadEntry> v6 = Combinators.combine(bytes(16, 16), bytes(20, 200)).as((a, der) -> new PadEntry(
                IdentityType.ID_IPV6_ADDR, a, AuthMethod.ECDSA_SHA256_P256, new PeerCredential.Certificate(der)));
        Arbitrary<PadEntry> dn = Combinators.combine(Arbitraries.of(IdentityType.ID_DER_ASN1_DN,
                IdentityType.ID_KEY_ID, IdentityType.ID_DER_ASN1_GN), bytes(1, 40), bytes(20, 200))
                .as((t, id, der) -> new PadEntry(t, id, AuthMethod.DIGITAL_SIGNATURE, new PeerCredential.Certificate(der)));
        return Arbitraries.oneOf(psk, v4, v6, dn);
    }

    static Arbitrary<List<ChildSa>> childSas() {
        return Combinators.combine(Arbitraries.of(ProtocolId.AH, ProtocolId.ESP), nonZeroU32(), nonZeroU32())
                .as(ChildSa::new).list().ofMaxSize(4)
                .uniqueElements(c -> c.protocol() + "/" + c.inboundSpi());
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

    static Arbitrary<IkeSaContext> context() {
        return algorithms().flatMap(alg -> {
            Arbitrary<Optional<SkeySeed>> seed = Combinators.combine(bytes(32, 64), bytes(16, 64), bytes(16, 64),
                    nonZeroSpi64(), nonZeroSpi64())
                    .as((s, ni, nr, i, r) -> new SkeySeed(KeyBytes.of(s), ni, nr, i, r))
                    .optional();
            Arbitrary<IkeMessageIds> ids = Combinators.combine(u32(), u32()).as(IkeMessageIds::new);
            Arbitrary<IkeLifetime> lifetime = Combinators.combine(Arbitraries.longs().between(0, 4_000_000_000L),
                    Arbitraries.longs().between(0, 100_000)).as((t, rekey) -> new IkeLifetime(t, rekey, rekey * 2));
            return Combinators.combine(nonZeroSpi64(), nonZeroSpi64(), Arbitraries.of(true, false), seed,
                    keys(alg), ids, lifetime, Combinators.combine(padEntry(), childSas()).as(List::of))
                    .as((spiI, spiR, init, s, randomKeys, mids, lt, rest) -> {
                        IkeKeys keys = s.map(x -> x.deriveKeys(alg)).orElse(randomKeys);
                        @SuppressWarnings("unchecked")
                        List<ChildSa> children = (List<ChildSa>) rest.get(1);
                        return new IkeSaContext(spiI, spiR, init, alg, keys, s, mids, lt, (PadEntry) rest.get(0),
                                children);
                    });
        });
    }
}
