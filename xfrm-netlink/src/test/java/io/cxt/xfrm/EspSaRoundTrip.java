package io.cxt.xfrm;

import static org.junit.jupiter.api.Assertions.assertAll;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.RecordComponent;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.function.Executable;

import io.cxt.nl.NetlinkMessage;
import io.cxt.testing.TestNamespace;

/**
 * The round trip the esp-kernel tests share: write an SA with cxt, read it back with GETSA and
 * with a dump, normalise only what the kernel fills in on its own (see {@link #normalise}), and
 * compare with what was written, field by field; then hold {@code ip -s xfrm state} against it.
 */
final class EspSaRoundTrip {
    private EspSaRoundTrip() {
    }

    static final int ESP = XfrmId.PROTO_ESP;

    static final KeyBytes AES128 = KeyBytes.ofHex("0x00112233445566778899aabbccddeeff");
    static final KeyBytes AES256 = KeyBytes.ofHex("0x000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f");
    static final KeyBytes SHA1 = KeyBytes.ofHex("0xa0a1a2a3a4a5a6a7a8a9aaabacadaeafb0b1b2b3");
    static final KeyBytes SHA256 = KeyBytes.ofHex("0xb0b1b2b3b4b5b6b7b8b9babbbcbdbebfc0c1c2c3c4c5c6c7c8c9cacbcccdcecf");
    static final KeyBytes SHA512 = KeyBytes.ofHex("0xc0c1c2c3c4c5c6c7c8c9cacbcccdcecfd0d1d2d3d4d5d6d7d8d9dadbdcdddedf"
            + "e0e1e2e3e4e5e6e7e8e9eaebecedeeeff0f1f2f3f4f5f6f7f8f9fafbfcfdfeff");
    /** rfc4106(gcm(aes)): the AES key followed by the 4-octet salt. */
    static final KeyBytes GCM128 = KeyBytes.ofHex("0x101112131415161718191a1b1c1d1e1f01020304");
    static final KeyBytes GCM256 = KeyBytes.ofHex("0x202122232425262728292a2b2c2d2e2f303132333435363738393a3b3c3d3e3f05060708");
    /** rfc7539esp(chacha20,poly1305): 256-bit key and 4-octet salt. */
    static final KeyBytes CHACHA = KeyBytes.ofHex("0x404142434445464748494a4b4c4d4e4f505152535455565758595a5b5c5d5e5f090a0b0c");

    static InetAddress addr(String literal) {
        try {
            return InetAddress.getByName(literal);
        } catch (UnknownHostException e) {
            throw new IllegalArgumentException(e);
        }
    }

    static AuthAlgorithm hmac(String hash, KeyBytes key, int truncBits) {
        return AuthAlgorithm.of("hmac(" + hash + ")", key, truncBits);
    }

    static Algorithm cbcAes(KeyBytes key) {
        return Algorithm.of("cbc(aes)", key);
    }

    static AeadAlgorithm gcm(KeyBytes key, int icvBits) {
        return AeadAlgorithm.of("rfc4106(gcm(aes))", key, icvBits);
    }

    /** A selector for {@code src/sp -> dst/dp}, any protocol; the family follows the addresses. */
    static Selector selector(String src, int srcPrefix, String dst, int dstPrefix) {
        return Selector.between(addr(src), srcPrefix, addr(dst), dstPrefix);
    }

    /** The fixed part of an SA: no lifetime limits, nothing used, replay window {@code window}. */
    static SaInfo info(Selector sel, String src, String dst, int spi, int reqid, int mode, int window, int flags) {
        InetAddress d = addr(dst);
        return new SaInfo(sel, new XfrmId(d, spi, ESP), addr(src), LifetimeConfig.UNLIMITED, LifetimeCurrent.ZERO,
                SaStats.ZERO, 0, reqid, AddressFamily.of(d), mode, window, flags);
    }

    static long now() {
        return Instant.now().getEpochSecond();
    }

    /** What cxt read back, by GETSA and by dump, and ip's view of the same SA. */
    record ReadBack(SecurityAssociation viaGet, SecurityAssociation viaDump, SecurityAssociation normalised,
                    Map<String, String> ipFields) {
    }

    /** Adds {@code written} and checks the whole round trip; returns what was read. */
    static ReadBack addAndCheck(XfrmClient c, TestNamespace ns, SecurityAssociation written) throws IOException {
        long before = now();
        c.states().add(written);
        long after = now();
        return check(c, ns, written, before, after);
    }

