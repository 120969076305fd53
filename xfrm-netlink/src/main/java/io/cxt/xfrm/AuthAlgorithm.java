package io.cxt.xfrm;

import java.nio.ByteBuffer;
import java.util.Objects;

/**
 * {@code struct xfrm_algo_auth} (XFRMA_ALG_AUTH_TRUNC): an integrity algorithm with its ICV
 * truncation length in bits ({@code auth-trunc hmac(sha256) KEY 128}).
 */
public record AuthAlgorithm(String name, KeyBytes key, int keyBits, int truncBits) {

    public static final int HEADER_LENGTH = Algorithm.NAME_SIZE + 8;

    public AuthAlgorithm {
        Algorithm.checkName(name);
        Objects.requireNonNull(key, "key");
        Algorithm.checkKeyBits(key, keyBits);
    }

    public static AuthAlgorithm of(String name, KeyBytes key, int truncBits) {
        return new AuthAlgorithm(name, key, key.length() * 8, truncBits);
    }

    public static AuthAlgorithm decode(ByteBuffer b) {
        return StateCodec.guard("xfrm_algo_auth", () -> {
            XfrmStructs.need(b, HEADER_LENGTH, "xfrm_algo_auth");
            String name = XfrmStructs.readFixedString(b, Algorithm.NAME_SIZE);
            int bits = b.getInt();
            int trunc = b.getInt();
            return new AuthAlgorithm(name, Algorithm.readKey(b, bits), bits, trunc);
        });
    }

    public int encodedLength() {
        return HEADER_LENGTH + key.length();
    }

    public void encode(ByteBuffer b) {
        XfrmStructs.writeFixedString(b, name, Algorithm.NAME_SIZE);
        b.putInt(keyBits).putInt(truncBits);
        Algorithm.writeKey(b, key);
    }
}
