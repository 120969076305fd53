package io.cxt.agent.role;

import java.io.IOException;
import java.net.InetAddress;
import java.util.ArrayList;
import java.util.List;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import io.cxt.agent.role.RuntimeJournal.Entry;
import io.cxt.agent.role.RuntimeJournal.OutboundSa;
import io.cxt.agent.role.RuntimeJournal.OwnedPolicy;
import io.cxt.agent.role.RuntimeJournal.OwnedSa;
import io.cxt.xfrm.IpsecKernel;
import io.cxt.xfrm.SecurityAssociation;
import io.cxt.xfrm.SecurityPolicy;
import io.cxt.xfrm.XfrmError;

/**
 * Removes a journal entry's kernel items that are still the objects journaled (issue 12 item 5): each item is read
 * back and deleted only when its {@link KernelOwnership} fingerprint is the journaled one; absent items are fine;
 * anything else (an operator's policy with the same selector, an SA with the same SPI, a record of an earlier
 * version without a fingerprint) is left alone and logged.
 */
final class JournalItems {
    private static final Logger LOG = LoggerFactory.getLogger(RuntimeJournal.class);

    /** Counts over one or more entries. */
    static final class Removal {
        int removed;
        int leftAlone;
        private List<SecurityAssociation> sad;
    }

    private JournalItems() {
    }

    /** @param router this router's tunnel address (the router side of the templates the fingerprints name) */
    static void remove(IpsecKernel kernel, InetAddress router, Entry e, Removal r) throws IOException {
        for (OwnedPolicy p : e.policies()) {
            SecurityPolicy inKernel = getQuietly(() -> kernel.getPolicy(p.id()));
            if (inKernel == null) {
                continue;
            }
            if (p.fingerprint() != null && p.fingerprint().equals(KernelOwnership.policy(inKernel, router))) {
                r.removed += quietly(() -> kernel.deletePolicy(p.id()));
            } else {
                r.leftAlone++;
                LOG.warn("journal: MN {}: policy {} is not the one journaled: left alone", e.mn(), inKernel.id());
            }
        }
        if (!e.outbound().isEmpty()) {
            if (r.sad == null) {
                r.sad = kernel.dumpSas();
            }
            for (SecurityAssociation sa : r.sad) {
                for (OutboundSa o : e.outbound()) {
                    if (sa.spi() == o.spi() && sa.proto() == o.proto() && sa.source().equals(o.source())) {
                        if (o.fingerprint() != null && o.fingerprint().equals(KernelOwnership.sa(sa))) {
                            r.removed += quietly(() -> kernel.deleteSa(sa.key()));
                        } else {
                            r.leftAlone++;
                            LOG.warn("journal: MN {}: SA spi 0x{} from {} is not the one journaled: left alone",
                                    e.mn(), Integer.toHexString(sa.spi()), sa.source().getHostAddress());
                        }
                    }
                }
            }
        }
        for (OwnedSa k : e.sas()) {
            if (KernelOwnership.LARVAL.equals(k.fingerprint()) && installedAtSameKey(e, k)) {
                continue; // the reservation became the SA journaled beside it
            }
            SecurityAssociation inKernel = getQuietly(() -> kernel.getSa(k.key()));
            if (inKernel == null) {
                continue;
            }
            if (k.fingerprint() != null && KernelOwnership.owns(k.fingerprint(), inKernel)) {
                r.removed += quietly(() -> kernel.deleteSa(k.key()));
            } else {
                r.leftAlone++;
                LOG.warn("journal: MN {}: SA spi 0x{} to {} is not the one journaled: left alone", e.mn(),
                        Integer.toHexString(inKernel.spi()), inKernel.destination().getHostAddress());
            }
        }
    }

    /**
     * Whether an entry is in the kernel as a finished install: at least one item, every item present, every SA
     * past its reservation (not larval) with the journaled fingerprint, every policy with its fingerprint.
     *
     * @param newCareOf the destination of an installed outbound SA (the MN's new care-of address), or null
     */
    record Installed(boolean complete, InetAddress newCareOf) {
    }

