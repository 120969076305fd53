package io.cxt.agent;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.security.SecureRandom;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import io.cxt.cdb.ContextBlocks;
import io.cxt.context.ContextException;
import io.cxt.context.ContextInstaller;
import io.cxt.context.ContextRewriter;
import io.cxt.context.ContextSnapshotter;
import io.cxt.context.MobileNodeContext;
import io.cxt.context.MobileNodeIdentity;
import io.cxt.context.RewritePlan;
import io.cxt.context.SadLookupCase;
import io.cxt.context.SequenceNumberPolicy;
import io.cxt.context.SpiAllocator;
import io.cxt.context.SpiReservations;
import io.cxt.cxtp.AuthorizationToken;
import io.cxt.cxtp.ContextDataBlock;
import io.cxt.cxtp.ContextTransferActivateAcknowledge;
import io.cxt.cxtp.ContextTransferActivateRequest;
import io.cxt.cxtp.ContextTransferData;
import io.cxt.cxtp.ContextTransferDataReply;
import io.cxt.cxtp.ContextTransferRequest;
import io.cxt.cxtp.CxtpCodec;
import io.cxt.cxtp.CxtpMessage;
import io.cxt.cxtp.CxtpReceiver;
import io.cxt.cxtp.CxtpTransport;
import io.cxt.cxtp.IcmpTransport;
import io.cxt.cxtp.PredictiveContextTransferData;
import io.cxt.cxtp.RouterChannelProtection;
import io.cxt.cxtp.RouterPeer;
import io.cxt.cxtp.SendResult;
import io.cxt.cxtp.TokenKeyMaterial;
import io.cxt.cxtp.TransportOptions;
import io.cxt.cxtp.UdpTransport;
import io.cxt.link.RtnetlinkMonitor;
import io.cxt.sys.LibC;
import io.cxt.xfrm.AddressText;
import io.cxt.xfrm.KeyBytes;
import io.cxt.xfrm.XfrmClient;

/**
 * The kernel and socket half of the activation path, run once at agent start in a scratch network
 * namespace, after {@link ActivationWarmup} (which is pure computation). The first handover after
 * a start otherwise pays for the first netlink XFRM batch, dump and ALLOCSPI of the process, the
 * first calls of the JNR-FFI stubs behind the raw ICMP and UDP sockets (generated at run time, so
 * no class-data archive holds them), the CXTP transports' receive threads and retransmission
 * timers, and the formatting of the movement and activation events: measured in the lab kernel as
 * hundreds of milliseconds on CTAR to CTAA and on the MN's own update (issue 11 item 5).
 *
 * <p>What it does, on one thread that has left the agent's namespace with {@code
 * unshare(CLONE_NEWNET)} (its sockets live and die in the scratch namespace; no other thread of
 * the agent is moved, and the agent's kernel state is never touched): loopback up (rtnetlink);
 * an rtnetlink monitor as movement detection opens it; a synthetic MN context (random throw-away
 * keys, documentation addresses) installed as a pAR holds it, snapshotted, encoded and decoded as
 * a CTD, SPIs reserved and the context rewritten and installed as the nAR does, removed (as the pAR does after the CTDR,
 * but quietly: ContextRemover logs every removal), and the MN's own SAs and policies snapshotted and moved as the MN does; then
 * CTAR/CTAA over ICMPv6 and ICMP raw sockets and PCTD, CT-Req, CTD, CTDR over the protected UDP
 * router channel between two transports on loopback. On a kernel without ESP (the build hosts)
 * the kernel steps run with policies only. Bounded: each exchange waits at most {@link #STEP_WAIT},
 * the whole rehearsal {@link #BUDGET} (the agent goes on without it); a failure is logged and
 * ignored, as the rehearsal only saves time. Switched off with {@value #PROPERTY}{@code =false}.
 *
 * <p>Without CAP_SYS_ADMIN (the shipped systemd unit grants CAP_NET_ADMIN, CAP_NET_RAW and
 * CAP_NET_BIND_SERVICE only) {@code unshare} fails with EPERM, and the rehearsal runs in the
 * agent's own namespace instead ({@link Where#AGENT_NAMESPACE}): before its sockets open, with SAs
 * and policies whose every address lies in the IPv6 discard-only prefix {@code 100::/64} (RFC 6666)
 * or IPv4's reserved {@code 240.0.0.0/4}, which no packet carries, with two-minute hard lifetimes
 * (a crash in between leaves nothing for long), removed at once, and never anything else: before
 * each removal every SA and policy to be removed is checked to be made of those addresses only
 * (otherwise the step fails and removes nothing). Loopback is not touched there.
 */
