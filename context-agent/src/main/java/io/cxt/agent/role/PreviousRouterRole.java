package io.cxt.agent.role;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import io.cxt.agent.control.ControlException;
import io.cxt.agent.view.OperationResult;
import io.cxt.cdb.ContextBlocks;
import io.cxt.context.ContextException;
import io.cxt.context.MobileNodeContext;
import io.cxt.context.MobileNodeIdentity;
import io.cxt.cxtp.AuthorizationToken;
import io.cxt.cxtp.ContextDataBlock;
import io.cxt.cxtp.ContextTransferActivateRequest;
import io.cxt.cxtp.ContextTransferData;
import io.cxt.cxtp.ContextTransferDataReply;
import io.cxt.cxtp.ContextTransferRequest;
import io.cxt.cxtp.CxtpCodec;
import io.cxt.cxtp.CxtpMessage;
import io.cxt.cxtp.PredictiveContextTransferData;
import io.cxt.cxtp.TokenKeyMaterial;
import io.cxt.xfrm.AddressText;
import io.cxt.xfrm.KeyBytes;

import io.cxt.agent.role.RouterCore.Peer;
import io.cxt.agent.role.RouterCore.Sent;

/**
 * The pAR side of an {@link AccessRouterAgent} (RFC 4067 5.1): snapshots a MN's context and pushes
 * it (PCTD) on a transfer command or a trigger CTAR from the MN, answers a nAR's CT-Req (CTD, or
 * PCTD for the null token), and removes the MN's state once the nAR reports success (CTDR S=1) or
 * the handover timer of a reactive transfer expires. State and helpers are shared with the nAR
 * side through {@link RouterCore} (one lock).
 */
final class PreviousRouterRole {

    private static final Logger LOG = LoggerFactory.getLogger(AccessRouterAgent.class);

    private final RouterCore core;

    PreviousRouterRole(RouterCore core) {
        this.core = core;
    }

    MobileNodeContext snapshotWithIke(MobileNodeIdentity mn) throws IOException, ContextException {
        MobileNodeContext snap = core.snapshotter.snapshot(mn, core.settings.tunnelAddress());
        var source = core.ikeContextSource;
        io.cxt.context.IkeContextSlot ike = source == null ? null : source.apply(mn);
        return ike == null ? snap : snap.withIkeContext(ike);
    }

    /**
     * Journals what the transfer moves away, before the PCTD or CTD leaves: a restarted agent must still remove it
     * when the nAR's CTDR comes (issue 12 item 6).
     */
    private Sent journaled(Sent s, InetAddress mobileNode) {
        List<RuntimeJournal.OwnedSa> sas = new java.util.ArrayList<>();
        for (io.cxt.xfrm.SecurityAssociation sa : s.snapshot.securityAssociations()) {
            sas.add(new RuntimeJournal.OwnedSa(sa.key(), KernelOwnership.sa(sa)));
        }
        List<RuntimeJournal.OwnedPolicy> pols = new java.util.ArrayList<>();
        for (io.cxt.xfrm.SecurityPolicy p : s.snapshot.policies()) {
            pols.add(new RuntimeJournal.OwnedPolicy(p.id(), KernelOwnership.policy(p, core.settings.tunnelAddress())));
        }
        s.journalSerial = core.journal.sent(new RuntimeJournal.Entry(AddressText.of(mobileNode), sas, List.of(), pols),
                s.peer.settings.name(), s.predictive);
        return s;
    }

    /** Caller holds the lock: records a context sent to a peer (replacing an older one) and starts its handover timer. */
    private void remember(InetAddress mobileNode, Sent s) {
        rememberUntil(mobileNode, s, System.nanoTime() + core.settings.handoverTimeout().toNanos());
    }

