package io.cxt.agent.role;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.time.Instant;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import io.cxt.cxtp.ContextTransferCancel;
import io.cxt.cxtp.ContextTransferData;
import io.cxt.cxtp.ContextTransferDataReply;
import io.cxt.cxtp.ContextTransferRequest;
import io.cxt.cxtp.CxtpMessage;
import io.cxt.cxtp.PredictiveContextTransferData;
import io.cxt.cxtp.RouterChannelProtection;
import io.cxt.xfrm.AddressText;

import io.cxt.agent.role.RouterCore.Held;
import io.cxt.agent.role.RouterCore.Peer;
import io.cxt.agent.role.RouterCore.Sent;

/**
 * The router channel's receiving side: a message from a configured peer router goes to the nAR
 * side (PCTD, CTD) or the pAR side (CT-Req, CTDR); a CTC drops what either side holds for the MN;
 * envelopes the channel protection refused are counted and reported per peer.
 */
final class RouterChannel {

    private static final Logger LOG = LoggerFactory.getLogger(AccessRouterAgent.class);

    private final RouterCore core;
    private final PreviousRouterRole previous;
    private final NextRouterRole next;

    RouterChannel(RouterCore core, PreviousRouterRole previous, NextRouterRole next) {
        this.core = core;
        this.previous = previous;
        this.next = next;
    }

    void rejected(InetSocketAddress from, RouterChannelProtection.RejectionReason reason) {
        core.count(RouterCounter.ROUTER_REJECTED);
        Peer p = core.peersBySocket.get(from);
        String who;
        String source = "";
        if (p != null) {
            p.rejected.increment();
            who = p.settings.name() + " (" + AddressText.of(from.getAddress()) + ")";
        } else {
            // One rate-limit key for all unknown senders: a spoofed source must not create state.
            who = "unknown";
            source = " from " + AddressText.of(from.getAddress()) + " port " + from.getPort();
        }
        core.emit("protection-rejected", who, "router channel envelope" + source + " dropped: "
                + reason.name().toLowerCase(java.util.Locale.ROOT).replace('_', ' ') + "; nothing installed");
    }

    void routerReceived(InetSocketAddress from, CxtpMessage m, byte[] bytes) {
        if (core.closed) {
            return;
        }
        Peer peer = core.peersBySocket.get(from);
        if (peer == null) {
            core.count(RouterCounter.ROUTER_UNKNOWN_SOURCE);
            return;
        }
        peer.received.increment();
        peer.lastSeen = Instant.now();
        try {
            switch (m.type()) {
                case PCTD -> next.contextData(peer, m, ((PredictiveContextTransferData) m).contexts(),
                        ((PredictiveContextTransferData) m).tokenKey());
                case CTD -> next.contextData(peer, m, ((ContextTransferData) m).contexts(), null);
                case CT_REQ -> previous.contextRequest(peer, (ContextTransferRequest) m);
                case CTDR -> previous.dataReply(peer, (ContextTransferDataReply) m);
                case CTC -> cancelled(peer, (ContextTransferCancel) m);
                default -> core.count(RouterCounter.ROUTER_UNEXPECTED_TYPE);
            }
        } catch (RuntimeException e) {
            LOG.warn("{}: {} from {} failed", core.settings.name(), m.type(), peer.settings.name(), e);
            core.emit("transfer-failed", m.previousAddress(), m.type() + " from " + peer.settings.name() + ": " + e);
        }
    }

    /** A CTC from a peer: drop what we hold or sent for the MN. */
    void cancelled(Peer peer, ContextTransferCancel c) {
        InetAddress prev = c.previousAddress();
        boolean any = false;
        synchronized (core.lock) {
            Held h = core.held.get(prev);
            if (h != null && h.peer == peer) {
                core.held.remove(prev);
                next.releaseHeld(prev, h);
                any = true;
            }
            Sent s = core.sent.get(prev);
            if (s != null && s.peer == peer) {
                core.sent.remove(prev);
                if (s.timer != null) {
                    s.timer.cancel(false);
                }
                core.journal.released(AddressText.of(prev), s.journalSerial);
                s.snapshot.discard();
                any = true;
            }
        }
        if (any) {
            core.emit("transfer-cancelled", prev, "CTC from " + peer.settings.name());
        } else {
            core.count(RouterCounter.CTC_UNMATCHED);
        }
    }
}
