package io.cxt.agent;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.security.SecureRandom;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Optional;

import org.slf4j.helpers.MessageFormatter;

import io.cxt.cdb.ContextBlocks;
import io.cxt.context.ContextException;
import io.cxt.context.ContextRewriter;
import io.cxt.context.IkeContextSlot;
import io.cxt.context.MobileNodeContext;
import io.cxt.context.MobileNodeIdentity;
import io.cxt.context.RewritePlan;
import io.cxt.context.SequenceNumberPolicy;
import io.cxt.context.SpiMapping;
import io.cxt.cxtp.AuthorizationToken;
import io.cxt.cxtp.ContextDataBlock;
import io.cxt.cxtp.ContextTransferActivateAcknowledge;
import io.cxt.cxtp.ContextTransferActivateRequest;
import io.cxt.cxtp.ContextTransferData;
import io.cxt.cxtp.ContextTransferDataReply;
import io.cxt.cxtp.ContextTransferRequest;
import io.cxt.cxtp.CxtpCodec;
import io.cxt.cxtp.CxtpDecodeException;
import io.cxt.cxtp.CxtpMessage;
import io.cxt.cxtp.FeatureStatus;
import io.cxt.cxtp.IcmpCxtpFraming;
import io.cxt.cxtp.PredictiveContextTransferData;
import io.cxt.cxtp.RouterChannelProtection;
import io.cxt.cxtp.RouterPeer;
import io.cxt.cxtp.TokenKeyMaterial;
import io.cxt.ike.AuthMethod;
import io.cxt.ike.ChildSa;
import io.cxt.ike.EncryptionAlgorithm;
import io.cxt.ike.IdentityType;
import io.cxt.ike.IkeAlgorithms;
import io.cxt.agent.ike.IkeContextSlots;
import io.cxt.ike.IkeDecodeException;
import io.cxt.ike.IkeLifetime;
import io.cxt.ike.IkeMessageIds;
import io.cxt.ike.IkeRejectedException;
import io.cxt.ike.IkeSaContext;
import io.cxt.ike.IkeSaContextCodec;
import io.cxt.ike.InformationalContent;
import io.cxt.ike.InformationalExchange;
import io.cxt.ike.IntegrityAlgorithm;
import io.cxt.ike.PadEntry;
import io.cxt.ike.PeerCredential;
import io.cxt.ike.PrfAlgorithm;
import io.cxt.ike.ProtocolId;
import io.cxt.ike.SkeySeed;
import io.cxt.ike.SpiOwner;
import io.cxt.ike.TokenKeyDerivation;
import io.cxt.ike.UpdateSpiNotify;
import io.cxt.xfrm.AeadAlgorithm;
import io.cxt.xfrm.Algorithm;
import io.cxt.xfrm.AuthAlgorithm;
import io.cxt.xfrm.KeyBytes;
import io.cxt.xfrm.LifetimeConfig;
import io.cxt.xfrm.LifetimeCurrent;
import io.cxt.xfrm.PolicyInfo;
import io.cxt.xfrm.ReplayState;
import io.cxt.xfrm.SaInfo;
import io.cxt.xfrm.SecurityAssociation;
import io.cxt.xfrm.SecurityPolicy;
import io.cxt.xfrm.Selector;
import io.cxt.xfrm.UserTemplate;
import io.cxt.xfrm.XfrmBatch;

/**
 * The synthetic handover {@link ActivationWarmup} computes and {@link ActivationRehearsal} puts in a kernel: one MN
 * at two sites (IPv6, IPv4) with its SAs, policies, contexts and IKE SAs, the routers' channel keys and the token
 * key; random throw-away keys, wiped by {@link #wipe}. One instance per warm-up or rehearsal.
 */
