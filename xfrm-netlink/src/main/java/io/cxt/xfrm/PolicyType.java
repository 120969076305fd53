package io.cxt.xfrm;

import java.nio.ByteBuffer;

/**
 * {@code struct xfrm_userpolicy_type} (XFRMA_POLICY_TYPE, 6 octets: type u8, 1 pad, reserved1 u16,
 * reserved2 u8, 1 pad): which of the two policy databases, main or sub (CONFIG_XFRM_SUB_POLICY), a
 * policy lives in. The reserved fields are always zero (the kernel clears them).
 */
public record PolicyType(int type) {
    public static final int LENGTH = 6;

    public static final int TYPE_MAIN = 0;
    public static final int TYPE_SUB = 1;

    public static final PolicyType MAIN = new PolicyType(TYPE_MAIN);
    public static final PolicyType SUB = new PolicyType(TYPE_SUB);

    public PolicyType {
        PolicyWire.u8(type, "policy type");
    }

    public static PolicyType decode(ByteBuffer in) {
        ByteBuffer b = PolicyWire.nativeOrder(in);
        XfrmStructs.need(b, LENGTH, "xfrm_userpolicy_type");
        int t = XfrmStructs.getU8(b);
        XfrmStructs.skip(b, 5);
        return new PolicyType(t);
    }

    public void encode(ByteBuffer b) {
        b.put((byte) type);
        XfrmStructs.pad(b, 5);
    }

    /** "main", "sub" or the number, as iproute2 prints it. */
    public String name() {
        return switch (type) {
            case TYPE_MAIN -> "main";
            case TYPE_SUB -> "sub";
            default -> Integer.toString(type);
        };
    }

    @Override
    public String toString() {
        return "PolicyType[" + name() + "]";
    }
}
