package io.cxt.cxtp;

import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.ArrayList;
import java.util.List;

import io.cxt.xfrm.KeyBytes;
import io.cxt.xfrm.XfrmStructs;

/**
 * Pure encoder and decoder between CXTP version 1 messages (RFC 4067 section 2.5) and their
 * octets. All fields are in network byte order.
 *
 * <p>The common header is
 * <pre>
 *  0                   1                   2                   3
 *  0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
 * |Vers.|   Type  |V|A| Reserved  |            Length             |
 * </pre>
 * Version is the top 3 bits of the first octet (so a CTAR starts 0x21), V (0x80 of the second
 * octet) marks IPv4 addresses, the next bit (0x40) is A in CTAR/CTD/PCTD and S in CTDR and
 * reserved elsewhere, and Length is the whole message in octets. Reserved bits and octets are
 * written as zero and ignored when read.
 *
 * <p>Decoding is strict about structure: the Length field must equal the number of octets given
 * (one datagram, ICMP body or SCTP message is one CXTP message), every block must fit, and there
 * must be no leftover octets. Any problem is a {@link CxtpDecodeException}; no other exception
 * leaves {@link #decode(byte[])}.
 */
public final class CxtpCodec {
    private CxtpCodec() {
    }

    /** Octets of the common header. */
    public static final int HEADER_LENGTH = 4;

    static final int FLAG_V = 0x80;
    static final int FLAG_A_OR_S = 0x40;

    // ---------------------------------------------------------------- encode

    /**
     * The octets of a message.
     *
     * @throws IllegalArgumentException if the message would exceed 65535 octets
     */
    public static byte[] encode(CxtpMessage m) {
        int length = encodedLength(m);
        if (length > CxtpConstants.MAX_MESSAGE_LENGTH) {
            throw new IllegalArgumentException(m.type() + " of " + length + " octets exceeds the 16-bit Length field");
        }
        Writer w = new Writer(length);
        int flags = m.ipv4Addresses() ? FLAG_V : 0;
        switch (m.type()) {
            case CTAR -> {
                ContextTransferActivateRequest r = (ContextTransferActivateRequest) m;
                w.header(r.type(), flags | (r.acknowledgementRequested() ? FLAG_A_OR_S : 0), length);
                w.address(r.previousAddress());
                w.address(r.otherRouterAddress());
                w.u32((int) r.sequenceNumber());
                w.u32(r.authorizationToken());
                w.blocks(r.requestedContexts());
            }
            case CTAA -> {
                ContextTransferActivateAcknowledge a = (ContextTransferActivateAcknowledge) m;
                w.header(a.type(), flags, length);
                w.address(a.previousAddress());
                w.statuses(a.failedContexts());
            }
            case CTD -> {
                ContextTransferData d = (ContextTransferData) m;
                w.header(d.type(), flags | (d.acknowledgementRequested() ? FLAG_A_OR_S : 0), length);
                w.u32((int) d.elapsedTimeMillis());
                w.address(d.previousAddress());
                w.blocks(d.contexts());
            }
            case PCTD -> {
                PredictiveContextTransferData p = (PredictiveContextTransferData) m;
                w.header(p.type(), flags | (p.acknowledgementRequested() ? FLAG_A_OR_S : 0), length);
                w.u32((int) p.elapsedTimeMillis());
                w.address(p.previousAddress());
                byte[] key = p.tokenKey().key().bytes();
                try {
                    w.u16(p.tokenKey().algorithm());
                    w.u16(key.length);
                    w.bytes(key);
                    w.zeros(p.tokenKey().encodedLength() - 4 - key.length);
                } finally {
                    java.util.Arrays.fill(key, (byte) 0);
                }
                w.blocks(p.contexts());
            }
            case CTDR -> {
                ContextTransferDataReply r = (ContextTransferDataReply) m;
                w.header(r.type(), flags | (r.success() ? FLAG_A_OR_S : 0), length);
                w.address(r.previousAddress());
                w.statuses(r.statuses());
            }
            case CTC -> {
                w.header(m.type(), flags, length);
                w.address(m.previousAddress());
            }
            case CT_REQ -> {
                ContextTransferRequest q = (ContextTransferRequest) m;
                w.header(q.type(), flags, length);
                w.address(q.previousAddress());
                w.u32((int) q.sequenceNumber());
                w.u32(q.authorizationToken());
                w.blocks(q.requestedContexts());
            }
        }
        if (w.pos != length) {
            throw new IllegalStateException("encoder wrote " + w.pos + " octets, expected " + length);
        }
        return w.out;
    }