public final class ActivationRehearsal {

    /** System property: {@code false} skips the rehearsal (default on). */
    public static final String PROPERTY = "cxt.activation-rehearsal";
    /** The longest the agent's start waits (three agents starting together in the 1-CPU lab kernel: 18-20 s). */
    public static final Duration BUDGET = Duration.ofSeconds(45);
    /** The longest one exchange (CTAR/CTAA, CTD/CTDR) is waited for. */
    public static final Duration STEP_WAIT = Duration.ofSeconds(3);

    private static final Logger LOG = LoggerFactory.getLogger(ActivationRehearsal.class);
    private static final int LOOPBACK_INDEX = 1; // lo is always interface 1 in a new namespace

    /** Where the rehearsal's kernel state and sockets live. */
    public enum Where {
        /** A network namespace of its own thread (unshare): nothing of the agent's namespace is touched. */
        SCRATCH_NAMESPACE,
        /** The agent's namespace, synthetic state on addresses no network uses (no CAP_SYS_ADMIN for unshare). */
        AGENT_NAMESPACE
    }

    /**
     * What the rehearsal did.
     *
     * @param elapsedNanos the whole rehearsal
     * @param stepNanos    per step, its time (the first run of that code in this process)
     * @param esp          whether the kernel steps ran with ESP SAs (false: policies only)
     * @param failures     steps that failed or timed out, with the reason (the rest still ran)
     * @param where        where it ran
     */
    public record Report(long elapsedNanos, Map<String, Long> stepNanos, boolean esp, List<String> failures,
                         Where where) {
        public Report {
            stepNanos = java.util.Collections.unmodifiableMap(new LinkedHashMap<>(stepNanos));
            failures = List.copyOf(failures);
        }

        public Map<String, Long> stepMillis() {
            Map<String, Long> m = new LinkedHashMap<>();
            stepNanos.forEach((k, v) -> m.put(k, v / 1_000_000));
            return m;
        }
    }

    private ActivationRehearsal() {
    }

    /** Whether the rehearsal is switched on ({@value #PROPERTY}, default true). */
    public static boolean enabled() {
        return !"false".equalsIgnoreCase(System.getProperty(PROPERTY, "true").trim());
    }

    /** At agent start: runs the rehearsal if switched on and logs one INFO line; never throws. */
    public static Optional<Report> atStart(String agentName) {
        if (!enabled()) {
            LOG.info("{}: activation rehearsal off ({}=false)", agentName, PROPERTY);
            return Optional.empty();
        }
        try {
            Report r = run(BUDGET);
            LOG.info("{}: activation path rehearsed {} in {} ms ({}; ms per step {}){}", agentName,
                    r.where() == Where.SCRATCH_NAMESPACE ? "in a scratch namespace"
                            : "in the agent's namespace (unshare refused: no CAP_SYS_ADMIN; synthetic state on "
                                    + "100::/64 and 240.0.0.0/4, removed at once)",
                    r.elapsedNanos() / 1_000_000, r.esp() ? "ESP SAs and policies" : "policies only, no ESP in this kernel",
                    r.stepMillis(), r.failures().isEmpty() ? "" : "; not rehearsed: " + String.join("; ", r.failures()));
            return Optional.of(r);
        } catch (RuntimeException | Error e) {
            LOG.warn("{}: activation rehearsal failed (the agent works without it): {}", agentName, e.toString());
            return Optional.empty();
        }
    }

    /**
     * Runs the rehearsal on a thread of its own and waits for it at most {@code budget}.
     *
     * @throws IllegalStateException if it did not finish within the budget or could not start
     */
    public static Report run(Duration budget) {
        return run(budget, Where.SCRATCH_NAMESPACE);
    }

    /**
     * As {@link #run(Duration)}; {@code where} = AGENT_NAMESPACE skips the unshare (tests: what the agent does
     * without CAP_SYS_ADMIN). SCRATCH_NAMESPACE falls back to the agent's namespace when unshare gets EPERM.
     */
    static Report run(Duration budget, Where where) {
        AtomicReference<Object> out = new AtomicReference<>();
        long start = System.nanoTime();
        Thread t = new Thread(() -> {
            try {
                out.set(new Run(start, where).execute());
            } catch (Throwable e) {
                out.set(e);
            }
        }, "cxagent-rehearsal");
        t.setDaemon(true);
        t.start();
        try {
            t.join(budget.toMillis());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted");
        }
        Object r = out.get();
        if (r instanceof Report report) {
            return report;
        }
        if (r instanceof Throwable e) {
            throw new IllegalStateException(e.toString(), e);
        }
        throw new IllegalStateException("not done within " + budget.toMillis() + " ms (left running in the background)");
    }

