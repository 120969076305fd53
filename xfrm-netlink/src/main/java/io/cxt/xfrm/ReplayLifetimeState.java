package io.cxt.xfrm;

import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

import io.cxt.nl.NlAttribute;

/**
 * The replay and lifetime counters of an SA: the GETAE answer, the NEWAE request that sets them
 * (how a standby gateway takes over sequence numbers) and the kernel's aevent notifications.
 * {@link AeventId} plus XFRMA_REPLAY_VAL or XFRMA_REPLAY_ESN_VAL, XFRMA_LTIME_VAL, the thresholds,
 * mark, if_id, per-cpu number and SA direction; any other attribute is kept raw.
 *
 * <p>Attributes are encoded in the order of the kernel's build_aevent, so a kernel message
 * re-encodes to the same bytes.
 */
public record ReplayLifetimeState(AeventId id, ReplayState replay, ReplayStateEsn replayEsn,
                                  LifetimeCurrent lifetime, Integer replayThresh, Integer etimerThresh,
                                  Mark mark, Integer ifId, Integer pcpu, Integer saDir,
                                  List<NlAttribute> unknownAttributes) {

    public ReplayLifetimeState {
        Objects.requireNonNull(id, "aevent id");
        if (saDir != null) {
            StateCodec.checkU8(saDir, "SA direction");
        }
        unknownAttributes = unknownAttributes == null ? List.of() : List.copyOf(unknownAttributes);
    }

    /** Only the id (and mark): the shape of a GETAE request. */
    public static ReplayLifetimeState query(AeventId id, Mark mark) {
        return new ReplayLifetimeState(id, null, null, null, null, null, mark, null, null, null, List.of());
    }

    public ReplayLifetimeState withReplay(ReplayState r) {
        return new ReplayLifetimeState(id, r, replayEsn, lifetime, replayThresh, etimerThresh, mark, ifId, pcpu,
                saDir, unknownAttributes);
    }

    public ReplayLifetimeState withReplayEsn(ReplayStateEsn r) {
        return new ReplayLifetimeState(id, replay, r, lifetime, replayThresh, etimerThresh, mark, ifId, pcpu,
                saDir, unknownAttributes);
    }

    public ReplayLifetimeState withLifetime(LifetimeCurrent l) {
        return new ReplayLifetimeState(id, replay, replayEsn, l, replayThresh, etimerThresh, mark, ifId, pcpu,
                saDir, unknownAttributes);
    }

    public ReplayLifetimeState withThresholds(Integer replayThreshold, Integer etimerThreshold) {
        return new ReplayLifetimeState(id, replay, replayEsn, lifetime, replayThreshold, etimerThreshold, mark, ifId,
                pcpu, saDir, unknownAttributes);
    }

    public List<NlAttribute> attributes() {
        List<NlAttribute> out = new ArrayList<>();
        if (replayEsn != null) {
            out.add(StateCodec.structAttr(XfrmAttrType.REPLAY_ESN_VAL, replayEsn.encodedLength(), replayEsn::encode));
        }
        if (replay != null) {
            out.add(StateCodec.structAttr(XfrmAttrType.REPLAY_VAL, ReplayState.LENGTH, replay::encode));
        }
        if (lifetime != null) {
            out.add(StateCodec.structAttr(XfrmAttrType.LTIME_VAL, LifetimeCurrent.LENGTH, lifetime::encode));
        }
        if (replayThresh != null) {
            out.add(StateCodec.u32Attr(XfrmAttrType.REPLAY_THRESH, replayThresh));
        }
        if (etimerThresh != null) {
            out.add(StateCodec.u32Attr(XfrmAttrType.ETIMER_THRESH, etimerThresh));
        }
        SaScopeAttributes.encode(out, mark, ifId, pcpu, saDir);
        out.addAll(unknownAttributes);
        return out;
    }

    public byte[] toBytes() {
        return StateCodec.payload(AeventId.LENGTH, id::encode, attributes());
    }

    public static ReplayLifetimeState decode(ByteBuffer payload) {
        return StateCodec.guard("xfrm aevent", () -> {
            ByteBuffer b = payload.duplicate().order(java.nio.ByteOrder.nativeOrder());
            List<NlAttribute> attrs = StateCodec.attributesAfter(b, AeventId.LENGTH, "xfrm_aevent_id");
            AeventId id = AeventId.decode(b);
            ReplayState replay = null;
            ReplayStateEsn esn = null;
            LifetimeCurrent lt = null;
            Integer rth = null;
            Integer eth = null;
            SaScopeAttributes scope = new SaScopeAttributes();
            List<NlAttribute> unknown = new ArrayList<>();
            for (NlAttribute a : attrs) {
                int t = a.type();
                if (scope.take(a)) {
                    continue;
                }
                if (t == XfrmAttrType.REPLAY_VAL && replay == null) {
                    replay = StateCodec.exact(a, "XFRMA_REPLAY_VAL", ReplayState::decode);
                } else if (t == XfrmAttrType.REPLAY_ESN_VAL && esn == null) {
                    esn = StateCodec.exact(a, "XFRMA_REPLAY_ESN_VAL", ReplayStateEsn::decode);
                } else if (t == XfrmAttrType.LTIME_VAL && lt == null) {
                    lt = StateCodec.exact(a, "XFRMA_LTIME_VAL", LifetimeCurrent::decode);
                } else if (t == XfrmAttrType.REPLAY_THRESH && rth == null) {
                    rth = StateCodec.u32(a, "XFRMA_REPLAY_THRESH");
                } else if (t == XfrmAttrType.ETIMER_THRESH && eth == null) {
                    eth = StateCodec.u32(a, "XFRMA_ETIMER_THRESH");
                } else {
                    unknown.add(a);
                }
            }
            return new ReplayLifetimeState(id, replay, esn, lt, rth, eth, scope.mark, scope.ifId, scope.pcpu, scope.saDir,
                    unknown);
        });
    }

    public static ReplayLifetimeState decode(byte[] payload) {
        return decode(StateCodec.wrap(payload));
    }
}
