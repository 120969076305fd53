package io.cxt.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.InetAddress;
import java.util.List;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import org.junit.jupiter.api.Test;

import io.cxt.xfrm.AeventId;
import io.cxt.xfrm.KeyBytes;
import io.cxt.xfrm.MappingEvent;
import io.cxt.xfrm.ReplayLifetimeState;
import io.cxt.xfrm.SaExpire;
import io.cxt.xfrm.SaId;
import io.cxt.xfrm.SecurityAssociation;
import io.cxt.xfrm.XfrmEvent;
import io.cxt.xfrm.XfrmStructs;

/**
 * The text and JSON layouts for what this host's kernel cannot hold (SAs with keys): iproute2
 * 6.1's layout written out by hand, key redaction in text and JSON.
 */
class XfrmTextTest {

    static final String AUTH_HEX = "000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f";
    static final String ENC_HEX = "00112233445566778899aabbccddeeff";

    static InetAddress a(String s) {
        return XfrmSyntax.address(s, "test address");
    }

    /** An ESP SA with most attributes, parsed from ip(8)'s grammar. */
    static SecurityAssociation fullSa() {
        return StateGrammar.sa(List.of(CliRun.words("src 192.0.2.1 dst 192.0.2.2 proto esp spi 0x1000 reqid 7"
                + " mode tunnel replay-window 32 replay-seq 1 replay-oseq 2 flag noecn af-unspec mark 5/0xff"
                + " output-mark 3 mask 0xffffff auth-trunc hmac(sha256) 0x" + AUTH_HEX + " 128 enc cbc(aes) 0x"
                + ENC_HEX + " encap espinudp 4500 4500 0.0.0.0 if_id 7 tfcpad 100 sel src 10.0.0.0/24"
                + " dst 10.1.0.0/24")), new LinkNames(null));
    }

    @Test
    void anSaPrintsLikeIproute2WithKeysRedacted() {
        String expected = String.join("\n",
                "src 192.0.2.1 dst 192.0.2.2",
                "\tproto esp spi 0x00001000 reqid 7 mode tunnel",
                "\treplay-window 32 flag noecn af-unspec",
                "\tmark 0x5/0xff",
                "\toutput-mark 0x3/0xffffff",
                "\tauth-trunc hmac(sha256) <redacted> 128",
                "\tenc cbc(aes) <redacted>",
                "\tencap type espinudp sport 4500 dport 4500 addr 0.0.0.0",
                "\tanti-replay context: seq 0x1, oseq 0x2, bitmap 0x00000000",
                "\tif_id 0x7",
                "\ttfcpad 100",
                "\tsel src 10.0.0.0/24 dst 10.1.0.0/24",
                "");
        assertEquals(expected, XfrmText.state(fullSa(), XfrmText.Options.plain()));

        String revealed = XfrmText.state(fullSa(), new XfrmText.Options(0, true, i -> "lo"));
        assertTrue(revealed.contains("\tauth-trunc hmac(sha256) 0x" + AUTH_HEX + " 128\n"), revealed);
        assertTrue(revealed.contains("\tenc cbc(aes) 0x" + ENC_HEX + "\n"), revealed);
    }

    @Test
    void esnReplayStateAndStatsAsIproute2PrintsThem() {
        SecurityAssociation sa = StateGrammar.sa(List.of(CliRun.words("src 2001:db8::1 dst 2001:db8::2 proto esp"
                + " spi 0x4000 reqid 10 replay-window 128 flag esn replay-seq 0x10 replay-oseq 0x20 replay-seq-hi 0x1"
                + " replay-oseq-hi 0x2 aead rfc4106(gcm(aes)) 0x0102030405060708090a0b0c0d0e0f1011121314 128")),
                new LinkNames(null));
        String text = XfrmText.state(sa, new XfrmText.Options(1, false, i -> "?"));
        List<String> lines = text.lines().toList();
        assertEquals("\tproto esp spi 0x00004000(16384) reqid 10(0x0000000a) mode transport", lines.get(1));
        assertEquals("\treplay-window 0 seq 0x00000000 flag esn (0x10000000)", lines.get(2));
        assertEquals("\taead rfc4106(gcm(aes)) <redacted> (160 bits) 128", lines.get(3));
        assertEquals("\tanti-replay esn context:", lines.get(4));
        assertEquals("\t seq-hi 0x1, seq 0x10, oseq-hi 0x2, oseq 0x20", lines.get(5));
        assertEquals("\t replay_window 128, bitmap-length 4", lines.get(6));
        assertTrue(text.contains("\tlifetime config:\n\t  limit: soft (INF)(bytes), hard (INF)(bytes)\n"), text);
        assertTrue(text.contains("\tstats:\n\t  replay-window 0 replay 0 failed 0"), text);
    }

    @Test
    void jsonNeverCarriesKeysUnlessAskedFor() throws Exception {
        String redacted = Json.mapper(false).writeValueAsString(XfrmJson.state(fullSa(), i -> "lo"));
        assertFalse(redacted.contains(AUTH_HEX) || redacted.contains(ENC_HEX), redacted);
        JsonNode n = new ObjectMapper().readTree(redacted);
        assertEquals("<redacted>", n.path("authTrunc").path("key").asText());
        assertEquals(128, n.path("authTrunc").path("truncBits").asInt());
        assertEquals("cbc(aes)", n.path("enc").path("name").asText());
        assertEquals(4096, n.path("spi").asLong());
        assertEquals("10.0.0.0/24", n.path("selector").path("src").asText());
        assertEquals(5, n.path("mark").path("value").asLong());
        assertEquals(4500, n.path("encap").path("dport").asInt());

        String revealed = Json.mapper(true).writeValueAsString(XfrmJson.state(fullSa(), i -> "lo"));
        assertTrue(revealed.contains("0x" + AUTH_HEX) && revealed.contains("0x" + ENC_HEX), revealed);

        // an SA event (a deleted SA carries its keys) is redacted the same way
        String event = Json.mapper(false).writeValueAsString(XfrmJson.event(
                new XfrmEvent.SaDeleted(SaId.of(a("192.0.2.2"), 0x1000, 50), fullSa()), i -> "lo"));
        assertFalse(event.contains(ENC_HEX), event);
        assertEquals("sa-deleted", new ObjectMapper().readTree(event).path("event").asText());
        // and the text of an event
        assertFalse(XfrmText.event(new XfrmEvent.SaAdded(fullSa()), XfrmText.Options.plain()).contains(ENC_HEX));
    }

