package io.cxt.agent.role;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.LongAdder;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import io.cxt.agent.ActivationListener;
import io.cxt.agent.settings.IpPrefix;
import io.cxt.cdb.ContextBlocks;
import io.cxt.context.ContextException;
import io.cxt.context.ContextRewriter;
import io.cxt.context.InstallReceipt;
import io.cxt.context.MobileNodeContext;
import io.cxt.context.SpiReservations;
import io.cxt.cxtp.AuthorizationToken;
import io.cxt.cxtp.ContextDataBlock;
import io.cxt.cxtp.ContextTransferActivateRequest;
import io.cxt.cxtp.ContextTransferDataReply;
import io.cxt.cxtp.ContextTransferRequest;
import io.cxt.cxtp.CxtpCodec;
import io.cxt.cxtp.CxtpMessage;
import io.cxt.cxtp.FeatureStatus;
import io.cxt.cxtp.TokenKeyMaterial;
import io.cxt.xfrm.AddressText;

import io.cxt.agent.role.RouterCore.Active;
import io.cxt.agent.role.RouterCore.Held;
import io.cxt.agent.role.RouterCore.Peer;
import io.cxt.agent.role.RouterCore.Pending;

/**
 * The nAR side of an {@link AccessRouterAgent} (RFC 4067 5.2): holds a context received in a PCTD
 * or CTD (inbound SPIs reserved, rewritten for the predicted CoA, reservations renewed), verifies a
 * CTAR's token, installs in one batch and acknowledges (CTAA), then reports to the pAR (CTDR) and
 * the listener off the activation path; without a held context it asks the pAR the CTAR names
 * (CT-Req). The activation path's rules are in {@link AccessRouterAgent}'s header.
 */
final class NextRouterRole {

    private static final Logger LOG = LoggerFactory.getLogger(AccessRouterAgent.class);

    /**
     * A context ready to activate: the CTAR's sender (its new CoA), the MN's previous CoA, the
     * context as received and as rewritten for the predicted CoA (null: not yet), the SPI
     * reservations, the journal's hold record, and when the CTAR was decoded.
     */
    record HeldContext(InetSocketAddress from, InetAddress previousCareOf, MobileNodeContext received, Peer peer,
                       boolean predictive, SpiReservations reservations, InetAddress predictedCareOf,
                       MobileNodeContext rewritten, long journalSerial, long ctarNanos) {
    }

    /**
     * The activation path's clock readings, in nanoseconds: when the CTAA left, CTAR to CTAA, before
     * the install (token check or fetch), rewrite (-1: none), install, CTAA send.
     */
    record ActivationTimes(long ctaaSentNanos, long ctarToCtaa, long before, long rewrite, long install, long ctaa) {
    }

    private final RouterCore core;
    private final PreviousRouterRole previous;

    NextRouterRole(RouterCore core, PreviousRouterRole previous) {
        this.core = core;
        this.previous = previous;
    }

    /** nAR: a CTD or PCTD arrived. */
    void contextData(Peer peer, CxtpMessage m, List<ContextDataBlock> blocks, TokenKeyMaterial key) {
        InetAddress prev = m.previousAddress();
        MobileNodeContext ctx;
        try {
            ctx = ContextBlocks.decode(blocks);
        } catch (io.cxt.cdb.ContextDecodeException e) {
            blocks.forEach(ContextDataBlock::wipe);
            core.emit("transfer-failed", prev, "undecodable context from " + peer.settings.name() + ": " + e.getMessage());
            if (m.acknowledgementRequested()) {
                core.send(peer, CxtpCodec.encode(new ContextTransferDataReply(false, prev,
                        List.of(new FeatureStatus(ContextBlocks.FPT_HEADER, StatusCodes.MALFORMED_CONTEXT)))));
            }
            return;
        }
        blocks.forEach(ContextDataBlock::wipe); // decoded: the key octets live on only in ctx
        // Issue 12 item 4: only what concerns this MN is installed; the rest is refused and counted.
        io.cxt.context.PeerContextScreen.Result screened = io.cxt.context.PeerContextScreen.screen(ctx, prev,
                peer.settings.tunnelAddress(), core.settings.peerAllowance());
        screened.counts().forEach((reason, n) -> core.refusedPeerEntries.computeIfAbsent("peer-context."
                + reason.name().toLowerCase(java.util.Locale.ROOT).replace('_', '-'), k -> new LongAdder()).add(n));
        if (screened.refusedAny()) {
            core.emit("context-refused", prev, "from " + peer.settings.name() + ", not installed: "
                    + String.join("; ", screened.details()));
        }
        ctx = screened.context();
        Pending p;
        synchronized (core.lock) {
            p = core.pending.remove(prev);
            if (p != null && p.timer != null) {
                p.timer.cancel(false);
            }
        }
        if (p != null) {
            completeReactive(peer, p, ctx, key);
            return;
        }
        if (key == null) {
            // A CTD without a CTAR waiting (it came too late, or was never asked for): nothing could
            // verify a later CTAR against it. S=0 stops the pAR's retransmission; it keeps its state.
            core.emit("transfer-failed", prev, "CTD from " + peer.settings.name() + " without a pending CTAR ignored");
            ctx.discard();
            if (m.acknowledgementRequested()) {
                core.send(peer, CxtpCodec.encode(new ContextTransferDataReply(false, prev,
                        List.of(new FeatureStatus(ContextBlocks.FPT_HEADER, StatusCodes.NO_CONTEXT)))));
            }
            return;
        }
        hold(peer, prev, ctx, key, m.type() == io.cxt.cxtp.MessageType.PCTD,
                m instanceof io.cxt.cxtp.PredictiveContextTransferData pctd ? pctd.elapsedTimeMillis() : 0);
    }

