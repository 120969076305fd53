package io.cxt.ha;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.ByteBuffer;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;

import org.junit.jupiter.api.Test;

/**
 * {@link IkeResponseCopy}: what a packet tap's IPv6 packet yields (only IKEv2 CREATE_CHILD_SA/INFORMATIONAL responses
 * from port 500/4500 whose lengths agree), how fragments and repeats are taken in within the bounds, and the form
 * carried after an {@link HaSaBundle}'s messages.
 */
class IkeResponseCopyTest {
    static final long SPI_I = 0x734f0f17b70c3cd1L;
    static final long SPI_R = 0x903c354bd6fd5330L;

    /** An IKE message: header (SPIs, next payload, 2.0, exchange, flags, message ID, length) and {@code body} octets. */
    static byte[] ike(int nextPayload, int exchange, int flags, long mid, int body) {
        ByteBuffer b = ByteBuffer.allocate(28 + body);
        b.putLong(SPI_I).putLong(SPI_R).put((byte) nextPayload).put((byte) 0x20).put((byte) exchange).put((byte) flags)
                .putInt((int) mid).putInt(28 + body);
        for (int i = 0; i < body; i++) {
            b.put((byte) (i * 7 + mid));
        }
        return b.array();
    }

    /** An IPv6 packet carrying UDP {@code sport -> dport} with {@code payload} (4500: the non-ESP marker first). */
    static byte[] packet(int sport, int dport, byte[] ike) {
        byte[] payload = ike;
        if (sport == 4500) {
            payload = new byte[4 + ike.length];
            System.arraycopy(ike, 0, payload, 4, ike.length);
        }
        ByteBuffer b = ByteBuffer.allocate(48 + payload.length);
        b.putInt(0x60000000).putShort((short) (8 + payload.length)).put((byte) 17).put((byte) 64);
        b.put(new byte[32]);
        b.putShort((short) sport).putShort((short) dport).putShort((short) (8 + payload.length)).putShort((short) 0);
        b.put(payload);
        return b.array();
    }

    static IkeResponseCopy.Captured captured(int sport, byte[] ike) {
        byte[] p = packet(sport, 4500, ike);
        return IkeResponseCopy.parse(p, p.length).orElseThrow();
    }

    @Test
    void aResponseFromCharonsPortsIsReadWithItsSaAndMessageId() {
        byte[] m = ike(46, 36, 0x20, 7, 60);
        IkeResponseCopy.Captured c = captured(4500, m);
        assertEquals(SPI_I, c.spiInitiator());
        assertEquals(SPI_R, c.spiResponder());
        assertEquals(7, c.messageId());
        assertEquals(36, c.exchangeType());
        assertEquals(4500, c.sourcePort());
        assertEquals(4500, c.destinationPort());
        byte[] withMarker = new byte[4 + m.length];
        System.arraycopy(m, 0, withMarker, 4, m.length);
        assertArrayEquals(withMarker, c.payload(), "as sent: the marker kept");
        IkeResponseCopy.Captured on500 = captured(500, ike(46, 37, 0x28, 0xfffffffeL, 10));
        assertEquals(0xfffffffeL, on500.messageId(), "unsigned");
        assertEquals(38, on500.payload().length);
    }

    @Test
    void everythingElseIsNotKept() {
        assertEquals(Optional.empty(), parse(packet(4500, 4500, ike(46, 36, 0x08, 7, 60))), "a request");
        assertEquals(Optional.empty(), parse(packet(4500, 4500, ike(46, 35, 0x20, 1, 60))), "IKE_AUTH");
        assertEquals(Optional.empty(), parse(packet(4500, 4500, ike(46, 34, 0x20, 0, 60))), "IKE_SA_INIT");
        assertEquals(Optional.empty(), parse(packet(4501, 4500, ike(46, 36, 0x20, 7, 60))), "another port");
        byte[] esp = packet(4500, 4500, ike(46, 36, 0x20, 7, 60));
        esp[48] = 1;
        assertEquals(Optional.empty(), parse(esp), "ESP in UDP");
        byte[] v1 = ike(46, 36, 0x20, 7, 60);
        v1[17] = 0x10;
        assertEquals(Optional.empty(), parse(packet(500, 500, v1)), "IKEv1");
        byte[] longer = ike(46, 36, 0x20, 7, 60);
        longer[27]++;
        assertEquals(Optional.empty(), parse(packet(500, 500, longer)), "IKE length disagrees");
        byte[] p = packet(500, 500, ike(46, 36, 0x20, 7, 60));
        for (int n = 0; n < p.length; n++) {
            assertEquals(Optional.empty(), IkeResponseCopy.parse(p, n), "cut at " + n);
        }
        p[0] = 0x45;
        assertEquals(Optional.empty(), parse(p), "IPv4");
    }