final class ActivationWorkload {
    private static final int ESP = 50;
    private static final LifetimeConfig LIFETIME = new LifetimeConfig(-1, -1, -1, -1, 3240, 3600, 0, 0);
    /**
     * In the agent's own namespace ({@link ActivationRehearsal} without CAP_SYS_ADMIN): the kernel removes
     * whatever a crash in the middle of the rehearsal left, two minutes later.
     */
    private static final LifetimeConfig IN_PLACE_LIFETIME = new LifetimeConfig(-1, -1, -1, -1, 60, 120, 0, 0);

    private final SecureRandom random;
    private final List<KeyBytes> keys = new ArrayList<>();
    final List<Site> sites = new ArrayList<>();
    private final KeyBytes tokenKey;
    private final RouterChannelProtection parChannel;
    private final RouterChannelProtection narChannel;
    private final InetSocketAddress parAt;
    private final List<IkePair> ike = new ArrayList<>();
    private final byte[] larval = new byte[64 << 10];

    private final boolean inPlace;

    /**
     * Whether {@code a} is one of the in-place workload's addresses: IPv6 {@code 100::/64} (RFC 6666,
     * discard-only) or IPv4 {@code 240.0.0.0/4} (reserved). What the rehearsal may remove in the agent's
     * own namespace must consist of these only.
     */
    static boolean inPlaceAddress(InetAddress a) {
        byte[] b = a.getAddress();
        if (b.length == 16) {
            for (int i = 0; i < 8; i++) {
                if (b[i] != (i == 0 ? 0x01 : 0)) {
                    return false;
                }
            }
            return true;
        }
        return (b[0] & 0xf0) == 0xf0 && (b[0] & 0xff) != 0xff;
    }

    ActivationWorkload(SecureRandom random) {
        this(random, false);
    }

    /**
     * @param inPlace false: documentation addresses (RFC 3849, RFC 5737), for computation and a scratch
     *                namespace; true: addresses no network uses, the IPv6 discard-only prefix {@code 100::/64}
     *                (RFC 6666) and IPv4's reserved {@code 240.0.0.0/4}, and two-minute hard lifetimes, for
     *                kernel state in a namespace that also holds real SAs (a lab or a gateway may well use
     *                the documentation prefixes)
     */
    ActivationWorkload(SecureRandom random, boolean inPlace) {
        this.random = random;
        this.inPlace = inPlace;
        tokenKey = randomKey(20);
        if (inPlace) {
            sites.add(new Site(ip("100::a:10"), ip("100::a:1"), ip("100::b:10"), ip("100::b:1"),
                    ip("100::100:10"), ip("100::200:0"), 10, 128, 112));
            sites.add(new Site(ip("240.0.2.10"), ip("240.0.2.1"), ip("240.51.100.10"), ip("240.51.100.1"),
                    ip("240.0.113.10"), ip("240.0.113.128"), 2, 32, 25));
        } else {
            sites.add(new Site(ip("2001:db8:a::10"), ip("2001:db8:a::1"), ip("2001:db8:b::10"), ip("2001:db8:b::1"),
                    ip("2001:db8:100::10"), ip("2001:db8:200::"), 10, 128, 48));
            sites.add(new Site(ip("192.0.2.10"), ip("192.0.2.1"), ip("198.51.100.10"), ip("198.51.100.1"),
                    ip("203.0.113.10"), ip("203.0.113.128"), 2, 32, 25));
        }
        for (Site s : sites) {
            s.context = context(s);
        }
        KeyBytes channelKey = randomKey(RouterChannelProtection.KEY_LENGTH);
        parAt = new InetSocketAddress(sites.get(0).par, 5091);
        InetSocketAddress narAt = new InetSocketAddress(sites.get(0).nar, 5091);
        parChannel = new RouterChannelProtection(1);
        narChannel = new RouterChannelProtection(2);
        parChannel.addPeer(new RouterPeer(2, narAt, channelKey));
        narChannel.addPeer(new RouterPeer(1, parAt, channelKey));
        ike.add(ikePair(new IkeAlgorithms(EncryptionAlgorithm.AES_CBC, 256, IntegrityAlgorithm.HMAC_SHA2_256_128,
                PrfAlgorithm.PRF_HMAC_SHA2_256, 19)));
        ike.add(ikePair(new IkeAlgorithms(EncryptionAlgorithm.AES_GCM_16, 256, IntegrityAlgorithm.NONE,
                PrfAlgorithm.PRF_HMAC_SHA2_256, 19)));
    }

