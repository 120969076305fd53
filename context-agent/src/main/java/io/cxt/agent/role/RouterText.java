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

/** The words of an access router's events and context views (SPI lists, SPI changes, CTDR statuses). */
final class RouterText {

    private RouterText() {
    }

    static ContextView view(MobileNodeContext c, InetAddress prev, String state, Peer peer, boolean predictive,
                             long ageNanos, ScheduledFuture<?> timer) {
        List<String> sas = new ArrayList<>();
        for (SecurityAssociation sa : c.securityAssociations()) {
            sas.add(protoName(sa.proto()) + " spi " + String.format("0x%08x", sa.spi()) + " "
                    + AddressText.of(sa.source()) + " -> " + AddressText.of(sa.destination()));
        }
        String ike = c.ikeContext() == null ? ""
                : String.format("0x%016xi/0x%016xr", c.ikeContext().spiInitiator(), c.ikeContext().spiResponder());
        InetAddress home = c.mobileNode().homeAddress();
        return new ContextView(home == null ? AddressText.of(prev) : AddressText.of(home), AddressText.of(prev), state,
                peer.settings.name(), predictive ? "predictive" : "reactive", sas, c.policies().size(), ike,
                ageNanos / 1_000_000, timer == null ? -1 : Math.max(0, timer.getDelay(TimeUnit.MILLISECONDS)));
    }

    static String protoName(int proto) {
        return switch (proto) {
            case 50 -> "esp";
            case 51 -> "ah";
            case 108 -> "comp";
            default -> "proto " + proto;
        };
    }

    static String spis(MobileNodeContext c) {
        if (c.securityAssociations().isEmpty()) {
            return "none";
        }
        StringBuilder sb = new StringBuilder("SPI");
        for (SecurityAssociation sa : c.securityAssociations()) {
            sb.append(' ').append(String.format("0x%08x", sa.spi()));
        }
        return sb.toString();
    }

    static String mappingText(SpiReservations r) {
        return r == null || r.mappings().isEmpty() ? "" : ", SPI changes " + r.mappings();
    }

    static String statusText(List<FeatureStatus> st) {
        List<String> out = new ArrayList<>();
        for (FeatureStatus f : st) {
            out.add(String.format("FPT 0x%04x: %s", f.featureProfileType(), StatusCodes.describe(f.statusCode())));
        }
        return out.isEmpty() ? "no detail" : String.join(", ", out);
    }
}
