package io.cxt.xfrm;

import java.io.IOException;
import java.net.InetAddress;
import java.util.Collection;
import java.util.List;

/**
 * The kernel's IPsec databases (SAD and SPD) as the context engine and the roles use them, and
 * nothing more: look up and dump SAs and policies, reserve an SPI, read an SA's replay state, and
 * change anything in one {@link XfrmBatch}. Modelled on strongSwan's {@code kernel_ipsec_t}
 * (src/libcharon/kernel/kernel_ipsec.h): one small interface the state machines talk to, records
 * as parameters ({@link SaKey}, {@link PolicyId}, {@link AllocSpiRequest}, {@link XfrmBatch}
 * entries) instead of long parameter lists, and backends behind it.
 *
 * <p>Backends: {@link XfrmClient} (netlink, the real kernel of one namespace) and
 * {@link InMemoryIpsecKernel} (a model of the SAD/SPD rules the engine relies on, for unit tests
 * of the role state machines that run without root). The kernel test suite is the truth for what
 * the model assumes.
 *
 * <p><b>Failures.</b> A refusal is reported the same way by every backend: single operations throw
 * an {@link IOException} whose {@link XfrmError#of(Throwable)} names the case ({@code ESRCH}: no
 * such SA, {@code ENOENT}: no such policy or no free SPI in the range, {@code EEXIST}: already
 * there, {@code EINVAL}: e.g. NEWAE on a larval SA), and {@link #apply} returns one
 * {@link XfrmFailure} per refused entry, by index. A kernel answer that does not decode is an
 * {@link IOException} too (never the codecs' unchecked {@code MalformedNetlinkException}), so a
 * caller handles one checked failure per call.
 */
public interface IpsecKernel {

    /**
     * A fence over SAD/SPD changes: whether anything that may concern some addresses changed
     * between {@link #arm} and {@link #crossed} (two dumps cannot be read atomically together).
     */
    interface ChangeFence extends AutoCloseable {
        /** Forgets every change so far. */
        void arm() throws IOException;

        /** Whether, since {@link #arm}, a change may concern one of {@code addresses} (nulls skipped). */
        boolean crossed(Collection<InetAddress> addresses) throws IOException;

        @Override
        void close();
    }

    /** ALLOCSPI ({@code get_spi}): a larval SA with an SPI from the request's range; ENOENT if none is free. */
    SecurityAssociation allocSpi(AllocSpiRequest request) throws IOException;

    /** GETSA ({@code query_sa}); ESRCH if there is none. */
    SecurityAssociation getSa(SaKey key) throws IOException;

    /** GETAE: an SA's replay counters and current lifetime; ESRCH if there is no such SA. */
    ReplayLifetimeState getReplayLifetime(SaKey key) throws IOException;

    /** Every SA (larval ones included), or only those {@code filter} matches when it is not null. */
    List<SecurityAssociation> dumpSas(AddressFilter filter) throws IOException;

    /** GETPOLICY ({@code query_policy}); ENOENT if there is none. */
    SecurityPolicy getPolicy(PolicyId id) throws IOException;

    /** Every policy. */
    List<SecurityPolicy> dumpPolicies() throws IOException;

    /**
     * Applies a batch in order (every entry is tried) and returns the refused entries, leaving out
     * deletes of absent entries marked {@link XfrmBatch.IfAbsent#IGNORE}. Empty: all took effect.
     */
    List<XfrmFailure> apply(XfrmBatch batch) throws IOException;

    /** A change fence on this kernel; the caller closes it. */
    ChangeFence openChangeFence() throws IOException;

    /** Every SA. */
    default List<SecurityAssociation> dumpSas() throws IOException {
        return dumpSas(null);
    }

    /** NEWSA, create-exclusive; EEXIST if the SA is there. */
    default void addSa(SecurityAssociation sa) throws IOException {
        applyOne(new XfrmBatch(1).addSa(sa));
    }

    /** UPDSA: completes a larval SA or updates a valid one; ESRCH if there is none. */
    default void updateSa(SecurityAssociation sa) throws IOException {
        applyOne(new XfrmBatch(1).updateSa(sa));
    }

    /** DELSA; ESRCH if there is none. */
    default void deleteSa(SaKey key) throws IOException {
        applyOne(new XfrmBatch(1).deleteSa(key));
    }

    /** DELPOLICY; ENOENT if there is none. */
    default void deletePolicy(PolicyId id) throws IOException {
        applyOne(new XfrmBatch(1).deletePolicy(id));
    }

    /** Applies a batch and throws the first refusal's cause. */
    private void applyOne(XfrmBatch batch) throws IOException {
        List<XfrmFailure> failures = apply(batch);
        if (!failures.isEmpty()) {
            throw failures.get(0).cause();
        }
    }
}
