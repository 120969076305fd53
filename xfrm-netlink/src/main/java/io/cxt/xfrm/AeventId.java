package io.cxt.xfrm;

import java.net.InetAddress;
import java.nio.ByteBuffer;
import java.util.Objects;

/**
 * {@code struct xfrm_aevent_id} (48 octets): the fixed part of GETAE/NEWAE messages, the SA's id,
 * its source address, the XFRM_AE_* flags (what is asked for, or why the event came) and reqid.
 */
public record AeventId(SaId saId, InetAddress saddr, int flags, int reqid) {

    public static final int LENGTH = 48;

    /** XFRM_AE_* flags. */
    public static final int AE_RTHR = 1;
    public static final int AE_RVAL = 2;
    public static final int AE_LVAL = 4;
    public static final int AE_ETHR = 8;
    public static final int AE_CR = 16;
    public static final int AE_CE = 32;
    public static final int AE_CU = 64;

    public AeventId {
        Objects.requireNonNull(saId, "SA id");
        StateCodec.checkFamily(saddr, saId.family(), "source");
    }

    public static AeventId decode(ByteBuffer b) {
        XfrmStructs.need(b, LENGTH, "xfrm_aevent_id");
        SaId id = SaId.decode(b);
        InetAddress saddr = XfrmStructs.readAddress(b, id.family());
        return new AeventId(id, saddr, b.getInt(), b.getInt());
    }

    public void encode(ByteBuffer b) {
        saId.encode(b);
        XfrmStructs.writeAddress(b, saddr);
        b.putInt(flags).putInt(reqid);
    }

    public boolean hasFlag(int flag) {
        return (flags & flag) != 0;
    }
}