    private void rememberUntil(InetAddress mobileNode, Sent s, long deadlineNanos) {
        Sent old = core.sent.put(mobileNode, s);
        if (old != null && old.timer != null) {
            old.timer.cancel(false);
        }
        s.deadlineNanos = deadlineNanos;
        s.timer = core.schedule(() -> sentExpired(mobileNode, s), java.time.Duration.ofNanos(deadlineNanos - System.nanoTime()));
    }

    /** MNs whose predictive context is to be sent again (guarded by core.lock). */
    private final java.util.Set<InetAddress> refreshing = new java.util.HashSet<>();

    /**
     * charon syncs one exchange as several HA messages within a millisecond or two: one refresh for all of them.
     * Short against the time between a PCTD and the MN's CTAR, which the refresh has to beat.
     */
    static final java.time.Duration REFRESH_COALESCING = java.time.Duration.ofMillis(5);

    /**
     * pAR (issue 10): the IKE daemon's state of an IKE SA changed. A context pushed predictively and not yet
     * answered by a CTDR carries that SA as it was at the PCTD: after a later exchange with the MN (a liveness
     * check, a CHILD_SA rekey) the nAR's copy would have old message IDs or CHILD_SAs, and the MN's next request
     * through the nAR would be ignored. So the PCTD is sent again, until the CTDR, keeping the first one's deadline, with
     * the Elapsed Time since the first (RFC 4067): the nAR takes it only in place of the context it holds from here.
     */
    void ikeSaChanged(long spiInitiator, long spiResponder) {
        synchronized (core.lock) {
            for (Map.Entry<InetAddress, Sent> e : core.sent.entrySet()) {
                Sent s = e.getValue();
                io.cxt.context.IkeContextSlot slot = s.snapshot.ikeContext();
                if (s.predictive && slot != null && slot.spiInitiator() == spiInitiator && slot.spiResponder() == spiResponder
                        && refreshing.add(e.getKey())) {
                    InetAddress mn = e.getKey();
                    core.schedule(() -> refresh(mn), REFRESH_COALESCING);
                }
            }
        }
    }

    private void refresh(InetAddress mobileNode) {
        byte[] bytes;
        Sent s;
        MobileNodeContext snap;
        synchronized (core.lock) {
            refreshing.remove(mobileNode);
            Sent was = core.sent.get(mobileNode);
            KeyBytes key = core.tokenKeys.get(mobileNode);
            if (was == null || !was.predictive || was.restoredItems != null || key == null) {
                return; // the CTDR came, the transfer expired, or a previous run sent it
            }
            try {
                snap = snapshotWithIke(new MobileNodeIdentity(core.homeAddresses.get(mobileNode), mobileNode));
            } catch (IOException | ContextException e) {
                core.emit("transfer-failed", mobileNode, "snapshot for refreshing the PCTD to " + was.peer.settings.name()
                        + " failed: " + e.getMessage() + "; the nAR keeps the older context");
                return;
            }
            if (snap.ikeContext() == null || was.snapshot.ikeContext() != null
                    && java.util.Arrays.equals(snap.ikeContext().encoded(), was.snapshot.ikeContext().encoded())) {
                snap.discard();
                return;
            }
            // RFC 4067's Elapsed Time, since the first PCTD: the nAR tells an update from a new transfer by it
            long elapsed = Math.min(0xffffffffL, Math.max(1, (System.nanoTime() - was.firstSentNanos) / 1_000_000));
            bytes = encoded(snap, blocks -> new PredictiveContextTransferData(false, elapsed, mobileNode,
                    TokenKeyMaterial.hmacSha1(key), blocks));
            s = new Sent(snap, was.peer, true);
            s.firstSentNanos = was.firstSentNanos;
            rememberUntil(mobileNode, journaled(s, mobileNode), was.deadlineNanos);
            was.snapshot.discard();
        }
        boolean sentOk = core.send(s.peer, bytes);
        int octets = bytes.length;
        java.util.Arrays.fill(bytes, (byte) 0);
        if (sentOk) {
            core.emit("context-sent", mobileNode, "predictive PCTD to " + s.peer.settings.name() + " again: the MN's IKE SA"
                    + " changed here after the first (" + snap.securityAssociations().size() + " SAs, " + octets + " octets)");
        } else {
            core.emit("transfer-failed", mobileNode, "could not send the refreshed PCTD to " + s.peer.settings.name()
                    + "; the nAR keeps the older context");
        }
    }

