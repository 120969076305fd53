package io.cxt.xfrm;

import java.nio.ByteBuffer;

/**
 * {@code struct xfrm_userpolicy_default} (3 octets: in, fwd, out): what happens to traffic that no
 * policy matches, per direction. In SETDEFAULT, {@link #UNSPEC} leaves a direction unchanged.
 */
public record PolicyDefault(int in, int fwd, int out) {
    public static final int LENGTH = 3;

    public static final int UNSPEC = 0;
    public static final int BLOCK = 1;
    public static final int ACCEPT = 2;

    /** The kernel's initial setting. */
    public static final PolicyDefault ALL_ACCEPT = new PolicyDefault(ACCEPT, ACCEPT, ACCEPT);

    public PolicyDefault {
        PolicyWire.u8(in, "in");
        PolicyWire.u8(fwd, "fwd");
        PolicyWire.u8(out, "out");
    }

    public static PolicyDefault decode(ByteBuffer in) {
        ByteBuffer b = PolicyWire.nativeOrder(in);
        XfrmStructs.need(b, LENGTH, "xfrm_userpolicy_default");
        return new PolicyDefault(XfrmStructs.getU8(b), XfrmStructs.getU8(b), XfrmStructs.getU8(b));
    }

    public static PolicyDefault decode(byte[] payload) {
        return decode(ByteBuffer.wrap(payload));
    }

    public void encode(ByteBuffer b) {
        b.put((byte) in).put((byte) fwd).put((byte) out);
    }

    public byte[] toBytes() {
        ByteBuffer b = PolicyWire.allocate(LENGTH);
        encode(b);
        return b.array();
    }

    /** "block", "accept" or "unspec", as iproute2 prints them. */
    public static String name(int value) {
        return switch (value) {
            case UNSPEC -> "unspec";
            case BLOCK -> "block";
            case ACCEPT -> "accept";
            default -> Integer.toString(value);
        };
    }
}
