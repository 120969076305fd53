package io.cxt.agent.role;

import java.net.InetAddress;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Objects;

import io.cxt.agent.settings.IpPrefix;
import io.cxt.agent.settings.MobileTransport;
import io.cxt.context.MobileNodeContext;
import io.cxt.context.SadLookupCase;
import io.cxt.context.SequenceNumberPolicy;
import io.cxt.context.SpiAllocator;
import io.cxt.cxtp.CxtpConstants;
import io.cxt.cxtp.DropPolicy;
import io.cxt.cxtp.RetransmissionPolicy;

/**
 * Everything an {@link AccessRouterAgent} needs (role "access-router"). Build with
 * {@link #builder(String, InetAddress, int)}; every setting not given has the RFC 4067 / design
 * default.
 *
 * @param name the agent's name (logs, status)
 * @param address where this router speaks CXTP to its peers (router channel)
 * @param tunnelAddress this router's address in its MNs' SAs and the address MNs send CTARs to
 *        (default: {@code address})
 * @param cxtpPort router channel port (default 5091)
 * @param mobileTransport MN-AR transport (default ICMP)
 * @param mobileUdpPort MN-AR UDP port when {@code mobileTransport} is UDP (default 5092; 5091 is the router channel)
 * @param mobilePrefix the care-of prefix this router serves (to predict a new CoA); null: no prediction
 *        (the CoA is taken from the CTAR's source)
 * @param senderId this router's router-channel sender id
 * @param handoverTimeout how long a held (nAR) or sent (pAR) context waits for activation (default 30 s)
 * @param ctarRate CT_REQUEST_RATE: CTARs accepted per second (default 10; 0 = no limit)
 * @param sequenceMargin outbound sequence number margin (default 10,000)
 * @param sadLookup SAD lookup case for SPI collisions (default spi-dst)
 * @param spiMin lowest replacement SPI
 * @param spiMax highest replacement SPI
 * @param stateDirectory where the runtime journal lives (default /run/cxt)
 * @param peers peer routers
 * @param mobileNodes MNs this router serves as pAR, with their token keys
 * @param retransmission CXTP retransmission on UDP (default RFC 4067: 2 s doubling, 15 s)
 * @param mobileRetransmission retransmission on the MN-AR transport (the AR requests no acks there; kept for symmetry)
 * @param reactiveTimeout how long the nAR waits for the pAR's CTD after a CT-Req before it answers the
 *        MN with a failed CTAA (default 10 s: the CTD's transmissions at 0, 2 and 6 s fit in, and the
 *        MN, which retransmits until 15 s, is still listening for the answer)
 * @param reservationRefresh how often held SPI reservations are renewed, below net.core.xfrm_acq_expires
 *        (default 20 s; the kernel's default acq_expires is 30 s)
 * @param removalDelay how long the pAR waits after a CTDR before it removes the MN's state (default 0)
 * @param routerDropPolicy test switch: lose outbound router channel messages (default none)
 * @param mobileDropPolicy test switch: lose outbound MN-AR messages (default none)
 * @param peerAllowance what a peer's context may make this router install beyond the MN's own addresses (default none)
 */
