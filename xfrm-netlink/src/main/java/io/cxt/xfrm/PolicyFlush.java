package io.cxt.xfrm;

import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;

import io.cxt.nl.NlAttribute;

/**
 * FLUSHPOLICY: no structure, only an optional XFRMA_POLICY_TYPE (absent = main). The kernel sends the
 * same message, always with the type, to the POLICY group after a flush.
 */
public record PolicyFlush(PolicyType policyType, List<NlAttribute> extraAttributes) {

    public PolicyFlush {
        extraAttributes = PolicyWire.copy(extraAttributes);
    }

    public static PolicyFlush of(PolicyType type) {
        return new PolicyFlush(type, List.of());
    }

    public static PolicyFlush decode(ByteBuffer in) {
        ByteBuffer b = PolicyWire.nativeOrder(in);
        PolicyType type = null;
        List<NlAttribute> extra = new ArrayList<>();
        for (NlAttribute a : PolicyWire.readAttributes(b)) {
            if (a.type() == XfrmAttrType.POLICY_TYPE) {
                PolicyWire.requireFirst(type, "XFRMA_POLICY_TYPE");
                PolicyWire.requireLength(a, PolicyType.LENGTH, "XFRMA_POLICY_TYPE");
                type = PolicyType.decode(a.valueBuffer());
            } else {
                extra.add(a);
            }
        }
        return new PolicyFlush(type, extra);
    }

    public static PolicyFlush decode(byte[] payload) {
        return decode(ByteBuffer.wrap(payload));
    }

    private List<NlAttribute> attributes() {
        List<NlAttribute> out = new ArrayList<>();
        if (policyType != null) {
            out.add(PolicyWire.attribute(XfrmAttrType.POLICY_TYPE, PolicyType.LENGTH, policyType::encode));
        }
        out.addAll(extraAttributes);
        return out;
    }

    public int encodedLength() {
        return NlAttribute.encodedLength(attributes());
    }

    public void encode(ByteBuffer b) {
        PolicyWire.writeAttributes(b, attributes());
    }

    public byte[] toBytes() {
        ByteBuffer b = PolicyWire.allocate(encodedLength());
        encode(b);
        return b.array();
    }
}
