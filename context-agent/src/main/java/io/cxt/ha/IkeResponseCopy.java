package io.cxt.ha;

import java.io.ByteArrayOutputStream;
import java.net.InetAddress;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;

import io.cxt.ha.HaDecodeException.Reason;

/**
 * A copy of the last IKE response charon sent on one IKE SA, as it left the pAR (UDP payloads, encrypted as
 * charon sent them; nothing here is secret). HA sync carries no response, and charon answers a retransmitted
 * request only from the response it sent itself; so when the MN moves with that response lost, the nAR sends this
 * copy once instead (docs/strongswan.md, "An exchange in flight"). Only CREATE_CHILD_SA and INFORMATIONAL
 * responses are kept (the exchanges of an established SA); a fragmented one (RFC 7383) keeps its fragments.
 *
 * <p>Pure: {@link #parse} reads an IPv6 packet from a packet tap, {@link #encode}/{@link #decode} the form carried
 * in the context's IKE slot (after the HA messages of an {@link HaSaBundle}).
 *
 * @param sourcePort      charon's port (500 or 4500), the copy's source port at the nAR
 * @param destinationPort the MN's port
 * @param datagrams       the UDP payloads, fragments in the order sent (4500: the non-ESP marker included)
 */
public record IkeResponseCopy(long spiInitiator, long spiResponder, long messageId, int exchangeType,
        int sourcePort, int destinationPort, List<byte[]> datagrams) {
    public static final int CREATE_CHILD_SA = 36;
    public static final int INFORMATIONAL = 37;
    /** Most fragments kept of one response. */
    public static final int MAX_DATAGRAMS = 8;
    /** Most octets kept of one response (all fragments). */
    public static final int MAX_OCTETS = 16 * 1024;
    static final int IKE_HEADER = 28;
    static final int NON_ESP_MARKER = 4;
    static final int NAT_T_PORT = 4500;
    static final int NEXT_PAYLOAD_SKF = 53;
    static final int FLAG_RESPONSE = 0x20;

    public IkeResponseCopy {
        if (datagrams.isEmpty() || datagrams.size() > MAX_DATAGRAMS) {
            throw new IllegalArgumentException("an IKE response has 1 to " + MAX_DATAGRAMS + " datagrams: " + datagrams.size());
        }
        List<byte[]> copy = new ArrayList<>(datagrams.size());
        int total = 0;
        for (byte[] d : datagrams) {
            total += d.length;
            copy.add(d.clone());
        }
        if (total > MAX_OCTETS) {
            throw new IllegalArgumentException("an IKE response of " + total + " octets, at most " + MAX_OCTETS);
        }
        datagrams = List.copyOf(copy);
    }

    @Override
    public List<byte[]> datagrams() {
        List<byte[]> out = new ArrayList<>(datagrams.size());
        for (byte[] d : datagrams) {
            out.add(d.clone());
        }
        return out;
    }

    /** Octets of all datagrams (no copy). */
    public int octets() {
        int n = 0;
        for (byte[] d : datagrams) {
            n += d.length;
        }
        return n;
    }

    public String exchangeName() {
        return exchangeType == CREATE_CHILD_SA ? "CREATE_CHILD_SA" : exchangeType == INFORMATIONAL ? "INFORMATIONAL"
                : "exchange " + exchangeType;
    }

    /**
     * One IKE response datagram read from an outgoing IPv6 packet.
     *
     * @param source the packet's IPv6 source: a packet tap also sees packets this host forwards, so the receiver
     *               checks it is the SA's own local address
     */
    public record Captured(long spiInitiator, long spiResponder, long messageId, int exchangeType, boolean fragment,
            int sourcePort, int destinationPort, byte[] payload, InetAddress source) {
    }

    /**
     * The IKE response in an IPv6 packet (fixed header, then UDP; from its network header on, {@code length}
     * octets), or empty when it is none of the kept kind: not UDP from port 500/4500, no IKEv2 header, not a
     * response, another exchange, a length that does not match.
     */
    public static Optional<Captured> parse(byte[] packet, int length) {
        if (length < 40 + 8 + IKE_HEADER || (packet[0] & 0xf0) != 0x60 || (packet[6] & 0xff) != 17) {
            return Optional.empty();
        }
        ByteBuffer b = ByteBuffer.wrap(packet, 0, length);
        int sport = b.getShort(40) & 0xffff;
        int dport = b.getShort(42) & 0xffff;
        int udpLength = b.getShort(44) & 0xffff;
        if ((sport != 500 && sport != NAT_T_PORT) || udpLength < 8 || 40 + udpLength > length) {
            return Optional.empty();
        }
        int ike = 48;
        if (sport == NAT_T_PORT) {
            if (b.getInt(ike) != 0) {
                return Optional.empty(); // ESP in UDP
            }
            ike += NON_ESP_MARKER;
        }
        int end = 40 + udpLength;
        if (end - ike < IKE_HEADER || (packet[ike + 17] & 0xff) != 0x20 || (packet[ike + 19] & FLAG_RESPONSE) == 0) {
            return Optional.empty();
        }
        int exchange = packet[ike + 18] & 0xff;
        long ikeLength = b.getInt(ike + 24) & 0xffff_ffffL;
        if ((exchange != CREATE_CHILD_SA && exchange != INFORMATIONAL) || ikeLength != end - ike) {
            return Optional.empty();
        }
        return Optional.of(new Captured(b.getLong(ike), b.getLong(ike + 8), b.getInt(ike + 20) & 0xffff_ffffL, exchange,
                (packet[ike + 16] & 0xff) == NEXT_PAYLOAD_SKF, sport, dport, Arrays.copyOfRange(packet, 48, end),
                address(Arrays.copyOfRange(packet, 8, 24))));
    }

    private static InetAddress address(byte[] sixteen) {
        try {
            return InetAddress.getByAddress(sixteen);
        } catch (java.net.UnknownHostException e) {
            throw new AssertionError(e); // 16 octets are always an address
        }
    }

    /** A response made of this one datagram. */
    public static IkeResponseCopy of(Captured c) {
        return new IkeResponseCopy(c.spiInitiator(), c.spiResponder(), c.messageId(), c.exchangeType(), c.sourcePort(),
                c.destinationPort(), List.of(c.payload()));
    }

    /**
     * This response with {@code c} taken in: another fragment of the same message is added (a repeated one, or one
     * past the bounds, leaves it as is); anything else, a new response, replaces it.
     */
    public IkeResponseCopy with(Captured c) {
        boolean sameMessage = c.messageId() == messageId && c.exchangeType() == exchangeType
                && c.spiInitiator() == spiInitiator && c.spiResponder() == spiResponder;
        if (!sameMessage) {
            return of(c);
        }
        for (byte[] d : datagrams) {
            if (Arrays.equals(d, c.payload())) {
                return this; // charon sent it again (it answers a retransmitted request with the same octets)
            }
        }
        if (!c.fragment()) {
            return of(c);
        }
        if (datagrams.size() >= MAX_DATAGRAMS || octets() + c.payload().length > MAX_OCTETS) {
            return this;
        }
        List<byte[]> more = new ArrayList<>(datagrams);
        more.add(c.payload());
        return new IkeResponseCopy(spiInitiator, spiResponder, messageId, exchangeType, sourcePort, destinationPort, more);
    }

    /** Message ID (4), exchange type (1), ports (2 + 2), count (1), then per datagram a 16-bit length and its octets. */
    public void encode(ByteArrayOutputStream out) {
        ByteBuffer h = ByteBuffer.allocate(10);
        h.putInt((int) messageId).put((byte) exchangeType).putShort((short) sourcePort).putShort((short) destinationPort)
                .put((byte) datagrams.size());
        out.writeBytes(h.array());
        for (byte[] d : datagrams) {
            out.write(d.length >>> 8);
            out.write(d.length);
            out.writeBytes(d);
        }
    }

    /** The response of the IKE SA {@code spiInitiator}/{@code spiResponder} from {@code b}, which must end with it. */
    public static IkeResponseCopy decode(ByteBuffer b, long spiInitiator, long spiResponder) throws HaDecodeException {
        if (b.remaining() < 10) {
            throw new HaDecodeException(Reason.TRUNCATED, "IKE response copy truncated");
        }
        long mid = b.getInt() & 0xffff_ffffL;
        int exchange = b.get() & 0xff;
        int sport = b.getShort() & 0xffff;
        int dport = b.getShort() & 0xffff;
        int n = b.get() & 0xff;
        if (n < 1 || n > MAX_DATAGRAMS || (exchange != CREATE_CHILD_SA && exchange != INFORMATIONAL)
                || (sport != 500 && sport != NAT_T_PORT) || dport == 0) {
            throw new HaDecodeException(Reason.BAD_VALUE, "IKE response copy: " + n + " datagrams, exchange " + exchange
                    + ", ports " + sport + "/" + dport);
        }
        List<byte[]> ds = new ArrayList<>(n);
        int total = 0;
        for (int i = 0; i < n; i++) {
            if (b.remaining() < 2) {
                throw new HaDecodeException(Reason.TRUNCATED, "IKE response copy truncated at datagram " + i);
            }
            int len = b.getShort() & 0xffff;
            total += len;
            if (len == 0 || b.remaining() < len || total > MAX_OCTETS) {
                throw new HaDecodeException(total > MAX_OCTETS ? Reason.TOO_LARGE : Reason.TRUNCATED,
                        "IKE response copy datagram " + i + " of " + len + " octets");
            }
            byte[] d = new byte[len];
            b.get(d);
            ds.add(d);
        }
        if (b.hasRemaining()) {
            throw new HaDecodeException(Reason.BAD_VALUE, b.remaining() + " octets after the IKE response copy");
        }
        return new IkeResponseCopy(spiInitiator, spiResponder, mid, exchange, sport, dport, ds);
    }
}
