package io.cxt.bench.activation;

import java.net.InetAddress;
import java.time.Instant;
import java.util.List;

import io.cxt.bench.context.MobileNodeFixtures;
import io.cxt.bench.context.RawRequests;
import io.cxt.cdb.ContextBlocks;
import io.cxt.context.MobileNodeContext;
import io.cxt.context.MobileNodeIdentity;
import io.cxt.context.SpiReservations;
import io.cxt.cxtp.AuthorizationToken;
import io.cxt.cxtp.ContextTransferActivateRequest;
import io.cxt.cxtp.CxtpCodec;
import io.cxt.cxtp.PredictiveContextTransferData;
import io.cxt.cxtp.TokenKeyMaterial;
import io.cxt.xfrm.KeyBytes;
import io.cxt.xfrm.XfrmBatch;

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

    static final int ESP = 50;
    static final InetAddress PAR_TUNNEL = MobileNodeFixtures.PAR;
    static final InetAddress NAR_TUNNEL = address("2001:db8:b0::1");
    static final InetAddress DRIVER_LINK = address("2001:db8:b0::2");
    static final InetAddress PAR_CXTP = address("2001:db8:ff::1");
    static final InetAddress NAR_CXTP = address("2001:db8:ff::2");
    static final String MOBILE_PREFIX = "2001:db8:b::/64";
    static final KeyBytes CHANNEL_KEY = key(32, 7);

    static InetAddress address(String s) {
        return MobileNodeFixtures.address(s);
    }

    // MN n's addresses, SPIs, keys and SAs/policies are the context benchmark's (MobileNodeFixtures).

    static InetAddress previousCareOf(int n) {
        return MobileNodeFixtures.previousCareOf(n);
    }

    /** Where MN n sends its CTAR from: the CoA the nAR predicts (mobile prefix + interface id). */
    static InetAddress newCareOf(int n) {
        return MobileNodeFixtures.newCareOf(n);
    }

    static KeyBytes key(int len, int seed) {
        return MobileNodeFixtures.key(len, seed);
    }

    /** The MN-pAR token key of MN n (HMAC-SHA1, 20 octets). */
    static KeyBytes tokenKey(int n) {
        return key(20, 1000 + n);
    }

    /** MN n's context as the pAR's snapshot gives it (2 SAs, 3 policies, pAR - previous CoA). */
    static MobileNodeContext parContext(int n) {
        InetAddress coa = previousCareOf(n);
        MobileNodeFixtures.RouterSide side = MobileNodeFixtures.routerSide(n, PAR_TUNNEL, coa);
        return MobileNodeContext.snapshot(new MobileNodeIdentity(MobileNodeFixtures.homeAddress(n), coa), PAR_TUNNEL,
                side.sas(), side.policies(), Instant.now());
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

    /** ContextInstaller.install's batch for a rewritten context, pre-encoded (the context benchmark's raw batch). */
    static XfrmBatch installBatch(MobileNodeContext rewritten, SpiReservations reservations) {
        return RawRequests.install(rewritten, reservations);
    }
}