    void hold(Peer peer, InetAddress prev, MobileNodeContext ctx, TokenKeyMaterial key, boolean predictive) {
        hold(peer, prev, ctx, key, predictive, 0);
    }

    /**
     * @param elapsedMillis the PCTD's Elapsed Time (RFC 4067: since the first CTD for this MN): above 0 it is the pAR's
     *                      update of a context it sent before (its IKE SA changed), which replaces a context held from
     *                      that pAR and is ignored otherwise (it crossed the CTDR, or the context expired here)
     */
    void hold(Peer peer, InetAddress prev, MobileNodeContext ctx, TokenKeyMaterial key, boolean predictive, long elapsedMillis) {
        SpiReservations reserved;
        synchronized (core.lock) {
            Held current = core.held.get(prev);
            // the same pAR by its address: a reload that changed the peer's settings (its key) makes a new Peer object
            if (predictive && elapsedMillis > 0 && (current == null || !current.peer.settings.address().equals(peer.settings.address()))) {
                core.emit("context-refused", prev, "update of a predictive context from " + peer.settings.name() + " (sent "
                        + elapsedMillis + " ms after the first) for an MN with no context held from it here (activated or"
                        + " expired): ignored");
                ctx.discard();
                key.key().wipe();
                return;
            }
            Held old = core.held.remove(prev);
            if (old != null) {
                // a newer context replaces it (the pAR sent it again): the IKE side replaces its own copy in held()
                releaseHeld(prev, old, false);
            }
            boolean daemonOwnsSas;
            try {
                daemonOwnsSas = core.ikeHooks.held(prev, ctx, core.settings.tunnelAddress(), predictCareOf(prev));
            } catch (ContextException e) {
                if (old != null) {
                    core.ikeHooks.released(prev);
                }
                core.emit("transfer-failed", prev, "cannot hold the context from " + peer.settings.name() + ": " + e.getMessage());
                ctx.discard();
                key.key().wipe();
                return;
            }
            if (daemonOwnsSas) {
                // charon installed this MN's SAs and policies from the transferred HA state: cxt reserves and
                // installs none of them, so the two never fight over one SPI (docs/strongswan.md)
                MobileNodeContext full = ctx;
                ctx = new MobileNodeContext(full.mobileNode(), full.sourceRouter(), full.targetRouter(), full.newCareOf(),
                        List.of(), List.of(), full.spiMappings(), full.ikeContext(), full.createdAt(), full.lifetime());
                full.discard();
            }
            Held h = new Held(ctx, peer, predictive, key);
            try {
                h.reservations = core.spiAllocator.reserveInbound(ctx, core.settings.tunnelAddress());
                h.predictedCareOf = predictCareOf(prev);
                if (h.predictedCareOf != null) {
                    h.rewritten = ContextRewriter.forTarget(ctx, h.predictedCareOf, core.settings.tunnelAddress(),
                            h.reservations.mappings(), core.settings.sequencePolicy());
                }
            } catch (IOException | ContextException | RuntimeException e) {
                if (h.reservations != null) {
                    releaseQuietly(h.reservations);
                }
                core.ikeHooks.released(prev);
                core.emit("transfer-failed", prev, "cannot hold the context from " + peer.settings.name() + ": " + e.getMessage());
                ctx.discard();
                key.key().wipe();
                return;
            }
            core.held.put(prev, h);
            core.steerExpectedCtars();
            reserved = h.reservations;
            CrashPoint.reached("nar.reserved");
            h.journalSerial = core.journal.hold(JournalItems.held(core.settings.tunnelAddress(), prev, h.rewritten != null ? h.rewritten : ctx, h.reservations),
                    peer.settings.name());
            CrashPoint.reached("nar.held");
            h.timer = core.schedule(() -> heldExpired(prev, h), core.settings.handoverTimeout());
            long refresh = core.settings.reservationRefresh().toMillis();
            if (!h.reservations.held().isEmpty() && refresh > 0) {
                h.refresh = core.timers.scheduleWithFixedDelay(() -> refreshReservations(prev, h), refresh, refresh,
                        TimeUnit.MILLISECONDS);
            }
        }
        core.emit("context-received", prev, (predictive ? "predictive" : "reactive") + " context from " + peer.settings.name()
                + ": " + ctx.securityAssociations().size() + " SAs (" + RouterText.spis(ctx) + "), " + ctx.policies().size()
                + " policies; held, " + reserved.held().size() + " SPIs reserved" + RouterText.mappingText(reserved));
    }

