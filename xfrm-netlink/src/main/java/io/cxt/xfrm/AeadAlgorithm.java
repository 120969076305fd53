package io.cxt.xfrm;

import java.nio.ByteBuffer;
import java.util.Objects;

/**
 * {@code struct xfrm_algo_aead} (XFRMA_ALG_AEAD): a combined-mode algorithm with its ICV length
 * in bits ({@code aead rfc4106(gcm(aes)) KEY 128}; the key includes the 4-octet salt).
 */
public record AeadAlgorithm(String name, KeyBytes key, int keyBits, int icvBits) {

    public static final int HEADER_LENGTH = Algorithm.NAME_SIZE + 8;

    public AeadAlgorithm {
        Algorithm.checkName(name);
        Objects.requireNonNull(key, "key");
        Algorithm.checkKeyBits(key, keyBits);
    }

    public static AeadAlgorithm of(String name, KeyBytes key, int icvBits) {
        return new AeadAlgorithm(name, key, key.length() * 8, icvBits);
    }

    public static AeadAlgorithm decode(ByteBuffer b) {
        return StateCodec.guard("xfrm_algo_aead", () -> {
            XfrmStructs.need(b, HEADER_LENGTH, "xfrm_algo_aead");
            String name = XfrmStructs.readFixedString(b, Algorithm.NAME_SIZE);
            int bits = b.getInt();
            int icv = b.getInt();
            return new AeadAlgorithm(name, Algorithm.readKey(b, bits), bits, icv);
        });
    }

    public int encodedLength() {
        return HEADER_LENGTH + key.length();
    }

    public void encode(ByteBuffer b) {
        XfrmStructs.writeFixedString(b, name, Algorithm.NAME_SIZE);
        b.putInt(keyBits).putInt(icvBits);
        Algorithm.writeKey(b, key);
    }
}
