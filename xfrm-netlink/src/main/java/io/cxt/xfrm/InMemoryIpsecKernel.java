package io.cxt.xfrm;

import java.io.IOException;
import java.net.InetAddress;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Deque;
import java.util.List;
import java.util.Objects;
import java.util.Random;

import io.cxt.nl.Netlink;
import io.cxt.nl.NetlinkErrorException;
import io.cxt.nl.NetlinkRequest;

/**
 * An {@link IpsecKernel} held in memory: a model of the Linux SAD and SPD rules the context engine
 * relies on, for unit tests of the role state machines that need neither root nor a namespace.
 * The kernel test suite (which runs the same engine on the real kernel) is the truth for what this
 * model assumes; where it simplifies, the simplification is named below.
 *
 * <p><b>SAD</b> (net/xfrm/xfrm_state.c, xfrm_user.c). An SA is found by destination, SPI, protocol
 * and mark ({@code (request mark & sa.mask) == sa.value}); SPI 0 is never found. NEWSA refuses an
 * SA that is there (a larval one with that SPI included) with EEXIST, and removes a larval SPI-0
 * SA of the same addresses, reqid, mode and mark (the kernel's {@code __find_acq_core}). UPDSA
 * completes a larval SA (replaces it) or, for a valid one, takes only the encapsulation, care-of
 * address and lifetime limits of the request; ESRCH if none. DELSA and GETSA: ESRCH if none.
 * ALLOCSPI reuses a larval SPI-0 SA with the same parameters or creates one, then picks an SPI:
 * exactly {@code min} when {@code min == max}, else random tries in the range (seeded); a taken
 * exact SPI or no free SPI is ENOENT and leaves the larval SPI-0 SA behind, as the kernel does.
 * NEWAE needs NLM_F_REPLACE and a valid SA (ESRCH absent, EINVAL larval). Larval SAs do not expire
 * (net.core.xfrm_acq_expires is not modelled): tests call {@link #expireLarval()}.
 *
 * <p><b>SPD</b> (net/xfrm/xfrm_policy.c). A policy's identity is its type, direction, selector,
 * mark (value and mask), if_id and security context, not its priority. NEWPOLICY refuses a policy
 * that is there with EEXIST; UPDPOLICY replaces it in place (same index) or adds it. GET/DELPOLICY
 * find by index when the request has one, else by identity; ENOENT if none. New policies get
 * indexes as the kernel hands them out ({@code 8n + direction}).
 *
 * <p>Refusals are {@link NetlinkErrorException}s, as from the real kernel, so
 * {@link XfrmError#of(Throwable)} and {@link XfrmFailure} read them alike. {@link #refuseNext}
 * makes the next request of a type fail with a chosen errno (an install refused halfway, a failing
 * rollback). Thread-safe (one lock).
 */
public final class InMemoryIpsecKernel implements IpsecKernel {

    private static final int CREATE_EXCL = Netlink.NLM_F_CREATE | Netlink.NLM_F_EXCL;
    private static final Mark NO_MARK = new Mark(0, 0);

    /** An SA and whether it is larval (from ALLOCSPI, not yet completed by UPDSA). */
    private record State(SecurityAssociation sa, boolean larval) {
    }

    private record Refusal(int type, XfrmError error) {
    }

    private final List<State> sad = new ArrayList<>();
    private final List<SecurityPolicy> spd = new ArrayList<>();
    private final Deque<Refusal> refusals = new ArrayDeque<>();
    private final List<Fence> fences = new ArrayList<>();
    private final Random random;
    private int indexGenerator;
    private long batches;

    public InMemoryIpsecKernel() {
        this(1);
    }

    /** @param seed seeds the SPI choice of ranged ALLOCSPI requests */
    public InMemoryIpsecKernel(long seed) {
        this.random = new Random(seed);
    }

    /** The next request of {@code msgType} (XfrmMsgType.*) is refused with {@code error}, once. */
    public synchronized void refuseNext(int msgType, XfrmError error) {
        refusals.add(new Refusal(msgType, error));
    }

    /** How many batches {@link #apply} has taken (single operations count as one each). */
    public synchronized long batchesApplied() {
        return batches;
    }

    /** Deletes every larval SA, as the kernel does after net.core.xfrm_acq_expires. */
    public synchronized void expireLarval() {
        sad.removeIf(State::larval);
        changed(new byte[0]);
    }

    /** Whether a larval SA (SPI 0 included) with this destination and SPI is there. */
    public synchronized boolean hasLarval(InetAddress dst, int spi) {
        return sad.stream().anyMatch(s -> s.larval && s.sa.destination().equals(dst) && s.sa.spi() == spi);
    }

