package io.cxt.cdb;

import java.nio.charset.StandardCharsets;

/** Reader for {@link CompactWriter}'s encoding; every overrun is a {@link MalformedBlock}. */
final class CompactReader {
    private final byte[] in;
    private int pos;
    private final int end;

    CompactReader(byte[] in) {
        this(in, 0, in.length);
    }

    CompactReader(byte[] in, int from, int to) {
        this.in = in;
        this.pos = from;
        this.end = to;
    }

    private void need(int n, String what) {
        if (n < 0 || end - pos < n) {
            throw new MalformedBlock("context block truncated in " + what);
        }
    }

    int u8(String what) {
        need(1, what);
        return in[pos++] & 0xff;
    }

    int u16(String what) {
        need(2, what);
        int v = ((in[pos] & 0xff) << 8) | (in[pos + 1] & 0xff);
        pos += 2;
        return v;
    }

    int u32(String what) {
        need(4, what);
        int v = ((in[pos] & 0xff) << 24) | ((in[pos + 1] & 0xff) << 16) | ((in[pos + 2] & 0xff) << 8) | (in[pos + 3] & 0xff);
        pos += 4;
        return v;
    }

    long u64(String what) {
        long hi = Integer.toUnsignedLong(u32(what));
        return (hi << 32) | Integer.toUnsignedLong(u32(what));
    }

    long varint(String what) {
        long v = 0;
        for (int shift = 0; shift < 64; shift += 7) {
            int b = u8(what);
            v |= (long) (b & 0x7f) << shift;
            if ((b & 0x80) == 0) {
                return v;
            }
        }
        throw new MalformedBlock("varint too long in " + what);
    }

    int varint32(String what) {
        long v = varint(what);
        if (v < 0 || v > 0xffffffffL) {
            throw new MalformedBlock(what + " out of range: " + v);
        }
        return (int) v;
    }

    long limit(String what) {
        long v = varint(what);
        return v == 0 ? -1L : v - 1;
    }

    byte[] bytes(int n, String what) {
        need(n, what);
        byte[] b = new byte[n];
        System.arraycopy(in, pos, b, 0, n);
        pos += n;
        return b;
    }

    byte[] blob(String what) {
        long n = varint(what);
        if (n > end - pos) {
            throw new MalformedBlock("context block truncated in " + what);
        }
        return bytes((int) n, what);
    }

    String string(String what) {
        return new String(blob(what), StandardCharsets.US_ASCII);
    }

    boolean atEnd() {
        return pos >= end;
    }

    int remaining() {
        return end - pos;
    }
}
