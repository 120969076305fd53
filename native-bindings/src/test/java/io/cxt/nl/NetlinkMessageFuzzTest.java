package io.cxt.nl;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.List;

import com.code_intelligence.jazzer.junit.FuzzTest;

/**
 * Netlink framing as it comes from a socket: message splitting, attribute lists and the error
 * replies' extended ACK. Only {@link MalformedNetlinkException} may escape; what decodes is
 * re-encoded to the same octets. Seed corpus: {@code src/test/resources/io/cxt/nl/
 * NetlinkMessageFuzzTestInputs/<method>/}; {@code tests/fuzz/run-fuzz} fuzzes.
 */
class NetlinkMessageFuzzTest {

    @FuzzTest
    void messages(byte[] data) {
        List<NetlinkMessage> messages;
        try {
            messages = NetlinkMessage.decodeAll(ByteBuffer.wrap(data));
        } catch (MalformedNetlinkException expected) {
            return;
        }
        ByteBuffer again = ByteBuffer.allocate(messages.stream().mapToInt(m -> Netlink.align(m.length())).sum())
                .order(ByteOrder.nativeOrder());
        for (NetlinkMessage m : messages) {
            m.writeTo(again);
            if (m.type() == Netlink.NLMSG_ERROR && m.payload().length >= 4) {
                assertNotNull(NetlinkSocket.errorFor(m, NetlinkSocket.errorCode(m), 0));
            }
        }
        // A message's padding is not kept, so compare by decoding the re-encoded form.
        assertEquals(messages, NetlinkMessage.decodeAll(again.flip()));
    }

    @FuzzTest
    void attributes(byte[] data) {
        List<NlAttribute> attrs;
        try {
            attrs = NlAttribute.parseAll(ByteBuffer.wrap(data));
        } catch (MalformedNetlinkException expected) {
            return;
        }
        ByteBuffer again = ByteBuffer.allocate(NlAttribute.encodedLength(attrs)).order(ByteOrder.nativeOrder());
        attrs.forEach(a -> a.writeTo(again));
        assertEquals(attrs, NlAttribute.parseAll(again.flip()));
    }

    /** An NLMSG_ERROR reply with arbitrary extended-ACK contents: never anything but the error. */
    @FuzzTest
    void errorReplies(byte[] data) {
        int flags = data.length > 0 ? (data[0] & 0xff) << 8 : 0;
        NetlinkMessage m = new NetlinkMessage(Netlink.NLMSG_ERROR, flags, 1, 0, data);
        if (data.length >= 4) {
            assertNotNull(NetlinkSocket.errorFor(m, NetlinkSocket.errorCode(m), 16));
        }
    }
}