    /**
     * Predictive transfer (pAR): snapshots the MN at {@code mobileNode} (its care-of address here)
     * and sends a PCTD to the peer {@code to} (name, CXTP address or tunnel address).
     */
    public OperationResult transfer(InetAddress mobileNode, String to) throws ControlException {
        Peer peer = core.peer(to);
        KeyBytes key = core.tokenKeys.get(mobileNode);
        if (key == null) {
            throw new ControlException("no token key for MN " + AddressText.of(mobileNode)
                    + " (configure it in a [[mobile-node]] table, or with token-key-source = \"ike\" import the MN's"
                    + " IKE SA: cxctl ike import FILE --mn " + AddressText.of(mobileNode) + ")");
        }
        long t0 = System.nanoTime();
        MobileNodeContext snap;
        synchronized (core.lock) {
            try {
                snap = snapshotWithIke(new MobileNodeIdentity(core.homeAddresses.get(mobileNode), mobileNode));
            } catch (IOException | ContextException e) {
                core.emit("transfer-failed", mobileNode, "snapshot failed: " + e.getMessage());
                throw new ControlException("snapshot of MN " + AddressText.of(mobileNode) + " failed: " + e.getMessage(), e);
            }
        }
        if (snap.securityAssociations().isEmpty() && snap.policies().isEmpty()) {
            core.emit("transfer-failed", mobileNode, "no SAs or policies for this MN in the kernel");
            throw new ControlException("MN " + AddressText.of(mobileNode) + " has no SAs or policies here");
        }
        return push(mobileNode, snap, peer, key, t0);
    }

    OperationResult push(InetAddress mobileNode, MobileNodeContext snap, String to) throws ControlException {
        KeyBytes key = core.tokenKeys.get(mobileNode);
        if (key == null) {
            throw new ControlException("no token key for MN " + AddressText.of(mobileNode));
        }
        return push(mobileNode, snap, core.peer(to), key, System.nanoTime());
    }

    OperationResult push(InetAddress mobileNode, MobileNodeContext snap, Peer peer, KeyBytes key, long t0)
            throws ControlException {
        return push(mobileNode, snap, peer, key, t0, 0);
    }

    /** As above, with the PCTD's Elapsed Time (tests: an update of an earlier transfer). */
    OperationResult push(InetAddress mobileNode, MobileNodeContext snap, Peer peer, KeyBytes key, long t0, long elapsedMillis)
            throws ControlException {
        byte[] bytes;
        synchronized (core.lock) {
            bytes = encoded(snap, blocks -> new PredictiveContextTransferData(false, elapsedMillis, mobileNode,
                    TokenKeyMaterial.hmacSha1(key), blocks));
            remember(mobileNode, journaled(new Sent(snap, peer, true), mobileNode));
        }
        CrashPoint.reached("par.sent");
        boolean sentOk = core.send(peer, bytes);
        CrashPoint.reached("par.transferred");
        java.util.Arrays.fill(bytes, (byte) 0); // the transport keeps its own copy as long as it needs one
        if (!sentOk) {
            throw new ControlException("could not send the PCTD to " + peer.settings.name());
        }
        long us = (System.nanoTime() - t0) / 1000;
        core.emit("context-sent", mobileNode, "predictive PCTD to " + peer.settings.name() + ": " + snap.securityAssociations().size()
                + " SAs (" + RouterText.spis(snap) + "), " + snap.policies().size() + " policies, " + bytes.length + " octets");
        Map<String, Object> d = new LinkedHashMap<>();
        d.put("pctdOctets", bytes.length);
        d.put("sas", snap.securityAssociations().size());
        d.put("policies", snap.policies().size());
        d.put("micros", us);
        d.put("peer", peer.settings.name());
        return new OperationResult(true, "MN " + AddressText.of(mobileNode) + ": context sent to "
                + peer.settings.name() + " (predictive, " + bytes.length + " octets)", d);
    }