    InetAddress predictCareOf(InetAddress previous) {
        IpPrefix p = core.settings.mobilePrefix();
        return p == null ? null : p.withInterfaceIdOf(previous);
    }

    void mobileReceived(InetSocketAddress from, CxtpMessage m, byte[] bytes) {
        if (core.closed) {
            return;
        }
        if (!(m instanceof ContextTransferActivateRequest ctar)) {
            core.count(RouterCounter.MOBILE_UNEXPECTED_TYPE);
            return;
        }
        long t0 = System.nanoTime();
        try {
            activateRequest(from, ctar, t0);
        } catch (RuntimeException e) {
            core.later(() -> {
                LOG.warn("{}: CTAR from {} failed", core.settings.name(), from, e);
                core.emitAt(t0, "activation-failed", ctar.previousAddress(), "internal error: " + e);
            });
        }
    }

    /**
     * The MN transport's cheap check, before a CTAR costs rate tokens: it must name a configured
     * peer as the other router, or be a MN's trigger CTAR from an address we hold a token key for.
     */
    boolean worthProcessing(InetSocketAddress from, ContextTransferActivateRequest ctar) {
        return core.peersByTunnel.containsKey(ctar.otherRouterAddress())
                || (from.getAddress().equals(ctar.previousAddress()) && core.tokenKeys.containsKey(ctar.previousAddress()));
    }

    void activateRequest(InetSocketAddress from, ContextTransferActivateRequest ctar, long t0) {
        InetAddress prev = ctar.previousAddress();
        core.count(RouterCounter.CTAR_RECEIVED);
        if (from.getAddress().equals(prev) && core.tokenKeys.containsKey(prev)) {
            previous.triggerFromMobileNode(from, ctar);
            return;
        }
        if (!core.recoveredActivations.isEmpty() && answeredBeforeRestart(from, ctar, t0)) {
            return;
        }
        String sequenceKey = AddressText.of(prev) + "|" + ctar.sequenceNumber();
        if (core.usedSequences.containsKey(sequenceKey)) {
            core.count(RouterCounter.CTAR_REPLAYED);
            core.later(() -> core.emitAt(t0, "ctar-replayed", prev, "CTAR sequence " + ctar.sequenceNumber() + " from "
                    + AddressText.of(from.getAddress()) + " was already used; ignored"));
            return;
        }
        Held h;
        boolean badToken = false;
        synchronized (core.lock) {
            h = core.held.get(prev);
            if (h != null) {
                if (!AuthorizationToken.verify(h.tokenKey, ctar)) {
                    badToken = true;
                } else {
                    core.held.remove(prev);
                    cancelTimers(h);
                    h.tokenKey.key().wipe(); // RFC 4067 6.3: the nAR discards the key after validation
                    h.tokenKey = null;
                }
            }
        }
        if (badToken) {
            core.count(RouterCounter.CTAR_REJECTED);
            core.sendCtaa(from, prev, StatusCodes.BAD_TOKEN);
            core.later(() -> core.emitAt(t0, "ctar-rejected", prev, "wrong authorization token (sequence " + ctar.sequenceNumber()
                    + " from " + AddressText.of(from.getAddress()) + "); CTAA failure, nothing installed"));
            return;
        }
        if (h == null) {
            startReactive(from, ctar, t0);
            return;
        }
        core.usedSequences.put(sequenceKey, Boolean.TRUE);
        activate(new HeldContext(from, prev, h.received, h.peer, h.predictive, h.reservations, h.predictedCareOf,
                h.rewritten, h.journalSerial, t0));
    }

