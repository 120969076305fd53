package io.cxt.cxtp;

import static org.junit.jupiter.api.Assertions.assertEquals;

import net.jqwik.api.Arbitrary;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.constraints.Size;

import io.cxt.xfrm.KeyBytes;

/** Token computation against the JDK's HMAC-SHA1 for arbitrary keys and requests. */
class AuthorizationTokenPropertiesTest {

    @Property(tries = 200)
    void agreesWithTheJdkForAnyKeyAndRequest(@ForAll @Size(min = 1, max = 80) byte[] key,
                                             @ForAll("ctar") ContextTransferActivateRequest ctar) throws Exception {
        byte[] in = AuthorizationToken.input(ctar.previousAddress(), ctar.sequenceNumber(), ctar.requestedContexts());
        int token = AuthorizationToken.compute(KeyBytes.of(key), ctar);
        assertEquals(AuthorizationTokenTest.jdkToken(key, in), token);
    }

    @Provide
    Arbitrary<ContextTransferActivateRequest> ctar() {
        return CxtpArbitraries.ctar();
    }

}