    /** pAR: the nAR asks for a MN's context (reactive). */
    void contextRequest(Peer peer, ContextTransferRequest req) {
        InetAddress prev = req.previousAddress();
        KeyBytes key = core.tokenKeys.get(prev);
        if (key == null) {
            core.emit("ctreq-rejected", prev, "CT-Req from " + peer.settings.name() + " for an MN this router does not serve");
            core.count(RouterCounter.CTREQ_REJECTED);
            return;
        }
        if (!req.hasNullToken()) {
            if (!AuthorizationToken.verify(key, req)) {
                core.emit("ctreq-rejected", prev, "CT-Req from " + peer.settings.name() + " with a wrong token (sequence "
                        + req.sequenceNumber() + "); no context sent");
                core.count(RouterCounter.CTREQ_REJECTED);
                return;
            }
            if (core.usedSequences.putIfAbsent(AddressText.of(prev) + "|" + req.sequenceNumber(), Boolean.TRUE) != null
                    && !askedAgain(peer, prev)) {
                core.emit("ctreq-rejected", prev, "CT-Req from " + peer.settings.name() + " repeats sequence "
                        + req.sequenceNumber() + "; no context sent");
                core.count(RouterCounter.CTREQ_REPLAYED);
                return;
            }
        }
        MobileNodeContext snap;
        byte[] bytes;
        synchronized (core.lock) {
            try {
                snap = snapshotWithIke(new MobileNodeIdentity(core.homeAddresses.get(prev), prev));
            } catch (IOException | ContextException e) {
                core.emit("transfer-failed", prev, "snapshot for CT-Req from " + peer.settings.name() + " failed: " + e.getMessage());
                return;
            }
            if (snap.securityAssociations().isEmpty() && snap.policies().isEmpty()) {
                core.emit("transfer-failed", prev, "CT-Req from " + peer.settings.name() + ": no SAs or policies here");
                return;
            }
            bytes = encoded(snap, blocks -> req.hasNullToken()
                    ? new PredictiveContextTransferData(true, 0, prev, TokenKeyMaterial.hmacSha1(key), blocks)
                    : new ContextTransferData(true, 0, prev, blocks));
            remember(prev, journaled(new Sent(snap, peer, false), prev));
        }
        CrashPoint.reached("par.sent");
        core.count(RouterCounter.CTREQ_ANSWERED);
        core.send(peer, bytes);
        CrashPoint.reached("par.transferred");
        int octets = bytes.length;
        java.util.Arrays.fill(bytes, (byte) 0);
        core.emit("context-sent", prev, "reactive " + (req.hasNullToken() ? "PCTD" : "CTD") + " to " + peer.settings.name()
                + ": " + snap.securityAssociations().size() + " SAs (" + RouterText.spis(snap) + "), " + snap.policies().size()
                + " policies, " + octets + " octets");
    }

    /**
     * Whether a CT-Req repeating a CTAR's sequence comes from the peer this router sent that MN's context to and
     * has not heard back from: that nAR lost the CTD (it restarted, issue 12 item 6) and the MN retransmitted its
     * CTAR, so it is answered again. From anyone else it is a replay.
     */
    private boolean askedAgain(Peer peer, InetAddress prev) {
        synchronized (core.lock) {
            Sent s = core.sent.get(prev);
            return s != null && s.peer == peer && !s.predictive;
        }
    }