    /** The encoded size of a message in octets, without encoding it. */
    public static int encodedLength(CxtpMessage m) {
        int addr = m.ipv4Addresses() ? 4 : 16;
        return HEADER_LENGTH + switch (m.type()) {
            case CTAR -> 2 * addr + 8 + blocksLength(((ContextTransferActivateRequest) m).requestedContexts());
            case CTAA -> addr + FeatureStatus.LENGTH * ((ContextTransferActivateAcknowledge) m).failedContexts().size();
            case CTD -> 4 + addr + blocksLength(((ContextTransferData) m).contexts());
            case PCTD -> 4 + addr + ((PredictiveContextTransferData) m).tokenKey().encodedLength()
                    + blocksLength(((PredictiveContextTransferData) m).contexts());
            case CTDR -> addr + FeatureStatus.LENGTH * ((ContextTransferDataReply) m).statuses().size();
            case CTC -> addr;
            case CT_REQ -> addr + 8 + blocksLength(((ContextTransferRequest) m).requestedContexts());
        };
    }

    /** The octets of a sequence of blocks, concatenated (the CDB part of the token input). */
    public static byte[] encodeBlocks(List<ContextDataBlock> blocks) {
        Writer w = new Writer(blocksLength(blocks));
        w.blocks(blocks);
        return w.out;
    }

    /** The octets of one block. */
    public static byte[] encodeBlock(ContextDataBlock block) {
        return encodeBlocks(List.of(block));
    }

    private static int blocksLength(List<ContextDataBlock> blocks) {
        int n = 0;
        for (ContextDataBlock b : blocks) {
            n += b.encodedLength();
        }
        return n;
    }

    private static final class Writer {
        final byte[] out;
        int pos;

        Writer(int length) {
            out = new byte[length];
        }

        void header(MessageType type, int flags, int length) {
            u8((CxtpConstants.VERSION << 5) | type.code());
            u8(flags);
            u16(length);
        }

        void u8(int v) {
            out[pos++] = (byte) v;
        }

        void u16(int v) {
            u8(v >>> 8);
            u8(v);
        }

        void u32(int v) {
            u16(v >>> 16);
            u16(v);
        }

        void bytes(byte[] b) {
            System.arraycopy(b, 0, out, pos, b.length);
            pos += b.length;
        }

        void zeros(int n) {
            pos += n;
        }

        void address(InetAddress a) {
            bytes(a.getAddress());
        }

        void statuses(List<FeatureStatus> list) {
            for (FeatureStatus s : list) {
                u16(s.featureProfileType());
                u8(s.statusCode());
                u8(0);
            }
        }

        void blocks(List<ContextDataBlock> blocks) {
            for (ContextDataBlock b : blocks) {
                u16(b.featureProfileType());
                u8(b.lengthInWords());
                u8(b.presenceVectorPresent() ? 0x80 : 0);
                if (b.presenceVectorPresent()) {
                    u32(b.presenceVector());
                }
                bytes(b.data());
            }
        }
    }

    // ---------------------------------------------------------------- decode

    /**
     * The message in {@code bytes}, which must be exactly one CXTP message.
     *
     * @throws CxtpDecodeException for anything that is not a well-formed CXTP version 1 message
     */
    public static CxtpMessage decode(byte[] bytes) throws CxtpDecodeException {
        if (bytes == null) {
            throw new CxtpDecodeException("no message", 0);
        }
        Reader r = new Reader(bytes, 0, bytes.length);
        r.need(HEADER_LENGTH, "the 4-octet CXTP header");
        int first = r.u8();
        int version = first >>> 5;
        CxtpDecodeException.check(version == CxtpConstants.VERSION, "unsupported CXTP version " + version, 0);
        MessageType type = MessageType.fromCode(first & 0x1f);
        CxtpDecodeException.check(type != null, "unknown CXTP message type " + (first & 0x1f), 0);
        int flags = r.u8();
        int length = r.u16();
        CxtpDecodeException.check(length == bytes.length,
                "Length field says " + length + " octets but the message has " + bytes.length, 2);
        boolean ipv4 = (flags & FLAG_V) != 0;
        boolean aOrS = (flags & FLAG_A_OR_S) != 0;
        int addrLen = ipv4 ? 4 : 16;

        CxtpMessage m = switch (type) {
            case CTAR -> {
                InetAddress mn = r.address(addrLen, "MN previous address");
                InetAddress ar = r.address(addrLen, "AR address");
                long seq = r.u32("sequence number");
                int token = (int) r.u32("authorization token");
                yield new ContextTransferActivateRequest(aOrS, mn, ar, seq, token, r.blocksToEnd());
            }
            case CTAA -> {
                InetAddress mn = r.address(addrLen, "MN previous address");
                yield new ContextTransferActivateAcknowledge(mn, r.statusesToEnd());
            }
            case CTD -> {
                long elapsed = r.u32("elapsed time");
                InetAddress mn = r.address(addrLen, "MN previous address");
                yield new ContextTransferData(aOrS, elapsed, mn, r.blocksToEnd());
            }
            case PCTD -> {
                long elapsed = r.u32("elapsed time");
                InetAddress mn = r.address(addrLen, "MN previous address");
                r.need(4, "algorithm and key length");
                int algorithm = r.u16();
                int keyLength = r.u16();
                int padded = (keyLength + 3) & ~3;
                r.need(padded, "key of " + keyLength + " octets (padded to " + padded + ")");
                byte[] key = r.bytes(keyLength);
                r.skip(padded - keyLength);
                TokenKeyMaterial material = new TokenKeyMaterial(algorithm, KeyBytes.of(key));
                java.util.Arrays.fill(key, (byte) 0);
                yield new PredictiveContextTransferData(aOrS, elapsed, mn, material, r.blocksToEnd());
            }
            case CTDR -> {
                InetAddress mn = r.address(addrLen, "MN previous address");
                yield new ContextTransferDataReply(aOrS, mn, r.statusesToEnd());
            }
            case CTC -> {
                InetAddress mn = r.address(addrLen, "MN previous address");
                yield new ContextTransferCancel(mn);
            }
            case CT_REQ -> {
                InetAddress mn = r.address(addrLen, "MN previous address");
                long seq = r.u32("sequence number");
                int token = (int) r.u32("authorization token");
                yield new ContextTransferRequest(mn, seq, token, r.blocksToEnd());
            }
        };
        CxtpDecodeException.check(r.pos == r.end, (r.end - r.pos) + " octets after the " + type + " fields", r.pos);
        return m;
    }

