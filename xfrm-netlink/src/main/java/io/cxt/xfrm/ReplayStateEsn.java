package io.cxt.xfrm;

import java.nio.ByteBuffer;
import java.util.Arrays;

import io.cxt.nl.MalformedNetlinkException;

/**
 * {@code struct xfrm_replay_state_esn} (XFRMA_REPLAY_ESN_VAL): 64-bit sequence numbers as low
 * and high halves, the replay window (up to 4096 packets) and its bitmap of {@code bmpLen} 32-bit
 * words.
 *
 * <p>The bitmap is either all {@code bmpLen} words (what the kernel reports) or empty: iproute2
 * and strongSwan send only the 24-octet header when creating an SA, and the kernel accepts that
 * and allocates a zero bitmap of {@code bmpLen} words itself. Keeping the two forms apart makes
 * re-encoding exact.
 */
public record ReplayStateEsn(int bmpLen, int oseq, int seq, int oseqHi, int seqHi, int replayWindow, int[] bitmap) {

    public static final int HEADER_LENGTH = 24;
    /** XFRMA_REPLAY_ESN_MAX: 4096 packets, 128 words. */
    public static final int MAX_WINDOW = 4096;
    public static final int MAX_BMP_LEN = MAX_WINDOW / 32;

    public ReplayStateEsn {
        if (bmpLen < 0 || bmpLen > MAX_BMP_LEN) {
            throw new IllegalArgumentException("ESN bitmap length " + Integer.toUnsignedString(bmpLen)
                    + " words out of range 0.." + MAX_BMP_LEN);
        }
        bitmap = bitmap == null ? new int[0] : bitmap.clone();
        if (bitmap.length != 0 && bitmap.length != bmpLen) {
            throw new IllegalArgumentException("ESN bitmap has " + bitmap.length + " words, bmp_len says " + bmpLen);
        }
    }

    /** A fresh state for a window of {@code window} packets, with a zero bitmap of the words it needs. */
    public static ReplayStateEsn forWindow(int window, int oseq, int seq, int oseqHi, int seqHi) {
        if (window < 0 || window > MAX_WINDOW) {
            throw new IllegalArgumentException("replay window out of range: " + window);
        }
        int words = (window + 31) / 32;
        return new ReplayStateEsn(words, oseq, seq, oseqHi, seqHi, window, new int[words]);
    }

    /** Decodes from the buffer's position to its limit (the whole attribute value). */
    public static ReplayStateEsn decode(ByteBuffer b) {
        XfrmStructs.need(b, HEADER_LENGTH, "xfrm_replay_state_esn");
        int bmpLen = b.getInt();
        int oseq = b.getInt();
        int seq = b.getInt();
        int oseqHi = b.getInt();
        int seqHi = b.getInt();
        int window = b.getInt();
        MalformedNetlinkException.check(bmpLen >= 0 && bmpLen <= MAX_BMP_LEN,
                "ESN bitmap length " + Integer.toUnsignedString(bmpLen) + " words out of range");
        int words = b.remaining() / 4;
        MalformedNetlinkException.check(b.remaining() % 4 == 0 && (words == 0 || words == bmpLen),
                "ESN bitmap of " + b.remaining() + " octets does not match bmp_len " + bmpLen);
        int[] bmp = new int[words];
        for (int i = 0; i < words; i++) {
            bmp[i] = b.getInt();
        }
        return new ReplayStateEsn(bmpLen, oseq, seq, oseqHi, seqHi, window, bmp);
    }

    public int encodedLength() {
        return HEADER_LENGTH + 4 * bitmap.length;
    }

    public void encode(ByteBuffer b) {
        b.putInt(bmpLen).putInt(oseq).putInt(seq).putInt(oseqHi).putInt(seqHi).putInt(replayWindow);
        for (int w : bitmap) {
            b.putInt(w);
        }
    }

    /** 64-bit outbound sequence number. */
    public long outboundSequence() {
        return (Integer.toUnsignedLong(oseqHi) << 32) | Integer.toUnsignedLong(oseq);
    }

    /** 64-bit highest inbound sequence number. */
    public long inboundSequence() {
        return (Integer.toUnsignedLong(seqHi) << 32) | Integer.toUnsignedLong(seq);
    }

    public ReplayStateEsn withSequences(long outbound, long inbound) {
        return new ReplayStateEsn(bmpLen, (int) outbound, (int) inbound, (int) (outbound >>> 32),
                (int) (inbound >>> 32), replayWindow, bitmap);
    }

    @Override
    public int[] bitmap() {
        return bitmap.clone();
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof ReplayStateEsn r && r.bmpLen == bmpLen && r.oseq == oseq && r.seq == seq
                && r.oseqHi == oseqHi && r.seqHi == seqHi && r.replayWindow == replayWindow
                && Arrays.equals(r.bitmap, bitmap);
    }

    @Override
    public int hashCode() {
        return ((((bmpLen * 31 + oseq) * 31 + seq) * 31 + oseqHi) * 31 + seqHi) * 31 + replayWindow * 17
                + Arrays.hashCode(bitmap);
    }

    @Override
    public String toString() {
        return "ReplayStateEsn[window=" + replayWindow + ", bmpLen=" + bmpLen + ", oseq=0x"
                + Long.toHexString(outboundSequence()) + ", seq=0x" + Long.toHexString(inboundSequence())
                + ", bitmap=" + bitmap.length + " words]";
    }
}
