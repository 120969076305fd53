package io.cxt.xfrm;

import java.net.Inet4Address;
import java.net.Inet6Address;
import java.net.InetAddress;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.function.Consumer;

import io.cxt.nl.MalformedNetlinkException;
import io.cxt.nl.NlAttribute;

/** Shared plumbing of the SPD codecs: attribute building, strict attribute checks, address rules. */
final class PolicyWire {
    private PolicyWire() {
    }

    /** A native-order buffer positioned where the caller's is, so decoders never depend on the caller's order. */
    static ByteBuffer nativeOrder(ByteBuffer b) {
        return b.order(ByteOrder.nativeOrder());
    }

    static ByteBuffer allocate(int len) {
        return ByteBuffer.allocate(len).order(ByteOrder.nativeOrder());
    }

    /** Builds an attribute whose value {@code writer} fills with exactly {@code len} octets. */
    static NlAttribute attribute(int type, int len, Consumer<ByteBuffer> writer) {
        ByteBuffer v = allocate(len);
        writer.accept(v);
        if (v.position() != len) {
            throw new IllegalStateException("attribute " + type + " wrote " + v.position() + " of " + len + " octets");
        }
        return new NlAttribute(type, v.array());
    }

    static NlAttribute u32(int type, int value) {
        return attribute(type, 4, b -> b.putInt(value));
    }

    /** Reads the attributes from the buffer's position to its limit and consumes them. */
    static List<NlAttribute> readAttributes(ByteBuffer b) {
        List<NlAttribute> attrs = NlAttribute.parseAll(b);
        b.position(b.limit());
        return attrs;
    }

    static void writeAttributes(ByteBuffer b, List<NlAttribute> attrs) {
        for (NlAttribute a : attrs) {
            a.writeTo(b);
        }
    }

    static void requireLength(NlAttribute a, int len, String what) {
        MalformedNetlinkException.check(a.value().length == len,
                what + " attribute has " + a.value().length + " octets, expected " + len);
    }

    /** Fails on a second attribute of a type the codec decodes, which the kernel never sends. */
    static void requireFirst(Object existing, String what) {
        MalformedNetlinkException.check(existing == null, "duplicate " + what + " attribute");
    }

    static int u8(int v, String what) {
        return range(v, 0xff, what);
    }

    static int u16(int v, String what) {
        return range(v, 0xffff, what);
    }

    static int range(int v, int max, String what) {
        if (v < 0 || v > max) {
            throw new IllegalArgumentException(what + " out of range: " + v);
        }
        return v;
    }

    /**
     * Checks that an address is of the kind the codec gives back for its family: IPv4 for AF_INET,
     * and for any other family all 16 octets as an IPv6 address. Holding records to this is what
     * makes {@code decode(encode(x)) == x}.
     */
    static InetAddress address(InetAddress a, int family, String what) {
        Objects.requireNonNull(a, what);
        boolean ok = family == AddressFamily.INET ? a instanceof Inet4Address : a instanceof Inet6Address;
        if (!ok) {
            throw new IllegalArgumentException(what + " " + a.getHostAddress() + " does not fit address family "
                    + AddressFamily.name(family) + (family == AddressFamily.INET ? "" : " (needs a 16-octet address)"));
        }
        return a;
    }

    /**
     * Reads an {@code xfrm_address_t} whose family is only inferred (ACQUIRE, REPORT): IPv4 when the
     * inferred family is AF_INET and the 12 octets after the first four are zero, otherwise all 16
     * octets as IPv6, so nothing is lost when the guess is wrong.
     */
    static InetAddress readInferredAddress(ByteBuffer b, int family) {
        XfrmStructs.need(b, XfrmStructs.ADDRESS_LENGTH, "xfrm_address_t");
        if (family == AddressFamily.INET) {
            boolean tailZero = true;
            for (int i = 4; i < XfrmStructs.ADDRESS_LENGTH; i++) {
                tailZero &= b.get(b.position() + i) == 0;
            }
            if (tailZero) {
                return XfrmStructs.readAddress(b, AddressFamily.INET);
            }
        }
        return XfrmStructs.readAddress(b, AddressFamily.INET6);
    }

    /** Whether {@link #readInferredAddress} gives {@code a} back for {@code family}. */
    static boolean inferable(InetAddress a, int family) {
        if (family != AddressFamily.INET) {
            return a instanceof Inet6Address;
        }
        if (a instanceof Inet6Address) {
            byte[] raw = a.getAddress();
            for (int i = 4; i < raw.length; i++) {
                if (raw[i] != 0) {
                    return true;
                }
            }
            return false;
        }
        return true;
    }

    /** An immutable copy of an attribute list (null for none). */
    static List<NlAttribute> copy(List<NlAttribute> attrs) {
        return attrs == null ? List.of() : List.copyOf(attrs);
    }

    static <T> List<T> listOf(List<T> items) {
        return items == null ? List.of() : List.copyOf(items);
    }

    static <T> List<T> append(List<T> items, T item) {
        List<T> out = new ArrayList<>(items);
        out.add(item);
        return out;
    }
}