    void round(Map<String, Integer> counts, Map<String, Long> nanos) {
        for (String part : ActivationWarmup.PARTS) {
            long t = System.nanoTime();
            runPart(part);
            nanos.merge(part, System.nanoTime() - t, Long::sum);
            counts.merge(part, 1, Integer::sum);
        }
    }

    private void runPart(String part) {
        try {
            switch (part) {
                case "cxtp" -> cxtp();
                case "token" -> token();
                case "router-channel" -> routerChannel();
                case "context-blocks" -> contextBlocks();
                case "rewrite" -> rewrite();
                case "xfrm-encode" -> xfrmEncode();
                case "xfrm-decode" -> xfrmDecode();
                case "ike-slot" -> ikeSlot();
                case "ike-informational" -> ikeInformational();
                case "token-key-derivation" -> tokenKeyDerivation();
                case "log" -> log();
                default -> throw new IllegalArgumentException(part);
            }
        } catch (ContextException | CxtpDecodeException | io.cxt.cdb.ContextDecodeException | IkeDecodeException
                 | IkeRejectedException e) {
            throw new IllegalStateException("warm-up part " + part + ": " + e.getMessage(), e);
        }
    }

    // ---- parts

    private void cxtp() throws CxtpDecodeException {
        for (Site s : sites) {
            List<ContextDataBlock> blocks = s.blocks();
            long seq = Integer.toUnsignedLong(random.nextInt());
            ContextTransferActivateRequest ctar = new ContextTransferActivateRequest(true, s.pcoa, s.par, seq,
                    AuthorizationToken.compute(tokenKey, s.pcoa, seq, List.of()), List.of());
            boolean v6 = s.family == 10;
            byte[] ctarBytes = CxtpCodec.encode(ctar);
            check(CxtpCodec.decode(IcmpCxtpFraming.unframe(v6, IcmpCxtpFraming.frame(v6, ctarBytes))));
            ContextTransferActivateAcknowledge ctaa = new ContextTransferActivateAcknowledge(s.pcoa, List.of());
            byte[] ctaaBytes = CxtpCodec.encode(ctaa);
            CxtpCodec.encodedLength(ctaa);
            check(CxtpCodec.decode(IcmpCxtpFraming.unframe(v6, IcmpCxtpFraming.frame(v6, ctaaBytes))));
            check(CxtpCodec.decode(CxtpCodec.encode(new ContextTransferActivateAcknowledge(s.pcoa,
                    List.of(new FeatureStatus(ContextBlocks.FPT_HEADER, 0x80))))));
            check(CxtpCodec.decode(CxtpCodec.encode(new PredictiveContextTransferData(false, 0, s.pcoa,
                    TokenKeyMaterial.hmacSha1(tokenKey), blocks))));
            check(CxtpCodec.decode(CxtpCodec.encode(new ContextTransferData(true, 3, s.pcoa, blocks))));
            check(CxtpCodec.decode(CxtpCodec.encode(new ContextTransferDataReply(true, s.pcoa, List.of()))));
            check(CxtpCodec.decode(CxtpCodec.encode(ContextTransferRequest.forActivateRequest(ctar))));
        }
    }

    private void token() {
        Site s = sites.get(0);
        long seq = Integer.toUnsignedLong(random.nextInt());
        int token = AuthorizationToken.compute(tokenKey, s.pcoa, seq, List.of());
        AuthorizationToken.isUsable(token);
        ContextTransferActivateRequest ctar = new ContextTransferActivateRequest(true, s.pcoa, s.par, seq, token,
                List.of());
        if (!AuthorizationToken.verify(TokenKeyMaterial.hmacSha1(tokenKey), ctar)
                || !AuthorizationToken.verify(tokenKey, ContextTransferRequest.forActivateRequest(ctar))) {
            throw new IllegalStateException("warm-up token did not verify");
        }
    }

