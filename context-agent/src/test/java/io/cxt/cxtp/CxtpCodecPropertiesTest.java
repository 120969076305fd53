package io.cxt.cxtp;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.fail;

import java.util.Arrays;
import java.util.List;

import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.statistics.Statistics;
import net.jqwik.api.constraints.IntRange;
import net.jqwik.api.constraints.Size;

/**
 * Round trips for every message type, and the decoder's only failure mode on random and mutated
 * input being {@link CxtpDecodeException}.
 */
class CxtpCodecPropertiesTest {

    private static void roundTrips(CxtpMessage m) throws CxtpDecodeException {
        byte[] wire = CxtpCodec.encode(m);
        assertEquals(CxtpCodec.encodedLength(m), wire.length);
        assertEquals(wire.length, ((wire[2] & 0xff) << 8) | (wire[3] & 0xff), "Length field");
        assertEquals(0x20 | m.type().code(), wire[0] & 0xff, "version 1 and type");
        assertEquals(m.ipv4Addresses(), (wire[1] & 0x80) != 0, "V flag");
        CxtpMessage back = CxtpCodec.decode(wire);
        assertEquals(m, back);
        assertArrayEquals(wire, CxtpCodec.encode(back));
    }

    @Property
    void ctarRoundTrips(@ForAll("ctar") ContextTransferActivateRequest m) throws Exception {
        roundTrips(m);
    }

    @Property
    void ctaaRoundTrips(@ForAll("ctaa") ContextTransferActivateAcknowledge m) throws Exception {
        roundTrips(m);
    }

    @Property
    void ctdRoundTrips(@ForAll("ctd") ContextTransferData m) throws Exception {
        roundTrips(m);
    }

    @Property
    void pctdRoundTrips(@ForAll("pctd") PredictiveContextTransferData m) throws Exception {
        roundTrips(m);
    }

    @Property
    void ctdrRoundTrips(@ForAll("ctdr") ContextTransferDataReply m) throws Exception {
        roundTrips(m);
    }

    @Property
    void ctcRoundTrips(@ForAll("ctc") ContextTransferCancel m) throws Exception {
        roundTrips(m);
    }

    @Property
    void ctReqRoundTrips(@ForAll("ctReq") ContextTransferRequest m) throws Exception {
        roundTrips(m);
    }

    @Property
    void blocksRoundTrip(@ForAll("blocks") List<ContextDataBlock> blocks) throws Exception {
        byte[] wire = CxtpCodec.encodeBlocks(blocks);
        assertEquals(0, wire.length % 8, "blocks are 8-octet aligned");
        assertEquals(blocks, CxtpCodec.decodeBlocks(wire));
    }

    /** Random octets: either a message that re-encodes to the same size, or CxtpDecodeException. */
    @Property(tries = 3000)
    void randomBytesDecodeOrFailCleanly(@ForAll @Size(max = 200) byte[] bytes) {
        decodeOrFailCleanly(bytes);
    }

    /** Random octets behind a plausible header, so the decoder gets past the first checks. */
    @Property(tries = 3000)
    void randomBodiesBehindValidHeadersDecodeOrFailCleanly(@ForAll @IntRange(min = 1, max = 7) int type,
                                                           @ForAll boolean v, @ForAll boolean a,
                                                           @ForAll @Size(max = 160) byte[] body) {
        byte[] b = new byte[4 + body.length];
        b[0] = (byte) (0x20 | type);
        b[1] = (byte) ((v ? 0x80 : 0) | (a ? 0x40 : 0));
        b[2] = (byte) (b.length >>> 8);
        b[3] = (byte) b.length;
        System.arraycopy(body, 0, b, 4, body.length);
        bothOutcomes(decodeOrFailCleanly(b));
    }

    /** Valid messages with random octets overwritten, truncated or extended. */
    @Property(tries = 3000)
    void mutatedMessagesDecodeOrFailCleanly(@ForAll("message") CxtpMessage m, @ForAll("mutation") Mutation mutation) {
        bothOutcomes(decodeOrFailCleanly(mutation.apply(CxtpCodec.encode(m))));
    }

