package io.cxt.xfrm;

import java.util.ArrayList;
import java.util.BitSet;
import java.util.List;

import io.cxt.nl.Netlink;
import io.cxt.nl.NetlinkMessage;
import io.cxt.nl.NetlinkRequest;

/**
 * XFRM requests to send together with {@link XfrmClient#apply}: one {@code sendmsg} for as many
 * entries as the socket buffer holds (the activation path installs a whole context in one). The
 * kernel processes the entries in order and reports each refusal; {@link XfrmClient#apply} returns
 * them as {@link XfrmFailure}s by index (the order the entries were added in).
 *
 * <p>Each method is the equivalent of one {@code ip xfrm} command. A delete may be marked
 * {@link IfAbsent#IGNORE}: then an entry that is already gone (ENOENT, ESRCH) is not reported.
 * Not thread-safe; reusable after {@link #clear}.
 */
public final class XfrmBatch {

    /** What a delete does when the entry is not there. */
    public enum IfAbsent {
        /** Report it as a failure (ENOENT or ESRCH). */
        FAIL,
        /** Count it as done: the entry is gone either way. */
        IGNORE
    }

    private static final int CREATE_EXCL = Netlink.NLM_F_CREATE | Netlink.NLM_F_EXCL;

    private final ArrayList<NetlinkRequest> requests;
    private final BitSet absentIsFine = new BitSet();

    public XfrmBatch() {
        this(8);
    }

    /** A batch sized for about {@code expected} entries. */
    public XfrmBatch(int expected) {
        requests = new ArrayList<>(expected);
    }

    /** {@code ip xfrm state add}: NEWSA, create-exclusive (EEXIST if the SA is there). */
    public XfrmBatch addSa(SecurityAssociation sa) {
        return put(XfrmMsgType.NEWSA, CREATE_EXCL, sa.toBytes(), false);
    }

    /** {@code ip xfrm state update}: UPDSA, replaces an SA or completes a larval one from ALLOCSPI (ESRCH if none). */
    public XfrmBatch updateSa(SecurityAssociation sa) {
        return put(XfrmMsgType.UPDSA, 0, sa.toBytes(), false);
    }

    /** {@code ip xfrm state delete}: DELSA (ESRCH if the SA is not there). */
    public XfrmBatch deleteSa(SaKey key) {
        return deleteSa(key, IfAbsent.FAIL);
    }

    /** DELSA; with {@link IfAbsent#IGNORE} a missing SA is not a failure. */
    public XfrmBatch deleteSa(SaKey key, IfAbsent ifAbsent) {
        return put(XfrmMsgType.DELSA, 0, key.toBytes(), ifAbsent == IfAbsent.IGNORE);
    }

    /** {@code ip xfrm policy add}: NEWPOLICY, create-exclusive (EEXIST if the policy is there). */
    public XfrmBatch addPolicy(SecurityPolicy p) {
        return put(XfrmMsgType.NEWPOLICY, CREATE_EXCL, p.toBytes(), false);
    }

    /** {@code ip xfrm policy update}: UPDPOLICY, adds or atomically replaces a policy. */
    public XfrmBatch updatePolicy(SecurityPolicy p) {
        return put(XfrmMsgType.UPDPOLICY, 0, p.toBytes(), false);
    }

    /** {@code ip xfrm policy delete}: DELPOLICY (ENOENT if the policy is not there). */
    public XfrmBatch deletePolicy(PolicyId id) {
        return deletePolicy(id, IfAbsent.FAIL);
    }

    /** DELPOLICY; with {@link IfAbsent#IGNORE} a missing policy is not a failure. */
    public XfrmBatch deletePolicy(PolicyId id, IfAbsent ifAbsent) {
        return put(XfrmMsgType.DELPOLICY, 0, id.toBytes(), ifAbsent == IfAbsent.IGNORE);
    }

    /**
     * NEWAE with NLM_F_REPLACE (the kernel insists on it): sets an SA's replay counters, lifetime
     * and thresholds. The SA must be valid, not larval.
     */
    public XfrmBatch setReplayLifetime(ReplayLifetimeState state) {
        return put(XfrmMsgType.NEWAE, Netlink.NLM_F_REPLACE, state.toBytes(), false);
    }