    // ------------------------------------------------------------------ IpsecKernel

    @Override
    public synchronized SecurityAssociation allocSpi(AllocSpiRequest request) throws IOException {
        throwIfRefused(XfrmMsgType.ALLOCSPI);
        return doAllocSpi(request);
    }

    @Override
    public synchronized SecurityAssociation getSa(SaKey key) throws IOException {
        State s = lookup(key.id().daddr(), key.id().spi(), key.id().proto(), key.mark());
        if (s == null) {
            throw refusal(XfrmMsgType.GETSA, XfrmError.ESRCH);
        }
        return s.sa;
    }

    @Override
    public synchronized ReplayLifetimeState getReplayLifetime(SaKey key) throws IOException {
        State s = lookup(key.id().daddr(), key.id().spi(), key.id().proto(), key.mark());
        if (s == null) {
            throw refusal(XfrmMsgType.GETAE, XfrmError.ESRCH);
        }
        SecurityAssociation sa = s.sa;
        AeventId id = new AeventId(new SaId(sa.destination(), sa.spi(), sa.family(), sa.proto()), sa.source(),
                StateOperations.GETAE_FLAGS, sa.reqid());
        return new ReplayLifetimeState(id, sa.replay(), sa.replayEsn(), sa.info().current(), sa.replayThresh(),
                sa.etimerThresh(), sa.mark(), sa.ifId(), null, null, List.of());
    }

    @Override
    public synchronized List<SecurityAssociation> dumpSas(AddressFilter filter) {
        List<SecurityAssociation> out = new ArrayList<>(sad.size());
        for (State s : sad) {
            if (filter == null || matches(filter, s.sa)) {
                out.add(s.sa);
            }
        }
        return out;
    }

    @Override
    public synchronized SecurityPolicy getPolicy(PolicyId id) throws IOException {
        int i = findPolicy(id);
        if (i < 0) {
            throw refusal(XfrmMsgType.GETPOLICY, XfrmError.ENOENT);
        }
        return spd.get(i);
    }

    @Override
    public synchronized List<SecurityPolicy> dumpPolicies() {
        return new ArrayList<>(spd);
    }

    @Override
    public synchronized List<XfrmFailure> apply(XfrmBatch batch) {
        batches++;
        List<XfrmFailure> out = new ArrayList<>();
        List<NetlinkRequest> requests = batch.requests();
        for (int i = 0; i < requests.size(); i++) {
            NetlinkRequest r = requests.get(i);
            try {
                throwIfRefused(r.type());
                one(r);
                changed(r.payload());
            } catch (NetlinkErrorException e) {
                XfrmError kind = XfrmError.of(e.errno());
                if (!batch.tolerated(i, kind)) {
                    out.add(new XfrmFailure(i, kind, e));
                }
            }
        }
        return out;
    }

    @Override
    public synchronized ChangeFence openChangeFence() {
        Fence f = new Fence();
        fences.add(f);
        return f;
    }

    // ------------------------------------------------------------------ the model

    private void one(NetlinkRequest r) throws NetlinkErrorException {
        switch (r.type()) {
            case XfrmMsgType.NEWSA -> {
                if ((r.flags() & CREATE_EXCL) == CREATE_EXCL) {
                    addSa(r.type(), SecurityAssociation.decode(r.payload()));
                } else {
                    throw refusal(r.type(), XfrmError.EINVAL); // cxt always sends NEWSA create-exclusive
                }
            }
            case XfrmMsgType.UPDSA -> updateSa(r.type(), SecurityAssociation.decode(r.payload()));
            case XfrmMsgType.DELSA -> {
                SaKey k = SaKey.decode(r.payload());
                State s = lookup(k.id().daddr(), k.id().spi(), k.id().proto(), k.mark());
                if (s == null) {
                    throw refusal(r.type(), XfrmError.ESRCH);
                }
                sad.remove(s);
            }
            case XfrmMsgType.NEWPOLICY -> insertPolicy(r.type(), SecurityPolicy.decode(r.payload()),
                    (r.flags() & Netlink.NLM_F_EXCL) != 0);
            case XfrmMsgType.UPDPOLICY -> insertPolicy(r.type(), SecurityPolicy.decode(r.payload()), false);
            case XfrmMsgType.DELPOLICY -> {
                int i = findPolicy(PolicyId.decode(r.payload()));
                if (i < 0) {
                    throw refusal(r.type(), XfrmError.ENOENT);
                }
                spd.remove(i);
            }
            case XfrmMsgType.NEWAE -> newAe(r);
            case XfrmMsgType.ALLOCSPI -> doAllocSpi(AllocSpiRequest.decode(r.payload()));
            default -> throw refusal(r.type(), XfrmError.EINVAL);
        }
    }