    static Installed installed(IpsecKernel kernel, InetAddress router, Entry e) throws IOException {
        if (e.sas().isEmpty() && e.outbound().isEmpty() && e.policies().isEmpty()) {
            return new Installed(false, null);
        }
        for (OwnedPolicy p : e.policies()) {
            SecurityPolicy inKernel = getQuietly(() -> kernel.getPolicy(p.id()));
            if (inKernel == null || p.fingerprint() == null || !p.fingerprint().equals(KernelOwnership.policy(inKernel, router))) {
                return new Installed(false, null);
            }
        }
        for (OwnedSa k : e.sas()) {
            SecurityAssociation inKernel = getQuietly(() -> kernel.getSa(k.key()));
            if (inKernel == null || k.fingerprint() == null || KernelOwnership.isLarval(inKernel)
                    || !(KernelOwnership.LARVAL.equals(k.fingerprint()) || k.fingerprint().equals(KernelOwnership.sa(inKernel)))) {
                return new Installed(false, null);
            }
        }
        InetAddress careOf = null;
        if (!e.outbound().isEmpty()) {
            List<SecurityAssociation> sad = kernel.dumpSas();
            for (OutboundSa o : e.outbound()) {
                SecurityAssociation found = null;
                for (SecurityAssociation sa : sad) {
                    if (sa.spi() == o.spi() && sa.proto() == o.proto() && sa.source().equals(o.source())
                            && o.fingerprint() != null && o.fingerprint().equals(KernelOwnership.sa(sa))) {
                        found = sa;
                    }
                }
                if (found == null) {
                    return new Installed(false, null);
                }
                careOf = found.destination();
            }
        }
        return new Installed(true, careOf);
    }

    private static boolean installedAtSameKey(Entry e, OwnedSa larval) {
        for (OwnedSa k : e.sas()) {
            if (k != larval && k.key().equals(larval.key()) && !KernelOwnership.LARVAL.equals(k.fingerprint())) {
                return true;
            }
        }
        return false;
    }

    private interface KernelRead<T> {
        T get() throws IOException;
    }

    private static <T> T getQuietly(KernelRead<T> read) throws IOException {
        try {
            return read.get();
        } catch (IOException e) {
            if (XfrmError.of(e).absent()) {
                return null;
            }
            throw e;
        }
    }

    private interface KernelOp {
        void run() throws IOException;
    }

    private static int quietly(KernelOp op) throws IOException {
        try {
            op.run();
            return 1;
        } catch (IOException e) {
            if (XfrmError.of(e).absent()) {
                return 0;
            }
            throw e;
        }
    }

    /** The journal's record of a held context: ids with fingerprints ({@link KernelOwnership}), no keys. */
    static Entry held(InetAddress local, InetAddress prev, io.cxt.context.MobileNodeContext ctx,
            io.cxt.context.SpiReservations res) {
        List<OwnedSa> sas = new ArrayList<>();
        for (io.cxt.xfrm.SaKey k : res.held()) {
            sas.add(new OwnedSa(k, KernelOwnership.LARVAL));
        }
        List<OutboundSa> out = new ArrayList<>();
        for (SecurityAssociation sa : ctx.securityAssociations()) {
            if (sa.source().equals(local) || sa.source().equals(ctx.sourceRouter())) {
                out.add(new OutboundSa(local, sa.spi(), sa.proto(), KernelOwnership.sa(sa)));
            } else if (ctx.isRewritten()) {
                sas.add(new OwnedSa(sa.key(), KernelOwnership.sa(sa)));
            }
        }
        // the router side of a not yet rewritten context's templates is the pAR's address; installed, it is ours
        InetAddress routerSide = ctx.isRewritten() ? local : ctx.sourceRouter();
        List<OwnedPolicy> pols = new ArrayList<>();
        for (SecurityPolicy p : ctx.policies()) {
            pols.add(new OwnedPolicy(p.id(), KernelOwnership.policy(p, routerSide)));
        }
        return new Entry(io.cxt.xfrm.AddressText.of(prev), sas, out, pols);
    }
}
