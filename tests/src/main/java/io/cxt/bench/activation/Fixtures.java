package io.cxt.bench.activation;

import java.net.InetAddress;
import java.net.UnknownHostException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;

import io.cxt.context.ContextBlocks;
import io.cxt.context.MobileNodeContext;
import io.cxt.context.MobileNodeIdentity;
import io.cxt.context.SpiReservations;
import io.cxt.cxtp.AuthorizationToken;
import io.cxt.cxtp.ContextTransferActivateRequest;
import io.cxt.cxtp.CxtpCodec;
import io.cxt.cxtp.PredictiveContextTransferData;
import io.cxt.cxtp.TokenKeyMaterial;
import io.cxt.nl.Netlink;
import io.cxt.nl.NetlinkRequest;
import io.cxt.xfrm.Algorithm;
import io.cxt.xfrm.AuthAlgorithm;
import io.cxt.xfrm.KeyBytes;
import io.cxt.xfrm.LifetimeConfig;
import io.cxt.xfrm.PolicyInfo;
import io.cxt.xfrm.ReplayState;
import io.cxt.xfrm.SaInfo;
import io.cxt.xfrm.SecurityAssociation;
import io.cxt.xfrm.SecurityPolicy;
import io.cxt.xfrm.Selector;
import io.cxt.xfrm.UserTemplate;
import io.cxt.xfrm.XfrmMsgType;

/**
 * The mobile nodes the benchmark activates, numbered 0, 1, 2, ...: the shape of the context
 * benchmark's MNs (IPv6, one ESP tunnel SA each way between care-of address and access router,
 * cbc(aes) + hmac(sha256), replay window 32, strongSwan-like lifetimes, tunnel policies out, in
 * and fwd between the MN's home address and a correspondent /48), with addresses, SPIs, reqids and
 * token keys that differ per MN.
 *
 * <p>Addresses: the MN's previous CoA 2001:db8:a::1:n (at the pAR 2001:db8:a::1), its new CoA
 * 2001:db8:b::1:n, which is exactly what the nAR predicts from its mobile prefix 2001:db8:b::/64
 * and the previous CoA's interface id; the nAR's tunnel address 2001:db8:b0::1 lies outside that
 * prefix so that the driver namespace can own the whole prefix (see {@link ActivationLab}).
 */
final class Fixtures {

    private Fixtures() {
    }

    static final int AF_INET6 = 10;
    static final int ESP = 50;
    static final InetAddress PAR_TUNNEL = address("2001:db8:a::1");
    static final InetAddress NAR_TUNNEL = address("2001:db8:b0::1");
    static final InetAddress DRIVER_LINK = address("2001:db8:b0::2");
    static final InetAddress PAR_CXTP = address("2001:db8:ff::1");
    static final InetAddress NAR_CXTP = address("2001:db8:ff::2");
    static final String MOBILE_PREFIX = "2001:db8:b::/64";
    static final InetAddress CN = address("2001:db8:200::");
    static final int CN_PREFIX = 48;
    static final KeyBytes CHANNEL_KEY = key(32, 7);

    private static final LifetimeConfig LIFETIME = new LifetimeConfig(-1, -1, -1, -1, 3240, 3600, 0, 0);
    private static final int PAR_OSEQ = 9000;
    private static final int PAR_SEQ = 4711;

    static InetAddress address(String s) {
        try {
            return InetAddress.getByName(s);
        } catch (UnknownHostException e) {
            throw new IllegalArgumentException(s, e);
        }
    }

    private static InetAddress host(String prefix, int n) {
        byte[] a = address(prefix).getAddress();
        int v = 0x10000 + n;
        a[12] = (byte) (v >>> 24);
        a[13] = (byte) (v >>> 16);
        a[14] = (byte) (v >>> 8);
        a[15] = (byte) v;
        try {
            return InetAddress.getByAddress(a);
        } catch (UnknownHostException e) {
            throw new IllegalStateException(e);
        }
    }

    static InetAddress previousCareOf(int n) {
        return host("2001:db8:a::", n);
    }

    /** Where MN n sends its CTAR from: the CoA the nAR predicts (mobile prefix + interface id). */
    static InetAddress newCareOf(int n) {
        return host("2001:db8:b::", n);
    }

    static InetAddress homeAddress(int n) {
        return host("2001:db8:100::", n);
    }

    static int inboundSpi(int n) {
        return 0xc0000000 | n;
    }

    static int outboundSpi(int n) {
        return 0xc1000000 | n;
    }

    static KeyBytes key(int len, int seed) {
        byte[] k = new byte[len];
        for (int i = 0; i < len; i++) {
            k[i] = (byte) (seed * 31 + i);
        }
        return KeyBytes.of(k);
    }

    /** The MN-pAR token key of MN n (HMAC-SHA1, 20 octets). */
    static KeyBytes tokenKey(int n) {
        return key(20, 1000 + n);
    }