    /** One rehearsal; its thread is the only one in the scratch namespace. */
    private static final class Run {
        private final Map<String, Long> steps = new LinkedHashMap<>();
        private final List<String> failures = new ArrayList<>();
        private final SecureRandom random = new SecureRandom(); // seeded on first use, in "synthetic-mn"
        private final long t0;
        private Where where;
        /** What put() added for the current site: all a failed step may remove in the agent's namespace. */
        private final List<io.cxt.xfrm.SaKey> addedSas = new ArrayList<>();
        private final List<io.cxt.xfrm.PolicyId> addedPolicies = new ArrayList<>();

        Run(long startNanos, Where where) {
            t0 = startNanos;
            this.where = where;
        }
        private boolean esp = true;

        @FunctionalInterface
        interface Step {
            void run() throws Exception;
        }

        private void step(String name, Step s) {
            long t = System.nanoTime();
            try {
                s.run();
            } catch (Exception | AssertionError e) {
                failures.add(name + ": " + e.getMessage());
            }
            steps.put(name, System.nanoTime() - t);
        }

        Report execute() throws IOException {
            if (where == Where.SCRATCH_NAMESPACE) {
                long u = System.nanoTime();
                if (LibC.INSTANCE.unshare(LibC.CLONE_NEWNET) < 0) {
                    String errno = io.cxt.sys.Errno.name(LibC.errno());
                    if (!"EPERM".equals(errno)) {
                        throw new IOException("unshare(CLONE_NEWNET): " + errno);
                    }
                    where = Where.AGENT_NAMESPACE; // no CAP_SYS_ADMIN (the systemd unit): see the class comment
                } else {
                    steps.put("unshare", System.nanoTime() - u);
                }
            }
            boolean inPlace = where == Where.AGENT_NAMESPACE;
            RtnetlinkMonitor[] monitor = new RtnetlinkMonitor[1];
            try {
                step("rtnetlink", () -> {
                    monitor[0] = RtnetlinkMonitor.open(null);
                    monitor[0].currentState();
                    if (!inPlace) {
                        loopbackUp(); // the scratch namespace's own lo; the agent's is left alone
                    }
                    monitor[0].poll(200, e -> e.toString());
                });
                long c = System.nanoTime();
                ActivationWorkload w = new ActivationWorkload(random, inPlace);
                steps.put("synthetic-mn", System.nanoTime() - c);
                try {
                    step("kernel", () -> kernel(w));
                    step("icmp", this::icmp);
                    step("router-channel", () -> routerChannel(w));
                } finally {
                    w.wipe();
                }
                step("event-text", Run::eventText);
            } finally {
                if (monitor[0] != null) {
                    monitor[0].close();
                }
            }
            return new Report(System.nanoTime() - t0, steps, esp, failures, where);
        }

        /** ip link set lo up. */
        private static void loopbackUp() throws IOException {
            io.cxt.link.LinkControl.up(LOOPBACK_INDEX);
        }

        /**
         * MN: own SAs and policies installed, snapshotted, rewritten and replaced as the MN does
         * after its CTAA, then removed; pAR: the context installed, snapshotted and encoded as a
         * CTD; nAR: decoded, SPIs reserved, rewritten and installed; pAR: removed. One kernel
         * plays all three here, so each part clears its state before the next. Both sites (IPv6, IPv4).
         */
        private void kernel(ActivationWorkload w)
                throws IOException, ContextException, io.cxt.cxtp.CxtpDecodeException, io.cxt.cdb.ContextDecodeException {
            try (XfrmClient k = XfrmClient.open()) {
                ContextInstaller installer = new ContextInstaller(k);
                ContextSnapshotter snapshotter = new ContextSnapshotter(k);
                SpiAllocator spis = new SpiAllocator(k, SadLookupCase.DEFAULT);
                for (ActivationWorkload.Site s : w.sites) {
                    addedSas.clear();
                    addedPolicies.clear();
                    try {
                        site(k, installer, snapshotter, spis, s);
                    } catch (Exception e) { // rethrown as it is (precise rethrow: only site()'s exceptions)
                        if (where == Where.AGENT_NAMESPACE) {
                            removeAdded(k);
                        }
                        throw e;
                    }
                }
            }
        }