    /** pAR: the nAR reports the outcome. */
    void dataReply(Peer peer, ContextTransferDataReply r) {
        InetAddress prev = r.previousAddress();
        Sent s;
        synchronized (core.lock) {
            s = core.sent.get(prev);
            if (s == null || s.peer != peer) {
                core.count(RouterCounter.CTDR_UNMATCHED);
                return;
            }
            core.sent.remove(prev);
            if (s.timer != null) {
                s.timer.cancel(false);
            }
        }
        if (!r.success()) {
            core.journal.released(AddressText.of(prev), s.journalSerial);
            core.emit("transfer-failed", prev, peer.settings.name() + " reports failure (" + RouterText.statusText(r.statuses())
                    + "); this router keeps the MN's state");
            s.snapshot.discard();
            return;
        }
        removeMoved(prev, s, "CTDR S=1 from " + peer.settings.name());
    }

    /** pAR: removes a moved MN's SAs and policies from this kernel. */
    void removeMoved(InetAddress prev, Sent s, String why) {
        String mn = AddressText.of(prev);
        synchronized (core.lock) {
            // A context this router once installed as nAR has moved on from here: no longer ACTIVE.
            core.active.values().removeIf(a -> prev.equals(a.installed().newCareOf()));
        }
        // Before anything is removed: a restart removes it if this run cannot (issue 12 item 6).
        core.journal.moved(mn, s.journalSerial);
        CrashPoint.reached("par.moved");
        if (s.restoredItems != null) {
            removeRestored(prev, s, why);
            return;
        }
        long delay = core.settings.removalDelay().toMillis();
        if (delay > 0) {
            core.timers.schedule(() -> {
                try {
                    core.remover.remove(s.snapshot);
                    core.journal.released(mn, s.journalSerial);
                } catch (IOException | ContextException e) {
                    LOG.error("{}: delayed removal failed: {}", s.snapshot.mobileNode().label(), e.getMessage());
                } finally {
                    s.snapshot.discard();
                }
            }, delay, TimeUnit.MILLISECONDS);
            core.ikeHooks.moved(s.snapshot); // charon deletes its kernel SAs now; cxt's delayed removal then finds them gone
            core.emit("context-removed", prev, why + ": " + s.snapshot.securityAssociations().size() + " SAs ("
                    + RouterText.spis(s.snapshot) + "), " + s.snapshot.policies().size() + " policies removed in " + delay + " ms");
            return;
        }
        synchronized (core.lock) {
            try {
                core.remover.remove(s.snapshot);
                core.journal.released(mn, s.journalSerial);
                core.ikeHooks.moved(s.snapshot);
                core.emit("context-removed", prev, why + ": " + s.snapshot.securityAssociations().size() + " SAs ("
                        + RouterText.spis(s.snapshot) + "), " + s.snapshot.policies().size() + " policies removed");
            } catch (IOException | ContextException e) {
                core.emit("removal-failed", prev, why + ": " + e.getMessage());
            } finally {
                s.snapshot.discard();
            }
        }
    }

    /** A transfer restored from the journal after a restart: removes its journaled items that are still as sent. */
    private void removeRestored(InetAddress prev, Sent s, String why) {
        JournalItems.Removal r = new JournalItems.Removal();
        synchronized (core.lock) {
            try {
                JournalItems.remove(core.kernel, core.settings.tunnelAddress(), s.restoredItems, r);
                core.journal.released(AddressText.of(prev), s.journalSerial);
                // charon's SA moved too: the IKE side forgets it if its relay knows it again (after a restart it
                // knows what charon synced since; issue 10)
                core.ikeHooks.moved(s.snapshot);
                core.emit("context-removed", prev, why + ": " + r.removed + " SAs/policies a previous run sent removed (journal)"
                        + (r.leftAlone == 0 ? "" : "; left alone " + r.leftAlone + " changed since"));
            } catch (IOException e) {
                core.emit("removal-failed", prev, why + ": " + e.getMessage());
            }
        }
    }

