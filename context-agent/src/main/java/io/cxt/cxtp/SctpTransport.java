package io.cxt.cxtp;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.ClosedChannelException;
import java.util.Arrays;
import java.util.concurrent.CompletableFuture;

import com.sun.nio.sctp.AbstractNotificationHandler;
import com.sun.nio.sctp.HandlerResult;
import com.sun.nio.sctp.MessageInfo;
import com.sun.nio.sctp.SctpMultiChannel;
import com.sun.nio.sctp.SctpStandardSocketOptions;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import io.cxt.sys.Errno;
import io.cxt.sys.LibC;

/**
 * CXTP between routers over SCTP (RFC 4067 section 3.1), through the JDK's com.sun.nio.sctp:
 * one one-to-many socket on {@link CxtpConstants#PORT}, one stream, unordered delivery, Payload
 * Protocol Identifier {@link CxtpConstants#SCTP_PPID}, SCTP_NODELAY ("message bundling SHOULD be
 * turned off").
 *
 * <p>SCTP needs both the JDK's native glue (which loads libsctp.so.1) and a kernel with SCTP.
 * {@link #availability()} tries to open a socket and reports "SCTP unavailable: &lt;reason&gt;"
 * when either is missing, naming which; {@link #open} throws {@link SctpUnavailableException}
 * then. Nothing else about SCTP is probed at class load, so the class is safe to reference on
 * hosts without it.
 *
 * <p>Not done, because com.sun.nio.sctp has no option for it: bounding SCTP's own retransmission
 * by CT_MAX_TRANSFER_TIME (SCTP_RTOINFO) and PR-SCTP. SCTP retransmits by itself, so
 * {@link TransportOptions#sctpDefaults()} sends once and waits CT_MAX_TRANSFER_TIME for a CTDR.
 */
public final class SctpTransport implements CxtpTransport {

    private static final Logger LOG = LoggerFactory.getLogger(SctpTransport.class);
    private static final int MAX_MESSAGE = CxtpConstants.MAX_MESSAGE_LENGTH + 1024;

    static final int SOCK_SEQPACKET = 5;
    static final int IPPROTO_SCTP = 132;

    private final SctpMultiChannel channel;
    private final InetSocketAddress localAddress;
    private final RouterChannelProtection protection;
    private final TransportCounters counters = new TransportCounters();
    private final ReliableDelivery delivery;
    private final InboundEnvelopes inbound;
    private final Thread receiveThread;
    private volatile boolean closed;
    /** The receive thread's own (see RealtimeThreads: a flood puts it back in the normal class). */
    private io.cxt.sys.RealtimeThreads.Budget realtime = io.cxt.sys.RealtimeThreads.Budget.NONE;

    private SctpTransport(SctpMultiChannel channel, InetSocketAddress localAddress, CxtpReceiver receiver,
                          TransportOptions options) {
        this.channel = channel;
        this.localAddress = localAddress;
        this.protection = options.protection();
        this.delivery = new ReliableDelivery("sctp-" + localAddress.getPort(), this::transmit, receiver, options, counters);
        this.inbound = new InboundEnvelopes("sctp " + localAddress, protection, counters, null, delivery);
        this.receiveThread = new Thread(this::receiveLoop, "cxtp-sctp-" + localAddress.getPort() + "-receive");
        this.receiveThread.setDaemon(true);
    }

    /**
     * Whether SCTP works here. Checks that the jdk.sctp module is present, then opens and closes
     * an SCTP socket; on failure also asks the kernel directly, so the reason says whether the
     * JDK's library, the kernel, or both are missing.
     */
    public static SctpAvailability availability() {
        if (ModuleLayer.boot().findModule("jdk.sctp").isEmpty()) {
            return SctpAvailability.no("the JDK module jdk.sctp is not in the boot layer");
        }
        try {
            return Probe.openAndClose();
        } catch (LinkageError e) {
            return SctpAvailability.no("the JDK's SCTP classes cannot be loaded (" + e + ")" + kernelSupport());
        }
    }

    /** Opens the SCTP socket, binds it and starts receiving. */
    public static SctpTransport open(InetSocketAddress bindAddress, CxtpReceiver receiver, TransportOptions options)
            throws IOException {
        SctpAvailability a = availability();
        if (!a.available()) {
            throw new SctpUnavailableException(a);
        }
        SctpMultiChannel ch = SctpMultiChannel.open();
        try {
            ch.setOption(SctpStandardSocketOptions.SCTP_NODELAY, true, null);
            try {
                ch.bind(bindAddress);
            } catch (IOException e) {
                throw io.cxt.sys.BindFailure.of("SCTP", bindAddress, e);
            }
            InetSocketAddress local = (InetSocketAddress) ch.getAllLocalAddresses().iterator().next();
            SctpTransport t = new SctpTransport(ch, local, receiver, options);
            t.receiveThread.start();
            return t;
        } catch (IOException | RuntimeException e) {
            ch.close();
            throw e;
        }
    }