    @Test
    void monitorLinesOfSaEvents() {
        SecurityAssociation sa = fullSa();
        assertTrue(XfrmText.event(new XfrmEvent.SaDeleted(SaId.of(a("192.0.2.2"), 0x1000, 50), sa),
                XfrmText.Options.plain()).startsWith("Deleted src 192.0.2.1 dst 192.0.2.2\n"));
        assertTrue(XfrmText.event(new XfrmEvent.SaUpdated(sa), XfrmText.Options.plain())
                .startsWith("Updated src 192.0.2.1 dst 192.0.2.2\n"));
        String expired = XfrmText.event(new XfrmEvent.SaExpired(new SaExpire(sa.info(), 1, sa.mark(), null, null,
                null, List.of())), XfrmText.Options.plain());
        assertTrue(expired.startsWith("Expired src 192.0.2.1 dst 192.0.2.2\n"), expired);
        assertTrue(expired.endsWith("\thard 1\n"), expired);
        assertEquals("Flushed state proto esp\n", XfrmText.event(new XfrmEvent.SasFlushed(50), XfrmText.Options.plain()));

        AeventId id = new AeventId(SaId.of(a("192.0.2.2"), 0x1000, 50), a("192.0.2.1"), AeventId.AE_CR, 7);
        assertEquals("Async event  (0x10)  replay update\n\tsrc 192.0.2.1 dst 192.0.2.2  reqid 0x7 protocol esp  SPI 0x1000\n",
                XfrmText.event(new XfrmEvent.ReplayLifetime(ReplayLifetimeState.query(id, null)),
                        XfrmText.Options.plain()));
        MappingEvent m = new MappingEvent(a("192.0.2.2"), 0x1000, 2, 50, 7, a("198.51.100.1"), a("198.51.100.9"),
                4500, 4501, List.of());
        assertEquals("Mapping change dst 192.0.2.2  reqid 0x7 protocol esp  SPI 0x1000 198.51.100.1:4500 -> "
                + "198.51.100.9:4501\n", XfrmText.event(new XfrmEvent.Mapping(m), XfrmText.Options.plain()));
    }

    @Test
    void addressesPrintLikeGlibcInetNtop() {
        assertEquals("2001:db8::1", Formats.address(a("2001:db8:0:0:0:0:0:1")));
        assertEquals("::", Formats.address(a("::")));
        assertEquals("::1", Formats.address(a("::1")));
        assertEquals("1::", Formats.address(a("1:0:0:0:0:0:0:0")));
        assertEquals("::ffff:192.0.2.1", Formats.address(a("::ffff:192.0.2.1")));
        assertEquals("::2", Formats.address(XfrmStructs.ipv6(new byte[] {0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
            0, 0, 2})));
        assertEquals("::1.2.3.4", Formats.address(XfrmStructs.ipv6(new byte[] {0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1,
            2, 3, 4})));
        assertEquals("2001:0:0:1::1", Formats.address(a("2001:0:0:1:0:0:0:1")), "the longer zero run is compressed");
        assertEquals("1:0:1:1:1:1:1:1", Formats.address(a("1:0:1:1:1:1:1:1")), "a single zero word is not");
        assertEquals("10.0.0.1", Formats.address(a("10.0.0.1")));
    }

    @Test
    void numbersAndAddressesInIproute2Syntax() {
        assertEquals(0x1000, XfrmSyntax.u32("0x1000", "SPI"));
        assertEquals(8, XfrmSyntax.u32("010", "SPI"), "strtoul base 0: octal");
        assertEquals(-1, XfrmSyntax.u32("4294967295", "SPI"));
        assertEquals("invalid SPI \"0x\"", assertThrows(UsageException.class, () -> XfrmSyntax.u32("0x", "SPI"))
                .getMessage());
        assertThrows(UsageException.class, () -> XfrmSyntax.u32("4294967296", "SPI"));
        assertThrows(UsageException.class, () -> XfrmSyntax.u32("+1", "SPI"));
        assertThrows(UsageException.class, () -> XfrmSyntax.u8("256", "x"));
        assertEquals(-1L, XfrmSyntax.u64("18446744073709551615", "limit"));
        assertEquals(24, XfrmSyntax.prefix("10.0.0.0/24", "src").length());
        assertEquals(128, XfrmSyntax.prefix("2001:db8::1", "src").length());
        assertThrows(UsageException.class, () -> XfrmSyntax.address("localhost", "src"));
        assertThrows(UsageException.class, () -> XfrmSyntax.address("1.2.3", "src"));
        assertThrows(UsageException.class, () -> XfrmSyntax.address("fe80::1%lo", "src"));
        assertEquals(KeyBytes.of(new byte[] {0x0a, (byte) 0xbc}), XfrmSyntax.key("0xabc", "key"), "odd: leading 0");
        assertEquals(KeyBytes.of("secret".getBytes(java.nio.charset.StandardCharsets.US_ASCII)),
                XfrmSyntax.key("secret", "key"));
    }
}
