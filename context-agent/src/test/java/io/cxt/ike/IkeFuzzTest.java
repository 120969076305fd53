package io.cxt.ike;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.nio.ByteBuffer;
import java.util.Arrays;

import com.code_intelligence.jazzer.junit.FuzzTest;

import io.cxt.xfrm.KeyBytes;

/**
 * Jazzer targets for IKEv2 input: messages from the MN's peer, SK payloads (raw, and authentic
 * ones whose decrypted content is fuzzed) and the IKE SA context slot a peer router sends. Only
 * IkeDecodeException / IkeRejectedException may escape. Seed corpus:
 * {@code src/test/resources/io/cxt/ike/IkeFuzzTestInputs/<method>/}.
 */
class IkeFuzzTest {
    private static final KeyBytes ENC = KeyBytes.of(new byte[32]);
    private static final KeyBytes INTEG = KeyBytes.of(bytes(32, 7));
    private static final IkeHeader HEADER = IkeHeader.of(IkeFixtures.SPI_I, IkeFixtures.SPI_R,
            ExchangeType.INFORMATIONAL, false, true, 9);
    /** Opening keeps no state: one protector for every input, not a key derivation per input. */
    private static final SkProtector AR_INBOUND = SkProtector.inbound(IkeFixtures.accessRouter(IkeFixtures.CBC_SHA256));

    private static byte[] bytes(int n, int fill) {
        byte[] b = new byte[n];
        Arrays.fill(b, (byte) fill);
        return b;
    }

    @FuzzTest
    void messages(byte[] data) throws IkeDecodeException {
        IkeMessage m;
        try {
            m = IkeMessage.decode(data);
        } catch (IkeDecodeException expected) {
            return;
        }
        byte[] again = m.encode();
        assertEquals(m, IkeMessage.decode(again));
        assertArrayEquals(again, IkeMessage.decode(again).encode());
    }

    /** Whole messages into the SK opener of a real IKE SA: only IkeRejectedException. */
    @FuzzTest
    void skMessages(byte[] data) {
        try {
            AR_INBOUND.open(data);
        } catch (IkeRejectedException expected) {
            // the one failure
        }
    }

    /**
     * An authentic SK payload (AES-CBC, HMAC-SHA-256-128) whose decrypted content is the input:
     * the first octet is the first inner payload type, the rest the plaintext (pad length last).
     */
    @FuzzTest
    void skContent(byte[] data) {
        if (data.length < 1) {
            return;
        }
        IkeAlgorithms alg = IkeFixtures.CBC_SHA256;
        byte[] plain = Arrays.copyOfRange(data, 1, 1 + ((data.length - 1 + 15) / 16) * 16);
        if (plain.length == 0) {
            return;
        }
        byte[] iv = bytes(16, 3);
        int icv = alg.icvLength();
        int content = iv.length + plain.length + icv;
        if (IkePayload.GENERIC_HEADER_LENGTH + content > 0xffff) {
            return;
        }
        int total = IkeHeader.LENGTH + IkePayload.GENERIC_HEADER_LENGTH + content;
        ByteBuffer b = ByteBuffer.allocate(total);
        HEADER.withNextPayloadAndLength(PayloadType.ENCRYPTED, total).encode(b);
        b.put(data[0]).put((byte) 0).putShort((short) (IkePayload.GENERIC_HEADER_LENGTH + content));
        b.put(iv);
        b.put(IkeCrypto.aesCbc(true, ENC.bytes(), iv, plain, 0, plain.length));
        b.put(IkeCrypto.integrityChecksum(alg.integrity(), INTEG, b.array(), 0, total - icv));
        try {
            SkProtector.of(alg, ENC, INTEG, null).open(b.array());
        } catch (IkeRejectedException expected) {
            // malformed content is refused, never thrown as anything else
        }
    }

    /** The IKE SA context slot of a CTD/PCTD. */
    @FuzzTest
    void contextSlots(byte[] data) throws IkeDecodeException {
        IkeSaContext sa;
        try {
            sa = IkeSaContextCodec.decode(data);
        } catch (IkeDecodeException expected) {
            return;
        }
        assertEquals(sa, IkeSaContextCodec.decode(IkeSaContextCodec.encode(sa)));
    }
}
