package io.cxt.nl;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * One netlink message: the {@code nlmsghdr} fields and the payload after the header (without
 * trailing alignment padding). Pure data; {@link #encode()} and {@link #decodeAll} are inverse.
 */
public record NetlinkMessage(int type, int flags, int seq, int pid, byte[] payload) {

    public NetlinkMessage {
        if (type < 0 || type > 0xffff) {
            throw new IllegalArgumentException("netlink type out of range: " + type);
        }
        if (flags < 0 || flags > 0xffff) {
            throw new IllegalArgumentException("netlink flags out of range: " + flags);
        }
        payload = payload == null ? new byte[0] : payload;
    }

    /** Length field value: header plus payload, unpadded. */
    public int length() {
        return Netlink.HEADER_LENGTH + payload.length;
    }

    public boolean hasFlag(int flag) {
        return (flags & flag) != 0;
    }

    /** Little-endian (host order on x86-64) view of the payload. */
    public ByteBuffer payloadBuffer() {
        return ByteBuffer.wrap(payload).order(ByteOrder.nativeOrder());
    }

    /** The message as it goes on the wire, padded to 4 octets. */
    public byte[] encode() {
        ByteBuffer b = ByteBuffer.allocate(Netlink.align(length())).order(ByteOrder.nativeOrder());
        writeTo(b);
        return b.array();
    }

    /** Writes the header, payload and padding at the buffer's position. */
    public void writeTo(ByteBuffer b) {
        writeHeader(b, length(), type, flags, seq, pid);
        b.put(payload);
        for (int i = length(); i < Netlink.align(length()); i++) {
            b.put((byte) 0);
        }
    }

    /** Writes a bare {@code nlmsghdr}. */
    public static void writeHeader(ByteBuffer b, int len, int type, int flags, int seq, int pid) {
        b.putInt(len);
        b.putShort((short) type);
        b.putShort((short) flags);
        b.putInt(seq);
        b.putInt(pid);
    }

    /**
     * Splits a buffer (from its position to its limit) into messages.
     *
     * @throws MalformedNetlinkException if a length field is impossible
     */
    public static List<NetlinkMessage> decodeAll(ByteBuffer in) {
        ByteBuffer b = in.duplicate().order(ByteOrder.nativeOrder());
        List<NetlinkMessage> out = new ArrayList<>();
        while (b.remaining() >= Netlink.HEADER_LENGTH) {
            int start = b.position();
            int len = b.getInt();
            int type = Short.toUnsignedInt(b.getShort());
            int flags = Short.toUnsignedInt(b.getShort());
            int seq = b.getInt();
            int pid = b.getInt();
            MalformedNetlinkException.check(len >= Netlink.HEADER_LENGTH,
                    "netlink message length " + Integer.toUnsignedString(len) + " shorter than its header");
            MalformedNetlinkException.check(len <= b.limit() - start,
                    "netlink message length " + len + " exceeds the " + (b.limit() - start) + " octets received");
            byte[] payload = new byte[len - Netlink.HEADER_LENGTH];
            b.get(payload);
            out.add(new NetlinkMessage(type, flags, seq, pid, payload));
            b.position(Math.min(b.limit(), start + Netlink.align(len)));
        }
        MalformedNetlinkException.check(!b.hasRemaining(), b.remaining() + " trailing octets after the last netlink message");
        return out;
    }

    /** Decodes exactly one message from bytes. */
    public static NetlinkMessage decode(byte[] bytes) {
        List<NetlinkMessage> all = decodeAll(ByteBuffer.wrap(bytes));
        MalformedNetlinkException.check(all.size() == 1, "expected one netlink message, found " + all.size());
        return all.get(0);
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof NetlinkMessage m && m.type == type && m.flags == flags && m.seq == seq
                && m.pid == pid && Arrays.equals(m.payload, payload);
    }

    @Override
    public int hashCode() {
        return ((type * 31 + flags) * 31 + seq) * 31 + Arrays.hashCode(payload);
    }

    @Override
    public String toString() {
        return "NetlinkMessage[type=" + type + ", flags=0x" + Integer.toHexString(flags) + ", seq=" + seq
                + ", pid=" + pid + ", payload=" + payload.length + " octets]";
    }
}