    public InetSocketAddress localAddress() {
        return localAddress;
    }

    @Override
    public CompletableFuture<SendResult> send(InetSocketAddress peer, byte[] message) throws IOException {
        return delivery.send(peer, message);
    }

    private void transmit(InetSocketAddress peer, byte[] message) throws IOException {
        byte[] payload = protection == null ? message : protection.sealFor(peer, message);
        MessageInfo info = MessageInfo.createOutgoing(peer, 0)
                .unordered(true)
                .payloadProtocolID(CxtpConstants.SCTP_PPID);
        int n = channel.send(ByteBuffer.wrap(payload), info);
        if (n != payload.length) {
            throw new IOException("SCTP send to " + peer + " queued " + n + " of " + payload.length + " octets");
        }
    }

    private void receiveLoop() {
        realtime = io.cxt.sys.RealtimeThreads.enterCurrentThread(Thread.currentThread().getName());
        io.cxt.health.ReceiveLoops.process().watch(Thread.currentThread().getName(), () -> closed, this::receive);
    }

    private void receive(io.cxt.health.ReceiveLoops.Loop beat) {
        ByteBuffer buf = ByteBuffer.allocate(MAX_MESSAGE);
        AbstractNotificationHandler<Void> ignoreNotifications = new AbstractNotificationHandler<>() {
            @Override
            public HandlerResult handleNotification(com.sun.nio.sctp.Notification n, Void attachment) {
                return HandlerResult.CONTINUE;
            }
        };
        while (!closed) {
            try {
                MessageInfo info = channel.receive(buf, null, ignoreNotifications);
                if (info == null) {
                    continue;
                }
                realtime.received();
                if (!info.isComplete() && buf.hasRemaining()) {
                    continue; // partial delivery of a large message: keep filling the buffer
                }
                byte[] payload = Arrays.copyOf(buf.array(), buf.position());
                buf.clear();
                SocketAddress sa = info.address();
                if (!(sa instanceof InetSocketAddress from)) {
                    continue;
                }
                beat.busy();
                try {
                    inbound.deliver(from, payload);
                } finally {
                    beat.idle();
                }
            } catch (ClosedChannelException e) {
                return;
            } catch (IOException | RuntimeException e) {
                buf.clear();
                if (!closed) {
                    LOG.warn("sctp {}: receive failed", localAddress, e);
                }
            }
        }
    }

    @Override
    public TransportCounters counters() {
        return counters;
    }

    @Override
    public void close() {
        closed = true;
        delivery.close();
        try {
            channel.close();
        } catch (IOException e) {
            LOG.debug("sctp {}: close: {}", localAddress, e.toString());
        }
        try {
            receiveThread.join(2000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /** What the kernel says about an SCTP socket, as a reason suffix. */
    static String kernelSupport() {
        try {
            LibC libc = LibC.INSTANCE;
            int fd = libc.socket(LibC.AF_INET, SOCK_SEQPACKET | LibC.SOCK_CLOEXEC, IPPROTO_SCTP);
            if (fd >= 0) {
                libc.close(fd);
                return "; the kernel does support SCTP";
            }
            int errno = LibC.errno();
            return "; kernel: socket(AF_INET, SOCK_SEQPACKET, IPPROTO_SCTP) failed with " + Errno.name(errno)
                    + " (" + io.cxt.sys.ErrnoException.describe(errno) + ")";
        } catch (RuntimeException | LinkageError e) {
            return "";
        }
    }

    /** Kept apart so that com.sun.nio.sctp is touched only after the module check. */
    private static final class Probe {
        static SctpAvailability openAndClose() {
            try {
                SctpMultiChannel.open().close();
                return SctpAvailability.yes();
            } catch (UnsupportedOperationException e) {
                // The JDK throws this when it cannot dlopen libsctp.so.1.
                return SctpAvailability.no("the JDK cannot load its SCTP library (" + e.getMessage() + ")"
                        + kernelSupport());
            } catch (IOException e) {
                return SctpAvailability.no("the kernel refused an SCTP socket (" + e.getMessage() + ")"
                        + kernelSupport());
            }
        }
    }
}
