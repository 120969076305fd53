package io.cxt.xfrm;

import java.nio.ByteBuffer;
import java.util.List;
import java.util.Objects;

import io.cxt.nl.NlAttribute;

/**
 * {@code struct xfrm_userpolicy_id} (64 octets: selector 56, index u32 at 56, dir u8 at 60, 3 pad)
 * plus the attributes that narrow a GETPOLICY / DELPOLICY lookup. With a non-zero {@code index} the
 * kernel looks the policy up by index (and direction), otherwise by exact selector, direction and
 * security context. Mark, if_id and policy type must match the policy's in both cases (absent
 * means mark 0/0, if_id 0, main).
 */
public record PolicyId(Selector selector, int index, int direction, Mark mark, Integer ifId, PolicyType policyType,
                       SecurityContext securityContext, List<NlAttribute> extraAttributes) {

    public static final int LENGTH = 64;

    public PolicyId {
        Objects.requireNonNull(selector, "selector");
        PolicyWire.u8(direction, "direction");
        extraAttributes = PolicyWire.copy(extraAttributes);
    }

    public static PolicyId bySelector(Selector selector, int direction) {
        return new PolicyId(selector, 0, direction, null, null, null, null, List.of());
    }

    /**
     * By kernel index. The kernel ignores the selector then; it is the empty AF_INET one that
     * iproute2 sends, so the request bytes are the same.
     */
    public static PolicyId byIndex(int index, int direction) {
        return new PolicyId(Selector.any(AddressFamily.INET), index, direction, null, null, null, null, List.of());
    }

    public PolicyId withMark(Mark m) {
        return new PolicyId(selector, index, direction, m, ifId, policyType, securityContext, extraAttributes);
    }

    public PolicyId withIfId(Integer i) {
        return new PolicyId(selector, index, direction, mark, i, policyType, securityContext, extraAttributes);
    }

    public PolicyId withPolicyType(PolicyType t) {
        return new PolicyId(selector, index, direction, mark, ifId, t, securityContext, extraAttributes);
    }

    public PolicyId withSecurityContext(SecurityContext c) {
        return new PolicyId(selector, index, direction, mark, ifId, policyType, c, extraAttributes);
    }

    public static PolicyId decode(ByteBuffer in) {
        ByteBuffer b = PolicyWire.nativeOrder(in);
        XfrmStructs.need(b, LENGTH, "xfrm_userpolicy_id");
        Selector sel = Selector.decode(b);
        int index = b.getInt();
        int dir = XfrmStructs.getU8(b);
        XfrmStructs.skip(b, 3);
        PolicyAttributes a = PolicyAttributes.decode(b, PolicyAttributes.ID_KINDS);
        return new PolicyId(sel, index, dir, a.mark(), a.ifId(), a.policyType(), a.securityContext(), a.extra());
    }

    public static PolicyId decode(byte[] payload) {
        return decode(ByteBuffer.wrap(payload));
    }

    private PolicyAttributes attributes() {
        return new PolicyAttributes(List.of(), securityContext, policyType, mark, ifId, null, extraAttributes);
    }

    public int encodedLength() {
        return LENGTH + attributes().encodedLength();
    }

    /** Writes the payload with the attributes in iproute2's order (type, mark, ctx, if_id). */
    public void encode(ByteBuffer b) {
        writeStruct(b);
        attributes().encode(b, AttributeOrder.REQUEST);
    }

    void writeStruct(ByteBuffer b) {
        selector.encode(b);
        b.putInt(index);
        b.put((byte) direction);
        XfrmStructs.pad(b, 3);
    }

    public byte[] toBytes() {
        ByteBuffer b = PolicyWire.allocate(encodedLength());
        encode(b);
        return b.array();
    }
}