    private void routerChannel() {
        Site s = sites.get(0);
        byte[] message = CxtpCodec.encode(new PredictiveContextTransferData(false, 0, s.pcoa,
                TokenKeyMaterial.hmacSha1(tokenKey), s.blocks()));
        byte[] envelope = parChannel.seal(2, message);
        if (!(narChannel.open(parAt, envelope) instanceof RouterChannelProtection.Accepted)) {
            throw new IllegalStateException("warm-up envelope was not accepted");
        }
    }

    private void contextBlocks() throws io.cxt.cdb.ContextDecodeException {
        for (Site s : sites) {
            MobileNodeContext back = ContextBlocks.decode(ContextBlocks.encode(s.context));
            ContextBlocks.encodedLength(s.blocks());
            back.discard();
        }
    }

    private void rewrite() throws ContextException {
        for (Site s : sites) {
            MobileNodeContext target = s.forTarget(random);
            s.lastTarget = target;
            // The MN's own move: new CoA, new tunnel peer, margin 0 as its kernel knows the counters.
            RewritePlan plan = RewritePlan.forMobileNode(s.pcoa, s.ncoa, s.par, s.nar, List.of(),
                    new SequenceNumberPolicy(0));
            ContextRewriter.rewrite(s.mobileView, plan, s.nar, s.ncoa).discard();
        }
    }

    private void xfrmEncode() throws ContextException {
        for (Site s : sites) {
            MobileNodeContext target = s.lastTarget != null ? s.lastTarget : s.forTarget(random);
            s.batch = batchBytes(target);
            // The MN side's undo requests (DELSA by key, UPDPOLICY without index).
            for (SecurityAssociation sa : target.securityAssociations()) {
                sa.key().toBytes();
            }
            for (SecurityPolicy p : target.policies()) {
                p.withIndex(0).toBytes();
            }
        }
    }

    private void xfrmDecode() throws ContextException {
        for (Site s : sites) {
            if (s.batch == null) {
                xfrmEncode();
            }
            int[] counts = new int[2];
            XfrmBatch.decodeWire(s.batch, sa -> {
                sa.key();
                counts[0]++;
            }, p -> {
                p.id();
                counts[1]++;
            });
            int sas = counts[0];
            int policies = counts[1];
            if (sas != s.context.securityAssociations().size() || policies != s.context.policies().size()) {
                throw new IllegalStateException("warm-up batch decoded to " + sas + " SAs and " + policies + " policies");
            }
        }
    }

    private void ikeSlot() throws IkeDecodeException, io.cxt.cdb.ContextDecodeException {
        for (IkePair p : ike) {
            IkeContextSlot slot = IkeContextSlots.of(p.router);
            IkeSaContext back = IkeContextSlots.decode(slot);
            IkeSaContextCodec.decode(IkeSaContextCodec.encode(back)).wipe();
            back.wipe();
            Site s = sites.get(0);
            ContextBlocks.decode(ContextBlocks.encode(s.context.withIkeContext(slot))).discard();
        }
    }

    private void ikeInformational() throws IkeRejectedException {
        for (IkePair p : ike) {
            // The paper's request from the nAR: new addresses, a colliding inbound ESP SPI replaced.
            InformationalContent request = InformationalContent.addressAndSpiUpdate(List.of(
                    new UpdateSpiNotify(ProtocolId.ESP, p.routerEspIn, p.routerEspIn ^ 0x00ff0000L, SpiOwner.RESPONDER)));
            InformationalExchange.OutgoingRequest req = InformationalExchange.buildRequest(p.router, request, random);
            InformationalExchange.AcceptedRequest got = InformationalExchange.acceptRequest(p.mobile, req.message());
            IkeSaContext updated = got.context();
            for (UpdateSpiNotify u : got.content().spiUpdates()) {
                updated = updated.applySpiUpdate(u);
            }
            byte[] response = InformationalExchange.buildResponse(got.context(), got.messageId(),
                    InformationalContent.empty(), random);
            InformationalExchange.acceptResponse(req.context(), req.messageId(), response);
        }
    }

