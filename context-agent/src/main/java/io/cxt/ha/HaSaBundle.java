package io.cxt.ha;

import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;

import io.cxt.ha.HaDecodeException.Reason;

/**
 * The IKE part of a transferred context when charon owns the IKE SA: the HA messages another charon needs to
 * hold it (IKE_ADD, message IDs, IKE_UPDATE, CHILD_ADDs), as charon's own datagrams. It travels in the
 * context's IKE slot, i.e. inside the router channel's AES-GCM protection, never in the clear.
 *
 * <p>Format: octet 0xA3 (distinguishes it from io.cxt.ike's IKE SA context, whose first octet is its version
 * 1), a count octet, then per message a 16-bit big-endian length and the datagram; optionally, after the
 * messages, octet {@link #RESPONSE} and charon's last IKE response on the SA ({@link IkeResponseCopy#encode}),
 * which no HA message carries. Pure; decode throws only {@link HaDecodeException}.
 */
public final class HaSaBundle {
    public static final int MARKER = 0xA3;
    /** IKE_ADD, 2 MIDs, IKE_UPDATE, 4 later updates and HaSaStore's 64 CHILD_SAs fit. */
    public static final int MAX_MESSAGES = 80;
    /** Introduces the optional IKE response copy after the messages. */
    public static final int RESPONSE = 0x52;

    private HaSaBundle() {
    }

    public static boolean isBundle(byte[] b) {
        return b.length > 0 && (b[0] & 0xff) == MARKER;
    }

    public static byte[] encode(List<HaMessage> messages) {
        return encode(messages, null);
    }

    /** The messages and, when not null, charon's last IKE response on the SA. */
    public static byte[] encode(List<HaMessage> messages, IkeResponseCopy response) {
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
        if (response != null) {
            out.write(RESPONSE);
            response.encode(out);
        }
        return out.toByteArray();
    }

    public static List<HaMessage> decode(byte[] b) throws HaDecodeException {
        List<HaMessage> out = new ArrayList<>();
        int p = messages(b, out);
        if (p != b.length) {
            response(b, p, 0, 0); // checked, so a bundle that decodes is whole
        }
        return out;
    }

    /** The IKE response copy in a bundle of the IKE SA {@code spiInitiator}/{@code spiResponder}, if it has one. */
    public static Optional<IkeResponseCopy> decodeResponse(byte[] b, long spiInitiator, long spiResponder) throws HaDecodeException {
        int p = messages(b, null);
        return p == b.length ? Optional.empty() : Optional.of(response(b, p, spiInitiator, spiResponder));
    }

    private static IkeResponseCopy response(byte[] b, int p, long spiI, long spiR) throws HaDecodeException {
        if ((b[p] & 0xff) != RESPONSE) {
            throw new HaDecodeException(Reason.BAD_VALUE, (b.length - p) + " octets after the last HA message");
        }
        return IkeResponseCopy.decode(ByteBuffer.wrap(b, p + 1, b.length - p - 1), spiI, spiR);
    }

    /** Reads the messages (into {@code out}, decoded, when not null); returns where they end. */
    private static int messages(byte[] b, List<HaMessage> out) throws HaDecodeException {
        if (b.length < 2 || (b[0] & 0xff) != MARKER) {
            throw new HaDecodeException(Reason.BAD_VALUE, "not an HA SA bundle");
        }
        int n = b[1] & 0xff;
        if (n > MAX_MESSAGES) {
            throw new HaDecodeException(Reason.TOO_LARGE, n + " HA messages in a bundle, at most " + MAX_MESSAGES);
        }
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
            if (out != null) {
                byte[] d = Arrays.copyOfRange(b, p, p + len);
                try {
                    out.add(HaMessageCodec.decode(d));
                } finally {
                    Arrays.fill(d, (byte) 0);
                }
            }
            p += len;
        }
        return p;
    }
}