    /**
     * ALLOCSPI: reserves an SPI with a larval SA. In a batch only the outcome is known, not the SPI
     * the kernel chose, so this is for exact requests ({@code min == max}); use
     * {@link StateOperations#allocSpi} to learn the SPI.
     */
    public XfrmBatch allocSpi(AllocSpiRequest request) {
        return put(XfrmMsgType.ALLOCSPI, 0, request.toBytes(), false);
    }

    private XfrmBatch put(int type, int flags, byte[] payload, boolean ignoreAbsent) {
        if (ignoreAbsent) {
            absentIsFine.set(requests.size());
        }
        requests.add(new NetlinkRequest(type, flags, payload));
        return this;
    }

    /** Appends every entry of another batch, with its options. */
    public XfrmBatch addAll(XfrmBatch other) {
        int base = requests.size();
        requests.addAll(other.requests);
        other.absentIsFine.stream().forEach(i -> absentIsFine.set(base + i));
        return this;
    }

    public int size() {
        return requests.size();
    }

    public boolean isEmpty() {
        return requests.isEmpty();
    }

    /** Forgets every entry. */
    public void clear() {
        requests.clear();
        absentIsFine.clear();
    }

    /** Whether a refusal of entry {@code index} with {@code error} counts as done. */
    boolean tolerated(int index, XfrmError error) {
        return error.absent() && absentIsFine.get(index);
    }

    List<NetlinkRequest> requests() {
        return requests;
    }

    /**
     * The netlink messages of this batch, as {@link XfrmClient#apply} puts them on the wire (sequence
     * numbers from 1, NLM_F_REQUEST, no ACK flags): for benchmarks and warm-up that compare or replay
     * the bytes.
     */
    public byte[] wireBytes() {
        int total = 0;
        for (NetlinkRequest r : requests) {
            total += Netlink.align(Netlink.HEADER_LENGTH + r.payload().length);
        }
        java.nio.ByteBuffer b = java.nio.ByteBuffer.allocate(total).order(java.nio.ByteOrder.nativeOrder());
        int seq = 1;
        for (NetlinkRequest r : requests) {
            new NetlinkMessage(r.type(), r.flags() | Netlink.NLM_F_REQUEST, seq++, 0, r.payload()).writeTo(b);
        }
        return b.array();
    }

    /**
     * Decodes wire bytes from {@link #wireBytes}: each SA of an add or update to {@code sas}, each
     * policy of an add or update to {@code policies}; other entries are skipped. For the warm-up,
     * which runs the activation path's codecs both ways.
     */
    public static void decodeWire(byte[] wire, java.util.function.Consumer<SecurityAssociation> sas,
                                  java.util.function.Consumer<SecurityPolicy> policies) {
        for (NetlinkMessage m : NetlinkMessage.decodeAll(java.nio.ByteBuffer.wrap(wire).order(java.nio.ByteOrder.nativeOrder()))) {
            if (m.type() == XfrmMsgType.NEWSA || m.type() == XfrmMsgType.UPDSA) {
                sas.accept(SecurityAssociation.decode(m.payloadBuffer()));
            } else if (m.type() == XfrmMsgType.NEWPOLICY || m.type() == XfrmMsgType.UPDPOLICY) {
                policies.accept(SecurityPolicy.decode(m.payloadBuffer()));
            }
        }
    }

    /** Entry {@code i}'s message type and payload, equal by content: for tests that compare batches. */
    public boolean sameEntries(XfrmBatch other) {
        return requests.equals(other.requests) && absentIsFine.equals(other.absentIsFine);
    }

    @Override
    public String toString() {
        StringBuilder sb = new StringBuilder("XfrmBatch[");
        for (int i = 0; i < requests.size(); i++) {
            sb.append(i == 0 ? "" : ", ").append(XfrmMsgType.name(requests.get(i).type()));
        }
        return sb.append(']').toString();
    }
}
