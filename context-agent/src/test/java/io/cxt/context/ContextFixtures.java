package io.cxt.context;

import java.net.InetAddress;
import java.time.Instant;
import java.util.List;

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

/** A realistic MN context like the paper's (IPv6, ESP tunnel MN-pAR, HoA to a correspondent). */
final class ContextFixtures {
    private ContextFixtures() {
    }

    static InetAddress ip(String s) {
        try {
            return InetAddress.getByName(s);
        } catch (java.net.UnknownHostException e) {
            throw new IllegalArgumentException(e);
        }
    }

    static final InetAddress PCOA = ip("2001:db8:a::10");
    static final InetAddress PAR = ip("2001:db8:a::1");
    static final InetAddress NCOA = ip("2001:db8:b::10");
    static final InetAddress NAR = ip("2001:db8:b::1");
    static final InetAddress HOA = ip("2001:db8:100::10");
    static final InetAddress CN = ip("2001:db8:200::");

    static KeyBytes key(int len, int seed) {
        byte[] k = new byte[len];
        for (int i = 0; i < len; i++) {
            k[i] = (byte) (seed * 31 + i);
        }
        return KeyBytes.of(k);
    }

    /** strongSwan-like lifetimes: no byte/packet limits, rekey at 54 min, expire at 60. */
    static final LifetimeConfig LIFETIME = new LifetimeConfig(-1, -1, -1, -1, 3240, 3600, 0, 0);

    /** ESP tunnel SA; CBC+HMAC when aead is false, GCM otherwise. */
    static SecurityAssociation esp(InetAddress src, InetAddress dst, int spi, int reqid, boolean aead,
                                   int oseq, int seq) {
        Selector sel = new Selector(CN, HOA, 0, 0, 0, 0, 10, 48, 128, 0, 0, 0);
        if (dst.equals(HOA) || src.equals(PAR)) {
            sel = new Selector(HOA, CN, 0, 0, 0, 0, 10, 128, 48, 0, 0, 0);
        }
        SaInfo info = SaInfo.of(src, dst, 50, spi, reqid, SaInfo.MODE_TUNNEL)
                .withSelector(sel).withLifetime(LIFETIME)
                .withCurrent(new LifetimeCurrent(123456, 789, 1_700_000_000L, 1_700_000_100L))
                .withReplayWindow(aead ? 0 : 32);
        SecurityAssociation.Builder b = SecurityAssociation.builder(info)
                .replay(new ReplayState(oseq, seq, seq == 0 ? 0 : 0xffffffff));
        if (aead) {
            b.aead(new AeadAlgorithm("rfc4106(gcm(aes))", key(20, spi), 160, 128));
        } else {
            b.crypt(new Algorithm("cbc(aes)", key(16, spi), 128));
            b.authTrunc(new AuthAlgorithm("hmac(sha256)", key(32, spi + 1), 256, 128));
        }
        return b.build();
    }

    static SecurityPolicy tunnelPolicy(int dir, InetAddress selSrc, int ps, InetAddress selDst, int pd,
                                       InetAddress tmplSrc, InetAddress tmplDst, int reqid) {
        Selector sel = new Selector(selDst, selSrc, 0, 0, 0, 0, 10, pd, ps, 0, 0, 0);
        return SecurityPolicy.builder(sel, dir).priority(1000)
                .templates(List.of(UserTemplate.tunnel(50, tmplSrc, tmplDst, reqid))).build();
    }

    /** The pAR's view of the MN: SA in (MN to pAR), SA out (pAR to MN), policy out and in. */
    static MobileNodeContext parContext(boolean aead) {
        SecurityAssociation in = esp(PCOA, PAR, 0xc0000001, 1, aead, 0, 4711);
        SecurityAssociation out = esp(PAR, PCOA, 0xc1000001, 1, aead, 9000, 0);
        SecurityPolicy pout = tunnelPolicy(PolicyInfo.DIR_OUT, CN, 48, HOA, 128, PAR, PCOA, 1);
        SecurityPolicy pin = tunnelPolicy(PolicyInfo.DIR_IN, HOA, 128, CN, 48, PCOA, PAR, 1);
        return MobileNodeContext.snapshot(new MobileNodeIdentity(HOA, PCOA), PAR, List.of(in, out), List.of(pout, pin),
                Instant.ofEpochMilli(1_700_000_000_123L));
    }
}
