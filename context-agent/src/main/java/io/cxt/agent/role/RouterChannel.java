package io.cxt.agent.role;

import java.io.IOException;
import java.net.Inet6Address;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.LongAdder;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import io.cxt.agent.ActivationListener;
import io.cxt.agent.EventSink;
import io.cxt.agent.control.ControlException;
import io.cxt.agent.control.ControlHandler;
import io.cxt.agent.settings.IpPrefix;
import io.cxt.agent.settings.MobileTransport;
import io.cxt.agent.settings.PeerTransport;
import io.cxt.agent.view.AgentEvent;
import io.cxt.agent.view.AgentStatus;
import io.cxt.agent.view.ContextView;
import io.cxt.agent.view.OperationResult;
import io.cxt.agent.view.PeerView;
import io.cxt.cdb.ContextBlocks;
import io.cxt.context.ContextException;
import io.cxt.context.ContextInstaller;
import io.cxt.context.ContextRemover;
import io.cxt.context.ContextRewriter;
import io.cxt.context.ContextSnapshotter;
import io.cxt.context.InstallReceipt;
import io.cxt.context.MobileNodeContext;
import io.cxt.context.MobileNodeIdentity;
import io.cxt.context.SpiAllocator;
import io.cxt.context.SpiReservations;
import io.cxt.cxtp.AuthorizationToken;
import io.cxt.cxtp.ContextDataBlock;
import io.cxt.cxtp.ContextTransferActivateAcknowledge;
import io.cxt.cxtp.ContextTransferActivateRequest;
import io.cxt.cxtp.ContextTransferCancel;
import io.cxt.cxtp.ContextTransferData;
import io.cxt.cxtp.ContextTransferDataReply;
import io.cxt.cxtp.ContextTransferRequest;
import io.cxt.cxtp.CxtpCodec;
import io.cxt.cxtp.CxtpMessage;
import io.cxt.cxtp.CxtpTransport;
import io.cxt.cxtp.FeatureStatus;
import io.cxt.cxtp.IcmpTransport;
import io.cxt.cxtp.PredictiveContextTransferData;
import io.cxt.cxtp.RouterChannelProtection;
import io.cxt.cxtp.RouterPeer;
import io.cxt.cxtp.SctpTransport;
import io.cxt.cxtp.SctpUnavailableException;
import io.cxt.cxtp.SendResult;
import io.cxt.cxtp.TokenKeyMaterial;
import io.cxt.cxtp.TransportCounter;
import io.cxt.cxtp.TransportOptions;
import io.cxt.cxtp.UdpTransport;
import io.cxt.sys.LibC;
import io.cxt.sys.NetNamespace;
import io.cxt.xfrm.AddressText;
import io.cxt.xfrm.KeyBytes;
import io.cxt.xfrm.SecurityAssociation;
import io.cxt.xfrm.SecurityPolicy;
import io.cxt.xfrm.IpsecKernel;

import io.cxt.agent.role.RouterCore.Active;
import io.cxt.agent.role.RouterCore.Held;
import io.cxt.agent.role.RouterCore.Peer;
import io.cxt.agent.role.RouterCore.Pending;
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
        core.count("router.rejected");
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
            core.count("router.unknown-source");
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
                default -> core.count("router.unexpected-type");
            }
        } catch (RuntimeException e) {
            LOG.warn("{}: {} from {} failed", core.settings.name(), m.type(), peer.settings.name(), e);
            core.emit("transfer-failed", m.previousAddress(), m.type() + " from " + peer.settings.name() + ": " + e);
        }
    }

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
                s.snapshot.discard();
                any = true;
            }
        }
        if (any) {
            core.emit("transfer-cancelled", prev, "CTC from " + peer.settings.name());
        } else {
            core.count("ctc.unmatched");
        }
    }
}