    /**
     * Installs and acknowledges: (rewrite if the CTAR came from another CoA than predicted) install
     * in one batch, CTAA to the MN. Then, on the background thread and in this order: CTDR to the
     * pAR, journal record, event, activation listener.
     *
     * <p>Clock readings on this thread: {@code t0} (CTAR decoded, the caller's), one before the
     * install, the installer's one after it, one after the CTAA (plus one after a rewrite).
     */
    void activate(HeldContext a) {
        InetSocketAddress from = a.from();
        InetAddress prev = a.previousCareOf();
        MobileNodeContext received = a.received();
        Peer peer = a.peer();
        boolean predictive = a.predictive();
        SpiReservations reservations = a.reservations();
        long journalSerial = a.journalSerial();
        long t0 = a.ctarNanos();
        InetAddress newCareOf = from.getAddress();
        MobileNodeContext ctx = a.rewritten();
        InstallReceipt receipt;
        long verified = System.nanoTime();
        long installStart = verified;
        long rewriteNanos = -1;
        Exception failure = null;
        synchronized (core.lock) {
            try {
                if (ctx == null || !newCareOf.equals(a.predictedCareOf())) {
                    ctx = ContextRewriter.forTarget(received, newCareOf, core.settings.tunnelAddress(), reservations.mappings(),
                            core.settings.sequencePolicy());
                    installStart = System.nanoTime();
                    rewriteNanos = installStart - verified;
                }
                receipt = core.installer.install(ctx, reservations, installStart);
                // Nothing is written here: a restart finds this install complete in the kernel and keeps it, sends the
                // CTDR and answers the MN's retransmitted CTAR (RuntimeJournal#recover).
                CrashPoint.reached("nar.installed");
                core.active.put(prev, new Active(ctx, receipt, peer, predictive, installStart + receipt.nanos()));
            } catch (IOException | ContextException | RuntimeException e) {
                receipt = null;
                failure = e;
                releaseQuietly(reservations);
                if (!(e instanceof io.cxt.context.IncompleteRollbackException)) {
                    core.journal.done(AddressText.of(prev), journalSerial);
                } // else the hold stays open: a restart removes the leftovers (issue 12 item 6)
            }
        }
        if (failure != null) {
            core.count(RouterCounter.ACTIVATION_FAILED);
            core.sendCtaa(from, prev, StatusCodes.INSTALL_FAILED);
            String why = failure.getMessage();
            core.later(() -> {
                core.send(peer, CxtpCodec.encode(new ContextTransferDataReply(false, prev,
                        List.of(new FeatureStatus(ContextBlocks.FPT_HEADER, StatusCodes.INSTALL_FAILED)))));
                core.emitAt(t0, "activation-failed", prev, "install failed: " + why + "; CTAA failure, nothing installed");
                received.discard();
            });
            return;
        }
        core.sendCtaa(from, prev, 0);
        long ctaaSentNanos = System.nanoTime();
        CrashPoint.reached("nar.acknowledged");
        long took = ctaaSentNanos - t0;
        core.lastActivationNanos.set(took);
        core.count(RouterCounter.ACTIVATIONS);
        MobileNodeContext installed = ctx;
        long installNanos = receipt.nanos();
        ActivationTimes times = new ActivationTimes(ctaaSentNanos, took, verified - t0, rewriteNanos, installNanos,
                ctaaSentNanos - (installStart + installNanos));
        core.later(() -> activated(a, installed, times));
    }

