package io.cxt.xfrm;

import java.nio.ByteBuffer;
import java.util.Objects;

/**
 * POLEXPIRE: {@code struct xfrm_user_polexpire} (176 octets: {@code xfrm_userpolicy_info} 168, hard u8,
 * 7 pad) followed by the policy's attributes. The kernel sends it when a policy's soft or hard
 * lifetime runs out; userspace may send it to expire a policy (found by index, or by selector,
 * direction and context; hard deletes it).
 */
public record PolicyExpire(SecurityPolicy policy, boolean hard) {

    public static final int LENGTH = 176;

    public PolicyExpire {
        Objects.requireNonNull(policy, "policy");
    }

    public static PolicyExpire decode(ByteBuffer in) {
        ByteBuffer b = PolicyWire.nativeOrder(in);
        XfrmStructs.need(b, LENGTH, "xfrm_user_polexpire");
        PolicyInfo info = PolicyInfo.decode(b);
        boolean hard = XfrmStructs.getU8(b) != 0;
        XfrmStructs.skip(b, 7);
        return new PolicyExpire(SecurityPolicy.fromParts(info,
                PolicyAttributes.decode(b, PolicyAttributes.POLICY_KINDS)), hard);
    }

    public static PolicyExpire decode(byte[] payload) {
        return decode(ByteBuffer.wrap(payload));
    }

    public int encodedLength() {
        return LENGTH + policy.attributes().encodedLength();
    }

    public void encode(ByteBuffer b) {
        encode(b, AttributeOrder.REQUEST);
    }

    public void encode(ByteBuffer b, AttributeOrder order) {
        policy.info().encode(b);
        b.put((byte) (hard ? 1 : 0));
        XfrmStructs.pad(b, 7);
        policy.attributes().encode(b, order);
    }

    public byte[] toBytes(AttributeOrder order) {
        ByteBuffer b = PolicyWire.allocate(encodedLength());
        encode(b, order);
        return b.array();
    }
}
