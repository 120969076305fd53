package io.cxt.ha;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;

import com.code_intelligence.jazzer.junit.FuzzTest;

import io.cxt.agent.ha.HaHandover;
import io.cxt.context.IkeContextSlot;

/**
 * Jazzer targets for what charon's HA plugin (or anyone on its loopback port) sends cxagent, and for the HA
 * state a peer router carries in a context's IKE slot. Only {@link HaDecodeException} may escape; what decodes
 * re-encodes to octets that decode to the same encoding. Seed corpus: the datagrams charon 5.9.8 sent in the lab
 * ({@code src/test/resources/ha-vectors/}) under {@code src/test/resources/io/cxt/ha/HaFuzzTestInputs/<method>/}.
 */
class HaFuzzTest {

    @FuzzTest
    void datagrams(byte[] data) throws HaDecodeException {
        HaMessage m;
        try {
            m = HaMessageCodec.decode(data);
        } catch (HaDecodeException expected) {
            return;
        }
        byte[] again = HaMessageCodec.encode(m);
        assertArrayEquals(again, HaMessageCodec.encode(HaMessageCodec.decode(again)));
    }

    @FuzzTest
    void bundles(byte[] data) throws HaDecodeException {
        java.util.List<HaMessage> messages;
        try {
            messages = HaSaBundle.decode(data);
        } catch (HaDecodeException expected) {
            return;
        }
        byte[] again = HaSaBundle.encode(messages);
        assertArrayEquals(again, HaSaBundle.encode(HaSaBundle.decode(again)));
    }

    /** The IKE response copy after a bundle's messages (IkeResponseCopy): what decodes re-encodes the same. */
    @FuzzTest
    void bundleResponses(byte[] data) throws HaDecodeException {
        java.util.Optional<IkeResponseCopy> r;
        java.util.List<HaMessage> messages;
        try {
            messages = HaSaBundle.decode(data);
            r = HaSaBundle.decodeResponse(data, 1, 2);
        } catch (HaDecodeException expected) {
            return;
        }
        byte[] again = HaSaBundle.encode(messages, r.orElse(null));
        assertArrayEquals(again, HaSaBundle.encode(HaSaBundle.decode(again), HaSaBundle.decodeResponse(again, 1, 2).orElse(null)));
    }

    /** A peer's IKE slot as the nAR reads it before giving charon the SA (HA state replayed into a store); the slot
     *  names the seed's IKE SPIs, so the seed runs the whole path. */
    @FuzzTest
    void transferredSlots(byte[] data) {
        try {
            HaHandover.transferred(new IkeContextSlot(0x734f0f17b70c3cd1L, 0x903c354bd6fd5330L, data));
        } catch (HaDecodeException expected) {
            // refused
        }
    }
}
