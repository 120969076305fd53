package io.cxt.xfrm;

import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

import io.cxt.nl.MalformedNetlinkException;
import io.cxt.nl.NetlinkMessage;
import io.cxt.nl.NlAttribute;

/**
 * One notification from the kernel's XFRM multicast groups, typed. {@link #decode} is the pure
 * function from a received message to an event; {@link XfrmMonitor} runs it on a socket.
 *
 * <p>Which message the kernel sends for what:
 * <ul>
 * <li>NEWSA / UPDSA / DELSA / EXPIRE / FLUSHSA on XFRMNLGRP_SA (EXPIRE on XFRMNLGRP_EXPIRE);
 *     ALLOCSPI sends <em>no</em> notification: the larval SA becomes visible only when it is
 *     deleted, updated or expires.</li>
 * <li>NEWPOLICY / UPDPOLICY / DELPOLICY / FLUSHPOLICY and GETDEFAULT (after SETDEFAULT) on
 *     XFRMNLGRP_POLICY; POLEXPIRE on XFRMNLGRP_EXPIRE.</li>
 * <li>ACQUIRE, NEWAE, REPORT, MIGRATE and MAPPING on their own groups.</li>
 * </ul>
 */
public sealed interface XfrmEvent {

    /** NEWSA: an SA was added. */
    record SaAdded(SecurityAssociation sa) implements XfrmEvent {
        public SaAdded {
            Objects.requireNonNull(sa, "sa");
        }
    }

    /** UPDSA: an SA was replaced (or a larval one completed). */
    record SaUpdated(SecurityAssociation sa) implements XfrmEvent {
        public SaUpdated {
            Objects.requireNonNull(sa, "sa");
        }
    }

    /**
     * DELSA: an SA was deleted. The kernel sends the SA's id and, in XFRMA_SA, the whole SA as it
     * was, followed by its other attributes; {@code sa} is that SA.
     */
    record SaDeleted(SaId id, SecurityAssociation sa) implements XfrmEvent {
        public SaDeleted {
            Objects.requireNonNull(id, "id");
            Objects.requireNonNull(sa, "sa");
        }
    }

    /** EXPIRE: an SA reached its soft limit ({@code expire.isHard()} false) or its hard limit (and is gone). */
    record SaExpired(SaExpire expire) implements XfrmEvent {
        public SaExpired {
            Objects.requireNonNull(expire, "expire");
        }
    }

    /** FLUSHSA: SAs of {@code proto} were flushed (0: all; 255: ESP, AH and IPCOMP). */
    record SasFlushed(int proto) implements XfrmEvent {
    }

    /** NEWPOLICY: a policy was added. */
    record PolicyAdded(SecurityPolicy policy) implements XfrmEvent {
        public PolicyAdded {
            Objects.requireNonNull(policy, "policy");
        }
    }

    /** UPDPOLICY: a policy was replaced. */
    record PolicyUpdated(SecurityPolicy policy) implements XfrmEvent {
        public PolicyUpdated {
            Objects.requireNonNull(policy, "policy");
        }
    }

    /**
     * DELPOLICY: a policy was deleted. {@code id} is how the deletion named it (by index or by
     * selector, and direction); {@code policy} is the whole policy from XFRMA_POLICY and the
     * attributes that follow it.
     */
    record PolicyDeleted(PolicyId id, SecurityPolicy policy) implements XfrmEvent {
        public PolicyDeleted {
            Objects.requireNonNull(id, "id");
            Objects.requireNonNull(policy, "policy");
        }
    }

    /** POLEXPIRE: a policy reached its soft or hard lifetime. */
    record PolicyExpired(PolicyExpire expire) implements XfrmEvent {
        public PolicyExpired {
            Objects.requireNonNull(expire, "expire");
        }
    }

    /** FLUSHPOLICY: the policies of one type were flushed (the kernel always names the type). */
    record PoliciesFlushed(PolicyFlush flush) implements XfrmEvent {
        public PoliciesFlushed {
            Objects.requireNonNull(flush, "flush");
        }