    private void tokenKeyDerivation() {
        for (IkePair p : ike) {
            TokenKeyDerivation.fromIkeSa(p.router).wipe();
            TokenKeyDerivation.fromIkeSa(p.mobile).wipe();
        }
    }

    private void log() {
        Site s = sites.get(0);
        Object[] args = {"context-activated", "MN " + io.cxt.xfrm.AddressText.of(s.pcoa),
            "at " + io.cxt.xfrm.AddressText.of(s.nar) + " from CoA " + io.cxt.xfrm.AddressText.of(s.ncoa)
                    + " (sequence 4711, 0 retransmissions, CTAR->CTAA 512 us)"};
        // As EventLog writes it, formatted but not written (a level below INFO is off by default).
        MessageFormatter.arrayFormat("{} {}: {}", args).getMessage();
        if (!ActivationWarmup.QUIET.isTraceEnabled()) {
            ActivationWarmup.QUIET.trace("{} {}: {}", args);
        }
        if (!ActivationWarmup.QUIET.isDebugEnabled()) {
            ActivationWarmup.QUIET.debug("{}: installed {} SAs and {} policies in {} us", "MN x", 2, 3, 100);
        }
    }

    // ---- builders

    private byte[] batchBytes(MobileNodeContext target) {
        List<SecurityPolicy> policies = new ArrayList<>(target.policies());
        policies.sort(Comparator.comparingInt(p -> p.direction() == PolicyInfo.DIR_IN ? 0
                : p.direction() == PolicyInfo.DIR_FWD ? 1 : 2));
        XfrmBatch batch = new XfrmBatch(target.securityAssociations().size() + policies.size());
        for (SecurityAssociation sa : target.securityAssociations()) {
            // Inbound SAs replace the larval SAs of the SPI reservation (UPDSA), outbound ones are new.
            if (sa.destination().equals(target.targetRouter())) {
                batch.updateSa(sa);
            } else {
                batch.addSa(sa);
            }
            sa.key();
        }
        for (SecurityPolicy p : policies) {
            batch.addPolicy(p);
            p.id();
        }
        return batch.wireBytes();
    }

    private MobileNodeContext context(Site s) {
        int reqid = 1 + random.nextInt(1000);
        List<SecurityAssociation> sas = List.of(
                esp(s, s.pcoa, s.par, spi(), reqid, false, SecurityAssociation.DIR_IN),
                esp(s, s.par, s.pcoa, spi(), reqid, false, SecurityAssociation.DIR_OUT),
                esp(s, s.pcoa, s.par, spi(), reqid + 1, true, SecurityAssociation.DIR_IN),
                esp(s, s.par, s.pcoa, spi(), reqid + 1, true, SecurityAssociation.DIR_OUT));
        List<SecurityPolicy> policies = List.of(
                policy(s, PolicyInfo.DIR_OUT, s.cn, s.cnPrefix, s.hoa, s.hostPrefix, s.par, s.pcoa, reqid),
                policy(s, PolicyInfo.DIR_IN, s.hoa, s.hostPrefix, s.cn, s.cnPrefix, s.pcoa, s.par, reqid),
                policy(s, PolicyInfo.DIR_FWD, s.hoa, s.hostPrefix, s.cn, s.cnPrefix, s.pcoa, s.par, reqid));
        s.mobileView = MobileNodeContext.snapshot(new MobileNodeIdentity(s.hoa, s.pcoa), s.pcoa, List.of(
                esp(s, s.par, s.pcoa, spi(), reqid, false, SecurityAssociation.DIR_IN),
                esp(s, s.pcoa, s.par, spi(), reqid, true, SecurityAssociation.DIR_OUT)), List.of(
                policy(s, PolicyInfo.DIR_OUT, s.hoa, s.hostPrefix, s.cn, s.cnPrefix, s.pcoa, s.par, reqid),
                policy(s, PolicyInfo.DIR_IN, s.cn, s.cnPrefix, s.hoa, s.hostPrefix, s.par, s.pcoa, reqid)),
                Instant.now());
        return MobileNodeContext.snapshot(new MobileNodeIdentity(s.hoa, s.pcoa), s.par, sas, policies, Instant.now());
    }

