package io.cxt.ike;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.HexFormat;

import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

import org.junit.jupiter.api.Test;

import io.cxt.xfrm.KeyBytes;

class TokenKeyDerivationTest {

    /** prf+ first block, computed independently with javax.crypto: HMAC(SK_d, label | SPIi | SPIr | 0x01). */
    static byte[] independent(IkeSaContext sa) throws Exception {
        String alg = sa.algorithms().prf() == PrfAlgorithm.PRF_HMAC_SHA2_256 ? "HmacSHA256" : "HmacSHA512";
        Mac mac = Mac.getInstance(alg);
        mac.init(new SecretKeySpec(sa.keys().skD().bytes(), alg));
        mac.update(TokenKeyDerivation.LABEL.getBytes(StandardCharsets.US_ASCII));
        mac.update(ByteBuffer.allocate(16).putLong(sa.initiatorSpi()).putLong(sa.responderSpi()).array());
        mac.update((byte) 1);
        return Arrays.copyOf(mac.doFinal(), 20);
    }

    @Test
    void knownAnswerForTheFixtureSa() throws Exception {
        IkeSaContext ar = IkeFixtures.accessRouter(IkeFixtures.CBC_SHA256);
        KeyBytes k = TokenKeyDerivation.fromIkeSa(ar);
        assertEquals(20, k.length());
        assertArrayEquals(independent(ar), k.bytes());
        assertEquals(EXPECTED_SHA256, k.revealHex().substring(2));
        IkeSaContext ar512 = IkeFixtures.accessRouter(IkeFixtures.CBC_SHA512);
        assertArrayEquals(independent(ar512), TokenKeyDerivation.fromIkeSa(ar512).bytes());
    }

    static final String EXPECTED_SHA256 = "61ff68404e900d1b2f435debf97448f8ecf3e1c2";

    @Test
    void bothEndsDeriveTheSameKey() {
        for (IkeAlgorithms alg : IkeFixtures.SUITES) {
            assertEquals(TokenKeyDerivation.fromIkeSa(IkeFixtures.mobileNode(alg)),
                    TokenKeyDerivation.fromIkeSa(IkeFixtures.accessRouter(alg)), alg.toString());
        }
    }

    @Test
    void anotherSaGivesAnotherKey() {
        IkeSaContext ar = IkeFixtures.accessRouter(IkeFixtures.CBC_SHA256);
        KeyBytes k = TokenKeyDerivation.fromIkeSa(ar);
        IkeSaContext otherSpi = ar.applySpiUpdate(new UpdateSpiNotify(ProtocolId.IKE, ar.responderSpi(), 7, SpiOwner.RESPONDER));
        assertNotEquals(k, TokenKeyDerivation.fromIkeSa(otherSpi));
        IkeSaContext otherKeys = IkeGen.withOtherSecrets(ar);
        assertNotEquals(k, TokenKeyDerivation.fromIkeSa(otherKeys));
        assertNotEquals(HexFormat.of().formatHex(ar.keys().skD().bytes()).substring(0, 40), k.revealHex().substring(2));
    }
}
