package io.cxt.context;

import java.io.IOException;
import java.net.InetAddress;
import java.time.Clock;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import io.cxt.xfrm.AddressFamily;
import io.cxt.xfrm.AddressFilter;
import io.cxt.xfrm.ReplayLifetimeState;
import io.cxt.xfrm.SecurityAssociation;
import io.cxt.xfrm.SecurityPolicy;
import io.cxt.xfrm.Selector;
import io.cxt.xfrm.UserTemplate;
import io.cxt.xfrm.IpsecKernel;

/**
 * Takes a mobile node's complete context out of a kernel (any namespace): the SAs to or from its
 * care-of address, the policies whose selectors or templates name it, and fresh replay and lifetime
 * state through GETAE.
 *
 * <p><b>Consistency.</b> The SAD and the SPD cannot be read atomically together: an IKE daemon may
 * rekey (add a new SA, delete the old one) or replace a policy between the SA dump and the policy
 * dump, so a naive snapshot could hold a policy whose SA it never saw. Each dump on its own is
 * consistent (the socket restarts a dump the kernel flags NLM_F_DUMP_INTR). Across the two, the
 * snapshot puts up an <em>event fence</em>: before the first dump it joins the kernel's SA, policy
 * and expire notification groups on a second socket, and after the last dump it drains that socket.
 * If any notification that could concern this MN arrived in between (its payload contains one of
 * the MN's addresses; a flush always counts; a receive-buffer overrun always counts), the snapshot
 * is retaken. Matching on the address octets is deliberately coarse: a false positive costs one
 * retry, a false negative could lose an SA.
 *
 * <p><b>Many MNs.</b> {@link #snapshotAll} reads the SAD and the SPD once for all MNs (under one
 * fence) and partitions them by address, instead of dumping per MN.
 */
public final class ContextSnapshotter {

    private static final Logger LOG = LoggerFactory.getLogger(ContextSnapshotter.class);
    private static final int MAX_ATTEMPTS = 8;

    private final IpsecKernel client;
    private final Clock clock;

    public ContextSnapshotter(IpsecKernel client) {
        this(client, Clock.systemUTC());
    }

    public ContextSnapshotter(IpsecKernel client, Clock clock) {
        this.client = client;
        this.clock = clock;
    }

    /**
     * Snapshot of one MN on this router.
     *
     * @param mn           the MN (its care-of address is required; the home address widens the
     *                     policy match)
     * @param localRouter  this router's tunnel address (the pAR address recorded in the context)
     */
    public MobileNodeContext snapshot(MobileNodeIdentity mn, InetAddress localRouter) throws IOException, ContextException {
        try (IpsecKernel.ChangeFence fence = client.openChangeFence()) {
            for (int attempt = 1; attempt <= MAX_ATTEMPTS; attempt++) {
                fence.arm();
                List<SecurityAssociation> sas = dumpSasOf(mn.careOfAddress());
                List<SecurityPolicy> policies = new ArrayList<>();
                for (SecurityPolicy p : client.dumpPolicies()) {
                    if (names(p, mn) && governsMobileNode(p, mn)) {
                        policies.add(p);
                    }
                }
                if (fenceCrossed(fence, List.of(mn))) {
                    LOG.debug("{}: SAD/SPD changed during snapshot, retrying ({}/{})", mn.label(), attempt, MAX_ATTEMPTS);
                    continue;
                }
                List<SecurityAssociation> fresh = new ArrayList<>(sas.size());
                for (SecurityAssociation sa : sas) {
                    fresh.add(withFreshState(sa));
                }
                return MobileNodeContext.snapshot(mn, localRouter, fresh, policies, clock.instant());
            }
        }
        throw new ContextException(mn.label() + ": SAD/SPD kept changing during " + MAX_ATTEMPTS
                + " snapshot attempts; try again when the IKE daemon is idle");
    }

