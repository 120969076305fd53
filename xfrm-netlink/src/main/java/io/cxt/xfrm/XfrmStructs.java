package io.cxt.xfrm;

import java.net.Inet4Address;
import java.net.Inet6Address;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.nio.ByteBuffer;

import io.cxt.nl.MalformedNetlinkException;

/**
 * Low-level helpers shared by the XFRM struct codecs. Buffers are in native (little-endian)
 * order; SPIs, ports and addresses are network order inside them, as the kernel has it.
 *
 * <p>{@code xfrm_address_t} is 16 octets with no family of its own: the family comes from the
 * enclosing struct. An IPv4 address uses the first 4 octets and the kernel never reads the other
 * 12, which we always write as zero. With family AF_UNSPEC (or any other), all 16 octets are kept
 * as an IPv6 address so nothing is lost.
 */
public final class XfrmStructs {
    private XfrmStructs() {
    }

    public static final int ADDRESS_LENGTH = 16;

    /** The zero address of a family (0.0.0.0 or ::). */
    public static InetAddress any(int family) {
        return family == AddressFamily.INET ? ANY4 : ANY6;
    }

    private static final InetAddress ANY4 = fromBytes(new byte[4]);
    private static final InetAddress ANY6 = ipv6(new byte[16]);

    private static InetAddress fromBytes(byte[] b) {
        try {
            return InetAddress.getByAddress(b);
        } catch (UnknownHostException e) {
            throw new IllegalArgumentException(e);
        }
    }

    /** An IPv6 address object even for ::ffff:a.b.c.d (which InetAddress would turn into IPv4). */
    public static Inet6Address ipv6(byte[] b16) {
        try {
            return Inet6Address.getByAddress(null, b16, -1);
        } catch (UnknownHostException e) {
            throw new IllegalArgumentException(e);
        }
    }

    public static InetAddress readAddress(ByteBuffer b, int family) {
        MalformedNetlinkException.check(b.remaining() >= ADDRESS_LENGTH, "truncated xfrm_address_t");
        byte[] raw = new byte[ADDRESS_LENGTH];
        b.get(raw);
        if (family == AddressFamily.INET) {
            return fromBytes(new byte[] {raw[0], raw[1], raw[2], raw[3]});
        }
        return ipv6(raw);
    }

    public static void writeAddress(ByteBuffer b, InetAddress a) {
        byte[] raw = a == null ? new byte[0] : a.getAddress();
        b.put(raw);
        for (int i = raw.length; i < ADDRESS_LENGTH; i++) {
            b.put((byte) 0);
        }
    }

    /** Network-order 16-bit value from a native-order buffer. */
    public static int getBe16(ByteBuffer b) {
        return Short.toUnsignedInt(Short.reverseBytes(b.getShort()));
    }

    public static void putBe16(ByteBuffer b, int v) {
        b.putShort(Short.reverseBytes((short) v));
    }

    /** Network-order 32-bit value (an SPI) from a native-order buffer. */
    public static int getBe32(ByteBuffer b) {
        return Integer.reverseBytes(b.getInt());
    }

    public static void putBe32(ByteBuffer b, int v) {
        b.putInt(Integer.reverseBytes(v));
    }

    public static int getU8(ByteBuffer b) {
        return Byte.toUnsignedInt(b.get());
    }

    public static int getU16(ByteBuffer b) {
        return Short.toUnsignedInt(b.getShort());
    }

    /** Skips {@code n} octets of padding, which must be present. */
    public static void skip(ByteBuffer b, int n) {
        MalformedNetlinkException.check(b.remaining() >= n, "truncated structure padding");
        b.position(b.position() + n);
    }

    public static void pad(ByteBuffer b, int n) {
        for (int i = 0; i < n; i++) {
            b.put((byte) 0);
        }
    }

    /** Fails cleanly if fewer than {@code n} octets are left for {@code what}. */
    public static void need(ByteBuffer b, int n, String what) {
        MalformedNetlinkException.check(b.remaining() >= n,
                what + " needs " + n + " octets, " + b.remaining() + " left");
    }

    /** A NUL-terminated string in a fixed-size char array. */
    public static String readFixedString(ByteBuffer b, int size) {
        need(b, size, "fixed string");
        byte[] raw = new byte[size];
        b.get(raw);
        int n = 0;
        while (n < size && raw[n] != 0) {
            n++;
        }
        return new String(raw, 0, n, java.nio.charset.StandardCharsets.US_ASCII);
    }

    public static void writeFixedString(ByteBuffer b, String s, int size) {
        byte[] raw = s.getBytes(java.nio.charset.StandardCharsets.US_ASCII);
        if (raw.length >= size) {
            throw new IllegalArgumentException("'" + s + "' is longer than " + (size - 1) + " characters");
        }
        b.put(raw);
        pad(b, size - raw.length);
    }

    /** Checks that an address matches a family (for record validation). */
    public static boolean fits(InetAddress a, int family) {
        return family == AddressFamily.INET ? a instanceof Inet4Address : a instanceof Inet6Address;
    }
}