    private void addSa(int type, SecurityAssociation sa) throws NetlinkErrorException {
        if (sa.spi() == 0 || lookup(sa.destination(), sa.spi(), sa.proto(), sa.mark()) != null) {
            throw refusal(type, sa.spi() == 0 ? XfrmError.EINVAL : XfrmError.EEXIST);
        }
        State acquire = larvalWithoutSpi(sa.source(), sa.destination(), sa.proto(), sa.reqid(), sa.info().mode(),
                sa.mark());
        sad.add(new State(sa, false));
        if (acquire != null) {
            sad.remove(acquire);
        }
    }

    private void updateSa(int type, SecurityAssociation sa) throws NetlinkErrorException {
        State there = lookup(sa.destination(), sa.spi(), sa.proto(), sa.mark());
        if (there == null) {
            throw refusal(type, XfrmError.ESRCH);
        }
        int i = sad.indexOf(there);
        if (there.larval) {
            sad.set(i, new State(sa, false));
        } else {
            SecurityAssociation kept = there.sa.toBuilder().encap(sa.encap()).coaddr(sa.coaddr())
                    .info(there.sa.info().withLifetime(sa.info().lifetime())).build();
            sad.set(i, new State(kept, false));
        }
    }

    private void newAe(NetlinkRequest r) throws NetlinkErrorException {
        if ((r.flags() & Netlink.NLM_F_REPLACE) == 0) {
            throw refusal(r.type(), XfrmError.EINVAL);
        }
        ReplayLifetimeState st = ReplayLifetimeState.decode(r.payload());
        SaId id = st.id().saId();
        State there = lookup(id.daddr(), id.spi(), id.proto(), st.mark());
        if (there == null) {
            throw refusal(r.type(), XfrmError.ESRCH);
        }
        if (there.larval) {
            throw refusal(r.type(), XfrmError.EINVAL);
        }
        SecurityAssociation.Builder b = there.sa.toBuilder();
        if (st.replay() != null) {
            b.replay(st.replay());
        }
        if (st.replayEsn() != null) {
            b.replayEsn(st.replayEsn());
        }
        if (st.lifetime() != null) {
            b.info(there.sa.info().withCurrent(st.lifetime()));
        }
        if (st.replayThresh() != null) {
            b.replayThresh(st.replayThresh());
        }
        if (st.etimerThresh() != null) {
            b.etimerThresh(st.etimerThresh());
        }
        sad.set(sad.indexOf(there), new State(b.build(), false));
    }

    private SecurityAssociation doAllocSpi(AllocSpiRequest request) throws NetlinkErrorException {
        SaInfo info = request.range().info();
        long min = Integer.toUnsignedLong(request.range().min());
        long max = Integer.toUnsignedLong(request.range().max());
        if (min > max) {
            throw refusal(XfrmMsgType.ALLOCSPI, XfrmError.EINVAL);
        }
        InetAddress dst = info.id().daddr();
        int proto = info.id().proto();
        State larval = larvalWithoutSpi(info.saddr(), dst, proto, info.reqid(), info.mode(), request.mark());
        if (larval == null) {
            SecurityAssociation fresh = SecurityAssociation.builder(info.withSpi(0)).mark(request.mark())
                    .ifId(request.ifId()).build();
            larval = new State(fresh, true);
            sad.add(larval);
            changed(fresh.toBytes());
        }
        long spi = -1;
        if (min == max) {
            if (min != 0 && lookup(dst, (int) min, proto, request.mark()) == null) {
                spi = min;
            }
        } else {
            long span = max - min + 1;
            for (long t = 0; t < Math.min(span, 1L << 20) && spi < 0; t++) {
                long candidate = min + (long) (random.nextDouble() * span);
                if (candidate != 0 && lookup(dst, (int) candidate, proto, request.mark()) == null) {
                    spi = candidate;
                }
            }
        }
        if (spi < 0) {
            throw refusal(XfrmMsgType.ALLOCSPI, XfrmError.ENOENT); // the SPI-0 larval SA stays, as in the kernel
        }
        SecurityAssociation got = larval.sa.withSpi((int) spi);
        sad.set(sad.indexOf(larval), new State(got, true));
        return got;
    }

    private void insertPolicy(int type, SecurityPolicy p, boolean exclusive) throws NetlinkErrorException {
        int i = findPolicy(p.id());
        if (i >= 0 && exclusive) {
            throw refusal(type, XfrmError.EEXIST);
        }
        if (i >= 0) {
            spd.set(i, p.withIndex(spd.get(i).index()));
        } else {
            indexGenerator += 8;
            spd.add(p.withIndex(indexGenerator | (p.direction() & 7)));
        }
    }

