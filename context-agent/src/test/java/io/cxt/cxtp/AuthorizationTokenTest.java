package io.cxt.cxtp;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.InetAddress;
import java.nio.ByteBuffer;
import java.util.HexFormat;
import java.util.List;

import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

import org.junit.jupiter.api.Test;

import io.cxt.xfrm.KeyBytes;

class AuthorizationTokenTest {

    static final InetAddress MN6 = CxtpCodecFiguresTest.MN6;
    static final InetAddress AR6 = CxtpCodecFiguresTest.AR6;
    static final KeyBytes KEY = KeyBytes.ofHex("0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b");

    /** The JDK's HMAC-SHA1, as an implementation independent of Bouncy Castle. */
    static int jdkToken(byte[] key, byte[] input) throws Exception {
        Mac mac = Mac.getInstance("HmacSHA1");
        mac.init(new SecretKeySpec(key, "HmacSHA1"));
        return ByteBuffer.wrap(mac.doFinal(input)).getInt();
    }

    @Test
    void hmacInputIsAddressThenSequenceThenEncodedBlocks() {
        byte[] in = AuthorizationToken.input(MN6, 0x01020304L, List.of(ContextDataBlock.request(1),
                ContextDataBlock.of(2, new byte[] {9})));
        byte[] expected = CxtpCodecFiguresTest.octets(
                MN6,                       // 16 octets of previous address
                "01020304",                // sequence number, network order
                "0001 01 00 00000000",     // first request block, as on the wire incl. padding
                "0002 01 00 09000000");    // second block: header + data + padding
        assertArrayEquals(expected, in);
        assertEquals(4 + 4, AuthorizationToken.input(CxtpCodecFiguresTest.MN4, 7, List.of()).length,
                "IPv4 address and sequence number only, no padding");
    }

    @Test
    void tokenIsTheFirst32BitsOfHmacSha1() throws Exception {
        List<ContextDataBlock> blocks = List.of(ContextDataBlock.request(1));
        byte[] in = AuthorizationToken.input(MN6, 42, blocks);
        assertEquals(jdkToken(KEY.bytes(), in), AuthorizationToken.compute(KEY, MN6, 42, blocks));
    }

    @Test
    void verifyAcceptsTheRightTokenOnly() {
        List<ContextDataBlock> blocks = List.of(ContextDataBlock.request(1));
        int token = AuthorizationToken.compute(KEY, MN6, 77, blocks);
        ContextTransferActivateRequest good = new ContextTransferActivateRequest(true, MN6, AR6, 77, token, blocks);
        assertTrue(AuthorizationToken.verify(KEY, good));
        assertFalse(AuthorizationToken.verify(KEY, new ContextTransferActivateRequest(true, MN6, AR6, 77, token ^ 1, blocks)));
        assertFalse(AuthorizationToken.verify(KEY, new ContextTransferActivateRequest(true, MN6, AR6, 78, token, blocks)),
                "sequence number is covered");
        assertFalse(AuthorizationToken.verify(KEY, new ContextTransferActivateRequest(true, MN6, AR6, 77, token,
                List.of(ContextDataBlock.request(2)))), "requested blocks are covered");
        assertFalse(AuthorizationToken.verify(KeyBytes.ofHex("0c0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b"), good), "key is covered");
        // pAR verifies the CT-Req nAR built from the CTAR: same input, same token.
        assertTrue(AuthorizationToken.verify(KEY, ContextTransferRequest.forActivateRequest(good)));
        // nAR verifies with key material from a PCTD; only HMAC_SHA1 is defined.
        assertTrue(AuthorizationToken.verify(TokenKeyMaterial.hmacSha1(KEY), good));
        assertFalse(AuthorizationToken.verify(new TokenKeyMaterial(2, KEY), good));
    }

    @Test
    void nullTokenNeverVerifies() {
        assertFalse(AuthorizationToken.verify(KEY, new ContextTransferRequest(MN6, 77, AuthorizationToken.NULL_TOKEN, List.of())));
        assertFalse(AuthorizationToken.isUsable(0));
        assertTrue(AuthorizationToken.isUsable(1));
    }

    @Test
    void keyDoesNotLeakThroughToString() {
        TokenKeyMaterial m = TokenKeyMaterial.hmacSha1(KEY);
        assertFalse(m.toString().toLowerCase().contains("0b0b0b"), m.toString());
        assertEquals("0b".repeat(20), HexFormat.of().formatHex(m.key().bytes()));
    }
}