    private SecurityAssociation esp(Site s, InetAddress src, InetAddress dst, int spi, int reqid, boolean aead,
                                    int direction) {
        boolean towardsMobile = dst.equals(s.pcoa);
        Selector sel = towardsMobile
                ? new Selector(s.hoa, s.cn, 0, 0, 0, 0, s.family, s.hostPrefix, s.cnPrefix, 0, 0, 0)
                : new Selector(s.cn, s.hoa, 0, 0, 0, 0, s.family, s.cnPrefix, s.hostPrefix, 0, 0, 0);
        SaInfo info = SaInfo.of(src, dst, ESP, spi, reqid, SaInfo.MODE_TUNNEL)
                .withSelector(sel).withLifetime(inPlace ? IN_PLACE_LIFETIME : LIFETIME)
                .withCurrent(new LifetimeCurrent(123_456, 789, Instant.now().getEpochSecond() - 60, 0))
                .withReplayWindow(aead ? 0 : 32);
        int seq = towardsMobile ? 0 : 4711;
        SecurityAssociation.Builder b = SecurityAssociation.builder(info)
                .replay(new ReplayState(towardsMobile ? 9000 : 0, seq, seq == 0 ? 0 : 0xffffffff));
        if (aead) {
            b.aead(new AeadAlgorithm("rfc4106(gcm(aes))", randomKey(20), 160, 128));
        } else {
            b.crypt(new Algorithm("cbc(aes)", randomKey(16), 128));
            b.authTrunc(new AuthAlgorithm("hmac(sha256)", randomKey(32), 256, 128));
        }
        return b.build();
    }

    private SecurityPolicy policy(Site s, int dir, InetAddress selSrc, int ps, InetAddress selDst, int pd,
                                  InetAddress tmplSrc, InetAddress tmplDst, int reqid) {
        Selector sel = new Selector(selDst, selSrc, 0, 0, 0, 0, s.family, pd, ps, 0, 0, 0);
        SecurityPolicy.Builder b = SecurityPolicy.builder(sel, dir).priority(1000)
                .templates(List.of(UserTemplate.tunnel(ESP, tmplSrc, tmplDst, reqid)));
        if (inPlace) {
            b.lifetime(IN_PLACE_LIFETIME);
        }
        return b.build();
    }

    private IkePair ikePair(IkeAlgorithms alg) {
        long spiI = random.nextLong() | 1;
        long spiR = random.nextLong() | 1;
        long mobileEspIn = spi() & 0xffffffffL;
        long routerEspIn = spi() & 0xffffffffL;
        byte[] ni = new byte[32];
        byte[] nr = new byte[32];
        random.nextBytes(ni);
        random.nextBytes(nr);
        KeyBytes psk = randomKey(32);
        IkeLifetime lifetime = new IkeLifetime(Instant.now().getEpochSecond(), 14_400, 15_840);
        IkeSaContext mobile = ikeSide(alg, new SkeySeed(randomKey(32), ni, nr, spiI, spiR), true,
                new PadEntry(IdentityType.ID_FQDN, "ar.warmup.invalid".getBytes(StandardCharsets.US_ASCII),
                        AuthMethod.SHARED_KEY_MIC, new PeerCredential.PreSharedKey(psk)),
                new ChildSa(ProtocolId.ESP, mobileEspIn, routerEspIn), lifetime);
        SkeySeed same = new SkeySeed(mobile.keySeed().orElseThrow().skeyseed(), ni, nr, spiI, spiR);
        keys.add(same.skeyseed());
        IkeSaContext router = ikeSide(alg, same, false,
                new PadEntry(IdentityType.ID_FQDN, "mn.warmup.invalid".getBytes(StandardCharsets.US_ASCII),
                        AuthMethod.SHARED_KEY_MIC, new PeerCredential.PreSharedKey(psk)),
                new ChildSa(ProtocolId.ESP, routerEspIn, mobileEspIn), lifetime);
        return new IkePair(mobile, router, routerEspIn);
    }

