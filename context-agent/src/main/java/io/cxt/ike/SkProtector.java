package io.cxt.ike;

import java.nio.ByteBuffer;
import java.security.SecureRandom;
import java.util.Arrays;
import java.util.List;

import io.cxt.ike.IkeRejectedException.Reason;
import io.cxt.xfrm.KeyBytes;

/**
 * Protects and opens the Encrypted (SK) payload of IKEv2 messages sent in one direction of an IKE
 * SA, i.e. with one pair of keys: SK_ei/SK_ai for messages from the original initiator, SK_er/SK_ar
 * for messages from the original responder.
 *
 * <p>AES-CBC with HMAC (RFC 7296 section 3.14): a random IV per message, minimal padding so that
 * payloads | padding | pad length fill whole blocks, and an ICV over the whole message from the IKE
 * header through the pad length. On receipt the ICV is checked, in constant time, before anything is
 * decrypted.
 *
 * <p>AES-GCM-16 (RFC 5282): nonce = 4-octet salt (end of SK_e) | random 8-octet explicit IV; the AAD
 * is the message from the first octet of the IKE header through the SK payload's generic header;
 * no padding is added (only the pad length octet, 0). The tag is verified before any plaintext is
 * used.
 */
public final class SkProtector {
    private final IkeAlgorithms algorithms;
    private final KeyBytes encryptionKey;
    private final KeyBytes integrityKey;
    private final SecureRandom random;

    private SkProtector(IkeAlgorithms algorithms, KeyBytes encryptionKey, KeyBytes integrityKey, SecureRandom random) {
        this.algorithms = algorithms;
        this.encryptionKey = encryptionKey;
        this.integrityKey = integrityKey;
        this.random = random;
    }

    /**
     * @param random source of IVs; may be null for a protector that only opens messages
     */
    public static SkProtector of(IkeAlgorithms algorithms, KeyBytes encryptionKey, KeyBytes integrityKey,
            SecureRandom random) {
        if (encryptionKey.length() != algorithms.encryptionKeyLength()) {
            throw new IllegalArgumentException("encryption key has " + encryptionKey.length() + " octets, "
                    + algorithms.encryption() + " with " + algorithms.encryptionKeyBits() + " bits needs "
                    + algorithms.encryptionKeyLength());
        }
        if (integrityKey.length() != algorithms.integrityKeyLength()) {
            throw new IllegalArgumentException("integrity key has " + integrityKey.length() + " octets, "
                    + algorithms.integrity() + " needs " + algorithms.integrityKeyLength());
        }
        return new SkProtector(algorithms, encryptionKey, integrityKey, random);
    }

    /** The protector for messages sent by the original initiator (true) or original responder (false). */
    public static SkProtector forMessagesFrom(IkeSaContext sa, boolean fromOriginalInitiator, SecureRandom random) {
        return of(sa.algorithms(), sa.keys().encryptionKey(fromOriginalInitiator),
                sa.keys().integrityKey(fromOriginalInitiator), random);
    }

    /** For messages we send on this IKE SA. */
    public static SkProtector outbound(IkeSaContext sa, SecureRandom random) {
        return forMessagesFrom(sa, sa.originalInitiator(), random);
    }

    /** For messages the peer sends on this IKE SA. */
    public static SkProtector inbound(IkeSaContext sa) {
        return forMessagesFrom(sa, !sa.originalInitiator(), null);
    }

    /** A message opened by {@link #open}: its header, payloads before SK, and the decrypted payloads. */
    public record Opened(IkeHeader header, List<IkePayload> clearPayloads, List<IkePayload> payloads) {
        public Opened {
            clearPayloads = List.copyOf(clearPayloads);
            payloads = List.copyOf(payloads);
        }
    }

    /**
     * Builds the message {@code header, SK{payloads}}. The header's Next Payload and Length are
     * filled in.
     */
    public byte[] protect(IkeHeader header, List<IkePayload> payloads) {
        if (random == null) {
            throw new IllegalStateException("this protector has no random source; it can only open messages");
        }
        PayloadChain.checkPlacement(payloads, true);
        EncryptionAlgorithm enc = algorithms.encryption();
        byte[] inner = PayloadChain.encode(payloads);
        int bs = enc.blockSize();
        int padLength = (bs - (inner.length + 1) % bs) % bs;
        byte[] plain = Arrays.copyOf(inner, inner.length + padLength + 1);
        plain[plain.length - 1] = (byte) padLength;
        byte[] iv = new byte[enc.ivLength()];
        random.nextBytes(iv);
        int icvLength = algorithms.icvLength();
        int contentLength = iv.length + plain.length + icvLength;
        IkePayload.checkBodyLength(contentLength, "Encrypted");
        int total = IkeHeader.LENGTH + IkePayload.GENERIC_HEADER_LENGTH + contentLength;
        ByteBuffer b = ByteBuffer.allocate(total);
        header.withNextPayloadAndLength(PayloadType.ENCRYPTED, total).encode(b);
        b.put((byte) PayloadChain.firstType(payloads)).put((byte) 0)
                .putShort((short) (IkePayload.GENERIC_HEADER_LENGTH + contentLength));
        b.put(iv);
        byte[] key = encryptionKey.bytes();
        try {
            if (enc.isAead()) {
                byte[] aad = Arrays.copyOf(b.array(), IkeHeader.LENGTH + IkePayload.GENERIC_HEADER_LENGTH);
                int keyLength = algorithms.encryptionKeyBits() / 8;
                byte[] aesKey = Arrays.copyOf(key, keyLength);
                byte[] nonce = IkeCrypto.concat(Arrays.copyOfRange(key, keyLength, key.length), iv);
                b.put(IkeCrypto.aesGcmEncrypt(aesKey, nonce, aad, plain, icvLength));
                Arrays.fill(aesKey, (byte) 0);
            } else {
                b.put(IkeCrypto.aesCbc(true, key, iv, plain, 0, plain.length));
                b.put(IkeCrypto.integrityChecksum(algorithms.integrity(), integrityKey, b.array(), 0, total - icvLength));
            }
        } finally {
            Arrays.fill(key, (byte) 0);
            Arrays.fill(plain, (byte) 0);
            Arrays.fill(inner, (byte) 0);
        }
        return b.array();
    }

