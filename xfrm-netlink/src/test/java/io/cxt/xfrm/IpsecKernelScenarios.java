package io.cxt.xfrm;

import static io.cxt.xfrm.PolicyFixtures.ip;

import java.io.IOException;
import java.net.InetAddress;
import java.util.ArrayList;
import java.util.List;

/**
 * Request sequences run on both {@link IpsecKernel} backends, each step's outcome written as text
 * ("ok", "ok spi 0x2000", or the {@link XfrmError} name), so one list of expected outcomes checks
 * the in-memory model (root-free) and the real kernel (in a namespace) alike.
 */
final class IpsecKernelScenarios {

    static final InetAddress SRC = ip("10.9.0.1");
    static final InetAddress DST = ip("10.9.0.2");

    private IpsecKernelScenarios() {
    }

    private interface Step {
        String run() throws IOException;
    }

    private static void step(List<String> out, Step s) {
        try {
            out.add(s.run());
        } catch (IOException e) {
            XfrmError kind = XfrmError.of(e);
            out.add(kind == XfrmError.OTHER ? "error " + e.getMessage() : kind.name());
        }
    }

    private static AllocSpiRequest alloc(int min, int max, int reqid) {
        return AllocSpiRequest.of(SRC, DST, XfrmId.PROTO_ESP, reqid, SaInfo.MODE_TUNNEL, null, null, min, max);
    }

    private static String larval(IpsecKernel k) throws IOException {
        List<String> spis = new ArrayList<>();
        for (SecurityAssociation sa : k.dumpSas()) {
            spis.add(String.format("0x%x", sa.spi()));
        }
        spis.sort(null);
        return "sad " + spis;
    }

    /** Policies and SPI reservations: what a kernel without ESP does too. */
    static final List<String> POLICIES_AND_RESERVATIONS_EXPECTED = List.of(
            "ok", "EEXIST", "EEXIST", "ok priority 7", "ok", "ENOENT", "ok",
            "ok spi 0x2000", "ENOENT", "ok spi 0x3000", "sad [0x2000, 0x3000]", "ok", "ESRCH", "ESRCH",
            "failures [1 ESRCH]", "ENOENT", "sad [0x3000]");

    static List<String> policiesAndReservations(IpsecKernel k) {
        List<String> out = new ArrayList<>();
        SecurityPolicy p = PolicyFixtures.v4IcmpBlock();
        step(out, () -> {
            k.apply(new XfrmBatch().addPolicy(p));
            return "ok";
        });
        step(out, () -> one(k, new XfrmBatch().addPolicy(p)));
        step(out, () -> one(k, new XfrmBatch().addPolicy(p.withPriority(99)))); // priority is not identity
        step(out, () -> {
            String r = one(k, new XfrmBatch().updatePolicy(p.withPriority(7)));
            return r + " priority " + k.getPolicy(p.id()).priority();
        });
        step(out, () -> {
            k.deletePolicy(p.id());
            return "ok";
        });
        step(out, () -> {
            k.deletePolicy(p.id());
            return "ok";
        });
        step(out, () -> one(k, new XfrmBatch().deletePolicy(p.id(), XfrmBatch.IfAbsent.IGNORE)));
        step(out, () -> String.format("ok spi 0x%x", k.allocSpi(alloc(0x2000, 0x2000, 1)).spi()));
        step(out, () -> String.format("ok spi 0x%x", k.allocSpi(alloc(0x2000, 0x2000, 1)).spi())); // taken
        // the refused request left a larval SA without SPI; the next one with its parameters gets it
        step(out, () -> String.format("ok spi 0x%x", k.allocSpi(alloc(0x3000, 0x3000, 1)).spi()));
        step(out, () -> larval(k));
        step(out, () -> {
            k.deleteSa(SaKey.of(DST, 0x2000, XfrmId.PROTO_ESP));
            return "ok";
        });
        step(out, () -> {
            k.deleteSa(SaKey.of(DST, 0x2000, XfrmId.PROTO_ESP));
            return "ok";
        });
        step(out, () -> k.getSa(SaKey.of(DST, 0x2000, XfrmId.PROTO_ESP)).toString());
        step(out, () -> {
            List<XfrmFailure> f = k.apply(new XfrmBatch()
                    .deleteSa(SaKey.of(DST, 0x2001, XfrmId.PROTO_ESP), XfrmBatch.IfAbsent.IGNORE)
                    .deleteSa(SaKey.of(DST, 0x2001, XfrmId.PROTO_ESP)));
            List<String> t = new ArrayList<>();
            f.forEach(x -> t.add(x.index() + " " + x.error()));
            return "failures " + t;
        });
        step(out, () -> k.getPolicy(p.id()).toString());
        step(out, () -> larval(k));
        return out;
    }

    /** Full SAs over reservations: needs ESP (the lab kernel). */
    static final List<String> SAS_EXPECTED = List.of(
            "ok spi 0x4000", "EEXIST", "ok", "ESRCH", "ok", "EEXIST", "ok", "ok seq 9", "ENOENT", "EINVAL",
            "sad [0x4000, 0x4002, 0x4003]");

    static List<String> securityAssociations(IpsecKernel k) {
        List<String> out = new ArrayList<>();
        step(out, () -> String.format("ok spi 0x%x", k.allocSpi(alloc(0x4000, 0x4000, 3)).spi()));
        step(out, () -> one(k, new XfrmBatch().addSa(sa(0x4000)))); // a larval SA holds the SPI
        step(out, () -> one(k, new XfrmBatch().updateSa(sa(0x4000)))); // completes it
        step(out, () -> one(k, new XfrmBatch().updateSa(sa(0x4001))));
        step(out, () -> one(k, new XfrmBatch().addSa(sa(0x4002))));
        step(out, () -> one(k, new XfrmBatch().addSa(sa(0x4002))));
        step(out, () -> one(k, new XfrmBatch().setReplayLifetime(replay(0x4002, 9))));
        step(out, () -> "ok seq " + k.getReplayLifetime(SaKey.of(DST, 0x4002, XfrmId.PROTO_ESP)).replay().oseq());
        step(out, () -> String.format("ok spi 0x%x", k.allocSpi(alloc(0x4002, 0x4002, 4)).spi()));
        step(out, () -> {
            SecurityAssociation l = k.allocSpi(alloc(0x4003, 0x4003, 5));
            return one(k, new XfrmBatch().setReplayLifetime(replay(l.spi(), 1))); // larval: not valid
        });
        step(out, () -> larval(k).replace("0x0, ", "")); // the SPI-0 larval of the refused request aside
        return out;
    }

    static SecurityAssociation sa(int spi) {
        SaInfo info = SaInfo.of(SRC, DST, XfrmId.PROTO_ESP, spi, 3, SaInfo.MODE_TUNNEL);
        return SecurityAssociation.builder(info.withReplayWindow(32))
                .aead(AeadAlgorithm.of("rfc4106(gcm(aes))", KeyBytes.of(new byte[20]), 128)).build();
    }

    private static ReplayLifetimeState replay(int spi, int oseq) {
        AeventId id = new AeventId(new SaId(DST, spi, AddressFamily.INET, XfrmId.PROTO_ESP), SRC, 0, 0);
        return new ReplayLifetimeState(id, new ReplayState(oseq, oseq, 0), null, null, null, null, null, null, null,
                null, List.of());
    }

    private static String one(IpsecKernel k, XfrmBatch b) throws IOException {
        List<XfrmFailure> f = k.apply(b);
        if (!f.isEmpty()) {
            throw f.get(0).cause();
        }
        return "ok";
    }
}
