package io.cxt.agent.ike;

import static org.junit.jupiter.api.Assertions.fail;

import java.net.InetAddress;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.BooleanSupplier;

import io.cxt.agent.EventSink;
import io.cxt.ike.AuthMethod;
import io.cxt.ike.ChildSa;
import io.cxt.ike.EncryptionAlgorithm;
import io.cxt.ike.IdentityType;
import io.cxt.ike.IkeAlgorithms;
import io.cxt.ike.IkeLifetime;
import io.cxt.ike.IkeMessageIds;
import io.cxt.ike.IkeSaContext;
import io.cxt.ike.IntegrityAlgorithm;
import io.cxt.ike.PadEntry;
import io.cxt.ike.PeerCredential;
import io.cxt.ike.PrfAlgorithm;
import io.cxt.ike.ProtocolId;
import io.cxt.ike.SkeySeed;
import io.cxt.ike.UpdateSpiNotify;
import io.cxt.testing.Commands;
import io.cxt.testing.TestNamespace;
import io.cxt.xfrm.KeyBytes;

/** One IKE SA seen from the MN and the access router, the paper's addresses, a two-namespace link. */
final class IkeAgentFixtures {
    private IkeAgentFixtures() {
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

    static final long SPI_I = 0x1122334455667788L;
    static final long SPI_R = 0x99aabbccddeeff00L;
    /** The MN's inbound ESP SPI (the router sends with it). */
    static final long MN_ESP_IN = 0xc1000001L;
    /** The router's inbound ESP SPI (the MN sends with it). */
    static final long AR_ESP_IN = 0xc0000001L;

    static final IkeAlgorithms CBC = new IkeAlgorithms(EncryptionAlgorithm.AES_CBC, 256,
            IntegrityAlgorithm.HMAC_SHA2_256_128, PrfAlgorithm.PRF_HMAC_SHA2_256, 19);
    static final IkeAlgorithms GCM = new IkeAlgorithms(EncryptionAlgorithm.AES_GCM_16, 256, IntegrityAlgorithm.NONE,
            PrfAlgorithm.PRF_HMAC_SHA2_256, 31);

    static SkeySeed seed() {
        HexFormat h = HexFormat.of();
        return new SkeySeed(KeyBytes.of(h.parseHex("5f00d1bd2c58ec224b1e6b71fa0f19a1faa7a193952c444411b47c1a9d8ba6fe")),
                h.parseHex("00112233445566778899aabbccddeeff"), h.parseHex("ffeeddccbbaa99887766554433221100"), SPI_I,
                SPI_R);
    }

    /** The MN's copy; it expects the router's request {@code expected} next. */
    static IkeSaContext mobileNode(IkeAlgorithms alg, long nextToSend, long expected) {
        return side(alg, true, new ChildSa(ProtocolId.ESP, MN_ESP_IN, AR_ESP_IN), new IkeMessageIds(nextToSend, expected));
    }

    /** The access router's copy (as the pAR holds it and transfers it). */
    static IkeSaContext accessRouter(IkeAlgorithms alg, long nextToSend, long expected) {
        return side(alg, false, new ChildSa(ProtocolId.ESP, AR_ESP_IN, MN_ESP_IN), new IkeMessageIds(nextToSend, expected));
    }

    private static IkeSaContext side(IkeAlgorithms alg, boolean initiator, ChildSa child, IkeMessageIds ids) {
        SkeySeed seed = seed();
        PadEntry peer = initiator
                ? new PadEntry(IdentityType.ID_FQDN, "ar.example.org".getBytes(StandardCharsets.US_ASCII),
                        AuthMethod.SHARED_KEY_MIC, new PeerCredential.PreSharedKey(KeyBytes.of(new byte[] {1, 2, 3, 4})))
                : new PadEntry(IdentityType.ID_RFC822_ADDR, "mn@example.org".getBytes(StandardCharsets.US_ASCII),
                        AuthMethod.SHARED_KEY_MIC, new PeerCredential.PreSharedKey(KeyBytes.of(new byte[] {1, 2, 3, 4})));
        return new IkeSaContext(SPI_I, SPI_R, initiator, alg, seed.deriveKeys(alg), Optional.of(seed), ids,
                new IkeLifetime(1_764_000_000L, 14_400, 15_840), peer, List.of(child));
    }

    /** A veth link mn (NCOA/64) -- nar (NAR/64), both up, no DAD. */
    static void link(TestNamespace mn, TestNamespace nar) {
        String suffix = Long.toHexString(System.nanoTime() & 0xffffff);
        Commands.run("ip", "link", "add", "im" + suffix, "netns", mn.name(), "type", "veth", "peer", "name",
                "ir" + suffix, "netns", nar.name());
        mn.ip("addr", "add", NCOA.getHostAddress() + "/64", "dev", "im" + suffix, "nodad");
        nar.ip("addr", "add", NAR.getHostAddress() + "/64", "dev", "ir" + suffix, "nodad");
        mn.ip("link", "set", "im" + suffix, "up");
        nar.ip("link", "set", "ir" + suffix, "up");
        mn.ip("link", "set", "lo", "up");
        nar.ip("link", "set", "lo", "up");
    }

    record Event(String kind, String mn, String detail) {
    }

    /** Records events for assertions. */
    static final class Events implements EventSink {
        final List<Event> all = new CopyOnWriteArrayList<>();

        @Override
        public void emit(String kind, String mobileNode, String detail) {
            all.add(new Event(kind, mobileNode, detail));
        }

        List<Event> of(String kind) {
            List<Event> out = new ArrayList<>();
            for (Event e : all) {
                if (e.kind().equals(kind)) {
                    out.add(e);
                }
            }
            return out;
        }
    }

    record Applied(IkeSaContext sa, InetAddress newPeer, List<UpdateSpiNotify> changes) {
    }

    /** A real applier that only records what it was asked (no kernel). */
    static final class RecordingApplier implements SpiChangeApplier {
        final List<Applied> calls = new CopyOnWriteArrayList<>();

        @Override
        public void apply(IkeSaContext sa, InetAddress newPeer, List<UpdateSpiNotify> changes) {
            calls.add(new Applied(sa, newPeer, List.copyOf(changes)));
        }
    }

    static void await(String what, Duration timeout, BooleanSupplier condition) throws InterruptedException {
        long end = System.nanoTime() + timeout.toNanos();
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() > end) {
                fail("timed out waiting for " + what);
            }
            Thread.sleep(5);
        }
    }
}