        /** The flushed type; main when the kernel did not say. */
        public PolicyType policyType() {
            return flush.policyType() == null ? PolicyType.MAIN : flush.policyType();
        }
    }

    /** ACQUIRE: a policy needs an SA that is not there; the key manager should negotiate one. */
    record Acquire(AcquireEvent acquire) implements XfrmEvent {
        public Acquire {
            Objects.requireNonNull(acquire, "acquire");
        }
    }

    /** REPORT (Mobile IPv6). */
    record Report(ReportEvent report) implements XfrmEvent {
        public Report {
            Objects.requireNonNull(report, "report");
        }
    }

    /** MAPPING: the NAT mapping of an SA's peer changed. */
    record Mapping(MappingEvent mapping) implements XfrmEvent {
        public Mapping {
            Objects.requireNonNull(mapping, "mapping");
        }
    }

    /** MIGRATE: a policy and its SAs were moved to new endpoints. */
    record Migrate(MigrateRequest migrate) implements XfrmEvent {
        public Migrate {
            Objects.requireNonNull(migrate, "migrate");
        }
    }

    /**
     * NEWAE: replay counters or lifetime of an SA changed past a threshold or timer
     * ({@code state.id().flags()} says why: XFRM_AE_CR, CE, CU).
     */
    record ReplayLifetime(ReplayLifetimeState state) implements XfrmEvent {
        public ReplayLifetime {
            Objects.requireNonNull(state, "state");
        }
    }

    /** GETDEFAULT sent to the POLICY group after a SETDEFAULT: the default actions now in force. */
    record DefaultPolicyChanged(PolicyDefault defaults) implements XfrmEvent {
        public DefaultPolicyChanged {
            Objects.requireNonNull(defaults, "defaults");
        }
    }

    /**
     * A message this decoder does not know, or one that did not decode ({@code reason} says why;
     * null for a type without a decoder). The raw message is kept.
     */
    record Unknown(NetlinkMessage message, String reason) implements XfrmEvent {
        public Unknown {
            Objects.requireNonNull(message, "message");
        }
    }

    /** ENOBUFS: the socket's buffer overflowed and events were lost; re-read the SAD and SPD. */
    record Overrun() implements XfrmEvent {
    }

    /**
     * Decodes one notification. Pure; throws only {@link MalformedNetlinkException} (for a message
     * of a known type whose payload does not decode). Types without a decoder give {@link Unknown}.
     */
    static XfrmEvent decode(NetlinkMessage m) {
        Objects.requireNonNull(m, "message");
        String what = "XFRM_MSG_" + XfrmMsgType.name(m.type()) + " notification";
        return StateCodec.guard(what, () -> decodeUnguarded(m));
    }

    private static XfrmEvent decodeUnguarded(NetlinkMessage m) {
        ByteBuffer p = m.payloadBuffer();
        return switch (m.type()) {
            case XfrmMsgType.NEWSA -> new SaAdded(SecurityAssociation.decode(p));
            case XfrmMsgType.UPDSA -> new SaUpdated(SecurityAssociation.decode(p));
            case XfrmMsgType.DELSA -> decodeDeletedSa(p);
            case XfrmMsgType.EXPIRE -> new SaExpired(SaExpire.decode(p));
            case XfrmMsgType.FLUSHSA -> new SasFlushed(SaFlush.decode(p).proto());
            case XfrmMsgType.NEWPOLICY -> new PolicyAdded(SecurityPolicy.decode(p));
            case XfrmMsgType.UPDPOLICY -> new PolicyUpdated(SecurityPolicy.decode(p));
            case XfrmMsgType.DELPOLICY -> decodeDeletedPolicy(p);
            case XfrmMsgType.POLEXPIRE -> new PolicyExpired(PolicyExpire.decode(p));
            case XfrmMsgType.FLUSHPOLICY -> new PoliciesFlushed(PolicyFlush.decode(p));
            case XfrmMsgType.ACQUIRE -> new Acquire(AcquireEvent.decode(p));
            case XfrmMsgType.REPORT -> new Report(ReportEvent.decode(p));
            case XfrmMsgType.MAPPING -> new Mapping(MappingEvent.decode(p));
            case XfrmMsgType.MIGRATE -> new Migrate(MigrateRequest.decode(p));
            case XfrmMsgType.NEWAE -> new ReplayLifetime(ReplayLifetimeState.decode(p));
            case XfrmMsgType.GETDEFAULT -> decodeDefault(p);
            default -> new Unknown(m, null);
        };
    }

