package io.cxt.ike;

import java.io.ByteArrayOutputStream;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;

import io.cxt.xfrm.KeyBytes;

/**
 * Compact binary form of an {@link IkeSaContext}, the {@code encoded} bytes of an
 * the context engine's IkeContextSlot (the IKE part of the FPT_IKE context block). Pure functions;
 * the layout (docs/ike.md, "Binary form") is big-endian and versioned by its first octet:
 *
 * <pre>
 * u8 version (1) | u8 flags (1 originalInitiator, 2 keySeed present)
 * u64 SPIi | u64 SPIr
 * u16 encryption | u16 key bits | u16 integrity | u16 prf | u16 dh group   (IKEv2 transform IDs)
 * 7 x blob: SK_d SK_ai SK_ar SK_ei SK_er SK_pi SK_pr
 * [blob SKEYSEED | blob Ni | blob Nr | u64 SPIi at IKE_SA_INIT | u64 SPIr at IKE_SA_INIT]
 * u32 next request to send | u32 next request expected
 * u64 established | u64 rekey after | u64 delete after
 * u8 ID type | blob identity | u8 auth method | u8 credential (1 PSK, 2 certificate) | blob credential
 * u16 child count | count x (u8 protocol ID | u32 inbound SPI | u32 outbound SPI)
 * </pre>
 *
 * where a blob is a u32 length and the octets. Nothing may follow. Decoding a malformed input
 * throws {@link IkeDecodeException} only; its messages never quote key material.
 */
public final class IkeSaContextCodec {
    /** The layout version written by {@link #encode}. */
    public static final int VERSION = 1;

    private static final int FLAG_INITIATOR = 1;
    private static final int FLAG_KEY_SEED = 2;
    private static final int CREDENTIAL_PSK = 1;
    private static final int CREDENTIAL_CERTIFICATE = 2;

    private IkeSaContextCodec() {
    }

    /** The binary form; contains every key (the caller wipes the array when done). */
    public static byte[] encode(IkeSaContext sa) {
        Writer w = new Writer();
        w.u8(VERSION).u8((sa.originalInitiator() ? FLAG_INITIATOR : 0) | (sa.keySeed().isPresent() ? FLAG_KEY_SEED : 0));
        w.u64(sa.initiatorSpi()).u64(sa.responderSpi());
        IkeAlgorithms a = sa.algorithms();
        w.u16(a.encryption().transformId()).u16(a.encryptionKeyBits()).u16(a.integrity().transformId())
                .u16(a.prf().transformId()).u16(a.dhGroup());
        IkeKeys k = sa.keys();
        for (KeyBytes key : new KeyBytes[] {k.skD(), k.skAi(), k.skAr(), k.skEi(), k.skEr(), k.skPi(), k.skPr()}) {
            w.secret(key);
        }
        sa.keySeed().ifPresent(s -> {
            w.secret(s.skeyseed());
            w.blob(s.ni()).blob(s.nr()).u64(s.initiatorSpi()).u64(s.responderSpi());
        });
        w.u32(sa.messageIds().nextRequestToSend()).u32(sa.messageIds().nextRequestExpected());
        IkeLifetime l = sa.lifetime();
        w.u64(l.establishedEpochSeconds()).u64(l.rekeyAfterSeconds()).u64(l.deleteAfterSeconds());
        PadEntry p = sa.peer();
        w.u8(p.identityType().id()).blob(p.identity()).u8(p.authMethod().id());
        if (p.credential() instanceof PeerCredential.PreSharedKey psk) {
            w.u8(CREDENTIAL_PSK).secret(psk.key());
        } else {
            w.u8(CREDENTIAL_CERTIFICATE).blob(((PeerCredential.Certificate) p.credential()).der());
        }
        w.u16(sa.childSas().size());
        for (ChildSa c : sa.childSas()) {
            w.u8(c.protocol().id()).u32(c.inboundSpi()).u32(c.outboundSpi());
        }
        return w.toByteArray();
    }