    /**
     * Snapshots of many MNs from one SAD dump and one SPD dump, under one fence. State comes from
     * the dump itself (a dump carries the replay and lifetime state as of that moment), not from a
     * GETAE per SA.
     */
    public Map<MobileNodeIdentity, MobileNodeContext> snapshotAll(Collection<MobileNodeIdentity> mns,
                                                                  InetAddress localRouter)
            throws IOException, ContextException {
        try (IpsecKernel.ChangeFence fence = client.openChangeFence()) {
            for (int attempt = 1; attempt <= MAX_ATTEMPTS; attempt++) {
                fence.arm();
                List<SecurityAssociation> allSas = client.dumpSas();
                List<SecurityPolicy> allPolicies = client.dumpPolicies();
                if (fenceCrossed(fence, mns)) {
                    continue;
                }
                Map<InetAddress, List<SecurityAssociation>> saByEndpoint = new HashMap<>();
                for (SecurityAssociation sa : allSas) {
                    saByEndpoint.computeIfAbsent(sa.source(), k -> new ArrayList<>()).add(sa);
                    if (!sa.destination().equals(sa.source())) {
                        saByEndpoint.computeIfAbsent(sa.destination(), k -> new ArrayList<>()).add(sa);
                    }
                }
                Map<InetAddress, List<SecurityPolicy>> policyByAddress = new HashMap<>();
                for (SecurityPolicy p : allPolicies) {
                    for (InetAddress a : namedAddresses(p)) {
                        policyByAddress.computeIfAbsent(a, k -> new ArrayList<>()).add(p);
                    }
                }
                Map<MobileNodeIdentity, MobileNodeContext> out = new LinkedHashMap<>();
                var now = clock.instant();
                for (MobileNodeIdentity mn : mns) {
                    List<SecurityAssociation> sas = saByEndpoint.getOrDefault(mn.careOfAddress(), List.of());
                    Set<SecurityPolicy> ps = new LinkedHashSet<>(policyByAddress.getOrDefault(mn.careOfAddress(), List.of()));
                    if (mn.homeAddress() != null) {
                        ps.addAll(policyByAddress.getOrDefault(mn.homeAddress(), List.of()));
                    }
                    ps.removeIf(p -> !governsMobileNode(p, mn));
                    out.put(mn, MobileNodeContext.snapshot(mn, localRouter, sas, new ArrayList<>(ps), now));
                }
                return out;
            }
        }
        throw new ContextException("SAD/SPD kept changing during " + MAX_ATTEMPTS + " bulk snapshot attempts");
    }

    /** SAs with the care-of address as source or destination: two filtered dumps. */
    private List<SecurityAssociation> dumpSasOf(InetAddress coa) throws IOException {
        int family = AddressFamily.of(coa);
        int full = AddressFamily.maxPrefix(family);
        var any = io.cxt.xfrm.XfrmStructs.any(family);
        List<SecurityAssociation> out = new ArrayList<>(client.dumpSas(new AddressFilter(coa, any, family, full, 0)));
        for (SecurityAssociation sa : client.dumpSas(new AddressFilter(any, coa, family, 0, full))) {
            if (!sa.source().equals(coa)) { // an SA from the CoA to itself is already in
                out.add(sa);
            }
        }
        return out;
    }

    /** Replaces the dump's replay and lifetime state with what GETAE says now. */
    private SecurityAssociation withFreshState(SecurityAssociation sa) throws IOException {
        ReplayLifetimeState st = client.getReplayLifetime(sa.key());
        SecurityAssociation.Builder b = sa.toBuilder();
        if (st.replayEsn() != null) {
            b.replayEsn(st.replayEsn());
        } else if (st.replay() != null) {
            b.replay(st.replay());
        }
        if (st.lifetime() != null) {
            b.info(sa.info().withCurrent(st.lifetime()));
        }
        return b.build();
    }

    private static boolean fenceCrossed(IpsecKernel.ChangeFence fence, Collection<MobileNodeIdentity> mns) throws IOException {
        List<InetAddress> addresses = new ArrayList<>(mns.size() * 2);
        for (MobileNodeIdentity mn : mns) {
            addresses.add(mn.careOfAddress());
            if (mn.homeAddress() != null) {
                addresses.add(mn.homeAddress());
            }
        }
        return fence.crossed(addresses);
    }

    /** Whether a policy's selector (host entries) or templates name one of the MN's addresses. */
    static boolean names(SecurityPolicy p, MobileNodeIdentity mn) {
        for (InetAddress a : namedAddresses(p)) {
            if (mn.owns(a)) {
                return true;
            }
        }
        return false;
    }

    /**
     * Whether a policy that names the MN belongs to its context: it protects traffic through an
     * IPsec template that ends at the MN (a tunnel template with the MN's care-of address as one
     * end, or a transport template on a selector naming the MN). A router's own policies that only
     * name the MN (a block policy guarding its home address, a bypass present on every router)
     * have no such template, govern no SA of the MN and are not moved (issue 12 item 5).
     */
    static boolean governsMobileNode(SecurityPolicy p, MobileNodeIdentity mn) {
        for (UserTemplate t : p.templates()) {
            if (mn.owns(t.daddr()) || mn.owns(t.saddr())) {
                return true;
            }
            if (t.mode() == 0) { // transport mode: the template's addresses may be left unset
                return true;
            }
        }
        return false;
    }

    static List<InetAddress> namedAddresses(SecurityPolicy p) {
        List<InetAddress> out = new ArrayList<>(4);
        Selector s = p.selector();
        int full = AddressFamily.maxPrefix(s.family());
        if (s.prefixlenD() == full) {
            out.add(s.daddr());
        }
        if (s.prefixlenS() == full) {
            out.add(s.saddr());
        }
        for (UserTemplate t : p.templates()) {
            out.add(t.daddr());
            out.add(t.saddr());
        }
        return out;
    }
}