        /**
         * Removes, by exact identity, the entries put() added for the current site and the kernel accepted (an
         * entry it refused, EEXIST, belongs to someone else and stays); the step's later removals already went.
         */
        private void removeAdded(XfrmClient k) {
            io.cxt.xfrm.XfrmBatch b = new io.cxt.xfrm.XfrmBatch(addedSas.size() + addedPolicies.size());
            addedSas.forEach(key -> b.deleteSa(key, io.cxt.xfrm.XfrmBatch.IfAbsent.IGNORE));
            addedPolicies.forEach(id -> b.deletePolicy(id, io.cxt.xfrm.XfrmBatch.IfAbsent.IGNORE));
            try {
                k.apply(b);
            } catch (IOException | RuntimeException e) {
                LOG.debug("rehearsal: removing its own synthetic state failed (the kernel expires it in 2 min): {}", e.toString());
            }
        }

        private void site(XfrmClient k, ContextInstaller installer, ContextSnapshotter snapshotter, SpiAllocator spis,
                          ActivationWorkload.Site s)
                throws IOException, ContextException, io.cxt.cxtp.CxtpDecodeException, io.cxt.cdb.ContextDecodeException {
            MobileNodeIdentity id = new MobileNodeIdentity(s.hoa, s.pcoa);
            if (esp && !put(k, s.mobileView.securityAssociations(), List.of())) {
                esp = false; // a kernel without ESP (EPROTONOSUPPORT): the policy half still runs
            }
            if (!put(k, List.of(), s.mobileView.policies())) {
                throw new IOException("the MN's policies could not be added");
            }
            MobileNodeContext own = snapshotter.snapshot(id, s.pcoa);
            if (where == Where.AGENT_NAMESPACE) {
                requireSynthetic(own); // replace() below removes what the snapshot found
            }
            RewritePlan plan = RewritePlan.forMobileNode(s.pcoa, s.ncoa, s.par, s.nar, List.of(),
                    new SequenceNumberPolicy(0));
            MobileNodeContext moved = ContextRewriter.rewrite(own, plan, s.nar, s.ncoa);
            installer.replace(own, moved);
            clear(k, moved);

            if (!put(k, esp ? s.context.securityAssociations() : List.of(), s.context.policies())) {
                throw new IOException("the pAR's SAs and policies could not be added");
            }
            MobileNodeContext snap = snapshotter.snapshot(id, s.par);
            if (where == Where.AGENT_NAMESPACE) {
                requireSynthetic(snap);
            }
            List<ContextDataBlock> blocks = ContextBlocks.encode(snap);
            byte[] ctd = CxtpCodec.encode(new ContextTransferData(true, 0, s.pcoa, blocks));
            blocks.forEach(ContextDataBlock::wipe);
            CxtpMessage back = CxtpCodec.decode(ctd);
            java.util.Arrays.fill(ctd, (byte) 0);
            MobileNodeContext received = ContextBlocks.decode(((ContextTransferData) back).contexts());
            SpiReservations reserved = spis.reserveInbound(received, s.nar);
            MobileNodeContext target = ContextRewriter.forTarget(received, s.ncoa, s.nar, reserved.mappings(),
                    SequenceNumberPolicy.DEFAULT);
            clear(k, snap); // the pAR's removal after the CTDR (off the activation path; it logs)
            installer.install(target, reserved, System.nanoTime());
            clear(k, target);
            for (MobileNodeContext c : List.of(own, moved, snap, received, target)) {
                c.discard();
            }
        }

        /**
         * Deletes what the rehearsal put in the kernel (absent entries are fine). In the agent's namespace only
         * state made of the in-place workload's addresses: anything else fails the step before any removal.
         */
        private void clear(XfrmClient k, MobileNodeContext c) throws IOException {
            if (where == Where.AGENT_NAMESPACE) {
                requireSynthetic(c);
            }
            io.cxt.xfrm.XfrmBatch b = new io.cxt.xfrm.XfrmBatch(c.securityAssociations().size() + c.policies().size());
            c.securityAssociations().forEach(sa -> b.deleteSa(sa.key(), io.cxt.xfrm.XfrmBatch.IfAbsent.IGNORE));
            c.policies().forEach(p -> b.deletePolicy(p.id(), io.cxt.xfrm.XfrmBatch.IfAbsent.IGNORE));
            if (!k.apply(b).isEmpty()) {
                throw new IOException("clearing the scratch kernel failed");
            }
        }