    /**
     * Verifies and decrypts a received message. Nothing is returned unless the whole message is
     * well formed and authentic.
     */
    public Opened open(byte[] message) throws IkeRejectedException {
        IkeMessage m;
        try {
            m = IkeMessage.decode(message);
        } catch (IkeDecodeException e) {
            throw new IkeRejectedException(Reason.MALFORMED, e.getMessage(), e);
        }
        EncryptedPayload sk = m.encryptedPayload().orElseThrow(() -> new IkeRejectedException(Reason.NOT_PROTECTED,
                "the message has no Encrypted payload"));
        byte[] content = sk.content();
        int skHeaderEnd = message.length - content.length;
        EncryptionAlgorithm enc = algorithms.encryption();
        int ivLength = enc.ivLength();
        int icvLength = algorithms.icvLength();
        int cipherLength = content.length - ivLength - icvLength;
        if (cipherLength < enc.blockSize() || cipherLength % enc.blockSize() != 0) {
            throw new IkeRejectedException(Reason.MALFORMED, "Encrypted payload content of " + content.length
                    + " octets cannot hold a " + ivLength + "-octet IV, whole " + enc.blockSize()
                    + "-octet blocks with the pad length, and a " + icvLength + "-octet ICV");
        }
        byte[] iv = Arrays.copyOf(content, ivLength);
        byte[] key = encryptionKey.bytes();
        byte[] plain;
        try {
            if (enc.isAead()) {
                byte[] aad = Arrays.copyOf(message, skHeaderEnd);
                int keyLength = algorithms.encryptionKeyBits() / 8;
                byte[] aesKey = Arrays.copyOf(key, keyLength);
                byte[] nonce = IkeCrypto.concat(Arrays.copyOfRange(key, keyLength, key.length), iv);
                plain = IkeCrypto.aesGcmDecrypt(aesKey, nonce, aad, content, ivLength, cipherLength + icvLength,
                        icvLength);
                Arrays.fill(aesKey, (byte) 0);
                if (plain == null) {
                    throw new IkeRejectedException(Reason.INTEGRITY_CHECK_FAILED, "the AES-GCM tag does not verify");
                }
            } else {
                byte[] expected = IkeCrypto.integrityChecksum(algorithms.integrity(), integrityKey, message, 0,
                        message.length - icvLength);
                byte[] received = Arrays.copyOfRange(message, message.length - icvLength, message.length);
                if (!IkeCrypto.constantTimeEquals(expected, received)) {
                    throw new IkeRejectedException(Reason.INTEGRITY_CHECK_FAILED,
                            "the " + algorithms.integrity() + " integrity checksum does not verify");
                }
                plain = IkeCrypto.aesCbc(false, key, iv, content, ivLength, cipherLength);
            }
        } finally {
            Arrays.fill(key, (byte) 0);
        }
        try {
            int padLength = plain[plain.length - 1] & 0xff;
            if (padLength + 1 > plain.length) {
                throw new IkeRejectedException(Reason.MALFORMED, "pad length " + padLength + " exceeds the "
                        + plain.length + " decrypted octets");
            }
            List<IkePayload> inner = PayloadChain.decode(sk.firstInnerPayload(), plain, 0,
                    plain.length - padLength - 1, true);
            return new Opened(m.header(), m.payloads().subList(0, m.payloads().size() - 1), inner);
        } catch (IkeDecodeException e) {
            throw new IkeRejectedException(Reason.MALFORMED, "decrypted payloads: " + e.getMessage(), e);
        } finally {
            Arrays.fill(plain, (byte) 0);
        }
    }

    public IkeAlgorithms algorithms() {
        return algorithms;
    }

    @Override
    public String toString() {
        return "SkProtector[" + algorithms + "]";
    }
}
