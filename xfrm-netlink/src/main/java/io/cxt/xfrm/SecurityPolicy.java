package io.cxt.xfrm;

import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

import io.cxt.nl.NlAttribute;

/**
 * A security policy as NEWPOLICY / UPDPOLICY carry it and as GETPOLICY answers and dumps it: the
 * {@link PolicyInfo} structure followed by its attributes. Absent optional attributes are null (an
 * empty template list means no XFRMA_TMPL); attributes this codec does not know are kept in
 * {@code extraAttributes} and written back after the known ones.
 *
 * <p>Immutable; use the withers or {@link #builder} / {@link #toBuilder()} to derive changed
 * policies (e.g. a selector or template rewritten for another gateway).
 *
 * @param ifId XFRMA_IF_ID (xfrm interface id), or null when absent
 * @param policyType XFRMA_POLICY_TYPE, or null when absent (the kernel then means main)
 */
public record SecurityPolicy(PolicyInfo info, List<UserTemplate> templates, Mark mark, Integer ifId,
                             SecurityContext securityContext, PolicyType policyType, OffloadDevice offload,
                             List<NlAttribute> extraAttributes) {

    public SecurityPolicy {
        Objects.requireNonNull(info, "info");
        templates = PolicyWire.listOf(templates);
        extraAttributes = PolicyWire.copy(extraAttributes);
    }

    /** A policy of just this structure, no attributes. */
    public static SecurityPolicy of(PolicyInfo info) {
        return new SecurityPolicy(info, List.of(), null, null, null, null, null, List.of());
    }

    // ------------------------------------------------------------------ shortcuts into info

    public Selector selector() {
        return info.selector();
    }

    public int direction() {
        return info.direction();
    }

    public int priority() {
        return info.priority();
    }

    public int index() {
        return info.index();
    }

    public int action() {
        return info.action();
    }

    /** The policy type, main when the attribute is absent (as the kernel reads it). */
    public PolicyType effectivePolicyType() {
        return policyType == null ? PolicyType.MAIN : policyType;
    }

    /** The identity GET/DELPOLICY need to find this policy by selector and direction. */
    public PolicyId id() {
        return new PolicyId(info.selector(), 0, info.direction(), mark, ifId, policyType, securityContext, List.of());
    }

    /** The identity GET/DELPOLICY need to find this policy by its kernel index (mark, if_id and type must match too). */
    public PolicyId indexId() {
        return new PolicyId(Selector.any(AddressFamily.INET), info.index(), info.direction(), mark, ifId, policyType,
                null, List.of());
    }

    // ------------------------------------------------------------------ withers

    public SecurityPolicy withInfo(PolicyInfo i) {
        return new SecurityPolicy(i, templates, mark, ifId, securityContext, policyType, offload, extraAttributes);
    }

    public SecurityPolicy withSelector(Selector s) {
        return withInfo(info.withSelector(s));
    }

    public SecurityPolicy withPriority(int p) {
        return withInfo(info.withPriority(p));
    }

    public SecurityPolicy withIndex(int i) {
        return withInfo(info.withIndex(i));
    }

    public SecurityPolicy withDirection(int d) {
        return withInfo(info.withDirection(d));
    }

    public SecurityPolicy withAction(int a) {
        return withInfo(info.withAction(a));
    }

    public SecurityPolicy withLifetime(LifetimeConfig l) {
        return withInfo(info.withLifetime(l));
    }

    public SecurityPolicy withTemplates(List<UserTemplate> t) {
        return new SecurityPolicy(info, t, mark, ifId, securityContext, policyType, offload, extraAttributes);
    }

    public SecurityPolicy withTemplate(int i, UserTemplate t) {
        List<UserTemplate> l = new ArrayList<>(templates);
        l.set(i, t);
        return withTemplates(l);
    }

    public SecurityPolicy withMark(Mark m) {
        return new SecurityPolicy(info, templates, m, ifId, securityContext, policyType, offload, extraAttributes);
    }

    public SecurityPolicy withIfId(Integer i) {
        return new SecurityPolicy(info, templates, mark, i, securityContext, policyType, offload, extraAttributes);
    }

    public SecurityPolicy withSecurityContext(SecurityContext c) {
        return new SecurityPolicy(info, templates, mark, ifId, c, policyType, offload, extraAttributes);
    }

    public SecurityPolicy withPolicyType(PolicyType t) {
        return new SecurityPolicy(info, templates, mark, ifId, securityContext, t, offload, extraAttributes);
    }

    public SecurityPolicy withOffload(OffloadDevice o) {
        return new SecurityPolicy(info, templates, mark, ifId, securityContext, policyType, o, extraAttributes);
    }

    public SecurityPolicy withExtraAttributes(List<NlAttribute> e) {
        return new SecurityPolicy(info, templates, mark, ifId, securityContext, policyType, offload, e);
    }

    // ------------------------------------------------------------------ codec

    /** Decodes a NEWPOLICY/UPDPOLICY payload (structure, then attributes to the buffer's limit). */
    public static SecurityPolicy decode(ByteBuffer in) {
        ByteBuffer b = PolicyWire.nativeOrder(in);
        PolicyInfo info = PolicyInfo.decode(b);
        return fromParts(info, PolicyAttributes.decode(b, PolicyAttributes.POLICY_KINDS));
    }

    public static SecurityPolicy decode(byte[] payload) {
        return decode(ByteBuffer.wrap(payload));
    }

    static SecurityPolicy fromParts(PolicyInfo info, PolicyAttributes a) {
        return new SecurityPolicy(info, a.templates(), a.mark(), a.ifId(), a.securityContext(), a.policyType(),
                a.offload(), a.extra());
    }

    PolicyAttributes attributes() {
        return new PolicyAttributes(templates, securityContext, policyType, mark, ifId, offload, extraAttributes);
    }

    public int encodedLength() {
        return PolicyInfo.LENGTH + attributes().encodedLength();
    }

    /** Writes the payload in request order (what cxt sends). */
    public void encode(ByteBuffer b) {
        encode(b, AttributeOrder.REQUEST);
    }

    public void encode(ByteBuffer b, AttributeOrder order) {
        info.encode(b);
        attributes().encode(b, order);
    }

    public byte[] toBytes() {
        return toBytes(AttributeOrder.REQUEST);
    }

    public byte[] toBytes(AttributeOrder order) {
        ByteBuffer b = PolicyWire.allocate(encodedLength());
        encode(b, order);
        return b.array();
    }

    // ------------------------------------------------------------------ builder

    public static Builder builder(Selector selector, int direction) {
        return new Builder(PolicyInfo.of(selector, direction));
    }

    public Builder toBuilder() {
        Builder b = new Builder(info);
        b.templates.addAll(templates);
        b.mark = mark;
        b.ifId = ifId;
        b.securityContext = securityContext;
        b.policyType = policyType;
        b.offload = offload;
        b.extra.addAll(extraAttributes);
        return b;
    }

    /** Mutable builder; {@link #build()} validates. */
    public static final class Builder {
        private PolicyInfo info;
        private final List<UserTemplate> templates = new ArrayList<>();
        private Mark mark;
        private Integer ifId;
        private SecurityContext securityContext;
        private PolicyType policyType;
        private OffloadDevice offload;
        private final List<NlAttribute> extra = new ArrayList<>();

        private Builder(PolicyInfo info) {
            this.info = info;
        }

        public Builder info(PolicyInfo i) {
            this.info = i;
            return this;
        }

        public Builder selector(Selector s) {
            info = info.withSelector(s);
            return this;
        }

        public Builder direction(int d) {
            info = info.withDirection(d);
            return this;
        }

        public Builder priority(int p) {
            info = info.withPriority(p);
            return this;
        }

        public Builder index(int i) {
            info = info.withIndex(i);
            return this;
        }

        public Builder action(int a) {
            info = info.withAction(a);
            return this;
        }

        public Builder flags(int f) {
            info = info.withFlags(f);
            return this;
        }

        public Builder share(int s) {
            info = info.withShare(s);
            return this;
        }

        public Builder lifetime(LifetimeConfig l) {
            info = info.withLifetime(l);
            return this;
        }

        public Builder template(UserTemplate t) {
            templates.add(Objects.requireNonNull(t));
            return this;
        }

        public Builder templates(List<UserTemplate> t) {
            templates.clear();
            templates.addAll(t);
            return this;
        }

        public Builder mark(Mark m) {
            this.mark = m;
            return this;
        }

        public Builder mark(int value, int mask) {
            return mark(new Mark(value, mask));
        }

        public Builder ifId(Integer i) {
            this.ifId = i;
            return this;
        }

        public Builder securityContext(SecurityContext c) {
            this.securityContext = c;
            return this;
        }

        public Builder policyType(PolicyType t) {
            this.policyType = t;
            return this;
        }

        public Builder offload(OffloadDevice o) {
            this.offload = o;
            return this;
        }

        public Builder extraAttribute(NlAttribute a) {
            extra.add(Objects.requireNonNull(a));
            return this;
        }

        public SecurityPolicy build() {
            return new SecurityPolicy(info, templates, mark, ifId, securityContext, policyType, offload, extra);
        }
    }

    /** One line in iproute2's spirit, for logs (the record's toString shows every field). */
    public String summary() {
        Selector s = info.selector();
        StringBuilder sb = new StringBuilder("SecurityPolicy[")
                .append(s.saddr().getHostAddress()).append('/').append(s.prefixlenS()).append(" -> ")
                .append(s.daddr().getHostAddress()).append('/').append(s.prefixlenD())
                .append(" dir ").append(PolicyInfo.directionName(info.direction()))
                .append(" prio ").append(info.priority()).append(" index ").append(info.index())
                .append(info.action() == PolicyInfo.ACTION_BLOCK ? " block" : "");
        if (policyType != null) {
            sb.append(" ptype ").append(policyType.name());
        }
        if (mark != null) {
            sb.append(" mark ").append(mark);
        }
        if (ifId != null) {
            sb.append(" if_id ").append(Integer.toUnsignedString(ifId));
        }
        for (UserTemplate t : templates) {
            sb.append(" tmpl[").append(t.saddr().getHostAddress()).append(" -> ").append(t.daddr().getHostAddress())
                    .append(" proto ").append(t.proto()).append(" reqid ").append(Integer.toUnsignedString(t.reqid()))
                    .append(' ').append(UserTemplate.modeName(t.mode())).append(']');
        }
        if (!extraAttributes.isEmpty()) {
            sb.append(" +").append(extraAttributes.size()).append(" attrs");
        }
        return sb.append(']').toString();
    }
}
