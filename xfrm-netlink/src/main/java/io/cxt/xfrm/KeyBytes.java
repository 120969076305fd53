package io.cxt.xfrm;

import java.security.MessageDigest;
import java.util.Arrays;
import java.util.HexFormat;

/**
 * Secret key material (an SA's cipher or integrity key). It never prints: {@link #toString()} is
 * {@code <redacted>}, so keys cannot leak into logs, exceptions or JSON by accident. The bytes are
 * copied in and out; {@link #wipe()} overwrites the internal copy with zeros when the owner is done
 * with it (a context being discarded). Equality is by content, in constant time.
 */
public final class KeyBytes {
    public static final KeyBytes EMPTY = new KeyBytes(new byte[0]);

    private final byte[] bytes;

    private KeyBytes(byte[] bytes) {
        this.bytes = bytes;
    }

    public static KeyBytes of(byte[] bytes) {
        return bytes == null || bytes.length == 0 ? EMPTY : new KeyBytes(bytes.clone());
    }

    /** From hex, with or without a leading 0x (iproute2's key notation). */
    public static KeyBytes ofHex(String hex) {
        String h = hex.startsWith("0x") || hex.startsWith("0X") ? hex.substring(2) : hex;
        return of(HexFormat.of().parseHex(h));
    }

    public int length() {
        return bytes.length;
    }

    /** A copy of the key; the caller should wipe it when done. */
    public byte[] bytes() {
        return bytes.clone();
    }

    /** Hex for a deliberate reveal (e.g. {@code cxctl xfrm state list --keys}); never for logs. */
    public String revealHex() {
        return "0x" + HexFormat.of().formatHex(bytes);
    }

    /** Overwrites the key with zeros. */
    public void wipe() {
        Arrays.fill(bytes, (byte) 0);
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof KeyBytes k && MessageDigest.isEqual(k.bytes, bytes);
    }

    @Override
    public int hashCode() {
        return bytes.length;
    }

    @Override
    public String toString() {
        return "<redacted>";
    }
}
