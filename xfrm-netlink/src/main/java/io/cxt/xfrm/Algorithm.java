package io.cxt.xfrm;

import java.nio.ByteBuffer;
import java.util.Objects;

import io.cxt.nl.MalformedNetlinkException;

/**
 * {@code struct xfrm_algo} (XFRMA_ALG_CRYPT, XFRMA_ALG_AUTH, XFRMA_ALG_COMP): a kernel crypto
 * algorithm name of at most 63 characters, the key length in bits and the key, which occupies
 * {@code ceil(keyBits / 8)} octets. The key is {@link KeyBytes} so it never prints.
 */
public record Algorithm(String name, KeyBytes key, int keyBits) {

    public static final int NAME_SIZE = 64;
    public static final int HEADER_LENGTH = NAME_SIZE + 4;

    public Algorithm {
        checkName(name);
        Objects.requireNonNull(key, "key");
        checkKeyBits(key, keyBits);
    }

    /** An algorithm whose key length is the whole key, {@code 8 * key.length()} bits. */
    public static Algorithm of(String name, KeyBytes key) {
        return new Algorithm(name, key, key.length() * 8);
    }

    public static Algorithm decode(ByteBuffer b) {
        return StateCodec.guard("xfrm_algo", () -> {
            XfrmStructs.need(b, HEADER_LENGTH, "xfrm_algo");
            String name = XfrmStructs.readFixedString(b, NAME_SIZE);
            int bits = b.getInt();
            return new Algorithm(name, readKey(b, bits), bits);
        });
    }

    public int encodedLength() {
        return HEADER_LENGTH + key.length();
    }

    public void encode(ByteBuffer b) {
        XfrmStructs.writeFixedString(b, name, NAME_SIZE);
        b.putInt(keyBits);
        writeKey(b, key);
    }

    static void checkName(String name) {
        Objects.requireNonNull(name, "algorithm name");
        if (name.length() >= NAME_SIZE) {
            throw new IllegalArgumentException("algorithm name longer than 63 characters: " + name);
        }
        for (int i = 0; i < name.length(); i++) {
            char c = name.charAt(i);
            if (c == 0 || c > 0x7e) {
                throw new IllegalArgumentException("algorithm name is not printable ASCII");
            }
        }
    }

    static void checkKeyBits(KeyBytes key, int keyBits) {
        long octets = (Integer.toUnsignedLong(keyBits) + 7) / 8;
        if (octets != key.length()) {
            throw new IllegalArgumentException("a key of " + Integer.toUnsignedString(keyBits) + " bits needs "
                    + octets + " octets, key has " + key.length());
        }
    }

    static KeyBytes readKey(ByteBuffer b, int keyBits) {
        long octets = (Integer.toUnsignedLong(keyBits) + 7) / 8;
        MalformedNetlinkException.check(octets <= b.remaining(),
                "key of " + Integer.toUnsignedString(keyBits) + " bits exceeds the " + b.remaining() + " octets left");
        byte[] k = new byte[(int) octets];
        b.get(k);
        KeyBytes key = KeyBytes.of(k);
        java.util.Arrays.fill(k, (byte) 0);
        return key;
    }

    static void writeKey(ByteBuffer b, KeyBytes key) {
        byte[] k = key.bytes();
        b.put(k);
        java.util.Arrays.fill(k, (byte) 0);
    }
}
