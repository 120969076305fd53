package io.cxt.ha;

import java.io.ByteArrayOutputStream;
import java.net.Inet4Address;
import java.net.Inet6Address;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

import io.cxt.ha.HaDecodeException.Reason;
import io.cxt.xfrm.KeyBytes;

/**
 * strongSwan 5.x HA messages (src/libcharon/plugins/ha/ha_message.c, version 3) to and from bytes. Pure:
 * no I/O, no state; {@link #decode} throws only {@link HaDecodeException}.
 *
 * <p>Wire format: octet 0 the version, octet 1 the type, then attributes, each a one-octet tag and a value
 * whose length follows from the tag's encoding (no length field): IKE SA id 18 octets (version, SPIi, SPIr
 * as stored by charon, initiator flag); identity type, length, octets; host port (big-endian), Linux
 * address family (2 or 10), 4 or 16 octets; string up to and including a NUL; u8/u16/u32 big-endian;
 * chunk a u16 length and octets; traffic selector type (7/8), protocol, two ports, dynamic flag, two
 * addresses. An unknown tag ends charon's parsing, so it is an error here.
 *
 * <p>ESP SPIs (INBOUND_SPI/OUTBOUND_SPI) and CPIs are kept by charon in network order inside an integer
 * that it converts with htonl() again: the number read here is the kernel's SPI with its octets reversed
 * on a little-endian sender. {@link #kernelSpi} undoes that.
 */
public final class HaMessageCodec {
    /** Largest datagram accepted (a UDP payload over IPv4/IPv6 loopback). */
    public static final int MAX_DATAGRAM = 65507;
    /** charon's default receive buffer ({@code charon.plugins.ha.buflen}): longer injections are cut. */
    public static final int CHARON_DEFAULT_BUFLEN = 2048;
    /** Most attributes accepted in one message (charon sends at most a few dozen). */
    public static final int MAX_ATTRIBUTES = 512;
    static final int AF_INET = 2;
    static final int AF_INET6 = 10;

    private HaMessageCodec() {
    }

    /** The version octet of a datagram, or -1 if it is empty. */
    public static int version(byte[] datagram) {
        return datagram.length == 0 ? -1 : datagram[0] & 0xff;
    }

    public static HaMessage decode(byte[] d) throws HaDecodeException {
        if (d.length > MAX_DATAGRAM) {
            throw new HaDecodeException(Reason.TOO_LARGE, "HA datagram of " + d.length + " octets");
        }
        if (d.length < 2) {
            throw new HaDecodeException(Reason.SHORT, "HA datagram of " + d.length + " octets");
        }
        int version = d[0] & 0xff;
        if (version != HaMessage.VERSION) {
            throw new HaDecodeException(Reason.VERSION, "HA protocol version " + version + ", cxt speaks "
                    + HaMessage.VERSION + " (strongSwan 5.x)" + (version >= 4 ? "; strongSwan 6.0.1 and later are not supported" : ""));
        }
        HaMessageType type = HaMessageType.of(d[1] & 0xff);
        if (type == null) {
            throw new HaDecodeException(Reason.UNKNOWN_TYPE, "unknown HA message type " + (d[1] & 0xff));
        }
        List<HaAttribute> attrs = new ArrayList<>();
        int p = 2;
        while (p < d.length) {
            if (attrs.size() == MAX_ATTRIBUTES) {
                throw new HaDecodeException(Reason.TOO_LARGE, "more than " + MAX_ATTRIBUTES + " HA attributes");
            }
            int tag = d[p] & 0xff;
            HaAttributeType at = HaAttributeType.of(tag);
            if (at == null) {
                throw new HaDecodeException(Reason.UNKNOWN_ATTRIBUTE, "unknown HA attribute " + tag + " at offset " + p);
            }
            p++;
            Reader r = new Reader(d, p, at);
            attrs.add(new HaAttribute(at, r.value()));
            p = r.pos;
        }
        return new HaMessage(type, attrs);
    }

    public static byte[] encode(HaMessage m) {
        ByteArrayOutputStream out = new ByteArrayOutputStream(128);
        out.write(HaMessage.VERSION);
        out.write(m.type().code());
        for (HaAttribute a : m.attributes()) {
            out.write(a.type().code());
            writeValue(out, a.value(), a.type().encoding());
        }
        return out.toByteArray();
    }

    /** The kernel's SPI for an HA SPI number sent by a charon of the given byte order. */
    public static int kernelSpi(long haSpi, ByteOrder charonOrder) {
        int v = (int) haSpi;
        return charonOrder == ByteOrder.LITTLE_ENDIAN ? Integer.reverseBytes(v) : v;
    }

    /** The HA SPI number a charon of the given byte order sends for a kernel SPI. */
    public static long haSpi(int kernelSpi, ByteOrder charonOrder) {
        int v = charonOrder == ByteOrder.LITTLE_ENDIAN ? Integer.reverseBytes(kernelSpi) : kernelSpi;
        return v & 0xffff_ffffL;
    }

