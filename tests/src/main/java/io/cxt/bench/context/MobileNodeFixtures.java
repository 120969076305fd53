package io.cxt.bench.context;

import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.ArrayList;
import java.util.List;

import io.cxt.context.MobileNodeIdentity;
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

/**
 * The mobile nodes the benchmark moves, numbered 0, 1, 2, ...: the same shape as the context
 * engine's kernel tests (IPv6, one ESP tunnel SA each way between the MN's care-of address and its
 * access router, cbc(aes) + hmac(sha256), strongSwan-like lifetimes, tunnel policies out, in and fwd
 * between the MN's home address and a correspondent network), with addresses, SPIs and reqids that
 * differ per MN so that thousands of them can live in one namespace.
 */
public final class MobileNodeFixtures {

    private MobileNodeFixtures() {
    }

    static final int AF_INET6 = 10;
    static final int ESP = 50;
    public static final InetAddress PAR = address("2001:db8:a::1");
    static final InetAddress NAR = address("2001:db8:b::1");
    static final InetAddress CN = address("2001:db8:200::");
    static final int CN_PREFIX = 48;

    /** strongSwan-like lifetimes: no byte/packet limits, rekey at 54 min, expire at 60. */
    private static final LifetimeConfig LIFETIME = new LifetimeConfig(-1, -1, -1, -1, 3240, 3600, 0, 0);
    /** The pAR has already sent this many packets to the MN (continued with a margin on the nAR). */
    private static final int PAR_OSEQ = 9000;
    /** ... and received this many from it. */
    private static final int PAR_SEQ = 4711;

    public static InetAddress address(String s) {
        try {
            return InetAddress.getByName(s);
        } catch (UnknownHostException e) {
            throw new IllegalArgumentException(s, e);
        }
    }

    /** {@code prefix} (a /64) with MN {@code n}'s number in the low 32 bits, offset past ::1. */
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

    /** MN {@code n}'s care-of address on the pAR's link. */
    public static InetAddress previousCareOf(int n) {
        return host("2001:db8:a::", n);
    }

    /** MN {@code n}'s care-of address on the nAR's link, after the handover. */
    public static InetAddress newCareOf(int n) {
        return host("2001:db8:b::", n);
    }

    public static InetAddress homeAddress(int n) {
        return host("2001:db8:100::", n);
    }

    static MobileNodeIdentity identity(int n) {
        return new MobileNodeIdentity(homeAddress(n), previousCareOf(n));
    }

    /** The SPI of MN {@code n}'s SA towards its router (inbound on the router). */
    public static int inboundSpi(int n) {
        return 0xc0000000 | n;
    }

    public static int outboundSpi(int n) {
        return 0xc1000000 | n;
    }

    /** A deterministic key of {@code len} octets (benchmarks only). */
    public static KeyBytes key(int len, int seed) {
        byte[] k = new byte[len];
        for (int i = 0; i < len; i++) {
            k[i] = (byte) (seed * 31 + i);
        }
        return KeyBytes.of(k);
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

    /** The SAs and policies a router holds for one or more MNs. */
    public record RouterSide(List<SecurityAssociation> sas, List<SecurityPolicy> policies) {
    }

    /**
     * MN {@code n}'s SAs (in: MN to router, out: router to MN) and policies (out, in, fwd) as the
     * router at {@code router} holds them while the MN is at {@code careOf}.
     */
    public static RouterSide routerSide(int n, InetAddress router, InetAddress careOf) {
        InetAddress hoa = homeAddress(n);
        int reqid = n + 1;
        Selector mnToCn = new Selector(CN, hoa, 0, 0, 0, 0, AF_INET6, CN_PREFIX, 128, 0, 0, 0);
        Selector cnToMn = new Selector(hoa, CN, 0, 0, 0, 0, AF_INET6, 128, CN_PREFIX, 0, 0, 0);
        SecurityAssociation in = esp(careOf, router, mnToCn, inboundSpi(n), reqid, 0, PAR_SEQ);
        SecurityAssociation out = esp(router, careOf, cnToMn, outboundSpi(n), reqid, PAR_OSEQ, 0);
        List<SecurityPolicy> policies = List.of(
                tunnelPolicy(PolicyInfo.DIR_OUT, CN, CN_PREFIX, hoa, 128, router, careOf, reqid),
                tunnelPolicy(PolicyInfo.DIR_IN, hoa, 128, CN, CN_PREFIX, careOf, router, reqid),
                tunnelPolicy(PolicyInfo.DIR_FWD, hoa, 128, CN, CN_PREFIX, careOf, router, reqid));
        return new RouterSide(List.of(in, out), policies);
    }

    /** The pAR's side of MNs {@code first .. first+count-1}, all SAs then all policies. */
    static RouterSide parSide(int first, int count) {
        return side(first, count, true);
    }

    /** The nAR's side of MNs already handed over (background load on the nAR). */
    static RouterSide narSide(int first, int count) {
        return side(first, count, false);
    }

    private static RouterSide side(int first, int count, boolean par) {
        List<SecurityAssociation> sas = new ArrayList<>(2 * count);
        List<SecurityPolicy> policies = new ArrayList<>(3 * count);
        for (int n = first; n < first + count; n++) {
            RouterSide s = par ? routerSide(n, PAR, previousCareOf(n)) : routerSide(n, NAR, newCareOf(n));
            sas.addAll(s.sas());
            policies.addAll(s.policies());
        }
        return new RouterSide(sas, policies);
    }
}
