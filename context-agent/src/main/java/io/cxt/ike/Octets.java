package io.cxt.ike;

import java.util.HexFormat;

/** Small helpers for the non-secret byte strings held by records (nonces, SPIs, payload bodies). */
final class Octets {
    private static final HexFormat HEX = HexFormat.of();

    private Octets() {
    }

    static byte[] copy(byte[] b, String what) {
        if (b == null) {
            throw new IllegalArgumentException(what + " must not be null");
        }
        return b.clone();
    }

    static String hex(byte[] b) {
        return HEX.formatHex(b);
    }

    static String spi64(long spi) {
        return String.format("0x%016x", spi);
    }

    static String spi32(long spi) {
        return String.format("0x%08x", spi);
    }

    static byte[] u64(long v) {
        byte[] b = new byte[8];
        for (int i = 7; i >= 0; i--) {
            b[i] = (byte) v;
            v >>>= 8;
        }
        return b;
    }

    static long readUnsigned(byte[] b) {
        long v = 0;
        for (byte x : b) {
            v = (v << 8) | (x & 0xff);
        }
        return v;
    }

    static byte[] writeUnsigned(long v, int size) {
        byte[] b = new byte[size];
        for (int i = size - 1; i >= 0; i--) {
            b[i] = (byte) v;
            v >>>= 8;
        }
        return b;
    }

    static void checkU8(int v, String what) {
        if (v < 0 || v > 0xff) {
            throw new IllegalArgumentException(what + " out of range 0-255: " + v);
        }
    }

    static void checkU16(int v, String what) {
        if (v < 0 || v > 0xffff) {
            throw new IllegalArgumentException(what + " out of range 0-65535: " + v);
        }
    }

    static void checkU32(long v, String what) {
        if (v < 0 || v > 0xffffffffL) {
            throw new IllegalArgumentException(what + " out of range 0-4294967295: " + v);
        }
    }
}
