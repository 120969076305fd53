package io.cxt.cxtp;

import java.util.Arrays;

/**
 * The ICMP Experimental Mobility header around MN-AR CXTP messages (RFC 4067 section 3.2,
 * RFC 4065 section 8):
 * <pre>
 *  0                   1                   2                   3
 *  0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
 * |     Type      |     Code      |           Checksum            |
 * |   Subtype     |                   Reserved                    |
 * |   Message...
 * </pre>
 * Type 150 (ICMPv6) or 41 (ICMPv4), Code 0, Subtype 1 (CXTP; 0 is CARD), Reserved zero.
 * The ICMPv4 checksum is computed here (RFC 1071 over the ICMP message); the ICMPv6 checksum
 * covers a pseudo-header only the kernel knows, and raw ICMPv6 sockets always fill it in, so it
 * is left zero here.
 */
public final class IcmpCxtpFraming {
    private IcmpCxtpFraming() {
    }

    /** Octets of the ICMP header before the CXTP message. */
    public static final int HEADER_LENGTH = 8;

    /** The ICMP message carrying {@code message}. */
    public static byte[] frame(boolean ipv6, byte[] message) {
        byte[] icmp = new byte[HEADER_LENGTH + message.length];
        icmp[0] = (byte) (ipv6 ? CxtpConstants.ICMPV6_TYPE : CxtpConstants.ICMPV4_TYPE);
        icmp[1] = (byte) CxtpConstants.ICMP_CODE;
        icmp[4] = (byte) CxtpConstants.ICMP_SUBTYPE_CXTP;
        System.arraycopy(message, 0, icmp, HEADER_LENGTH, message.length);
        if (!ipv6) {
            int sum = internetChecksum(icmp);
            icmp[2] = (byte) (sum >>> 8);
            icmp[3] = (byte) sum;
        }
        return icmp;
    }

    /**
     * The CXTP message in an ICMP message, or null when the ICMP message is not CXTP (another
     * type or code, or another Experimental Mobility subtype such as CARD).
     *
     * @throws CxtpDecodeException if it is of the CXTP type but truncated or (ICMPv4) fails its checksum
     */
    public static byte[] unframe(boolean ipv6, byte[] icmp) throws CxtpDecodeException {
        int type = ipv6 ? CxtpConstants.ICMPV6_TYPE : CxtpConstants.ICMPV4_TYPE;
        if (icmp.length < 1 || (icmp[0] & 0xff) != type) {
            return null;
        }
        CxtpDecodeException.check(icmp.length >= HEADER_LENGTH, "ICMP Experimental Mobility message shorter than 8 octets", 0);
        if ((icmp[1] & 0xff) != CxtpConstants.ICMP_CODE || (icmp[4] & 0xff) != CxtpConstants.ICMP_SUBTYPE_CXTP) {
            return null;
        }
        if (!ipv6) {
            CxtpDecodeException.check(internetChecksum(icmp) == 0, "bad ICMP checksum", 2);
        }
        return Arrays.copyOfRange(icmp, HEADER_LENGTH, icmp.length);
    }

    /**
     * RFC 1071 checksum: the ones' complement of the ones' complement sum of 16-bit words. Over
     * a message that contains its correct checksum the result is 0.
     */
    static int internetChecksum(byte[] b) {
        long sum = 0;
        for (int i = 0; i + 1 < b.length; i += 2) {
            sum += ((b[i] & 0xff) << 8) | (b[i + 1] & 0xff);
        }
        if ((b.length & 1) != 0) {
            sum += (b[b.length - 1] & 0xff) << 8;
        }
        while ((sum >>> 16) != 0) {
            sum = (sum & 0xffff) + (sum >>> 16);
        }
        return (int) (~sum & 0xffff);
    }
}