    /** Checks an SA that is in the SAD (added or updated between the epoch seconds {@code notBefore..notAfter}). */
    static ReadBack check(XfrmClient c, TestNamespace ns, SecurityAssociation written, long notBefore, long notAfter)
            throws IOException {
        NetlinkMessage raw = c.socket().requestOne(XfrmMsgType.GETSA, 0, written.key().toBytes());
        SecurityAssociation viaGet = SecurityAssociation.decode(raw.payload());
        assertArrayEquals(raw.payload(), viaGet.toBytes(), "the kernel's GETSA answer re-encodes to the same bytes");
        assertEquals(viaGet, c.states().get(written.key()), "StateOperations.get decodes the same SA");

        List<SecurityAssociation> dumped = c.states().dump().stream()
                .filter(s -> s.spi() == written.spi() && s.proto() == written.proto()
                        && s.destination().equals(written.destination()))
                .toList();
        assertEquals(1, dumped.size(), "the dump holds the SA once: " + dumped);
        SecurityAssociation viaDump = dumped.get(0);
        assertEquals(viaGet, viaDump, "GETSA and the dump report the same SA");

        SecurityAssociation normalised = normalise(viaGet, written, notBefore, notAfter);
        assertSameFields(written, normalised);

        String ipText = ns.ip("-s", "xfrm", "state");
        Map<String, String> ipFields = IpXfrmStateText.find(ipText, viaGet);
        assertEquals(IpXfrmStateText.expected(viaGet, ipFields.containsKey("dir")), ipFields,
                "ip -s xfrm state shows the SA cxt read:\n" + ipText);
        return new ReadBack(viaGet, viaDump, normalised, ipFields);
    }

    /**
     * {@code read} with what the kernel fills in on its own replaced by what was written, after
     * checking that the kernel's value is the legitimate one. Nothing else is touched, so any other
     * difference fails the comparison that follows.
     * <ol>
     * <li>Current lifetime: the kernel sets add_time to its clock when the SA is created (checked
     *     to lie between the seconds before and after the request); bytes, packets and use_time are
     *     zero for an SA that has carried nothing (checked). NEWSA ignores the value sent.</li>
     * <li>Statistics (replay window / replay / integrity failures): the kernel's own counters,
     *     zero for a new SA (checked); NEWSA ignores the value sent.</li>
     * <li>Selector family: an AF_UNSPEC selector gets the SA's family unless the af-unspec flag is
     *     set (copy_from_user_state); its addresses then read as the zero address of that family
     *     (checked: only the family changes).</li>
     * <li>XFRMA_ALG_AUTH: reported next to XFRMA_ALG_AUTH_TRUNC, the same algorithm and key without
     *     the truncation length (copy_to_user_auth); checked to be exactly that, then dropped.</li>
     * <li>XFRMA_REPLAY_VAL: reported for every SA without ESN state, all zero when none was written
     *     (checked), then dropped.</li>
     * <li>XFRMA_SET_MARK_MASK: 0xffffffff when only XFRMA_SET_MARK was written (xfrm_smark_init);
     *     checked, then dropped.</li>
     * <li>XFRMA_REPLAY_ESN_VAL written as the 24-octet header only: the kernel allocates a zero
     *     bitmap of bmp_len words (xfrm_alloc_replay_state_esn); checked, then the header-only form
     *     is restored.</li>
     * </ol>
     * XFRMA_LASTUSED (set once the SA carried a packet) is not normalised: a fresh SA must not have it.
     */
    static SecurityAssociation normalise(SecurityAssociation read, SecurityAssociation written, long notBefore,
                                         long notAfter) {
        SecurityAssociation.Builder b = read.toBuilder();
        SaInfo i = read.info();
        SaInfo w = written.info();

        LifetimeCurrent cur = i.current();
        assertTrue(cur.addTime() >= notBefore - 1 && cur.addTime() <= notAfter + 1,
                "add_time " + cur.addTime() + " outside " + notBefore + ".." + notAfter);
        assertEquals(new LifetimeCurrent(0, 0, cur.addTime(), 0), cur, "an unused SA has used nothing");
        i = i.withCurrent(w.current());

        assertEquals(SaStats.ZERO, i.stats(), "a new SA has no replay or integrity failures");
        i = i.withStats(w.stats());

        if (w.selector().family() == AddressFamily.UNSPEC && !w.hasFlag(SaInfo.FLAG_AF_UNSPEC)) {
            Selector s = i.selector();
            InetAddress zero = XfrmStructs.any(w.family());
            Selector filled = new Selector(zero, zero, w.selector().dport(), w.selector().dportMask(),
                    w.selector().sport(), w.selector().sportMask(), w.family(), w.selector().prefixlenD(),
                    w.selector().prefixlenS(), w.selector().proto(), w.selector().ifindex(), w.selector().user());
            assertEquals(filled, s, "the kernel gives an AF_UNSPEC selector the SA's family and nothing else");
            i = i.withSelector(w.selector());
        }
        b.info(i);

        if (written.authTrunc() != null && written.auth() == null) {
            AuthAlgorithm t = written.authTrunc();
            assertEquals(new Algorithm(t.name(), t.key(), t.keyBits()), read.auth(),
                    "XFRMA_ALG_AUTH repeats XFRMA_ALG_AUTH_TRUNC without truncation");
            b.auth(null);
        }
        if (written.replay() == null && written.replayEsn() == null) {
            assertEquals(ReplayState.ZERO, read.replay(), "replay state of an SA added without one");
            b.replay(null);
        }
        if (written.setMark() != null && written.setMarkMask() == null) {
            assertEquals(0xffffffff, read.setMarkMask(), "default output mark mask");
            b.setMarkMask(null);
        }
        ReplayStateEsn esn = written.replayEsn();
        if (esn != null && esn.bitmap().length == 0 && esn.bmpLen() > 0 && read.replayEsn() != null) {
            ReplayStateEsn r = read.replayEsn();
            assertArrayEquals(new int[esn.bmpLen()], r.bitmap(), "the kernel's bitmap for a header-only ESN state");
            b.replayEsn(new ReplayStateEsn(r.bmpLen(), r.oseq(), r.seq(), r.oseqHi(), r.seqHi(), r.replayWindow(),
                    new int[0]));
        }
        return b.build();
    }

