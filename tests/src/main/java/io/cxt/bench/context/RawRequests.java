package io.cxt.bench.context;

import java.net.InetAddress;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;

import io.cxt.context.MobileNodeContext;
import io.cxt.context.SpiReservations;
import io.cxt.xfrm.AddressFilter;
import io.cxt.xfrm.AllocSpiRequest;
import io.cxt.xfrm.PolicyInfo;
import io.cxt.xfrm.SecurityAssociation;
import io.cxt.xfrm.SecurityPolicy;
import io.cxt.xfrm.StateOperations;
import io.cxt.xfrm.XfrmBatch;
import io.cxt.xfrm.XfrmStructs;

/**
 * The netlink messages cxt sends for one MN, encoded ahead of time so that the kernel's own cost
 * of them can be measured with nothing of cxt in between. Each builder mirrors what the cxt class
 * named in its comment puts on the wire; {@link #sameBytes} (and {@link XfrmBatch#sameEntries}, which
 * compares payloads by content) let the benchmark check, run by run, that the bytes really are
 * the ones cxt sent.
 */
public final class RawRequests {

    private RawRequests() {
    }

    /**
     * ContextSnapshotter.snapshot's two filtered GETSA dump requests: SAs from the care-of address,
     * then SAs to it.
     */
    static List<byte[]> snapshotSaDumps(InetAddress careOf) {
        int full = 128;
        InetAddress any = XfrmStructs.any(MobileNodeFixtures.AF_INET6);
        return List.of(
                StateOperations.dumpRequest(new AddressFilter(careOf, any, MobileNodeFixtures.AF_INET6, full, 0), null),
                StateOperations.dumpRequest(new AddressFilter(any, careOf, MobileNodeFixtures.AF_INET6, 0, full), null));
    }

    /** ContextSnapshotter.snapshot's GETAE requests, one per SA found. */
    static List<byte[]> snapshotGetAe(MobileNodeContext snapshot) {
        List<byte[]> out = new ArrayList<>();
        for (SecurityAssociation sa : snapshot.securityAssociations()) {
            out.add(StateOperations.getAeRequest(sa.key()));
        }
        return out;
    }

    /** SpiAllocator.reserveInbound's exact ALLOCSPI (min == max) for each SA inbound to the target. */
    static List<byte[]> allocSpi(MobileNodeContext snapshot, InetAddress targetRouter) {
        List<byte[]> out = new ArrayList<>();
        for (SecurityAssociation sa : snapshot.securityAssociations()) {
            if (sa.destination().equals(snapshot.sourceRouter())) {
                out.add(AllocSpiRequest.of(snapshot.mobileNode().careOfAddress(), targetRouter, sa.proto(), sa.reqid(),
                        sa.info().mode(), sa.mark(), sa.ifId(), sa.spi(), sa.spi()).toBytes());
            }
        }
        return out;
    }

    /**
     * ContextInstaller.install's batch: SAs in context order (UPDSA over a reserved larval SA, NEWSA
     * otherwise), then policies out, fwd, in.
     */
    public static XfrmBatch install(MobileNodeContext rewritten, SpiReservations reservations) {
        XfrmBatch requests = new XfrmBatch();
        for (SecurityAssociation sa : rewritten.securityAssociations()) {
            if (reservations.holds(sa.key())) {
                requests.updateSa(sa);
            } else {
                requests.addSa(sa);
            }
        }
        List<SecurityPolicy> policies = new ArrayList<>(rewritten.policies());
        policies.sort(Comparator.comparingInt(RawRequests::installRank));
        for (SecurityPolicy p : policies) {
            requests.addPolicy(p);
        }
        return requests;
    }

    private static int installRank(SecurityPolicy p) {
        return switch (p.direction()) {
            case PolicyInfo.DIR_OUT -> 0;
            case PolicyInfo.DIR_FWD -> 1;
            default -> 2;
        };
    }

    static boolean sameBytes(List<byte[]> a, List<byte[]> b) {
        if (a.size() != b.size()) {
            return false;
        }
        for (int i = 0; i < a.size(); i++) {
            if (!Arrays.equals(a.get(i), b.get(i))) {
                return false;
            }
        }
        return true;
    }

    static int totalBytes(XfrmBatch requests) {
        return requests.wireBytes().length;
    }
}