    /** Background thread: what follows a successful activation: the listener (what the MN waits on), the CTDR, the journal. */
    void activated(HeldContext a, MobileNodeContext ctx, ActivationTimes t) {
        InetAddress prev = a.previousCareOf();
        MobileNodeContext received = a.received();
        Peer peer = a.peer();
        boolean predictive = a.predictive();
        SpiReservations reservations = a.reservations();
        long took = t.ctarToCtaa();
        long beforeNanos = t.before();
        long rewriteNanos = t.rewrite();
        long installNanos = t.install();
        long ctaaNanos = t.ctaa();
        InetAddress newCareOf = a.from().getAddress();
        // On a shared core this thread may be picked before the MN side that the CTAA just woke
        // (or the next CTAR): step back once, so bookkeeping goes after them. Free on an idle core.
        Thread.yield();
        String mn = AddressText.of(prev);
        // The MN waits on what the listener does (charon's SA made active, the IKEv2 UPDATE_SPI to the MN), a
        // predictive pAR on nothing (its PCTD asked for no CTDR): there the listener goes first (charon's SA was active
        // 4.5 ms later in the lab with it last: tests/bench/charon-activation). A reactive pAR retransmits its CTD
        // until the CTDR, and the listener may wait for charon's ESP counters: the CTDR goes first.
        Runnable listener = () -> {
            try {
                core.listener.activated(new ActivationListener.Activation(received, ctx, reservations.mappings(), prev,
                        newCareOf, received.sourceRouter(), core.settings.tunnelAddress(), received.ikeContext()));
            } catch (RuntimeException e) {
                LOG.warn("{}: activation listener failed for MN {}", core.settings.name(), mn, e);
            }
        };
        if (predictive) {
            listener.run();
        }
        core.send(peer, CxtpCodec.encode(new ContextTransferDataReply(true, prev, List.of())));
        if (!predictive) {
            listener.run();
        }
        core.journal.replied(mn, a.journalSerial());
        if (predictive) {
            core.phases.record(beforeNanos, rewriteNanos, installNanos, ctaaNanos, took);
        } else {
            core.phases.recordReactive(beforeNanos, rewriteNanos, installNanos, ctaaNanos, took);
        }
        core.lastHandover = "MN " + mn + " -> " + AddressText.of(newCareOf) + " from " + peer.settings.name()
                + (predictive ? " (predictive)" : " (reactive)") + ", " + took / 1000 + " us";
        StringBuilder phaseText = new StringBuilder(" (").append(predictive ? "verify " : "fetch ")
                .append(beforeNanos / 1000);
        if (rewriteNanos >= 0) {
            phaseText.append(", rewrite ").append(rewriteNanos / 1000);
        }
        phaseText.append(", install ").append(installNanos / 1000).append(", CTAA ").append(ctaaNanos / 1000).append(" us)");
        core.emitAt(t.ctaaSentNanos(), "context-activated", mn, (predictive ? "predictive" : "reactive") + " from " + peer.settings.name()
                + ", new CoA " + AddressText.of(newCareOf) + ", " + ctx.securityAssociations().size() + " SAs (" + RouterText.spis(ctx)
                + "), " + ctx.policies().size() + " policies" + RouterText.mappingText(reservations) + ", CTAR->CTAA " + took / 1000
                + " us" + phaseText);
        // Installed: the kernel has the keys; the copy kept in 'active' is only shown (contexts).
        ctx.wipeSecurityAssociationKeys();
        received.wipeSecurityAssociationKeys();
    }

    /** nAR without a held context: ask the pAR the CTAR names (CT-Req), answer the MN when the CTD comes. */
    void startReactive(InetSocketAddress from, ContextTransferActivateRequest ctar, long t0) {
        InetAddress prev = ctar.previousAddress();
        Peer peer = core.peersByTunnel.get(ctar.otherRouterAddress());
        if (peer == null) {
            core.count(RouterCounter.CTAR_REJECTED);
            core.sendCtaa(from, prev, StatusCodes.UNKNOWN_ROUTER);
            core.later(() -> core.emitAt(t0, "ctar-rejected", prev, "CTAR names previous router "
                    + AddressText.of(ctar.otherRouterAddress()) + ", not a configured peer; CTAA failure"));
            return;
        }
        synchronized (core.lock) {
            if (core.pending.containsKey(prev)) {
                core.count(RouterCounter.CTAR_WHILE_PENDING);
                return;
            }
            Pending p = new Pending(ctar, from, peer, t0);
            core.pending.put(prev, p);
            p.timer = core.schedule(() -> reactiveTimedOut(prev, p), core.settings.reactiveTimeout());
        }
        core.count(RouterCounter.CTREQ_SENT);
        core.send(peer, CxtpCodec.encode(ContextTransferRequest.forActivateRequest(ctar)));
        core.later(() -> core.emitAt(t0, "ctreq-sent", prev, "no context held: CT-Req (sequence " + ctar.sequenceNumber() + ") to "
                + peer.settings.name()));
    }

