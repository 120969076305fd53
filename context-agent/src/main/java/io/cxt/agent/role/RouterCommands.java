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
 * Turns the control socket's commands for an access router into typed calls (the argument checks:
 * an MN must be a numeric address, {@code since} a number, a transfer needs {@code to}).
 */
final class RouterCommands {

    private RouterCommands() {
    }

    static Object handle(AccessRouterAgent agent, String command, Map<String, String> arguments) throws ControlException {
        Map<String, String> args = arguments == null ? Map.of() : arguments;
        return switch (command) {
            case "status" -> agent.status();
            case "contexts" -> agent.contexts();
            case "peers" -> agent.peers();
            case "stats" -> agent.stats();
            case "events" -> agent.events(parseLong(args.getOrDefault("since", "0")));
            case "transfer" -> agent.transfer(address(args, "mn"), required(args, "to"));
            case "cancel" -> agent.cancel(address(args, "mn"), args.get("peer"));
            case "activate" -> throw new ControlException("activate is a mobile-node command; this agent is an access router");
            default -> throw new ControlException("unknown command '" + command + "' for an access router");
        };
    }

    static InetAddress address(Map<String, String> args, String key) throws ControlException {
        String v = required(args, key);
        InetAddress a = io.cxt.xfrm.AddressText.parseOrNull(v);
        if (a == null) {
            throw new ControlException("'" + key + "' is not an address: " + v);
        }
        return a;
    }

    static String required(Map<String, String> args, String key) throws ControlException {
        String v = args.get(key);
        if (v == null || v.isBlank()) {
            throw new ControlException("missing argument '" + key + "'");
        }
        return v;
    }

    static long parseLong(String s) throws ControlException {
        try {
            return Long.parseLong(s);
        } catch (NumberFormatException e) {
            throw new ControlException("not a number: " + s);
        }
    }
}
