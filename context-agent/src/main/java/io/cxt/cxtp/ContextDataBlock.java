package io.cxt.cxtp;

import java.util.Arrays;

/**
 * A Context Data Block (RFC 4067 section 2.4): the generic carrier of one feature context, or of a
 * request for one.
 *
 * <pre>
 *  0                   1                   2                   3
 *  0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * |   Feature Profile Type (FPT)  |  Length       |P|  Reserved   |
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * |                   Presence Vector (if P = 1)                  |
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * ~                              Data                             ~
 * </pre>
 *
 * <p>Length counts 8-octet words including the 4-octet header, so a block is 8 to 2040 octets.
 * The data's own length is not on the wire: the context type specification says where its fields
 * end and the rest is zero padding. So {@link #data()} is the data field <em>as on the wire,
 * including that padding</em>; the constructor pads what it is given with zeros to the next
 * 8-octet boundary. That keeps {@code decode(encode(b)).equals(b)} for every block.
 *
 * <p>Request-only blocks: section 2.4 says "only the first 4 octets are typically necessary" for a
 * request, but a 4-octet block cannot state its length (the field counts 8-octet words including
 * the header, and 0 would make the block end before it starts). We decided a request block is a
 * normal 8-octet block (Length = 1) whose 4 data octets are zero ({@link #request(int)}), or whose
 * second word is a presence vector naming the wanted fields ({@link #request(int, int)}). A Length
 * of 0 is malformed.
 *
 * @param featureProfileType 16-bit FPT (IANA registry; 0x1 is IPv6 multicast listener context)
 * @param presenceVectorPresent the P flag
 * @param presenceVector the presence vector; must be 0 when P is clear
 * @param data data field including zero padding (copied in and out)
 */
public record ContextDataBlock(int featureProfileType, boolean presenceVectorPresent, int presenceVector,
                               byte[] data) {

    /** Octets of the fixed header (FPT, Length, flags). */
    public static final int HEADER_LENGTH = 4;

    public ContextDataBlock {
        if (featureProfileType < 0 || featureProfileType > 0xffff) {
            throw new IllegalArgumentException("feature profile type must be 0..65535: " + featureProfileType);
        }
        if (!presenceVectorPresent && presenceVector != 0) {
            throw new IllegalArgumentException("presence vector given but P flag clear");
        }
        byte[] d = data == null ? new byte[0] : data;
        int fixed = HEADER_LENGTH + (presenceVectorPresent ? 4 : 0);
        int total = roundUp8(fixed + d.length);
        if (total > CxtpConstants.MAX_CDB_LENGTH) {
            throw new IllegalArgumentException("context data block of " + total + " octets exceeds "
                    + CxtpConstants.MAX_CDB_LENGTH);
        }
        data = Arrays.copyOf(d, total - fixed);
    }

    /** A block without presence vector. */
    public static ContextDataBlock of(int featureProfileType, byte[] data) {
        return new ContextDataBlock(featureProfileType, false, 0, data);
    }

    /** A block with presence vector (P = 1). */
    public static ContextDataBlock withPresenceVector(int featureProfileType, int presenceVector, byte[] data) {
        return new ContextDataBlock(featureProfileType, true, presenceVector, data);
    }

    /** A request for the whole context of a feature profile type: 8 octets, Length = 1. */
    public static ContextDataBlock request(int featureProfileType) {
        return new ContextDataBlock(featureProfileType, false, 0, new byte[0]);
    }

    /** A request for the fields of a context named by a presence vector: 8 octets, Length = 1, P = 1. */
    public static ContextDataBlock request(int featureProfileType, int presenceVector) {
        return new ContextDataBlock(featureProfileType, true, presenceVector, new byte[0]);
    }

    @Override
    public byte[] data() {
        return data.clone();
    }

    /** Encoded size in octets (always a multiple of 8). */
    public int encodedLength() {
        return HEADER_LENGTH + (presenceVectorPresent ? 4 : 0) + data.length;
    }

    /** The Length field: encoded size in 8-octet words. */
    public int lengthInWords() {
        return encodedLength() / 8;
    }

    /** True for the 8-octet request shape: one word, no data beyond zero padding. */
    public boolean isRequestOnly() {
        if (lengthInWords() != 1) {
            return false;
        }
        for (byte b : data) {
            if (b != 0) {
                return false;
            }
        }
        return true;
    }

    static int roundUp8(int n) {
        return (n + 7) & ~7;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof ContextDataBlock c && c.featureProfileType == featureProfileType
                && c.presenceVectorPresent == presenceVectorPresent && c.presenceVector == presenceVector
                && Arrays.equals(c.data, data);
    }

    @Override
    public int hashCode() {
        return (featureProfileType * 31 + presenceVector) * 31 + Arrays.hashCode(data)
                + (presenceVectorPresent ? 1 : 0);
    }

    /**
     * Never the data: a block can carry key material (an SA's keys, a token key), so only its type
     * and size are printed.
     */
    @Override
    public String toString() {
        return "CDB[fpt=0x" + Integer.toHexString(featureProfileType)
                + (presenceVectorPresent ? ", pv=0x" + Integer.toHexString(presenceVector) : "")
                + ", words=" + lengthInWords() + ", data=<" + data.length + " octets>]";
    }

    /** Zeroes this block's data (it may hold keys) once it has been decoded or sent. */
    public void wipe() {
        Arrays.fill(data, (byte) 0);
    }
}