    public static IkeSaContext decode(byte[] in) throws IkeDecodeException {
        if (in == null) {
            throw new IkeDecodeException("no IKE SA context bytes");
        }
        Reader r = new Reader(in);
        int version = r.u8("version");
        if (version != VERSION) {
            throw new IkeDecodeException("IKE SA context version " + version + " is not supported (expected " + VERSION + ")");
        }
        int flags = r.u8("flags");
        if ((flags & ~(FLAG_INITIATOR | FLAG_KEY_SEED)) != 0) {
            throw new IkeDecodeException("unknown IKE SA context flags 0x" + Integer.toHexString(flags));
        }
        List<KeyBytes> secrets = new ArrayList<>();
        try {
            long spiI = r.u64("SPIi");
            long spiR = r.u64("SPIr");
            IkeAlgorithms alg = new IkeAlgorithms(EncryptionAlgorithm.fromTransformId(r.u16("encryption")),
                    r.u16("key bits"), IntegrityAlgorithm.fromTransformId(r.u16("integrity")),
                    PrfAlgorithm.fromTransformId(r.u16("prf")), r.u16("DH group"));
            KeyBytes[] k = new KeyBytes[7];
            for (int i = 0; i < 7; i++) {
                k[i] = r.secret("SK_" + i, secrets);
            }
            IkeKeys keys = new IkeKeys(k[0], k[1], k[2], k[3], k[4], k[5], k[6]);
            Optional<SkeySeed> seed = Optional.empty();
            if ((flags & FLAG_KEY_SEED) != 0) {
                KeyBytes s = r.secret("SKEYSEED", secrets);
                seed = Optional.of(new SkeySeed(s, r.blob("Ni"), r.blob("Nr"), r.u64("seed SPIi"), r.u64("seed SPIr")));
            }
            IkeMessageIds ids = new IkeMessageIds(r.u32("next request to send"), r.u32("next request expected"));
            IkeLifetime life = new IkeLifetime(r.u64("established"), r.u64("rekey after"), r.u64("delete after"));
            IdentityType idType = identityType(r.u8("ID type"));
            byte[] identity = r.blob("identity");
            AuthMethod method = authMethod(r.u8("auth method"));
            int kind = r.u8("credential kind");
            PeerCredential cred = switch (kind) {
                case CREDENTIAL_PSK -> new PeerCredential.PreSharedKey(r.secret("PSK", secrets));
                case CREDENTIAL_CERTIFICATE -> new PeerCredential.Certificate(r.blob("certificate"));
                default -> throw new IkeDecodeException("unknown credential kind " + kind);
            };
            PadEntry peer = new PadEntry(idType, identity, method, cred);
            int n = r.u16("child SA count");
            List<ChildSa> children = new ArrayList<>(Math.min(n, 64));
            for (int i = 0; i < n; i++) {
                int proto = r.u8("child protocol");
                children.add(new ChildSa(ProtocolId.fromId(proto), r.u32("child inbound SPI"), r.u32("child outbound SPI")));
            }
            if (!r.atEnd()) {
                throw new IkeDecodeException(r.remaining() + " octets follow the IKE SA context");
            }
            return new IkeSaContext(spiI, spiR, (flags & FLAG_INITIATOR) != 0, alg, keys, seed, ids, life, peer, children);
        } catch (IllegalArgumentException e) {
            secrets.forEach(KeyBytes::wipe);
            throw new IkeDecodeException("invalid IKE SA context: " + e.getMessage());
        } catch (IkeDecodeException e) {
            secrets.forEach(KeyBytes::wipe);
            throw e;
        }
    }

    private static IdentityType identityType(int id) throws IkeDecodeException {
        for (IdentityType t : IdentityType.values()) {
            if (t.id() == id) {
                return t;
            }
        }
        throw new IkeDecodeException("unknown ID type " + id);
    }

    private static AuthMethod authMethod(int id) throws IkeDecodeException {
        for (AuthMethod m : AuthMethod.values()) {
            if (m.id() == id) {
                return m;
            }
        }
        throw new IkeDecodeException("unknown authentication method " + id);
    }

    private static final class Writer {
        private final ByteArrayOutputStream out = new ByteArrayOutputStream(512);

        Writer u8(int v) {
            out.write(v);
            return this;
        }

        Writer u16(int v) {
            out.write(v >>> 8);
            out.write(v);
            return this;
        }

        Writer u32(long v) {
            out.write((int) (v >>> 24));
            out.write((int) (v >>> 16));
            out.write((int) (v >>> 8));
            out.write((int) v);
            return this;
        }

        Writer u64(long v) {
            u32(v >>> 32);
            return u32(v & 0xffffffffL);
        }

        Writer blob(byte[] b) {
            u32(b.length);
            out.write(b, 0, b.length);
            return this;
        }

        Writer secret(KeyBytes k) {
            byte[] b = k.bytes();
            try {
                return blob(b);
            } finally {
                Arrays.fill(b, (byte) 0);
            }
        }

        byte[] toByteArray() {
            return out.toByteArray();
        }
    }

    private static final class Reader {
        private final byte[] in;
        private int pos;

        Reader(byte[] in) {
            this.in = in;
        }

        private void need(long n, String what) throws IkeDecodeException {
            if (n < 0 || in.length - pos < n) {
                throw new IkeDecodeException("IKE SA context truncated in " + what);
            }
        }

        int u8(String what) throws IkeDecodeException {
            need(1, what);
            return in[pos++] & 0xff;
        }

        int u16(String what) throws IkeDecodeException {
            return u8(what) << 8 | u8(what);
        }

        long u32(String what) throws IkeDecodeException {
            need(4, what);
            long v = 0;
            for (int i = 0; i < 4; i++) {
                v = v << 8 | (in[pos++] & 0xff);
            }
            return v;
        }

        long u64(String what) throws IkeDecodeException {
            return u32(what) << 32 | u32(what);
        }

        byte[] blob(String what) throws IkeDecodeException {
            long n = u32(what + " length");
            need(n, what);
            byte[] b = Arrays.copyOfRange(in, pos, pos + (int) n);
            pos += (int) n;
            return b;
        }

        KeyBytes secret(String what, List<KeyBytes> made) throws IkeDecodeException {
            byte[] b = blob(what);
            KeyBytes k = b.length == 0 ? KeyBytes.of(new byte[0]) : KeyBytes.of(b);
            Arrays.fill(b, (byte) 0);
            made.add(k);
            return k;
        }

        boolean atEnd() {
            return pos == in.length;
        }

        int remaining() {
            return in.length - pos;
        }
    }
}