    /** Puts back, after a restart, a transfer a previous run sent and journaled: its CTDR may still come. */
    void restore(RuntimeJournal.Awaiting a) {
        InetAddress mn = io.cxt.xfrm.AddressText.parse(a.entry().mn());
        Peer peer = core.peersByName.get(a.peer());
        if (peer == null) {
            core.journal.released(a.entry().mn(), a.serial());
            core.emit("transfer-failed", mn, "a previous run's transfer to '" + a.peer() + "' was journaled, but no such peer"
                    + " is configured now: forgotten, kernel state kept");
            return;
        }
        Sent s = new Sent(MobileNodeContext.snapshot(new io.cxt.context.MobileNodeIdentity(core.homeAddresses.get(mn), mn),
                core.settings.tunnelAddress(), List.of(), List.of(), java.time.Instant.now()), peer, a.predictive());
        s.journalSerial = a.serial();
        s.restoredItems = a.entry();
        synchronized (core.lock) {
            remember(mn, s);
        }
        core.emit("reconciled", mn, "transfer to " + a.peer() + " sent by a previous run: awaiting its CTDR ("
                + a.entry().sas().size() + " SAs, " + a.entry().policies().size() + " policies journaled)");
    }

    /** pAR handover timer. */
    void sentExpired(InetAddress prev, Sent s) {
        synchronized (core.lock) {
            if (core.sent.get(prev) != s) {
                return;
            }
            core.sent.remove(prev);
        }
        if (s.predictive) {
            core.journal.released(AddressText.of(prev), s.journalSerial);
            core.emit("transfer-expired", prev, "predictive transfer to " + s.peer.settings.name()
                    + " never activated; forgotten, kernel state kept (the MN did not leave)");
            s.snapshot.discard();
        } else {
            removeMoved(prev, s, "handover timer expired after a reactive transfer to " + s.peer.settings.name());
        }
    }

    /**
     * pAR: the MN sent its CTAR here, from its current CoA, naming the nAR (RFC 4067 5.1 trigger):
     * verify its token, acknowledge, and push the context predictively.
     */
    void triggerFromMobileNode(InetSocketAddress from, ContextTransferActivateRequest ctar) {
        InetAddress prev = ctar.previousAddress();
        KeyBytes key = core.tokenKeys.get(prev);
        if (!AuthorizationToken.verify(key, ctar)) {
            core.count(RouterCounter.CTAR_REJECTED);
            core.sendCtaa(from, prev, StatusCodes.BAD_TOKEN);
            core.emit("ctar-rejected", prev, "trigger CTAR with a wrong token; no transfer");
            return;
        }
        Peer peer = core.peersByTunnel.get(ctar.otherRouterAddress());
        if (peer == null) {
            core.sendCtaa(from, prev, StatusCodes.UNKNOWN_ROUTER);
            core.emit("ctar-rejected", prev, "trigger CTAR names " + AddressText.of(ctar.otherRouterAddress())
                    + ", not a configured peer");
            return;
        }
        core.sendCtaa(from, prev, 0);
        core.timers.execute(() -> {
            try {
                this.transfer(prev, peer.settings.name());
            } catch (ControlException e) {
                LOG.warn("{}: MN-triggered transfer of {} failed: {}", core.settings.name(), AddressText.of(prev), e.getMessage());
            }
        });
    }

    /** The CXTP octets of a (P)CTD carrying {@code snap}; the context blocks, which hold keys, are wiped after. */
    private static byte[] encoded(MobileNodeContext snap, java.util.function.Function<List<ContextDataBlock>, CxtpMessage> message) {
        List<ContextDataBlock> blocks = ContextBlocks.encode(snap);
        try {
            return CxtpCodec.encode(message.apply(blocks));
        } finally {
            blocks.forEach(ContextDataBlock::wipe);
        }
    }
}
