package io.cxt.agent.ike;

import static io.cxt.agent.ike.IkeAgentFixtures.CN;
import static io.cxt.agent.ike.IkeAgentFixtures.HOA;

import java.io.IOException;
import java.net.InetAddress;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;

import io.cxt.xfrm.Algorithm;
import io.cxt.xfrm.AuthAlgorithm;
import io.cxt.xfrm.KeyBytes;
import io.cxt.xfrm.LifetimeConfig;
import io.cxt.xfrm.ReplayState;
import io.cxt.xfrm.SaInfo;
import io.cxt.xfrm.SecurityAssociation;
import io.cxt.xfrm.SecurityPolicy;
import io.cxt.xfrm.Selector;
import io.cxt.xfrm.UserTemplate;
import io.cxt.xfrm.XfrmClient;

/** The MN's own IPsec state: ESP tunnel CoA <-> router for HoA <-> correspondent network. */
final class MnKernelFixtures {
    private MnKernelFixtures() {
    }

    static final LifetimeConfig LIFETIME = new LifetimeConfig(-1, -1, -1, -1, 3240, 3600, 0, 0);

    static KeyBytes key(int len, int seed) {
        byte[] k = new byte[len];
        for (int i = 0; i < len; i++) {
            k[i] = (byte) (seed * 31 + i);
        }
        return KeyBytes.of(k);
    }

    /** ESP tunnel SA, AES-CBC + HMAC-SHA256; outbound (from the CoA) when {@code fromMn}. */
    static SecurityAssociation esp(InetAddress src, InetAddress dst, long spi, int reqid, boolean fromMn, int oseq) {
        Selector sel = fromMn ? new Selector(CN, HOA, 0, 0, 0, 0, 10, 48, 128, 0, 0, 0)
                : new Selector(HOA, CN, 0, 0, 0, 0, 10, 128, 48, 0, 0, 0);
        SaInfo info = SaInfo.of(src, dst, 50, (int) spi, reqid, SaInfo.MODE_TUNNEL).withSelector(sel)
                .withLifetime(LIFETIME).withReplayWindow(32);
        return SecurityAssociation.builder(info).replay(new ReplayState(oseq, 0, 0))
                .crypt(new Algorithm("cbc(aes)", key(16, (int) spi), 128))
                .authTrunc(new AuthAlgorithm("hmac(sha256)", key(32, (int) spi + 1), 256, 128)).build();
    }

    static SecurityPolicy tunnelPolicy(int dir, InetAddress selSrc, int ps, InetAddress selDst, int pd,
            InetAddress tmplSrc, InetAddress tmplDst, int reqid) {
        Selector sel = new Selector(selDst, selSrc, 0, 0, 0, 0, 10, pd, ps, 0, 0, 0);
        return SecurityPolicy.builder(sel, dir).priority(1000)
                .templates(List.of(UserTemplate.tunnel(50, tmplSrc, tmplDst, reqid))).build();
    }

    /** SAD and SPD as sorted lines (SPI, addresses, templates), for before/after comparisons. */
    static List<String> dump(XfrmClient c) throws IOException {
        List<String> out = new ArrayList<>();
        for (SecurityAssociation sa : c.states().dump()) {
            out.add("sa " + sa.source().getHostAddress() + ">" + sa.destination().getHostAddress() + " "
                    + Integer.toHexString(sa.spi()) + " reqid " + sa.reqid());
        }
        for (SecurityPolicy p : c.policies().dump()) {
            out.add("pol " + p.direction() + " " + p.selector() + " " + p.templates());
        }
        Collections.sort(out);
        return out;
    }
}