    private static SecurityAssociation esp(InetAddress src, InetAddress dst, Selector sel, int spi, int reqid, int oseq,
                                           int seq) {
        SaInfo info = SaInfo.of(src, dst, ESP, spi, reqid, SaInfo.MODE_TUNNEL)
                .withSelector(sel).withLifetime(LIFETIME).withReplayWindow(32);
        return SecurityAssociation.builder(info)
                .replay(new ReplayState(oseq, seq, seq == 0 ? 0 : 0xffffffff))
                .crypt(new Algorithm("cbc(aes)", key(16, spi), 128))
                .authTrunc(new AuthAlgorithm("hmac(sha256)", key(32, spi + 1), 256, 128))
                .build();
    }

    private static SecurityPolicy tunnelPolicy(int dir, InetAddress selSrc, int ps, InetAddress selDst, int pd,
                                               InetAddress tmplSrc, InetAddress tmplDst, int reqid) {
        Selector sel = new Selector(selDst, selSrc, 0, 0, 0, 0, AF_INET6, pd, ps, 0, 0, 0);
        return SecurityPolicy.builder(sel, dir).priority(1000)
                .templates(List.of(UserTemplate.tunnel(ESP, tmplSrc, tmplDst, reqid))).build();
    }

    /** MN n's context as the pAR's snapshot gives it (2 SAs, 3 policies, pAR - previous CoA). */
    static MobileNodeContext parContext(int n) {
        InetAddress hoa = homeAddress(n);
        InetAddress coa = previousCareOf(n);
        int reqid = n + 1;
        Selector mnToCn = new Selector(CN, hoa, 0, 0, 0, 0, AF_INET6, CN_PREFIX, 128, 0, 0, 0);
        Selector cnToMn = new Selector(hoa, CN, 0, 0, 0, 0, AF_INET6, 128, CN_PREFIX, 0, 0, 0);
        SecurityAssociation in = esp(coa, PAR_TUNNEL, mnToCn, inboundSpi(n), reqid, 0, PAR_SEQ);
        SecurityAssociation out = esp(PAR_TUNNEL, coa, cnToMn, outboundSpi(n), reqid, PAR_OSEQ, 0);
        List<SecurityPolicy> policies = List.of(
                tunnelPolicy(PolicyInfo.DIR_OUT, CN, CN_PREFIX, hoa, 128, PAR_TUNNEL, coa, reqid),
                tunnelPolicy(PolicyInfo.DIR_IN, hoa, 128, CN, CN_PREFIX, coa, PAR_TUNNEL, reqid),
                tunnelPolicy(PolicyInfo.DIR_FWD, hoa, 128, CN, CN_PREFIX, coa, PAR_TUNNEL, reqid));
        return MobileNodeContext.snapshot(new MobileNodeIdentity(hoa, coa), PAR_TUNNEL, List.of(in, out), policies,
                Instant.now());
    }

    /** The PCTD the pAR sends for MN n (A flag clear, the MN's token key, the context blocks). */
    static byte[] pctd(int n) {
        return CxtpCodec.encode(new PredictiveContextTransferData(false, 0, previousCareOf(n),
                TokenKeyMaterial.hmacSha1(tokenKey(n)), ContextBlocks.encode(parContext(n))));
    }

    /** MN n's CTAR (A flag set, naming the pAR, token over previous CoA and sequence number). */
    static byte[] ctar(int n, long sequence) {
        InetAddress prev = previousCareOf(n);
        int token = AuthorizationToken.compute(tokenKey(n), prev, sequence, List.of());
        return CxtpCodec.encode(new ContextTransferActivateRequest(true, prev, PAR_TUNNEL, sequence, token, List.of()));
    }

    /**
     * ContextInstaller.install's batch for a rewritten context, pre-encoded: SAs in context order
     * (UPDSA over a reserved larval SA, NEWSA otherwise), then policies out, fwd, in (the same
     * builder as the context benchmark's RawRequests.install).
     */
    static List<NetlinkRequest> installBatch(MobileNodeContext rewritten, SpiReservations reservations) {
        List<NetlinkRequest> requests = new ArrayList<>();
        for (SecurityAssociation sa : rewritten.securityAssociations()) {
            if (reservations.holds(sa.key())) {
                requests.add(new NetlinkRequest(XfrmMsgType.UPDSA, 0, sa.toBytes()));
            } else {
                requests.add(new NetlinkRequest(XfrmMsgType.NEWSA, Netlink.NLM_F_CREATE | Netlink.NLM_F_EXCL, sa.toBytes()));
            }
        }
        List<SecurityPolicy> policies = new ArrayList<>(rewritten.policies());
        policies.sort(Comparator.comparingInt(p -> switch (p.direction()) {
            case PolicyInfo.DIR_OUT -> 0;
            case PolicyInfo.DIR_FWD -> 1;
            default -> 2;
        }));
        for (SecurityPolicy p : policies) {
            requests.add(new NetlinkRequest(XfrmMsgType.NEWPOLICY, Netlink.NLM_F_CREATE | Netlink.NLM_F_EXCL, p.toBytes()));
        }
        return requests;
    }
}