    /** A proper prefix of a valid message contradicts its Length field and is rejected. */
    @Property(tries = 300)
    void truncationIsRejected(@ForAll("message") CxtpMessage m, @ForAll @IntRange(min = 0, max = 10_000) int cut) {
        byte[] wire = CxtpCodec.encode(m);
        int n = cut % wire.length;
        byte[] t = Arrays.copyOf(wire, n);
        assertThrows(CxtpDecodeException.class, () -> CxtpCodec.decode(t));
    }

    /** A prefix whose Length field is patched to match may be a shorter valid message, or is rejected. */
    @Property(tries = 1000)
    void patchedTruncationDecodesOrFailsCleanly(@ForAll("message") CxtpMessage m,
                                                @ForAll @IntRange(min = 4, max = 10_000) int cut) {
        byte[] wire = CxtpCodec.encode(m);
        int n = 4 + cut % (wire.length - 3);
        byte[] t = Arrays.copyOf(wire, n);
        t[2] = (byte) (n >>> 8);
        t[3] = (byte) n;
        bothOutcomes(decodeOrFailCleanly(t));
    }

    /** True if the octets decoded; fails the property on any exception but CxtpDecodeException. */
    private static boolean decodeOrFailCleanly(byte[] bytes) {
        CxtpMessage m;
        try {
            m = CxtpCodec.decode(bytes);
        } catch (CxtpDecodeException e) {
            return false;
        } catch (RuntimeException e) {
            fail("decoder threw " + e + " instead of CxtpDecodeException", e);
            return false;
        }
        byte[] again = CxtpCodec.encode(m);
        assertEquals(bytes.length, again.length, "a decoded message re-encodes to the same size");
        try {
            assertEquals(m, CxtpCodec.decode(again));
        } catch (CxtpDecodeException e) {
            fail("re-encoded message does not decode", e);
        }
        return true;
    }

    /** Records the outcome and requires both outcomes in a fair share of the tries. */
    private static void bothOutcomes(boolean decoded) {
        Statistics.label("outcome").collect(decoded ? "decoded" : "rejected");
        Statistics.label("outcome").coverage(c -> {
            c.check("decoded").percentage(p -> p > 3);
            c.check("rejected").percentage(p -> p > 3);
        });
    }

    record Mutation(int kind, int position, byte value, int count) {
        byte[] apply(byte[] in) {
            byte[] b = in.clone();
            int p = position % Math.max(1, b.length);
            switch (kind) {
                case 0 -> b[p] = value;
                case 1 -> b[p] ^= (byte) (1 << (value & 7));
                case 2 -> {
                    for (int i = 0; i < count && p + i < b.length; i++) {
                        b[p + i] = (byte) (value + i * 31);
                    }
                }
                case 3 -> {
                    b = Arrays.copyOf(b, b.length + count);
                    b[2] = (byte) (b.length >>> 8);
                    b[3] = (byte) b.length;
                }
                default -> {
                    // A length octet of some block or the message: poke near the start.
                    b[Math.min(b.length - 1, p % 48)] = value;
                }
            }
            return b;
        }
    }

    @Provide
    Arbitrary<Mutation> mutation() {
        return net.jqwik.api.Combinators.combine(Arbitraries.integers().between(0, 4), Arbitraries.integers().between(0, 5000),
                Arbitraries.bytes(), Arbitraries.integers().between(1, 12)).as(Mutation::new);
    }

    @Provide
    Arbitrary<CxtpMessage> message() {
        return CxtpArbitraries.message();
    }

    @Provide
    Arbitrary<List<ContextDataBlock>> blocks() {
        return CxtpArbitraries.blocks();
    }

    @Provide
    Arbitrary<ContextTransferActivateRequest> ctar() {
        return CxtpArbitraries.ctar();
    }

    @Provide
    Arbitrary<ContextTransferActivateAcknowledge> ctaa() {
        return CxtpArbitraries.ctaa();
    }

    @Provide
    Arbitrary<ContextTransferData> ctd() {
        return CxtpArbitraries.ctd();
    }

    @Provide
    Arbitrary<PredictiveContextTransferData> pctd() {
        return CxtpArbitraries.pctd();
    }

    @Provide
    Arbitrary<ContextTransferDataReply> ctdr() {
        return CxtpArbitraries.ctdr();
    }

    @Provide
    Arbitrary<ContextTransferCancel> ctc() {
        return CxtpArbitraries.ctc();
    }

    @Provide
    Arbitrary<ContextTransferRequest> ctReq() {
        return CxtpArbitraries.ctReq();
    }
}