    /** Every component of the SA and of its SaInfo, each a separate assertion, then the whole records. */
    static void assertSameFields(SecurityAssociation expected, SecurityAssociation actual) {
        List<Executable> checks = new ArrayList<>();
        addComponentChecks(checks, "info", expected.info(), actual.info());
        addComponentChecks(checks, "sa", expected, actual);
        assertAll("SA read back differs from the SA written", checks);
        assertEquals(expected, actual);
    }

    private static void addComponentChecks(List<Executable> checks, String path, Record expected, Record actual) {
        for (RecordComponent rc : expected.getClass().getRecordComponents()) {
            Object e = component(rc, expected);
            Object a = component(rc, actual);
            checks.add(() -> assertEquals(e, a, path + "." + rc.getName()));
        }
    }

    private static Object component(RecordComponent rc, Record r) {
        try {
            return rc.getAccessor().invoke(r);
        } catch (IllegalAccessException | InvocationTargetException e) {
            throw new AssertionError(e);
        }
    }

    /**
     * Whether this kernel keeps XFRMA_SA_DIR (Linux 6.10 and later): an older kernel ignores the
     * attribute it does not know (liberal attribute parsing) and reports the SA without it.
     */
    static boolean kernelKeepsSaDirection(XfrmClient c) throws IOException {
        SecurityAssociation probe = SecurityAssociation.builder(info(selector("192.0.2.250", 32, "192.0.2.251", 32),
                        "192.0.2.250", "192.0.2.251", 0x00dd0001, 1, SaInfo.MODE_TUNNEL, 0, 0))
                .aead(gcm(GCM128, 128)).saDir(SecurityAssociation.DIR_OUT).build();
        c.states().add(probe);
        try {
            Integer dir = c.states().get(probe.key()).saDir();
            assertTrue(dir == null || dir == SecurityAssociation.DIR_OUT, "SA_DIR read back as " + dir);
            return dir != null;
        } finally {
            c.states().delete(probe.key());
        }
    }

    /** The kernel's release, for the test report. */
    static String kernelRelease() {
        return io.cxt.testing.Commands.run("uname", "-r").strip();
    }

    static void assertNoAlgorithms(SecurityAssociation larval) {
        assertNull(larval.crypt());
        assertNull(larval.authTrunc());
        assertNull(larval.aead());
        assertNull(larval.auth());
        assertNull(larval.comp());
    }
}