public record RouterSettings(String name, InetAddress address, InetAddress tunnelAddress, int cxtpPort,
        MobileTransport mobileTransport, int mobileUdpPort, IpPrefix mobilePrefix, int senderId, Duration handoverTimeout,
        int ctarRate, long sequenceMargin, SadLookupCase sadLookup, int spiMin, int spiMax, Path stateDirectory,
        List<PeerSettings> peers, List<ServedMobileNode> mobileNodes, RetransmissionPolicy retransmission,
        RetransmissionPolicy mobileRetransmission, Duration reactiveTimeout, Duration reservationRefresh,
        Duration removalDelay, DropPolicy routerDropPolicy, DropPolicy mobileDropPolicy,
        io.cxt.context.PeerContextScreen.Allowance peerAllowance) {

    public static final int DEFAULT_MOBILE_UDP_PORT = 5092;
    public static final Duration DEFAULT_RESERVATION_REFRESH = Duration.ofSeconds(20);
    public static final Duration DEFAULT_REACTIVE_TIMEOUT = Duration.ofSeconds(10);
    public static final Path DEFAULT_STATE_DIRECTORY = Path.of("/run/cxt");

    public RouterSettings {
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(address, "router address");
        tunnelAddress = tunnelAddress == null ? address : tunnelAddress;
        mobileTransport = mobileTransport == null ? MobileTransport.ICMP : mobileTransport;
        handoverTimeout = handoverTimeout == null ? MobileNodeContext.DEFAULT_LIFETIME : handoverTimeout;
        sadLookup = sadLookup == null ? SadLookupCase.DEFAULT : sadLookup;
        stateDirectory = stateDirectory == null ? DEFAULT_STATE_DIRECTORY : stateDirectory;
        peers = List.copyOf(peers == null ? List.of() : peers);
        mobileNodes = List.copyOf(mobileNodes == null ? List.of() : mobileNodes);
        retransmission = retransmission == null ? RetransmissionPolicy.RFC_4067 : retransmission;
        mobileRetransmission = mobileRetransmission == null ? RetransmissionPolicy.RFC_4067 : mobileRetransmission;
        reactiveTimeout = reactiveTimeout == null ? DEFAULT_REACTIVE_TIMEOUT : reactiveTimeout;
        reservationRefresh = reservationRefresh == null ? DEFAULT_RESERVATION_REFRESH : reservationRefresh;
        removalDelay = removalDelay == null ? Duration.ZERO : removalDelay;
        routerDropPolicy = routerDropPolicy == null ? DropPolicy.none() : routerDropPolicy;
        mobileDropPolicy = mobileDropPolicy == null ? DropPolicy.none() : mobileDropPolicy;
        peerAllowance = peerAllowance == null ? io.cxt.context.PeerContextScreen.Allowance.NONE : peerAllowance;
        if (sequenceMargin < 0) {
            throw new IllegalArgumentException("sequence margin must be >= 0");
        }
        if (ctarRate < 0) {
            throw new IllegalArgumentException("ctar rate must be >= 0");
        }
        if (Integer.compareUnsigned(spiMin, spiMax) > 0 || Integer.compareUnsigned(spiMin, 256) < 0) {
            throw new IllegalArgumentException("SPI range must be within 0x100..0xffffffff and min <= max");
        }
        java.util.Set<String> names = new java.util.HashSet<>();
        for (PeerSettings p : peers) {
            if (!names.add(p.name())) {
                throw new IllegalArgumentException("peer name " + p.name() + " used twice");
            }
            if (p.senderId() == senderId) {
                throw new IllegalArgumentException("peer " + p.name() + " has this router's sender id " + senderId);
            }
        }
    }

    public SequenceNumberPolicy sequencePolicy() {
        return new SequenceNumberPolicy(sequenceMargin);
    }

    public static Builder builder(String name, InetAddress address, int senderId) {
        return new Builder(name, address, senderId);
    }

    public Builder toBuilder() {
        Builder b = new Builder(name, address, senderId);
        b.tunnelAddress = tunnelAddress;
        b.cxtpPort = cxtpPort;
        b.mobileTransport = mobileTransport;
        b.mobileUdpPort = mobileUdpPort;
        b.mobilePrefix = mobilePrefix;
        b.handoverTimeout = handoverTimeout;
        b.ctarRate = ctarRate;
        b.sequenceMargin = sequenceMargin;
        b.sadLookup = sadLookup;
        b.spiMin = spiMin;
        b.spiMax = spiMax;
        b.stateDirectory = stateDirectory;
        b.peers = peers;
        b.mobileNodes = mobileNodes;
        b.retransmission = retransmission;
        b.mobileRetransmission = mobileRetransmission;
        b.reactiveTimeout = reactiveTimeout;
        b.reservationRefresh = reservationRefresh;
        b.removalDelay = removalDelay;
        b.routerDropPolicy = routerDropPolicy;
        b.mobileDropPolicy = mobileDropPolicy;
        b.peerAllowance = peerAllowance;
        return b;
    }

    /** Mutable builder with the defaults of the record's javadoc. */
    public static final class Builder {
        private final String name;
        private final InetAddress address;
        private final int senderId;
        private InetAddress tunnelAddress;
        private int cxtpPort = CxtpConstants.PORT;
        private MobileTransport mobileTransport = MobileTransport.ICMP;
        private int mobileUdpPort = DEFAULT_MOBILE_UDP_PORT;
        private IpPrefix mobilePrefix;
        private Duration handoverTimeout = MobileNodeContext.DEFAULT_LIFETIME;
        private int ctarRate = CxtpConstants.CT_REQUEST_RATE;
        private long sequenceMargin = SequenceNumberPolicy.DEFAULT_MARGIN;
        private SadLookupCase sadLookup = SadLookupCase.DEFAULT;
        private int spiMin = SpiAllocator.DEFAULT_MIN;
        private int spiMax = SpiAllocator.DEFAULT_MAX;
        private Path stateDirectory = DEFAULT_STATE_DIRECTORY;
        private List<PeerSettings> peers = List.of();
        private List<ServedMobileNode> mobileNodes = List.of();
        private RetransmissionPolicy retransmission = RetransmissionPolicy.RFC_4067;
        private RetransmissionPolicy mobileRetransmission = RetransmissionPolicy.RFC_4067;
        private Duration reactiveTimeout = DEFAULT_REACTIVE_TIMEOUT;
        private Duration reservationRefresh = DEFAULT_RESERVATION_REFRESH;
        private Duration removalDelay = Duration.ZERO;
        private DropPolicy routerDropPolicy = DropPolicy.none();
        private DropPolicy mobileDropPolicy = DropPolicy.none();
        private io.cxt.context.PeerContextScreen.Allowance peerAllowance = io.cxt.context.PeerContextScreen.Allowance.NONE;

        private Builder(String name, InetAddress address, int senderId) {
            this.name = name;
            this.address = address;
            this.senderId = senderId;
        }

        public Builder tunnelAddress(InetAddress a) { this.tunnelAddress = a; return this; }
        public Builder cxtpPort(int p) { this.cxtpPort = p; return this; }
        public Builder mobileTransport(MobileTransport t) { this.mobileTransport = t; return this; }
        public Builder mobileUdpPort(int p) { this.mobileUdpPort = p; return this; }
        public Builder mobilePrefix(IpPrefix p) { this.mobilePrefix = p; return this; }
        public Builder handoverTimeout(Duration d) { this.handoverTimeout = d; return this; }
        public Builder ctarRate(int r) { this.ctarRate = r; return this; }
        public Builder sequenceMargin(long m) { this.sequenceMargin = m; return this; }
        public Builder sadLookup(SadLookupCase c) { this.sadLookup = c; return this; }
        public Builder spiRange(int min, int max) { this.spiMin = min; this.spiMax = max; return this; }
        public Builder stateDirectory(Path p) { this.stateDirectory = p; return this; }
        public Builder peers(List<PeerSettings> p) { this.peers = p; return this; }
        public Builder mobileNodes(List<ServedMobileNode> m) { this.mobileNodes = m; return this; }
        public Builder retransmission(RetransmissionPolicy r) { this.retransmission = r; return this; }
        public Builder mobileRetransmission(RetransmissionPolicy r) { this.mobileRetransmission = r; return this; }
        public Builder reactiveTimeout(Duration d) { this.reactiveTimeout = d; return this; }
        public Builder reservationRefresh(Duration d) { this.reservationRefresh = d; return this; }
        public Builder removalDelay(Duration d) { this.removalDelay = d; return this; }
        public Builder routerDropPolicy(DropPolicy d) { this.routerDropPolicy = d; return this; }
        public Builder mobileDropPolicy(DropPolicy d) { this.mobileDropPolicy = d; return this; }
        public Builder peerAllowance(io.cxt.context.PeerContextScreen.Allowance a) { this.peerAllowance = a; return this; }

        public RouterSettings build() {
            return new RouterSettings(name, address, tunnelAddress, cxtpPort, mobileTransport, mobileUdpPort,
                    mobilePrefix, senderId, handoverTimeout, ctarRate, sequenceMargin, sadLookup, spiMin, spiMax,
                    stateDirectory, peers, mobileNodes, retransmission, mobileRetransmission, reactiveTimeout,
                    reservationRefresh, removalDelay, routerDropPolicy, mobileDropPolicy, peerAllowance);
        }
    }
}