    /** nAR: the CTD for a pending CTAR arrived (the pAR verified the token, or sent a PCTD for us to verify). */
    void completeReactive(Peer peer, Pending p, MobileNodeContext ctx, TokenKeyMaterial key) {
        InetAddress prev = p.ctar.previousAddress();
        if (key != null) {
            boolean ok = AuthorizationToken.verify(key, p.ctar);
            key.key().wipe();
            if (!ok) {
                core.count(RouterCounter.CTAR_REJECTED);
                core.sendCtaa(p.from, prev, StatusCodes.BAD_TOKEN);
                core.send(peer, CxtpCodec.encode(new ContextTransferDataReply(false, prev,
                        List.of(new FeatureStatus(ContextBlocks.FPT_HEADER, StatusCodes.BAD_TOKEN)))));
                core.emit("ctar-rejected", prev, "wrong authorization token; CTAA failure, nothing installed");
                ctx.discard();
                return;
            }
        }
        SpiReservations res = null;
        MobileNodeContext rewritten = null;
        long serial;
        InetAddress newCareOf = p.from.getAddress();
        synchronized (core.lock) {
            try {
                res = core.spiAllocator.reserveInbound(ctx, core.settings.tunnelAddress());
                CrashPoint.reached("nar.reserved");
                // Rewritten before the hold record, so that it names the SAs as they will be installed
                // (the reserved inbound SPIs, the MN's new CoA) and a restart finds them.
                rewritten = ContextRewriter.forTarget(ctx, newCareOf, core.settings.tunnelAddress(), res.mappings(),
                        core.settings.sequencePolicy());
            } catch (IOException | ContextException | RuntimeException e) {
                releaseQuietly(res);
                core.sendCtaa(p.from, prev, StatusCodes.INSTALL_FAILED);
                core.send(peer, CxtpCodec.encode(new ContextTransferDataReply(false, prev,
                        List.of(new FeatureStatus(ContextBlocks.FPT_HEADER, StatusCodes.INSTALL_FAILED)))));
                core.emit("activation-failed", prev, "SPI reservation or rewrite failed: " + e.getMessage());
                ctx.discard();
                return;
            }
            serial = core.journal.hold(JournalItems.held(core.settings.tunnelAddress(), prev, rewritten, res), peer.settings.name());
            CrashPoint.reached("nar.held");
        }
        core.usedSequences.put(AddressText.of(prev) + "|" + p.ctar.sequenceNumber(), Boolean.TRUE);
        activate(new HeldContext(p.from, prev, ctx, peer, false, res, newCareOf, rewritten, serial, p.receivedNanos));
    }

    /**
     * At start, an activation a previous run installed and recorded but may not have reported: its CTDR is sent
     * now (the pAR then removes its copy; a duplicate is unmatched there and changes nothing), and the CTAR is kept
     * to answer the MN's retransmission ({@link #answeredBeforeRestart}).
     */
    void resumeUnreplied(RuntimeJournal.Unreplied u) {
        InetAddress prev = io.cxt.xfrm.AddressText.parse(u.mn());
        core.recoveredActivations.put(prev, u);
        // Only the MN's retransmissions are answered from it: forgotten after the handover timeout, so an address
        // does not get a token-less success CTAA for as long as the agent runs.
        core.schedule(() -> core.recoveredActivations.remove(prev, u), core.settings.handoverTimeout());
        Peer peer = core.peersByName.get(u.peer());
        if (peer == null) {
            core.journal.replied(u.mn(), u.serial());
            core.emit("reconciled", prev, "activation from '" + u.peer() + "' recorded by a previous run: no such peer now,"
                    + " no CTDR sent");
            return;
        }
        core.send(peer, CxtpCodec.encode(new ContextTransferDataReply(true, prev, List.of())));
        core.journal.replied(u.mn(), u.serial());
        core.emit("reconciled", prev, "activation installed by a previous run (new CoA "
                + (u.newCareOf() == null ? "unknown" : AddressText.of(u.newCareOf())) + "), maybe not reported: CTDR sent to "
                + u.peer());
    }

