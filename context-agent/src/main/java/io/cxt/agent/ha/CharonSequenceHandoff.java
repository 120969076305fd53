package io.cxt.agent.ha;

import java.io.IOException;
import java.net.InetAddress;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import io.cxt.context.MobileNodeContext;
import io.cxt.context.SequenceNumberPolicy;
import io.cxt.xfrm.ReplayLifetimeState;
import io.cxt.xfrm.ReplayState;
import io.cxt.xfrm.ReplayStateEsn;
import io.cxt.xfrm.SecurityAssociation;
import io.cxt.xfrm.XfrmClient;
import io.cxt.xfrm.XfrmId;

/**
 * ESP sequence numbers across the move for the CHILD_SAs the nAR's charon installs from transferred HA state.
 *
 * <p>Why: charon's HA protocol carries no ESP sequence numbers (CHILD_ADD has SPIs, algorithms, nonces and
 * selectors; a strongSwan cluster relies on ClusterIP nodes seeing the same traffic, or on a resync rekey), so
 * the nAR's charon installs the MN's SAs with counters at zero. The MN's anti-replay window then drops every
 * packet the nAR sends until its count passes the pAR's, and the same key would send a sequence number a second
 * time. The pAR's counters are in the context cxt transferred (its snapshot reads them with GETAE), so cxt sets
 * them on charon's SAs with NEWAE: outbound continued with the router's sequence margin (as for the SAs cxt
 * installs itself, {@link SequenceNumberPolicy}), inbound with the pAR's highest sequence number and window, so
 * a packet captured at the pAR cannot be replayed at the nAR. This is the one change cxt makes to kernel state
 * charon owns; charon's later updates (MOBIKE address changes) copy the replay state along (kernel_netlink's
 * update_sa reads it with GETAE).
 */
final class CharonSequenceHandoff {

    private CharonSequenceHandoff() {
    }

    /** The pAR's counters of one SA of the MN, by SPI; no key material. */
    record Counters(int spi, boolean outbound, ReplayState replay, ReplayStateEsn replayEsn) {
    }

    /** One SA's counters as set on this router: for the event line. */
    record Continued(int spi, boolean outbound, long parSequence, long sequenceHere) {
        String text() {
            return String.format("SPI 0x%08x %s %d (pAR %d)", spi, outbound ? "out: next sequence after" : "in: replay window at",
                    sequenceHere, parSequence);
        }
    }

    /** The counters of the pAR's SAs in a received context (outbound: the pAR is the SA's source). */
    static List<Counters> of(MobileNodeContext ctx) {
        List<Counters> out = new ArrayList<>();
        InetAddress par = ctx.sourceRouter();
        for (SecurityAssociation sa : ctx.securityAssociations()) {
            if (sa.replay() == null && sa.replayEsn() == null) {
                continue;
            }
            boolean outbound = par != null && par.equals(sa.info().saddr());
            out.add(new Counters(sa.info().id().spi(), outbound, sa.replay(), sa.replayEsn()));
        }
        return List.copyOf(out);
    }

