package io.cxt.xfrm;

import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;

import io.cxt.nl.MalformedNetlinkException;
import io.cxt.nl.NlAttribute;

/**
 * The attributes that follow a policy structure (NEWPOLICY, POLEXPIRE, ACQUIRE, and without templates
 * and offload, a {@code xfrm_userpolicy_id}). Each known attribute is decoded strictly: exact length,
 * at most once, flag bits clear; anything else is kept raw in {@code extra} and re-emitted after the
 * known ones, so nothing is dropped.
 */
record PolicyAttributes(List<UserTemplate> templates, SecurityContext securityContext, PolicyType policyType,
                        Mark mark, Integer ifId, OffloadDevice offload, List<NlAttribute> extra) {

    /** Attributes a full policy message carries. */
    static final Set<Integer> POLICY_KINDS = Set.of(XfrmAttrType.TMPL, XfrmAttrType.SEC_CTX,
            XfrmAttrType.POLICY_TYPE, XfrmAttrType.MARK, XfrmAttrType.IF_ID, XfrmAttrType.OFFLOAD_DEV);
    /** Attributes that narrow a GET/DELPOLICY lookup. */
    static final Set<Integer> ID_KINDS = Set.of(XfrmAttrType.SEC_CTX, XfrmAttrType.POLICY_TYPE, XfrmAttrType.MARK,
            XfrmAttrType.IF_ID);

    PolicyAttributes {
        templates = PolicyWire.listOf(templates);
        extra = PolicyWire.copy(extra);
    }

    static PolicyAttributes decode(ByteBuffer b, Set<Integer> known) {
        List<UserTemplate> templates = null;
        SecurityContext ctx = null;
        PolicyType type = null;
        Mark mark = null;
        Integer ifId = null;
        OffloadDevice offload = null;
        List<NlAttribute> extra = new ArrayList<>();
        for (NlAttribute a : PolicyWire.readAttributes(b)) {
            if (!known.contains(a.type())) {
                extra.add(a);
                continue;
            }
            ByteBuffer v = a.valueBuffer();
            switch (a.type()) {
                case XfrmAttrType.TMPL -> {
                    PolicyWire.requireFirst(templates, "XFRMA_TMPL");
                    int n = a.value().length / UserTemplate.LENGTH;
                    MalformedNetlinkException.check(n > 0 && a.value().length % UserTemplate.LENGTH == 0,
                            "XFRMA_TMPL of " + a.value().length + " octets is not a list of xfrm_user_tmpl");
                    templates = new ArrayList<>(n);
                    for (int i = 0; i < n; i++) {
                        templates.add(UserTemplate.decode(v));
                    }
                }
                case XfrmAttrType.SEC_CTX -> {
                    PolicyWire.requireFirst(ctx, "XFRMA_SEC_CTX");
                    ctx = SecurityContext.decode(v);
                    MalformedNetlinkException.check(!v.hasRemaining() && ctx.encodedLength() == a.value().length
                            && Short.toUnsignedInt(a.valueBuffer().getShort(0)) == ctx.encodedLength(),
                            "XFRMA_SEC_CTX lengths disagree");
                }
                case XfrmAttrType.POLICY_TYPE -> {
                    PolicyWire.requireFirst(type, "XFRMA_POLICY_TYPE");
                    PolicyWire.requireLength(a, PolicyType.LENGTH, "XFRMA_POLICY_TYPE");
                    type = PolicyType.decode(v);
                }
                case XfrmAttrType.MARK -> {
                    PolicyWire.requireFirst(mark, "XFRMA_MARK");
                    PolicyWire.requireLength(a, Mark.LENGTH, "XFRMA_MARK");
                    mark = Mark.decode(v);
                }
                case XfrmAttrType.IF_ID -> {
                    PolicyWire.requireFirst(ifId, "XFRMA_IF_ID");
                    PolicyWire.requireLength(a, 4, "XFRMA_IF_ID");
                    ifId = v.getInt();
                }
                case XfrmAttrType.OFFLOAD_DEV -> {
                    PolicyWire.requireFirst(offload, "XFRMA_OFFLOAD_DEV");
                    PolicyWire.requireLength(a, OffloadDevice.LENGTH, "XFRMA_OFFLOAD_DEV");
                    offload = OffloadDevice.decode(v);
                }
                default -> throw new IllegalStateException("unhandled known attribute " + a.type());
            }
        }
        return new PolicyAttributes(templates, ctx, type, mark, ifId, offload, extra);
    }

    List<NlAttribute> toAttributes(AttributeOrder order) {
        List<NlAttribute> out = new ArrayList<>(8 + extra.size());
        NlAttribute tmpl = templates.isEmpty() ? null
                : PolicyWire.attribute(XfrmAttrType.TMPL, templates.size() * UserTemplate.LENGTH,
                        b -> templates.forEach(t -> t.encode(b)));
        NlAttribute ctx = securityContext == null ? null
                : PolicyWire.attribute(XfrmAttrType.SEC_CTX, securityContext.encodedLength(), securityContext::encode);
        NlAttribute type = policyType == null ? null
                : PolicyWire.attribute(XfrmAttrType.POLICY_TYPE, PolicyType.LENGTH, policyType::encode);
        NlAttribute mk = mark == null ? null : PolicyWire.attribute(XfrmAttrType.MARK, Mark.LENGTH, mark::encode);
        NlAttribute ifi = ifId == null ? null : PolicyWire.u32(XfrmAttrType.IF_ID, ifId);
        NlAttribute off = offload == null ? null
                : PolicyWire.attribute(XfrmAttrType.OFFLOAD_DEV, OffloadDevice.LENGTH, offload::encode);
        NlAttribute[] ordered = order == AttributeOrder.KERNEL
                // dump_one_policy / build_polexpire / build_acquire
                ? new NlAttribute[] {tmpl, ctx, type, mk, ifi, off}
                // iproute2 xfrm_policy_modify / xfrm_policy_get_or_delete
                : new NlAttribute[] {type, tmpl, mk, ctx, ifi, off};
        for (NlAttribute a : ordered) {
            if (a != null) {
                out.add(a);
            }
        }
        out.addAll(extra);
        return out;
    }

    int encodedLength() {
        int n = templates.isEmpty() ? 0 : NlAttribute.HEADER_LENGTH + templates.size() * UserTemplate.LENGTH;
        if (securityContext != null) {
            n += io.cxt.nl.Netlink.align(NlAttribute.HEADER_LENGTH + securityContext.encodedLength());
        }
        n += policyType == null ? 0 : io.cxt.nl.Netlink.align(NlAttribute.HEADER_LENGTH + PolicyType.LENGTH);
        n += mark == null ? 0 : NlAttribute.HEADER_LENGTH + Mark.LENGTH;
        n += ifId == null ? 0 : NlAttribute.HEADER_LENGTH + 4;
        n += offload == null ? 0 : NlAttribute.HEADER_LENGTH + OffloadDevice.LENGTH;
        return n + NlAttribute.encodedLength(extra);
    }

    void encode(ByteBuffer b, AttributeOrder order) {
        PolicyWire.writeAttributes(b, toAttributes(order));
    }
}