        /** Every address of every SA and policy of {@code c} is one of the in-place workload's. */
        private static void requireSynthetic(MobileNodeContext c) throws IOException {
            List<InetAddress> all = new ArrayList<>();
            for (io.cxt.xfrm.SecurityAssociation sa : c.securityAssociations()) {
                all.add(sa.source());
                all.add(sa.destination());
                all.add(sa.info().selector().saddr());
                all.add(sa.info().selector().daddr());
            }
            for (io.cxt.xfrm.SecurityPolicy p : c.policies()) {
                all.add(p.info().selector().saddr());
                all.add(p.info().selector().daddr());
                p.templates().forEach(t -> {
                    all.add(t.saddr());
                    all.add(t.daddr());
                });
            }
            for (InetAddress a : all) {
                if (a != null && !ActivationWorkload.inPlaceAddress(a)) {
                    throw new IOException("refusing to remove state with " + AddressText.of(a)
                            + " from the agent's namespace: not the rehearsal's");
                }
            }
        }

        /** Set-up, not rehearsed: what the IKE daemon would have installed. False when the kernel refused any of it. */
        private boolean put(XfrmClient k, List<io.cxt.xfrm.SecurityAssociation> sas,
                            List<io.cxt.xfrm.SecurityPolicy> policies) throws IOException {
            io.cxt.xfrm.XfrmBatch b = new io.cxt.xfrm.XfrmBatch(sas.size() + policies.size());
            sas.forEach(b::addSa);
            policies.forEach(b::addPolicy);
            List<io.cxt.xfrm.XfrmFailure> refused = k.apply(b);
            java.util.Set<Integer> failed = new java.util.HashSet<>();
            refused.forEach(f -> failed.add(f.index()));
            for (int i = 0; i < sas.size(); i++) {
                if (!failed.contains(i)) {
                    addedSas.add(sas.get(i).key());
                }
            }
            for (int i = 0; i < policies.size(); i++) {
                if (!failed.contains(sas.size() + i)) {
                    addedPolicies.add(policies.get(i).id());
                }
            }
            return refused.isEmpty();
        }

        /** CTAR -> CTAA between a MN's and an AR's ICMP transport on loopback, IPv6 and IPv4. */
        private void icmp() throws Exception {
            KeyBytes key = randomKey(20);
            try {
                for (int family : new int[] {LibC.AF_INET6, LibC.AF_INET}) {
                    InetAddress lo = InetAddress.getByName(family == LibC.AF_INET6 ? "::1" : "127.0.0.1");
                    TransportOptions o = TransportOptions.defaults().withCtarRatePerSecond(0);
                    CxtpTransport[] ar = new CxtpTransport[1];
                    CxtpReceiver answer = (from, m, bytes) -> {
                        if (m instanceof ContextTransferActivateRequest ctar) {
                            try {
                                AuthorizationToken.verify(TokenKeyMaterial.hmacSha1(key), ctar);
                                ar[0].send(from, CxtpCodec.encode(new ContextTransferActivateAcknowledge(
                                        ctar.previousAddress(), List.of())));
                            } catch (IOException e) {
                                // the MN side then times out: reported by the wait below
                            }
                        }
                    };
                    try (CxtpTransport arT = IcmpTransport.open(family, null, answer, o);
                         CxtpTransport mnT = IcmpTransport.open(family, null, (f, m, b) -> { }, o)) {
                        ar[0] = arT;
                        long seq = Integer.toUnsignedLong(random.nextInt());
                        ContextTransferActivateRequest ctar = new ContextTransferActivateRequest(true, lo, lo, seq,
                                AuthorizationToken.compute(key, lo, seq, List.of()), List.of());
                        awaitAck("CTAA over " + (family == LibC.AF_INET6 ? "ICMPv6" : "ICMP"),
                                mnT.send(new InetSocketAddress(lo, 0), CxtpCodec.encode(ctar)));
                    }
                }
            } finally {
                key.wipe();
            }
        }