    /** Index in the SPD of the policy {@code id} names, or -1. */
    private int findPolicy(PolicyId id) {
        Mark mark = id.mark() == null ? NO_MARK : id.mark();
        int ifId = id.ifId() == null ? 0 : id.ifId();
        PolicyType pt = id.policyType() == null ? PolicyType.MAIN : id.policyType();
        for (int i = 0; i < spd.size(); i++) {
            SecurityPolicy p = spd.get(i);
            if (p.direction() != id.direction() || !p.effectivePolicyType().equals(pt)
                    || (p.ifId() == null ? 0 : p.ifId()) != ifId
                    || !(p.mark() == null ? NO_MARK : p.mark()).equals(mark)) {
                continue;
            }
            if (id.index() != 0 ? p.index() == id.index()
                    : p.selector().equals(id.selector()) && Objects.equals(p.securityContext(), id.securityContext())) {
                return i;
            }
        }
        return -1;
    }

    /** The SA the kernel's {@code xfrm_state_lookup} finds; never one with SPI 0. */
    private State lookup(InetAddress dst, int spi, int proto, Mark requestMark) {
        if (spi == 0) {
            return null;
        }
        int m = requestMark == null ? 0 : requestMark.value() & requestMark.mask();
        for (State s : sad) {
            SecurityAssociation sa = s.sa;
            Mark own = sa.mark() == null ? NO_MARK : sa.mark();
            if (sa.spi() == spi && sa.proto() == proto && sa.destination().equals(dst)
                    && (m & own.mask()) == own.value()) {
                return s;
            }
        }
        return null;
    }

    /** A larval SA still without an SPI and with these parameters (the kernel's __find_acq_core). */
    private State larvalWithoutSpi(InetAddress src, InetAddress dst, int proto, int reqid, int mode, Mark mark) {
        Mark want = mark == null ? NO_MARK : mark;
        for (State s : sad) {
            SecurityAssociation sa = s.sa;
            if (s.larval && sa.spi() == 0 && sa.proto() == proto && sa.reqid() == reqid && sa.info().mode() == mode
                    && sa.destination().equals(dst) && sa.source().equals(src)
                    && (sa.mark() == null ? NO_MARK : sa.mark()).equals(want)) {
                return s;
            }
        }
        return null;
    }

    private static boolean matches(AddressFilter f, SecurityAssociation sa) {
        if (f.family() != AddressFamily.UNSPEC && f.family() != sa.family()) {
            return false;
        }
        return prefixMatch(sa.source(), f.saddr(), f.splen()) && prefixMatch(sa.destination(), f.daddr(), f.dplen());
    }

    private static boolean prefixMatch(InetAddress a, InetAddress prefix, int len) {
        byte[] x = a.getAddress();
        byte[] y = prefix.getAddress();
        if (len == 0) {
            return true;
        }
        if (x.length != y.length) {
            return false;
        }
        for (int bit = 0; bit < len && bit < x.length * 8; bit++) {
            int mask = 0x80 >>> (bit & 7);
            if ((x[bit >>> 3] & mask) != (y[bit >>> 3] & mask)) {
                return false;
            }
        }
        return true;
    }

    private void throwIfRefused(int type) throws NetlinkErrorException {
        for (Refusal r : refusals) {
            if (r.type == type) {
                refusals.remove(r);
                throw refusal(type, r.error);
            }
        }
    }

    private static NetlinkErrorException refusal(int type, XfrmError error) {
        return new NetlinkErrorException(XfrmMsgType.name(type), error.errno(), null, type, -1);
    }

    private void changed(byte[] payload) {
        for (Fence f : fences) {
            f.changes.add(payload);
        }
    }

    /** Records the payloads of changes since {@link #arm}; crossed when one names an address (coarse, as the netlink fence). */
    private final class Fence implements ChangeFence {
        final List<byte[]> changes = new ArrayList<>();

        @Override
        public void arm() {
            synchronized (InMemoryIpsecKernel.this) {
                changes.clear();
            }
        }

        @Override
        public boolean crossed(Collection<InetAddress> addresses) {
            synchronized (InMemoryIpsecKernel.this) {
                for (byte[] c : changes) {
                    if (c.length == 0) {
                        return true;
                    }
                    for (InetAddress a : addresses) {
                        if (XfrmChangeFence.contains(c, a)) {
                            return true;
                        }
                    }
                }
                return false;
            }
        }

        @Override
        public void close() {
            synchronized (InMemoryIpsecKernel.this) {
                fences.remove(this);
            }
        }
    }
}