    private static Optional<IkeResponseCopy.Captured> parse(byte[] p) {
        return IkeResponseCopy.parse(p, p.length);
    }

    @Test
    void fragmentsAreCollectedRepeatsIgnoredAndANewMessageReplaces() {
        IkeResponseCopy r = IkeResponseCopy.of(captured(4500, ike(53, 36, 0x20, 3, 100)));
        IkeResponseCopy two = r.with(captured(4500, ike(53, 36, 0x20, 3, 101)));
        assertEquals(2, two.datagrams().size());
        assertSame(two, two.with(captured(4500, ike(53, 36, 0x20, 3, 101))), "charon's retransmission of a fragment");
        IkeResponseCopy full = two;
        for (int i = 0; i < 20; i++) {
            full = full.with(captured(4500, ike(53, 36, 0x20, 3, 110 + i)));
        }
        assertEquals(IkeResponseCopy.MAX_DATAGRAMS, full.datagrams().size(), "bounded");
        IkeResponseCopy next = full.with(captured(4500, ike(46, 37, 0x20, 4, 10)));
        assertEquals(4, next.messageId());
        assertEquals(1, next.datagrams().size());
        assertEquals(IkeResponseCopy.INFORMATIONAL, next.exchangeType());
        assertThrows(IllegalArgumentException.class, () -> new IkeResponseCopy(1, 2, 3, 36, 4500, 4500,
                List.of(new byte[IkeResponseCopy.MAX_OCTETS + 1])));
    }

    @Test
    void theCopyTravelsAfterTheBundlesMessagesAndABundleWithoutOneStaysAsItWas() throws HaDecodeException {
        List<HaMessage> messages = List.of(HaMessage.of(HaMessageType.SEGMENT_DROP, HaAttribute.number(HaAttributeType.SEGMENT, 1)));
        IkeResponseCopy r = IkeResponseCopy.of(captured(4500, ike(53, 36, 0x20, 9, 50)))
                .with(captured(4500, ike(53, 36, 0x20, 9, 51)));
        byte[] plain = HaSaBundle.encode(messages);
        byte[] with = HaSaBundle.encode(messages, r);
        assertArrayEquals(plain, Arrays.copyOf(with, plain.length), "the messages come first, unchanged");
        assertEquals(messages.size(), HaSaBundle.decode(with).size());
        assertEquals(Optional.empty(), HaSaBundle.decodeResponse(plain, SPI_I, SPI_R));
        IkeResponseCopy back = HaSaBundle.decodeResponse(with, SPI_I, SPI_R).orElseThrow();
        assertEquals(r.messageId(), back.messageId());
        assertEquals(r.sourcePort(), back.sourcePort());
        assertEquals(r.destinationPort(), back.destinationPort());
        assertEquals(r.exchangeType(), back.exchangeType());
        assertEquals(2, back.datagrams().size());
        for (int i = 0; i < 2; i++) {
            assertArrayEquals(r.datagrams().get(i), back.datagrams().get(i));
        }
        for (int n = plain.length + 1; n < with.length; n++) {
            byte[] cut = Arrays.copyOf(with, n);
            assertThrows(HaDecodeException.class, () -> HaSaBundle.decode(cut), "cut at " + n);
        }
        byte[] trailing = Arrays.copyOf(with, with.length + 1);
        assertThrows(HaDecodeException.class, () -> HaSaBundle.decode(trailing));
        byte[] other = with.clone();
        other[plain.length] = 0x53;
        assertThrows(HaDecodeException.class, () -> HaSaBundle.decode(other), "an unknown trailer");
    }
}
