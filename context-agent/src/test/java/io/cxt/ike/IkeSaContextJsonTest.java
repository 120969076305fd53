package io.cxt.ike;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;

import org.junit.jupiter.api.Test;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.cxt.testing.Gen;
import io.cxt.testing.SeededTest;



class IkeSaContextJsonTest {
    private static final ObjectMapper MAPPER = new ObjectMapper();


    @SeededTest(cases = 300)
    void contextsRoundTripThroughJson(Gen g) throws IkeContextFormatException  {
        IkeSaContext sa = IkeGen.context(g);
        assertEquals(sa, IkeSaContextJson.read(IkeSaContextJson.write(sa, false)));
    }

    @SeededTest(cases = 200)
    void redactedOutputHasNoSecretAndCannotBeImported(Gen g) {
        IkeSaContext sa = IkeGen.context(g);
        String json = IkeSaContextJson.write(sa, true);
        IkeSaContext other = IkeGen.withOtherSecrets(sa);
        assertEquals(json, IkeSaContextJson.write(other, true), "redacted output depends on the secrets");
        assertFalse(json.equals(IkeSaContextJson.write(sa, false)));
        assertTrue(json.contains(IkeSaContextJson.REDACTED));
        IkeContextFormatException e = assertThrows(IkeContextFormatException.class, () -> IkeSaContextJson.read(json));
        assertTrue(e.getMessage().contains("redacted"), e.getMessage());
    }

    @Test
    void theExampleInDocsImportsAndMatchesItsKeySeed() throws Exception {
        String md = Files.readString(Path.of("..", "docs", "ike.md"));
        int start = md.indexOf("```json", md.indexOf("<!-- example-context -->"));
        String json = md.substring(md.indexOf('\n', start) + 1, md.indexOf("```", start + 7));
        IkeSaContext sa = IkeSaContextJson.read(json);
        assertEquals(0x8a3f1c2b4d5e6f70L, sa.initiatorSpi());
        assertFalse(sa.originalInitiator());
        assertEquals(IkeFixtures.CBC_SHA256, sa.algorithms());
        assertEquals(sa.rederiveKeys(), Optional.of(sa.keys()));
        assertEquals(List.of(new ChildSa(ProtocolId.ESP, 0xc2b1a001L, 0xc1f0e002L)), sa.childSas());
        assertEquals("mn@example.org", new String(sa.peer().identity(), java.nio.charset.StandardCharsets.US_ASCII));
    }

    @Test
    void keysMayBeOmittedWhenTheSeedIsGivenButMustMatchWhenBothAre() throws Exception {
        IkeSaContext sa = IkeFixtures.accessRouter(IkeFixtures.GCM);
        ObjectNode tree = (ObjectNode) MAPPER.readTree(IkeSaContextJson.write(sa, false));
        ObjectNode withoutKeys = tree.deepCopy();
        withoutKeys.remove("keys");
        assertEquals(sa, IkeSaContextJson.read(withoutKeys.toString()));

        ObjectNode wrongSeed = tree.deepCopy();
        ((ObjectNode) wrongSeed.get("keySeed")).put("nr", "00");
        IkeContextFormatException e = assertThrows(IkeContextFormatException.class,
                () -> IkeSaContextJson.read(wrongSeed.toString()));
        assertTrue(e.getMessage().contains("do not match"), e.getMessage());

        ObjectNode neither = withoutKeys.deepCopy();
        neither.remove("keySeed");
        assertError(neither.toString(), "needs \"keys\", \"keySeed\"");
    }