    /**
     * Sets the counters on charon's SAs with these SPIs in {@code kernel}: inbound ones to {@code local}, outbound
     * ones from it (the address charon holds the MN's SA at; the MN's address may still change). An SA of another
     * peer that happens to use the same SPI towards another address is never touched. Returns what was set, or
     * null when not all SAs are in the kernel yet.
     */
    static List<Continued> apply(XfrmClient kernel, List<Counters> counters, InetAddress local, SequenceNumberPolicy policy)
            throws IOException {
        Map<Integer, SecurityAssociation> in = new HashMap<>();
        Map<Integer, SecurityAssociation> out = new HashMap<>();
        for (SecurityAssociation sa : kernel.states().dump(null, XfrmId.PROTO_ESP)) {
            if (local.equals(sa.info().id().daddr())) {
                in.put(sa.info().id().spi(), sa);
            } else if (local.equals(sa.info().saddr())) {
                out.put(sa.info().id().spi(), sa);
            }
        }
        for (Counters c : counters) {
            if (!(c.outbound() ? out : in).containsKey(c.spi())) {
                return null;
            }
        }
        List<Continued> done = new ArrayList<>();
        for (Counters c : counters) {
            SecurityAssociation sa = (c.outbound() ? out : in).get(c.spi());
            ReplayLifetimeState now = kernel.states().getReplayLifetime(sa.key());
            ReplayLifetimeState set = ReplayLifetimeState.query(now.id(), sa.mark());
            long par;
            long mine;
            if (now.replayEsn() != null) {
                ReplayStateEsn cur = now.replayEsn();
                ReplayStateEsn from = c.replayEsn() != null ? c.replayEsn() : esnOf(c.replay(), cur);
                if (c.outbound()) {
                    par = from.outboundSequence();
                    long next = Math.max(cur.outboundSequence(), policy.continueFrom(par, true));
                    mine = next;
                    set = set.withReplayEsn(new ReplayStateEsn(cur.bmpLen(), (int) next, cur.seq(), (int) (next >>> 32),
                            cur.seqHi(), cur.replayWindow(), fullBitmap(cur)));
                } else {
                    par = inboundSequence(from);
                    mine = Math.max(par, inboundSequence(cur));
                    int[] bitmap = from.bitmap().length == cur.bmpLen() ? from.bitmap() : allSeen(cur.bmpLen());
                    set = set.withReplayEsn(new ReplayStateEsn(cur.bmpLen(), cur.oseq(), (int) mine, cur.oseqHi(),
                            (int) (mine >>> 32), cur.replayWindow(), par >= inboundSequence(cur) ? bitmap : fullBitmap(cur)));
                }
            } else {
                ReplayState cur = now.replay() != null ? now.replay() : ReplayState.ZERO;
                ReplayState from = c.replay() != null ? c.replay()
                        : new ReplayState(c.replayEsn().oseq(), c.replayEsn().seq(), 0xffffffff);
                if (c.outbound()) {
                    par = Integer.toUnsignedLong(from.oseq());
                    mine = Math.max(Integer.toUnsignedLong(cur.oseq()), policy.continueFrom(par, false));
                    set = set.withReplay(new ReplayState((int) mine, cur.seq(), cur.bitmap()));
                } else {
                    par = Integer.toUnsignedLong(from.seq());
                    boolean parAhead = par >= Integer.toUnsignedLong(cur.seq());
                    mine = parAhead ? par : Integer.toUnsignedLong(cur.seq());
                    set = set.withReplay(parAhead ? new ReplayState(cur.oseq(), from.seq(), from.bitmap()) : cur);
                }
            }
            kernel.states().setReplayLifetime(set);
            done.add(new Continued(c.spi(), c.outbound(), par, mine));
        }
        return done;
    }

    private static long inboundSequence(ReplayStateEsn r) {
        return (Integer.toUnsignedLong(r.seqHi()) << 32) | Integer.toUnsignedLong(r.seq());
    }

    /** A legacy (32-bit) state as ESN counters for an ESN SA here; the window counts as all seen. */
    private static ReplayStateEsn esnOf(ReplayState r, ReplayStateEsn shape) {
        return new ReplayStateEsn(shape.bmpLen(), r.oseq(), r.seq(), 0, 0, shape.replayWindow(), allSeen(shape.bmpLen()));
    }

    /** The kernel wants the whole bitmap in an ESN NEWAE (xfrm_replay_verify_len). */
    private static int[] fullBitmap(ReplayStateEsn cur) {
        return cur.bitmap().length == cur.bmpLen() ? cur.bitmap() : new int[cur.bmpLen()];
    }

    private static int[] allSeen(int words) {
        int[] b = new int[words];
        Arrays.fill(b, 0xffffffff);
        return b;
    }
}
