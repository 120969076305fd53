package io.cxt.xfrm;

import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

import io.cxt.nl.NlAttribute;

/**
 * XFRM_MSG_EXPIRE: {@code struct xfrm_user_expire} (the SA's {@link SaInfo}, then {@code hard}:
 * 1 when the hard limit was reached and the SA is gone, 0 for the soft warning; 232 octets with
 * padding) plus the mark, if_id, per-cpu number and direction the kernel adds. Userspace may also
 * send one to expire an SA by hand.
 */
public record SaExpire(SaInfo state, int hard, Mark mark, Integer ifId, Integer pcpu, Integer saDir,
                       List<NlAttribute> unknownAttributes) {

    public static final int LENGTH = SaInfo.LENGTH + 8;

    public SaExpire {
        Objects.requireNonNull(state, "state");
        StateCodec.checkU8(hard, "hard");
        if (saDir != null) {
            StateCodec.checkU8(saDir, "SA direction");
        }
        unknownAttributes = unknownAttributes == null ? List.of() : List.copyOf(unknownAttributes);
    }

    public boolean isHard() {
        return hard != 0;
    }

    public List<NlAttribute> attributes() {
        List<NlAttribute> out = new ArrayList<>();
        SaScopeAttributes.encode(out, mark, ifId, pcpu, saDir);
        out.addAll(unknownAttributes);
        return out;
    }

    public byte[] toBytes() {
        return StateCodec.payload(LENGTH, b -> {
            state.encode(b);
            b.put((byte) hard);
            XfrmStructs.pad(b, 7);
        }, attributes());
    }

    public static SaExpire decode(ByteBuffer payload) {
        return StateCodec.guard("xfrm_user_expire", () -> {
            ByteBuffer b = payload.duplicate().order(java.nio.ByteOrder.nativeOrder());
            List<NlAttribute> attrs = StateCodec.attributesAfter(b, LENGTH, "xfrm_user_expire");
            SaInfo state = SaInfo.decode(b);
            int hard = XfrmStructs.getU8(b);
            XfrmStructs.skip(b, 7);
            SaScopeAttributes scope = new SaScopeAttributes();
            List<NlAttribute> unknown = new ArrayList<>();
            for (NlAttribute a : attrs) {
                if (!scope.take(a)) {
                    unknown.add(a);
                }
            }
            return new SaExpire(state, hard, scope.mark, scope.ifId, scope.pcpu, scope.saDir, unknown);
        });
    }

    public static SaExpire decode(byte[] payload) {
        return decode(StateCodec.wrap(payload));
    }
}
