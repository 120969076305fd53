package io.cxt.xfrm;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.Arrays;
import java.util.function.Function;

import com.code_intelligence.jazzer.junit.FuzzTest;

import io.cxt.nl.MalformedNetlinkException;
import io.cxt.nl.NetlinkMessage;

/**
 * Jazzer targets for every XFRM decoder (what the kernel, or a peer's context carrying raw XFRM
 * payloads, hands us). Each input goes to every decoder of its side; only
 * {@link MalformedNetlinkException} may escape, and whatever decodes encodes to bytes that decode
 * to the same record. Seed corpus: {@code src/test/resources/io/cxt/xfrm/XfrmFuzzTestInputs/<method>/}.
 */
class XfrmFuzzTest {

    /** The SAD records (xfrm_usersa_info and friends plus attributes). */
    @FuzzTest
    void stateMessages(byte[] data) {
        roundTrip(data, SecurityAssociation::decode, SecurityAssociation::toBytes);
        roundTrip(data, SaKey::decode, SaKey::toBytes);
        roundTrip(data, ReplayLifetimeState::decode, ReplayLifetimeState::toBytes);
        roundTrip(data, AllocSpiRequest::decode, AllocSpiRequest::toBytes);
        roundTrip(data, SaExpire::decode, SaExpire::toBytes);
        roundTrip(data, SaFlush::decode, SaFlush::toBytes);
        roundTrip(data, SadInfo::decode, SadInfo::toBytes);
    }

    /** The SPD records and the policy-side notifications. */
    @FuzzTest
    void policyMessages(byte[] data) {
        roundTrip(data, SecurityPolicy::decode, p -> p.toBytes(AttributeOrder.KERNEL));
        roundTrip(data, SecurityPolicy::decode, p -> p.toBytes(AttributeOrder.REQUEST));
        roundTrip(data, PolicyId::decode, PolicyId::toBytes);
        roundTrip(data, PolicyExpire::decode, e -> e.toBytes(AttributeOrder.KERNEL));
        roundTrip(data, MigrateRequest::decode, m -> m.toBytes(AttributeOrder.KERNEL));
        roundTrip(data, MigrateRequest::decode, m -> m.toBytes(AttributeOrder.REQUEST));
        roundTrip(data, SpdInfo::decode, SpdInfo::toBytes);
        roundTrip(data, PolicyDefault::decode, PolicyDefault::toBytes);
        roundTrip(data, PolicyFlush::decode, PolicyFlush::toBytes);
        roundTrip(data, AcquireEvent::decode, AcquireEvent::toBytes);
        roundTrip(data, ReportEvent::decode, ReportEvent::toBytes);
        roundTrip(data, MappingEvent::decode, MappingEvent::toBytes);
    }

    /**
     * A monitor notification: the first two octets pick the message type (mostly the XFRM range),
     * the rest is the payload.
     */
    @FuzzTest
    void notifications(byte[] data) {
        if (data.length < 2) {
            return;
        }
        int type = (data[0] & 0x80) == 0
                ? XfrmMsgType.NEWSA + Math.floorMod(data[1], XfrmMsgType.GETDEFAULT - XfrmMsgType.NEWSA + 1)
                : ((data[0] & 0x7f) << 8) | (data[1] & 0xff);
        NetlinkMessage m = new NetlinkMessage(type, 0, 0, 0, Arrays.copyOfRange(data, 2, data.length));
        try {
            assertNotNull(XfrmEvent.decode(m));
        } catch (MalformedNetlinkException expected) {
            // the one failure a decoder may have
        }
        assertNotNull(XfrmMonitor.decodeOrUnknown(m), "the monitor's decoder never fails");
    }

    /** Decodes; if that works, the encoding decodes to an equal record and re-encodes to itself. */
    private static <T> void roundTrip(byte[] data, Function<byte[], T> decode, Function<T, byte[]> encode) {
        T decoded;
        try {
            decoded = decode.apply(data);
        } catch (MalformedNetlinkException expected) {
            return;
        }
        byte[] encoded = encode.apply(decoded);
        T again = decode.apply(encoded);
        assertEquals(decoded, again);
        assertEquals(ByteBuffer.wrap(encoded).order(ByteOrder.nativeOrder()), ByteBuffer.wrap(encode.apply(again)));
    }
}