    /**
     * A CTAR for an activation a previous run of this agent installed before it died (found complete in the kernel at
     * start): the MN retransmits it because the CTAA never came. Same MN, from the CoA the installed outbound SA
     * leads to: answered with success, as the dead run would have. The token cannot be checked again (its key went
     * with that run; the install proves that run had checked it) and the sequence number is not known; the answer
     * tells the sender only what the kernel already carries out.
     */
    boolean answeredBeforeRestart(InetSocketAddress from, ContextTransferActivateRequest ctar, long t0) {
        InetAddress prev = ctar.previousAddress();
        RuntimeJournal.Unreplied u = core.recoveredActivations.get(prev);
        if (u == null || (u.newCareOf() != null && !u.newCareOf().equals(from.getAddress()))) {
            return false;
        }
        core.sendCtaa(from, prev, 0);
        core.later(() -> core.emitAt(t0, "ctar-answered", prev, "CTAR sequence " + ctar.sequenceNumber() + " from "
                + AddressText.of(from.getAddress()) + " was installed by this agent's previous run (journal): CTAA success"));
        return true;
    }

    void reactiveTimedOut(InetAddress prev, Pending p) {
        synchronized (core.lock) {
            if (core.pending.get(prev) != p) {
                return;
            }
            core.pending.remove(prev);
        }
        core.sendCtaa(p.from, prev, StatusCodes.NO_CONTEXT);
        core.emit("transfer-failed", prev, "no CTD from " + p.peer.settings.name() + " within "
                + core.settings.reactiveTimeout().toMillis() + " ms after CT-Req; CTAA failure");
    }

    /** nAR handover timer. */
    void heldExpired(InetAddress prev, Held h) {
        synchronized (core.lock) {
            if (core.held.get(prev) != h) {
                return;
            }
            core.held.remove(prev);
            releaseHeld(prev, h);
        }
        core.emit("context-expired", prev, "held context from " + h.peer.settings.name() + " not activated within "
                + core.settings.handoverTimeout().toMillis() + " ms; reservations released");
    }

    /** Renews a held context's larval SAs before the kernel expires them (net.core.xfrm_acq_expires). */
    void refreshReservations(InetAddress prev, Held h) {
        synchronized (core.lock) {
            if (core.held.get(prev) != h) {
                return;
            }
            try {
                core.spiAllocator.release(h.reservations);
                h.reservations = core.spiAllocator.reserveInbound(h.received, core.settings.tunnelAddress());
                if (h.predictedCareOf != null) {
                    h.rewritten = ContextRewriter.forTarget(h.received, h.predictedCareOf, core.settings.tunnelAddress(),
                            h.reservations.mappings(), core.settings.sequencePolicy());
                }
                h.journalSerial = core.journal.hold(JournalItems.held(core.settings.tunnelAddress(), prev, h.rewritten != null ? h.rewritten : h.received,
                        h.reservations), h.peer.settings.name());
                core.count(RouterCounter.RESERVATIONS_RENEWED);
            } catch (IOException | ContextException | RuntimeException e) {
                core.held.remove(prev);
                releaseHeld(prev, h);
                core.emit("transfer-failed", prev, "renewing the SPI reservations failed: " + e.getMessage() + "; context dropped");
            }
        }
    }

    static void cancelTimers(Held h) {
        if (h.timer != null) {
            h.timer.cancel(false);
        }
        if (h.refresh != null) {
            h.refresh.cancel(false);
        }
    }

    /** Caller holds the lock and has removed {@code h} from {@link RouterCore#held}. */
    void releaseHeld(InetAddress prev, Held h) {
        releaseHeld(prev, h, true);
    }

    /** Caller holds the lock and has removed {@code h}; {@code tellIke}: the IKE side forgets its copy too. */
    void releaseHeld(InetAddress prev, Held h, boolean tellIke) {
        if (tellIke) {
            core.ikeHooks.released(prev);
        }
        cancelTimers(h);
        releaseQuietly(h.reservations);
        core.journal.done(AddressText.of(prev), h.journalSerial);
        if (h.tokenKey != null) {
            h.tokenKey.key().wipe();
            h.tokenKey = null;
        }
        h.received.discard();
    }

    void releaseQuietly(SpiReservations r) {
        if (r == null) {
            return;
        }
        try {
            core.spiAllocator.release(r);
        } catch (IOException e) {
            LOG.warn("{}: releasing {} SPI reservations failed: {}", core.settings.name(), r.held().size(), e.getMessage());
        }
    }
}