    /** DELSA: xfrm_usersa_id, then XFRMA_SA (xfrm_usersa_info) and the SA's other attributes. */
    private static XfrmEvent decodeDeletedSa(ByteBuffer p) {
        List<NlAttribute> attrs = StateCodec.attributesAfter(p, SaId.LENGTH, "xfrm_usersa_id");
        SaId id = SaId.decode(p.duplicate().order(p.order()));
        NlAttribute info = null;
        List<NlAttribute> rest = new ArrayList<>();
        for (NlAttribute a : attrs) {
            if (a.type() == XfrmAttrType.SA && info == null) {
                info = a;
            } else {
                rest.add(a);
            }
        }
        MalformedNetlinkException.check(info != null, "DELSA notification without XFRMA_SA");
        MalformedNetlinkException.check(info.value().length == SaInfo.LENGTH,
                "XFRMA_SA of " + info.value().length + " octets, xfrm_usersa_info has " + SaInfo.LENGTH);
        return new SaDeleted(id, SecurityAssociation.decode(StateCodec.wrap(join(info.value(), rest))));
    }

    /** DELPOLICY: xfrm_userpolicy_id, then XFRMA_POLICY (xfrm_userpolicy_info) and the policy's attributes. */
    private static XfrmEvent decodeDeletedPolicy(ByteBuffer p) {
        List<NlAttribute> attrs = StateCodec.attributesAfter(p, PolicyId.LENGTH, "xfrm_userpolicy_id");
        ByteBuffer head = p.duplicate().order(p.order());
        Selector sel = Selector.decode(head);
        int index = head.getInt();
        int dir = XfrmStructs.getU8(head);
        NlAttribute info = null;
        List<NlAttribute> rest = new ArrayList<>();
        for (NlAttribute a : attrs) {
            if (a.type() == XfrmAttrType.POLICY && info == null) {
                info = a;
            } else {
                rest.add(a);
            }
        }
        MalformedNetlinkException.check(info != null, "DELPOLICY notification without XFRMA_POLICY");
        MalformedNetlinkException.check(info.value().length == PolicyInfo.LENGTH,
                "XFRMA_POLICY of " + info.value().length + " octets, xfrm_userpolicy_info has " + PolicyInfo.LENGTH);
        SecurityPolicy policy = SecurityPolicy.decode(StateCodec.wrap(join(info.value(), rest)));
        PolicyId id = new PolicyId(sel, index, dir, policy.mark(), policy.ifId(), policy.policyType(),
                policy.securityContext(), List.of());
        return new PolicyDeleted(id, policy);
    }

    private static XfrmEvent decodeDefault(ByteBuffer p) {
        MalformedNetlinkException.check(p.remaining() >= PolicyDefault.LENGTH,
                "xfrm_userpolicy_default needs 3 octets, has " + p.remaining());
        return new DefaultPolicyChanged(PolicyDefault.decode(p));
    }

    /** A structure (already a multiple of 4 octets long) followed by attributes, as one payload. */
    private static byte[] join(byte[] struct, List<NlAttribute> attrs) {
        ByteBuffer b = StateCodec.wrap(new byte[struct.length + NlAttribute.encodedLength(attrs)]);
        b.put(struct);
        for (NlAttribute a : attrs) {
            a.writeTo(b);
        }
        return b.array();
    }
}
