package io.cxt.ha;

import java.io.ByteArrayOutputStream;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

import io.cxt.ha.HaDecodeException.Reason;

/**
 * The IKE part of a transferred context when charon owns the IKE SA: the HA messages another charon needs to
 * hold it (IKE_ADD, message IDs, IKE_UPDATE, CHILD_ADDs), as charon's own datagrams. It travels in the
 * context's IKE slot, i.e. inside the router channel's AES-GCM protection, never in the clear.
 *
 * <p>Format: octet 0xA3 (distinguishes it from io.cxt.ike's IKE SA context, whose first octet is its version
 * 1), a count octet, then per message a 16-bit big-endian length and the datagram. Pure; decode throws only
 * {@link HaDecodeException}.
 */
public final class HaSaBundle {
    public static final int MARKER = 0xA3;
    /** IKE_ADD, 2 MIDs, IKE_UPDATE, 4 later updates and HaSaStore's 64 CHILD_SAs fit. */
    public static final int MAX_MESSAGES = 80;

    private HaSaBundle() {
    }

    public static boolean isBundle(byte[] b) {
        return b.length > 0 && (b[0] & 0xff) == MARKER;
    }

    public static byte[] encode(List<HaMessage> messages) {
        if (messages.size() > MAX_MESSAGES) {
            throw new IllegalArgumentException(messages.size() + " HA messages, at most " + MAX_MESSAGES);
        }
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        out.write(MARKER);
        out.write(messages.size());
        for (HaMessage m : messages) {
            byte[] d = HaMessageCodec.encode(m);
            out.write(d.length >>> 8);
            out.write(d.length);
            out.writeBytes(d);
            Arrays.fill(d, (byte) 0);
        }
        return out.toByteArray();
    }

    public static List<HaMessage> decode(byte[] b) throws HaDecodeException {
        if (b.length < 2 || (b[0] & 0xff) != MARKER) {
            throw new HaDecodeException(Reason.BAD_VALUE, "not an HA SA bundle");
        }
        int n = b[1] & 0xff;
        if (n > MAX_MESSAGES) {
            throw new HaDecodeException(Reason.TOO_LARGE, n + " HA messages in a bundle, at most " + MAX_MESSAGES);
        }
        List<HaMessage> out = new ArrayList<>(n);
        int p = 2;
        for (int i = 0; i < n; i++) {
            if (b.length - p < 2) {
                throw new HaDecodeException(Reason.TRUNCATED, "HA bundle truncated at message " + i);
            }
            int len = ((b[p] & 0xff) << 8) | (b[p + 1] & 0xff);
            p += 2;
            if (b.length - p < len) {
                throw new HaDecodeException(Reason.TRUNCATED, "HA bundle message " + i + " truncated");
            }
            byte[] d = Arrays.copyOfRange(b, p, p + len);
            p += len;
            try {
                out.add(HaMessageCodec.decode(d));
            } finally {
                Arrays.fill(d, (byte) 0);
            }
        }
        if (p != b.length) {
            throw new HaDecodeException(Reason.BAD_VALUE, (b.length - p) + " octets after the last HA message");
        }
        return out;
    }
}