    /**
     * Blocks filling {@code bytes} exactly (for callers that carry CDBs elsewhere).
     *
     * @throws CxtpDecodeException if a block is malformed or does not fit
     */
    public static List<ContextDataBlock> decodeBlocks(byte[] bytes) throws CxtpDecodeException {
        if (bytes == null) {
            throw new CxtpDecodeException("no blocks", 0);
        }
        return new Reader(bytes, 0, bytes.length).blocksToEnd();
    }

    private static final class Reader {
        final byte[] in;
        int pos;
        final int end;

        Reader(byte[] in, int pos, int end) {
            this.in = in;
            this.pos = pos;
            this.end = end;
        }

        void need(int n, String what) throws CxtpDecodeException {
            CxtpDecodeException.check(n >= 0 && end - pos >= n,
                    "truncated " + what + ": need " + n + " octets, " + (end - pos) + " left", pos);
        }

        int u8() {
            return in[pos++] & 0xff;
        }

        int u16() {
            return (u8() << 8) | u8();
        }

        long u32(String what) throws CxtpDecodeException {
            need(4, what);
            return ((long) u16() << 16) | u16();
        }

        byte[] bytes(int n) {
            byte[] b = java.util.Arrays.copyOfRange(in, pos, pos + n);
            pos += n;
            return b;
        }

        void skip(int n) {
            pos += n;
        }

        InetAddress address(int len, String what) throws CxtpDecodeException {
            need(len, what);
            byte[] raw = bytes(len);
            if (len == 16) {
                return XfrmStructs.ipv6(raw);
            }
            try {
                return InetAddress.getByAddress(raw);
            } catch (UnknownHostException e) {
                throw new CxtpDecodeException(what + ": " + e.getMessage(), pos - len);
            }
        }

        List<FeatureStatus> statusesToEnd() throws CxtpDecodeException {
            CxtpDecodeException.check((end - pos) % FeatureStatus.LENGTH == 0,
                    (end - pos) + " octets of FPT/status entries is not a multiple of 4", pos);
            List<FeatureStatus> list = new ArrayList<>();
            while (pos < end) {
                int fpt = u16();
                int status = u8();
                skip(1);
                list.add(new FeatureStatus(fpt, status));
            }
            return list;
        }

        List<ContextDataBlock> blocksToEnd() throws CxtpDecodeException {
            List<ContextDataBlock> list = new ArrayList<>();
            while (pos < end) {
                int start = pos;
                need(ContextDataBlock.HEADER_LENGTH, "context data block header");
                int fpt = u16();
                int words = u8();
                int flags = u8();
                CxtpDecodeException.check(words != 0,
                        "context data block with Length 0 (a block is at least one 8-octet word)", start + 2);
                int total = words * 8;
                CxtpDecodeException.check(end - start >= total,
                        "context data block of " + total + " octets overruns the message (" + (end - start) + " left)",
                        start + 2);
                boolean p = (flags & 0x80) != 0;
                int pv = 0;
                if (p) {
                    pv = (int) u32("presence vector");
                }
                byte[] data = bytes(start + total - pos);
                list.add(new ContextDataBlock(fpt, p, pv, data));
            }
            return list;
        }
    }
}