    private static IkeSaContext ikeSide(IkeAlgorithms alg, SkeySeed seed, boolean initiator, PadEntry peer,
                                        ChildSa child, IkeLifetime lifetime) {
        return new IkeSaContext(seed.initiatorSpi(), seed.responderSpi(), initiator, alg, seed.deriveKeys(alg),
                Optional.of(seed), new IkeMessageIds(2, 2), lifetime, peer, List.of(child));
    }

    private int spi() {
        return 0x100 + random.nextInt(0x7fff_0000);
    }

    private KeyBytes randomKey(int length) {
        byte[] k = new byte[length];
        random.nextBytes(k);
        KeyBytes key = KeyBytes.of(k);
        java.util.Arrays.fill(k, (byte) 0);
        keys.add(key);
        return key;
    }

    private static void check(CxtpMessage m) {
        if (m == null) {
            throw new IllegalStateException("warm-up message did not decode");
        }
    }

    void wipe() {
        for (Site s : sites) {
            if (s.context != null) {
                s.context.discard();
            }
            if (s.mobileView != null) {
                s.mobileView.discard();
            }
            if (s.lastTarget != null) {
                s.lastTarget.discard();
            }
        }
        for (IkePair p : ike) {
            p.mobile.wipe();
            p.router.wipe();
        }
        keys.forEach(KeyBytes::wipe);
        java.util.Arrays.fill(larval, (byte) 0);
    }

    /** One MN's addresses (IPv6 or IPv4) and its synthetic contexts. */
    static final class Site {
        final InetAddress pcoa;
        final InetAddress par;
        final InetAddress ncoa;
        final InetAddress nar;
        final InetAddress hoa;
        final InetAddress cn;
        final int family;
        final int hostPrefix;
        final int cnPrefix;
        MobileNodeContext context;
        MobileNodeContext mobileView;
        MobileNodeContext lastTarget;
        byte[] batch;
        private List<ContextDataBlock> blocks;

        Site(InetAddress pcoa, InetAddress par, InetAddress ncoa, InetAddress nar, InetAddress hoa, InetAddress cn,
             int family, int hostPrefix, int cnPrefix) {
            this.pcoa = pcoa;
            this.par = par;
            this.ncoa = ncoa;
            this.nar = nar;
            this.hoa = hoa;
            this.cn = cn;
            this.family = family;
            this.hostPrefix = hostPrefix;
            this.cnPrefix = cnPrefix;
        }

        List<ContextDataBlock> blocks() {
            if (blocks == null) {
                blocks = ContextBlocks.encode(context);
            }
            return blocks;
        }

        /** As the nAR does: inbound SAs (towards the pAR) get the nAR and a reserved SPI. */
        MobileNodeContext forTarget(SecureRandom random) throws ContextException {
            List<SpiMapping> mappings = new ArrayList<>();
            for (SecurityAssociation sa : context.securityAssociations()) {
                if (sa.destination().equals(par)) {
                    mappings.add(SpiMapping.ipsec(sa.proto(), nar, sa.spi(), 0x100 + random.nextInt(0x7fff_0000), true));
                }
            }
            if (lastTarget != null) {
                lastTarget.discard();
            }
            return ContextRewriter.forTarget(context, ncoa, nar, mappings, SequenceNumberPolicy.DEFAULT);
        }
    }

    private record IkePair(IkeSaContext mobile, IkeSaContext router, long routerEspIn) {
    }

    private static InetAddress ip(String literal) {
        return io.cxt.xfrm.AddressText.parse(literal);
    }
}