        /** PCTD, CT-Req, CTD (A) and its CTDR between two protected UDP transports on loopback. */
        private void routerChannel(ActivationWorkload w) throws Exception {
            KeyBytes channelKey = randomKey(RouterChannelProtection.KEY_LENGTH);
            KeyBytes tokenKey = randomKey(20);
            RouterChannelProtection parP = new RouterChannelProtection(1);
            RouterChannelProtection narP = new RouterChannelProtection(2);
            InetAddress lo = InetAddress.getByName("::1");
            InetAddress mnAddress = InetAddress.getByName("::1");
            List<ContextDataBlock> blocks = w.sites.get(0).blocks();
            UdpTransport[] par = new UdpTransport[1];
            CxtpReceiver parReceiver = (from, m, bytes) -> {
                if (m instanceof ContextTransferRequest) {
                    try {
                        par[0].send(from, CxtpCodec.encode(new ContextTransferData(true, 0, mnAddress, blocks)));
                    } catch (IOException e) {
                        // reported as the missing CTD below
                    }
                }
            };
            UdpTransport[] nar = new UdpTransport[1];
            CompletableFuture<Boolean> ctd = new CompletableFuture<>();
            CxtpReceiver narReceiver = (from, m, bytes) -> {
                if (m instanceof ContextTransferData d) {
                    try {
                        ContextBlocks.decode(d.contexts()).discard();
                        nar[0].send(from, CxtpCodec.encode(new ContextTransferDataReply(true, mnAddress, List.of())));
                    } catch (IOException | io.cxt.cdb.ContextDecodeException e) {
                        return; // the pAR's CTD then stays unacknowledged: reported below
                    }
                    ctd.complete(true);
                }
            };
            try (UdpTransport p = UdpTransport.open(new InetSocketAddress(lo, 0), parReceiver,
                    TransportOptions.defaults().withCtarRatePerSecond(0).withProtection(parP));
                 UdpTransport n = UdpTransport.open(new InetSocketAddress(lo, 0), narReceiver,
                    TransportOptions.defaults().withCtarRatePerSecond(0).withProtection(narP))) {
                par[0] = p;
                nar[0] = n;
                parP.addPeer(new RouterPeer(2, n.localAddress(), channelKey));
                narP.addPeer(new RouterPeer(1, p.localAddress(), channelKey));
                p.send(n.localAddress(), CxtpCodec.encode(new PredictiveContextTransferData(false, 0, mnAddress,
                        TokenKeyMaterial.hmacSha1(tokenKey), blocks)));
                long seq = Integer.toUnsignedLong(random.nextInt());
                ContextTransferActivateRequest ctar = new ContextTransferActivateRequest(true, mnAddress, lo, seq,
                        AuthorizationToken.compute(tokenKey, mnAddress, seq, List.of()), List.of());
                n.send(p.localAddress(), CxtpCodec.encode(ContextTransferRequest.forActivateRequest(ctar)));
                try {
                    ctd.get(STEP_WAIT.toMillis(), TimeUnit.MILLISECONDS);
                } catch (java.util.concurrent.TimeoutException e) {
                    throw new IOException("no CTD over the router channel within " + STEP_WAIT.toMillis() + " ms");
                }
            } finally {
                parP.wipeKeys();
                narP.wipeKeys();
                channelKey.wipe();
                tokenKey.wipe();
            }
        }

        /** The text the movement and activation events are made of (java.time and Formatter, first use). */
        private static void eventText() {
            Instant.now().truncatedTo(ChronoUnit.MICROS).toString();
            String.format(Locale.ROOT, "%.3f ms", 1.5);
            String.format("0x%08x", 0xc0000001);
            Map<String, Object> d = new TreeMap<>(Map.of("delayMicros", 1L, "newCareOf", "2001:db8:b::10"));
            d.toString();
            AddressText.of(InetAddress.getLoopbackAddress());
        }

        private void awaitAck(String what, CompletableFuture<SendResult> f) throws Exception {
            SendResult r;
            try {
                r = f.get(STEP_WAIT.toMillis(), TimeUnit.MILLISECONDS);
            } catch (java.util.concurrent.TimeoutException e) {
                throw new IOException("no " + what + " within " + STEP_WAIT.toMillis() + " ms");
            }
            if (r.outcome() != SendResult.Outcome.ACKNOWLEDGED) {
                throw new IOException("no " + what + ": " + r.outcome());
            }
        }

        private KeyBytes randomKey(int length) {
            byte[] k = new byte[length];
            random.nextBytes(k);
            KeyBytes key = KeyBytes.of(k);
            java.util.Arrays.fill(k, (byte) 0);
            return key;
        }
    }
}