    @Test
    void mistakesAreReportedWithTheirPathAndWithoutKeyMaterial() throws Exception {
        IkeSaContext sa = IkeFixtures.mobileNode(IkeFixtures.CBC_SHA256);
        String json = IkeSaContextJson.write(sa, false);
        ObjectNode tree = (ObjectNode) MAPPER.readTree(json);

        ObjectNode unknown = tree.deepCopy();
        ((ObjectNode) unknown.get("algorithms")).put("encrytpion", 12);
        assertError(unknown.toString(), "$.algorithms has unknown field \"encrytpion\"");

        ObjectNode shortKey = tree.deepCopy();
        ((ObjectNode) shortKey.get("keys")).put("skEi", "00112233");
        assertError(shortKey.toString(), "SK_ei has 4 octets");

        ObjectNode badHex = tree.deepCopy();
        ((ObjectNode) badHex.get("keys")).put("skD", "xyz");
        assertError(badHex.toString(), "$.keys.skD is not an even number of hex digits");

        ObjectNode badAlg = tree.deepCopy();
        ((ObjectNode) badAlg.get("algorithms")).put("encryption", 3);
        assertError(badAlg.toString(), "encryption transform 3 is not supported");

        ObjectNode badSpi = tree.deepCopy();
        badSpi.put("initiatorSpi", "0x0000000000000000");
        assertError(badSpi.toString(), "$.initiatorSpi must not be zero");

        ObjectNode badChild = tree.deepCopy();
        ((ObjectNode) badChild.get("childSas").get(0)).put("protocol", "IKE");
        assertError(badChild.toString(), "$.childSas[0].protocol must be AH or ESP");

        ObjectNode badFormat = tree.deepCopy();
        badFormat.put("format", "cxt-ike-sa/2");
        assertError(badFormat.toString(), "$.format");

        ObjectNode twoCredentials = tree.deepCopy();
        ((ObjectNode) twoCredentials.get("peer")).put("certificate", "3000");
        assertError(twoCredentials.toString(), "exactly one of \"psk\" and \"certificate\"");

        String duplicate = json.replaceFirst("\"originalInitiator\" : true", "\"originalInitiator\" : true, "
                + "\"originalInitiator\" : false");
        assertError(duplicate, "not valid JSON at line");

        String skD = sa.keys().skD().revealHex().substring(2);
        String broken = json.replace("\"" + skD + "\"", skD);
        IkeContextFormatException e = assertThrows(IkeContextFormatException.class, () -> IkeSaContextJson.read(broken));
        assertTrue(e.getMessage().startsWith("not valid JSON at line"), e.getMessage());
        assertFalse(e.getMessage().contains(skD.substring(0, 8)), "the error quotes key material");
        assertError("", "empty");
    }

    @Test
    void identitiesAreWrittenAsTextWhereThatIsNatural() throws Exception {
        IkeSaContext sa = IkeFixtures.mobileNode(IkeFixtures.CBC_SHA256);
        for (String[] c : new String[][] {{"ID_IPV4_ADDR", "192.0.2.7"}, {"ID_IPV6_ADDR", "2001:db8:0:0:0:0:0:7"},
            {"ID_IPV6_ADDR", "::ffff:192.0.2.1"}, {"ID_FQDN", "ar.example.org"}, {"ID_KEY_ID", "0a0b0c"}}) {
            ObjectNode tree = (ObjectNode) MAPPER.readTree(IkeSaContextJson.write(sa, false));
            ObjectNode id = (ObjectNode) tree.get("peer").get("identity");
            id.put("type", c[0]);
            id.put("value", c[1]);
            IkeSaContext read = IkeSaContextJson.read(tree.toString());
            assertEquals(IdentityType.valueOf(c[0]), read.peer().identityType());
            assertEquals(read, IkeSaContextJson.read(IkeSaContextJson.write(read, false)));
        }
        ObjectNode tree = (ObjectNode) MAPPER.readTree(IkeSaContextJson.write(sa, false));
        ((ObjectNode) tree.get("peer").get("identity")).put("type", "ID_IPV4_ADDR");
        // A host name is refused without a DNS lookup.
        assertError(tree.toString(), "is not a dotted-quad IPv4 address");
        ((ObjectNode) tree.get("peer").get("identity")).put("type", "ID_IPV6_ADDR");
        assertError(tree.toString(), "is not an IPv6 address");
    }

    private static void assertError(String json, String expected) {
        IkeContextFormatException e = assertThrows(IkeContextFormatException.class, () -> IkeSaContextJson.read(json));
        assertTrue(e.getMessage().contains(expected), e.getMessage());
    }
}
