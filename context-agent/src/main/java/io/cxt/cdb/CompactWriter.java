package io.cxt.cdb;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;

/**
 * Big-endian writer for the compact context encoding: fixed-width integers, LEB128 varints for
 * counters and limits (where XFRM's "infinite" all-ones value costs one octet, see
 * {@link #limit(long)}), short length-prefixed byte strings.
 */
final class CompactWriter {
    private final ByteArrayOutputStream out = new ByteArrayOutputStream(256);

    CompactWriter u8(int v) {
        out.write(v);
        return this;
    }

    CompactWriter u16(int v) {
        out.write(v >>> 8);
        out.write(v);
        return this;
    }

    CompactWriter u32(int v) {
        out.write(v >>> 24);
        out.write(v >>> 16);
        out.write(v >>> 8);
        out.write(v);
        return this;
    }

    CompactWriter u64(long v) {
        u32((int) (v >>> 32));
        return u32((int) v);
    }

    /** Unsigned LEB128. */
    CompactWriter varint(long v) {
        while ((v & ~0x7fL) != 0) {
            out.write((int) ((v & 0x7f) | 0x80));
            v >>>= 7;
        }
        out.write((int) v);
        return this;
    }

    /** A lifetime limit: XFRM_INF (all ones) as 0, anything else as value + 1. */
    CompactWriter limit(long v) {
        return varint(v == -1L ? 0 : v + 1);
    }

    CompactWriter bytes(byte[] b) {
        out.write(b, 0, b.length);
        return this;
    }

    /** Length (varint) then the bytes. */
    CompactWriter blob(byte[] b) {
        varint(b.length);
        return bytes(b);
    }

    CompactWriter string(String s) {
        return blob(s.getBytes(StandardCharsets.US_ASCII));
    }

    int size() {
        return out.size();
    }

    byte[] toByteArray() {
        return out.toByteArray();
    }
}
