package io.cxt.xfrm;

import java.util.List;

import io.cxt.nl.NlAttribute;

/**
 * XFRMA_MARK, XFRMA_IF_ID, XFRMA_SA_PCPU and XFRMA_SA_DIR: the attributes that narrow which SA a message is
 * about. ALLOCSPI ({@link AllocSpiRequest}), NEWAE/GETAE ({@link ReplayLifetimeState}) and EXPIRE
 * ({@link SaExpire}) carry them alike, last and in this order, so one codec serves the three.
 * ({@link SecurityAssociation} carries them too, but interleaved with other attributes in the kernel's
 * order, so it encodes its own.)
 *
 * <p>Decoding collects them while a message's attribute loop runs: the first attribute of each type is
 * taken, a repeated one is left to the caller (which keeps it raw, as with any attribute it does not know).
 */
final class SaScopeAttributes {
    Mark mark;
    Integer ifId;
    Integer pcpu;
    Integer saDir;

    /** Appends those of the four that are present. */
    static void encode(List<NlAttribute> out, Mark mark, Integer ifId, Integer pcpu, Integer saDir) {
        if (mark != null) {
            out.add(StateCodec.structAttr(XfrmAttrType.MARK, Mark.LENGTH, mark::encode));
        }
        if (ifId != null) {
            out.add(StateCodec.u32Attr(XfrmAttrType.IF_ID, ifId));
        }
        if (pcpu != null) {
            out.add(StateCodec.u32Attr(XfrmAttrType.SA_PCPU, pcpu));
        }
        if (saDir != null) {
            out.add(StateCodec.u8Attr(XfrmAttrType.SA_DIR, saDir));
        }
    }

    /** Takes {@code a} if it is the first of one of the four types; false (not taken) otherwise. */
    boolean take(NlAttribute a) {
        int t = a.type();
        if (t == XfrmAttrType.MARK && mark == null) {
            mark = StateCodec.exact(a, "XFRMA_MARK", Mark::decode);
        } else if (t == XfrmAttrType.IF_ID && ifId == null) {
            ifId = StateCodec.u32(a, "XFRMA_IF_ID");
        } else if (t == XfrmAttrType.SA_PCPU && pcpu == null) {
            pcpu = StateCodec.u32(a, "XFRMA_SA_PCPU");
        } else if (t == XfrmAttrType.SA_DIR && saDir == null) {
            saDir = StateCodec.u8(a, "XFRMA_SA_DIR");
        } else {
            return false;
        }
        return true;
    }
}
