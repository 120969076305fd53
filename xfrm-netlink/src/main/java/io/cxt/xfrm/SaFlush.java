package io.cxt.xfrm;

import java.nio.ByteBuffer;

import io.cxt.nl.MalformedNetlinkException;

/**
 * {@code struct xfrm_usersa_flush} (1 octet): FLUSHSA request and notification. {@code proto} 0
 * flushes every SA; {@link XfrmId#PROTO_IPSEC_ANY} (what {@code ip xfrm state flush} sends)
 * flushes ESP, AH and IPCOMP SAs; any other value flushes that protocol's SAs.
 */
public record SaFlush(int proto) {
    public static final int LENGTH = 1;

    public SaFlush {
        StateCodec.checkU8(proto, "proto");
    }

    public byte[] toBytes() {
        return new byte[] {(byte) proto};
    }

    /** The kernel's notification may carry alignment padding after the octet; it is ignored. */
    public static SaFlush decode(ByteBuffer b) {
        MalformedNetlinkException.check(b.remaining() >= LENGTH, "xfrm_usersa_flush needs 1 octet, has 0");
        return new SaFlush(Byte.toUnsignedInt(b.get(b.position())));
    }

    public static SaFlush decode(byte[] payload) {
        return decode(StateCodec.wrap(payload));
    }
}
