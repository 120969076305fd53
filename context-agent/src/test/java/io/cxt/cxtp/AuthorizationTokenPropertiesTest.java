package io.cxt.cxtp;

import static org.junit.jupiter.api.Assertions.assertEquals;


import io.cxt.xfrm.KeyBytes;
import io.cxt.testing.Gen;
import io.cxt.testing.SeededTest;

/** Token computation against the JDK's HMAC-SHA1 for arbitrary keys and requests. */
class AuthorizationTokenPropertiesTest {

    @SeededTest(cases = 200)
    void agreesWithTheJdkForAnyKeyAndRequest(Gen g) throws Exception  {
        byte[] key = g.bytes(1, 80);
        ContextTransferActivateRequest ctar = CxtpGen.ctar(g);
        byte[] in = AuthorizationToken.input(ctar.previousAddress(), ctar.sequenceNumber(), ctar.requestedContexts());
        int token = AuthorizationToken.compute(KeyBytes.of(key), ctar);
        assertEquals(AuthorizationTokenTest.jdkToken(key, in), token);
    }


}