    private static void writeValue(ByteArrayOutputStream out, HaValue v, HaAttributeType.Encoding enc) {
        switch (enc) {
            case IKE_SA_ID -> {
                HaValue.IkeSaId id = (HaValue.IkeSaId) v;
                out.write(id.ikeVersion());
                put(out, id.initiatorSpi(), 8);
                put(out, id.responderSpi(), 8);
                out.write(id.localIsInitiator() ? 1 : 0);
            }
            case IDENTITY -> {
                HaValue.Identity id = (HaValue.Identity) v;
                byte[] e = id.encoding();
                out.write(id.idType());
                out.write(e.length);
                out.writeBytes(e);
            }
            case HOST -> {
                HaValue.Host h = (HaValue.Host) v;
                put(out, h.port(), 2);
                out.write(h.address() instanceof Inet4Address ? AF_INET : AF_INET6);
                out.writeBytes(h.address().getAddress());
            }
            case STRING -> {
                out.writeBytes(((HaValue.Text) v).text().getBytes(StandardCharsets.ISO_8859_1));
                out.write(0);
            }
            case U8 -> out.write((int) ((HaValue.Number) v).value());
            case U16 -> put(out, ((HaValue.Number) v).value(), 2);
            case U32 -> put(out, ((HaValue.Number) v).value(), 4);
            case CHUNK -> {
                byte[] o = ((HaValue.Chunk) v).octets();
                put(out, o.length, 2);
                out.writeBytes(o);
            }
            case SECRET -> {
                byte[] o = ((HaValue.Secret) v).octets().bytes();
                put(out, o.length, 2);
                out.writeBytes(o);
                Arrays.fill(o, (byte) 0);
            }
            case TS -> {
                HaValue.TrafficSelector ts = (HaValue.TrafficSelector) v;
                out.write(ts.tsType());
                out.write(ts.protocol());
                put(out, ts.fromPort(), 2);
                put(out, ts.toPort(), 2);
                out.write(ts.dynamic() ? 1 : 0);
                out.writeBytes(ts.from().getAddress());
                out.writeBytes(ts.to().getAddress());
            }
        }
    }

    private static void put(ByteArrayOutputStream out, long v, int n) {
        for (int i = n - 1; i >= 0; i--) {
            out.write((int) (v >>> (8 * i)));
        }
    }

    /** Reads one attribute value starting at {@code pos}. */
    private static final class Reader {
        private final byte[] d;
        private final HaAttributeType type;
        int pos;

        Reader(byte[] d, int pos, HaAttributeType type) {
            this.d = d;
            this.pos = pos;
            this.type = type;
        }

        HaValue value() throws HaDecodeException {
            return switch (type.encoding()) {
                case IKE_SA_ID -> new HaValue.IkeSaId(u8(), u(8), u(8), u8() != 0);
                case IDENTITY -> {
                    int t = u8();
                    int len = u8();
                    yield new HaValue.Identity(t, bytes(len));
                }
                case HOST -> {
                    int port = (int) u(2);
                    int family = u8();
                    int len = switch (family) {
                        case AF_INET -> 4;
                        case AF_INET6 -> 16;
                        default -> throw bad("address family " + family);
                    };
                    yield new HaValue.Host(address(bytes(len)), port);
                }
                case STRING -> {
                    int end = pos;
                    while (end < d.length && d[end] != 0) {
                        end++;
                    }
                    if (end == d.length) {
                        throw new HaDecodeException(Reason.TRUNCATED, type + " has no terminating NUL");
                    }
                    String s = new String(d, pos, end - pos, StandardCharsets.ISO_8859_1);
                    pos = end + 1;
                    yield new HaValue.Text(s);
                }
                case U8 -> new HaValue.Number(u8());
                case U16 -> new HaValue.Number(u(2));
                case U32 -> new HaValue.Number(u(4));
                case CHUNK -> new HaValue.Chunk(bytes((int) u(2)));
                case SECRET -> {
                    byte[] b = bytes((int) u(2));
                    KeyBytes k = KeyBytes.of(b);
                    Arrays.fill(b, (byte) 0);
                    yield new HaValue.Secret(k);
                }
                case TS -> {
                    int tsType = u8();
                    int len = switch (tsType) {
                        case HaValue.TrafficSelector.TS_IPV4_ADDR_RANGE -> 4;
                        case HaValue.TrafficSelector.TS_IPV6_ADDR_RANGE -> 16;
                        default -> throw bad("traffic selector type " + tsType);
                    };
                    int proto = u8();
                    int from = (int) u(2);
                    int to = (int) u(2);
                    boolean dyn = u8() != 0;
                    yield new HaValue.TrafficSelector(tsType, proto, from, to, dyn, address(bytes(len)), address(bytes(len)));
                }
            };
        }

        private HaDecodeException bad(String what) {
            return new HaDecodeException(Reason.BAD_VALUE, type + ": bad " + what);
        }

        private void need(int n) throws HaDecodeException {
            if (n > d.length - pos) {
                throw new HaDecodeException(Reason.TRUNCATED, type + " truncated at offset " + pos);
            }
        }

        private int u8() throws HaDecodeException {
            need(1);
            return d[pos++] & 0xff;
        }

        private long u(int n) throws HaDecodeException {
            need(n);
            long v = 0;
            for (int i = 0; i < n; i++) {
                v = (v << 8) | (d[pos++] & 0xff);
            }
            return v;
        }

        private byte[] bytes(int n) throws HaDecodeException {
            need(n);
            byte[] b = Arrays.copyOfRange(d, pos, pos + n);
            pos += n;
            return b;
        }

        /** 16 octets stay IPv6 (an IPv4-mapped address must not turn into IPv4 and change the encoding). */
        private static InetAddress address(byte[] raw) {
            try {
                return raw.length == 16 ? Inet6Address.getByAddress(null, raw, -1) : InetAddress.getByAddress(raw);
            } catch (UnknownHostException e) {
                throw new AssertionError("4 or 16 octets", e);
            }
        }
    }
}
