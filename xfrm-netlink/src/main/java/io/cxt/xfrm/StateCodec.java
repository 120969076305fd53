package io.cxt.xfrm;

import java.net.InetAddress;
import java.nio.BufferOverflowException;
import java.nio.BufferUnderflowException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.List;
import java.util.function.Consumer;
import java.util.function.Function;
import java.util.function.Supplier;

import io.cxt.nl.MalformedNetlinkException;
import io.cxt.nl.Netlink;
import io.cxt.nl.NlAttribute;

/**
 * Helpers shared by the SAD codecs: fixed-size attribute values, a header followed by
 * attributes, and the guard that turns any slip of a decoder into {@link MalformedNetlinkException}.
 */
final class StateCodec {
    private StateCodec() {
    }

    static ByteBuffer wrap(byte[] bytes) {
        return ByteBuffer.wrap(bytes).order(ByteOrder.nativeOrder());
    }

    /**
     * Runs a decoder so that it can fail only with {@link MalformedNetlinkException}: a record
     * constructor refusing a decoded value (IllegalArgumentException) or a buffer read past its
     * end means the input was malformed, and callers must be able to rely on one exception type.
     */
    static <T> T guard(String what, Supplier<T> decoder) {
        try {
            return decoder.get();
        } catch (MalformedNetlinkException e) {
            throw e;
        } catch (IllegalArgumentException | BufferUnderflowException | IndexOutOfBoundsException
                 | NullPointerException e) {
            throw new MalformedNetlinkException(what + ": " + e.getMessage());
        }
    }

    /** The attributes after a fixed header of {@code headerLength} octets at the buffer's position. */
    static List<NlAttribute> attributesAfter(ByteBuffer b, int headerLength, String what) {
        XfrmStructs.need(b, headerLength, what);
        ByteBuffer rest = b.duplicate().order(ByteOrder.nativeOrder());
        rest.position(Math.min(rest.limit(), b.position() + Netlink.align(headerLength)));
        return NlAttribute.parseAll(rest);
    }

    /** Decodes a struct that must fill the attribute exactly. */
    static <T> T exact(NlAttribute a, String what, Function<ByteBuffer, T> decoder) {
        ByteBuffer b = a.valueBuffer();
        T v;
        try {
            v = decoder.apply(b);
        } catch (MalformedNetlinkException e) {
            throw new MalformedNetlinkException(what + ": " + e.getMessage());
        }
        MalformedNetlinkException.check(!b.hasRemaining(),
                what + " attribute has " + b.remaining() + " octets after its value");
        return v;
    }

    static int u8(NlAttribute a, String what) {
        MalformedNetlinkException.check(a.value().length == 1, what + " must be 1 octet, has " + a.value().length);
        return Byte.toUnsignedInt(a.value()[0]);
    }

    static int u32(NlAttribute a, String what) {
        MalformedNetlinkException.check(a.value().length == 4, what + " must be 4 octets, has " + a.value().length);
        return a.valueBuffer().getInt(0);
    }

    static long u64(NlAttribute a, String what) {
        MalformedNetlinkException.check(a.value().length == 8, what + " must be 8 octets, has " + a.value().length);
        return a.valueBuffer().getLong(0);
    }

    static InetAddress address(NlAttribute a, int family, String what) {
        return exact(a, what, b -> XfrmStructs.readAddress(b, family));
    }

    static NlAttribute u8Attr(int type, int v) {
        return new NlAttribute(type, new byte[] {(byte) v});
    }

    static NlAttribute u32Attr(int type, int v) {
        return structAttr(type, 4, b -> b.putInt(v));
    }

    static NlAttribute u64Attr(int type, long v) {
        return structAttr(type, 8, b -> b.putLong(v));
    }

    static NlAttribute addressAttr(int type, InetAddress a) {
        return structAttr(type, XfrmStructs.ADDRESS_LENGTH, b -> XfrmStructs.writeAddress(b, a));
    }

    /** An attribute whose value is written by {@code writer} and must be exactly {@code length} octets. */
    static NlAttribute structAttr(int type, int length, Consumer<ByteBuffer> writer) {
        ByteBuffer b = ByteBuffer.allocate(length).order(ByteOrder.nativeOrder());
        try {
            writer.accept(b);
        } catch (BufferOverflowException e) {
            throw new IllegalStateException("attribute " + type + " value longer than " + length + " octets", e);
        }
        if (b.hasRemaining()) {
            throw new IllegalStateException("attribute " + type + " value shorter than " + length + " octets");
        }
        return new NlAttribute(type, b.array());
    }

    /** A message payload: a fixed header of {@code headerLength} octets, then the attributes. */
    static byte[] payload(int headerLength, Consumer<ByteBuffer> header, List<NlAttribute> attrs) {
        int start = Netlink.align(headerLength);
        ByteBuffer b = ByteBuffer.allocate(start + NlAttribute.encodedLength(attrs)).order(ByteOrder.nativeOrder());
        header.accept(b);
        if (b.position() != headerLength) {
            throw new IllegalStateException("header wrote " + b.position() + " octets, expected " + headerLength);
        }
        b.position(start);
        for (NlAttribute a : attrs) {
            a.writeTo(b);
        }
        return b.array();
    }

    static void checkU8(int v, String what) {
        if (v < 0 || v > 0xff) {
            throw new IllegalArgumentException(what + " out of range: " + v);
        }
    }

    static void checkU16(int v, String what) {
        if (v < 0 || v > 0xffff) {
            throw new IllegalArgumentException(what + " out of range: " + v);
        }
    }

    static void checkFamily(InetAddress a, int family, String what) {
        if (a == null) {
            throw new IllegalArgumentException(what + " is null");
        }
        // decode yields IPv4 objects only for AF_INET, IPv6 (all 16 octets) for anything else
        if (!XfrmStructs.fits(a, family)) {
            throw new IllegalArgumentException(what + " " + a.getHostAddress() + " does not fit family "
                    + AddressFamily.name(family));
        }
    }
}
