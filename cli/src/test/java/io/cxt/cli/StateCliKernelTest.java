package io.cxt.cli;

import static io.cxt.cli.CliRun.in;
import static io.cxt.cli.CliRun.normalised;
import static io.cxt.cli.CliRun.words;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import io.cxt.testing.NetnsExtension;
import io.cxt.testing.TestNamespace;

/**
 * {@code cxctl xfrm state} against the kernel. On this host only larval SAs (ALLOCSPI) can exist;
 * adding an ESP SA reaches the kernel and is refused with EPROTONOSUPPORT. The full round trip
 * is tagged esp-kernel and runs in the lab.
 */
@ExtendWith(NetnsExtension.class)
class StateCliKernelTest {

    static final String AUTH_KEY = "0x0102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f20";
    static final String ENC_KEY = "0xa1a2a3a4a5a6a7a8a9aaabacadaeafb0";
    static final String ESP_SA = "src 192.0.2.1 dst 192.0.2.2 proto esp spi 0x2000 reqid 1 mode tunnel"
            + " auth-trunc hmac(sha256) " + AUTH_KEY + " 128 enc cbc(aes) " + ENC_KEY;

    private static List<String> stripped(String text) {
        return normalised(text).stream().map(String::strip).toList();
    }

    @Test
    void allocspiMakesALarvalSaThatIpShowsWithTheSameSpi(TestNamespace ns) throws Exception {
        CliRun r = in(ns.name(), words("xfrm state allocspi src 192.0.2.1 dst 192.0.2.2 proto esp mode tunnel"
                + " reqid 7 mark 3/0xf min 0x1000 max 0x1fff")).ok();
        String spi = r.out().replaceAll("(?s).*spi (0x[0-9a-f]{8}).*", "$1");
        assertTrue(spi.startsWith("0x0000"), r.out());
        long value = Long.decode(spi);
        assertTrue(value >= 0x1000 && value <= 0x1fff, spi);
        String ip = ns.ip("xfrm", "state", "list");
        assertTrue(ip.contains("proto esp spi " + spi + " reqid 7 mode tunnel"), ip);
        assertTrue(ip.contains("mark 0x3/0xf"), ip);
        // what allocspi printed is the larval SA, as ip lists it
        assertEquals(normalised(ip), normalised(r.out()));

        // IPv6, iproute2's default range; AH with exactly one SPI
        CliRun v6 = in(ns.name(), words("--json xfrm state allocspi src 2001:db8::1 dst 2001:db8::2 proto esp")).ok();
        JsonNode sa = new ObjectMapper().readTree(v6.out());
        long spi6 = sa.path("spi").asLong();
        assertTrue(spi6 >= 0x100 && spi6 <= 0x0fffffff, v6.out());
        assertEquals("inet6", sa.path("family").asText());
        assertTrue(ns.ip("xfrm", "state", "list").contains(String.format("spi 0x%08x", spi6)));
        in(ns.name(), words("xfrm state allocspi src 192.0.2.1 dst 192.0.2.3 proto ah min 0x300 max 0x300")).ok();
        assertTrue(ns.ip("xfrm", "state", "list").contains("proto ah spi 0x00000300 reqid 0 mode transport"));

        assertEquals(normalised(ns.ip("xfrm", "state", "list")),
                normalised(in(ns.name(), "xfrm", "state", "list").ok().out()));
        assertEquals(normalised(ns.ip("-s", "xfrm", "state", "list")),
                normalised(in(ns.name(), "xfrm", "state", "list", "-s").ok().out()));
        assertEquals(normalised(ns.ip("xfrm", "state")), normalised(in(ns.name(), "xfrm", "state").ok().out()));
        assertEquals(stripped(ns.ip("xfrm", "state", "count")),
                stripped(in(ns.name(), "xfrm", "state", "count").ok().out()));
        assertEquals(stripped(ns.ip("-s", "xfrm", "state", "count")),
                stripped(in(ns.name(), "xfrm", "state", "count", "-s").ok().out()));
    }

    @Test
    void listFiltersSelectAsIpsDo(TestNamespace ns) {
        in(ns.name(), words("xfrm state allocspi src 192.0.2.1 dst 192.0.2.2 proto esp mode tunnel reqid 7"
                + " min 0x1000 max 0x1000")).ok();
        in(ns.name(), words("xfrm state allocspi src 192.0.2.1 dst 192.0.2.3 proto ah reqid 8 min 0x300 max 0x300"))
                .ok();
        in(ns.name(), words("xfrm state allocspi src 2001:db8::1 dst 2001:db8::2 proto esp mode tunnel reqid 7"
                + " min 0x2000 max 0x2000")).ok();
        String[] filters = {"proto esp", "proto ah", "spi 0x1000", "reqid 7", "mode tunnel", "mode transport",
            "src 192.0.2.1", "dst 192.0.2.3", "dst 2001:db8::2", "src 192.0.2.1 dst 192.0.2.2 proto esp spi 0x1000",
            "nokeys"};
        for (String f : filters) {
            List<String> ip = normalised(ns.ip(CliRun.concat(new String[] {"xfrm", "state", "list"}, words(f))));
            List<String> cx = normalised(in(ns.name(), CliRun.concat(new String[] {"xfrm", "state", "list"}, words(f)))
                    .ok().out());
            assertEquals(ip, cx, "filter: " + f);
            assertFalse(cx.isEmpty(), "filter " + f + " selects something");
        }
        // a prefix goes to the kernel's dump filter
        String wide = in(ns.name(), words("xfrm state list dst 192.0.2.0/24")).ok().out();
        assertTrue(wide.contains("spi 0x00001000") && wide.contains("spi 0x00000300") && !wide.contains("2001:db8"),
                wide);
    }

    @Test
    void getDeleteAndFlushThroughCxctl(TestNamespace ns) {
        in(ns.name(), words("xfrm state allocspi src 192.0.2.1 dst 192.0.2.2 proto esp reqid 4 mark 9"
                + " min 0x4000 max 0x4000")).ok();
        String get = "xfrm state get src 192.0.2.1 dst 192.0.2.2 proto esp spi 0x4000 mark 9";
        assertEquals(normalised(ns.ip(words(get))), normalised(in(ns.name(), words(get)).ok().out()));

        // without the mark the kernel does not find it
        CliRun noMark = in(ns.name(), words("xfrm state get dst 192.0.2.2 proto esp spi 0x4000"));
        assertEquals(1, noMark.exit());
        assertTrue(noMark.err().contains("ESRCH"), noMark.err());

        in(ns.name(), words("xfrm state delete src 192.0.2.1 dst 192.0.2.2 proto esp spi 0x4000 mark 9")).ok();
        assertEquals("", ns.ip("xfrm", "state", "list").trim());
        CliRun again = in(ns.name(), words("xfrm state delete dst 192.0.2.2 proto esp spi 0x4000 mark 9"));
        assertEquals(1, again.exit());
        assertEquals(1, again.err().lines().count(), again.err());
        assertTrue(again.err().startsWith("cxctl: kernel refused: ") && again.err().contains("ESRCH"), again.err());

        in(ns.name(), words("xfrm state allocspi src 192.0.2.1 dst 192.0.2.2 proto esp")).ok();
        in(ns.name(), words("xfrm state allocspi src 192.0.2.1 dst 192.0.2.2 proto ah")).ok();
        in(ns.name(), words("xfrm state flush proto ah")).ok();
        String left = ns.ip("xfrm", "state", "list");
        assertTrue(left.contains("proto esp") && !left.contains("proto ah"), left);
        in(ns.name(), "xfrm", "state", "flush").ok();
        assertEquals("", ns.ip("xfrm", "state", "list").trim());
        assertEquals(List.of("SAD count 0"), stripped(in(ns.name(), "xfrm", "state", "count").ok().out()));
    }

    @Test
    void addingAnEspSaReachesTheKernelWhichRefusesIt(TestNamespace ns) {
        CliRun r = in(ns.name(), words("xfrm state add " + ESP_SA));
        assertEquals(1, r.exit(), r.err());
        assertEquals(1, r.err().lines().count(), r.err());
        assertTrue(r.err().contains("EPROTONOSUPPORT"), r.err());
        // the kernel's own words, as iproute2 shows them ("Error: Requested type not found.")
        assertTrue(r.err().contains("Requested type not found"), r.err());
        assertFalse(r.err().contains(AUTH_KEY.substring(2)), "no key in an error message");
        assertEquals("", r.out());
        // iproute2 is refused the same way
        io.cxt.testing.Commands.Result ip = io.cxt.testing.Commands.exec(
                List.of(CliRun.concat(new String[] {"ip", "-n", ns.name(), "xfrm", "state", "add"}, words(ESP_SA))),
                null);
        assertEquals(2, ip.exit());
        assertTrue(ip.stderr().contains("Requested type not found"), ip.stderr());
    }

    /** The full round trip; needs ESP (runs in the lab kernel). */
    @Test
    @Tag("esp-kernel")
    void espSaRoundTripThroughTheCli(TestNamespace byCxctl, TestNamespace byIp) throws Exception {
        String sa = ESP_SA + " replay-window 32 flag noecn mark 5 mask 0xff if_id 7 sel src 10.0.0.0/24 dst 10.1.0.0/24"
                + " limit time-hard 3600 encap espinudp 4500 4500 0.0.0.0";
        in(byCxctl.name(), words("xfrm state add " + sa)).ok();
        byIp.ip(CliRun.concat(new String[] {"xfrm", "state", "add"}, words(sa)));
        // what cxctl sent, ip reads back as if ip had sent it (keys included)
        assertEquals(normalised(byIp.ip("xfrm", "state", "list")), normalised(byCxctl.ip("xfrm", "state", "list")));
        // and cxctl lists it as ip does, once keys are revealed
        assertEquals(normalised(byCxctl.ip("xfrm", "state", "list")),
                normalised(in(byCxctl.name(), "xfrm", "state", "list", "--keys").ok().out()));
        String hidden = in(byCxctl.name(), "xfrm", "state", "list").ok().out();
        assertTrue(hidden.contains("enc cbc(aes) <redacted>"), hidden);
        assertTrue(hidden.contains("auth-trunc hmac(sha256) <redacted> 128"), hidden);
        assertFalse(hidden.contains(ENC_KEY.substring(2)), hidden);
        String json = in(byCxctl.name(), "--json", "xfrm", "state", "list").ok().out();
        assertFalse(json.contains(ENC_KEY.substring(2)) || json.contains(AUTH_KEY.substring(2)), json);
        assertTrue(in(byCxctl.name(), "--json", "xfrm", "state", "list", "--keys").ok().out()
                .contains(ENC_KEY.substring(2)));

        String get = "xfrm state get src 192.0.2.1 dst 192.0.2.2 proto esp spi 0x2000 mark 5";
        assertEquals(normalised(byCxctl.ip(words(get))), normalised(in(byCxctl.name(), CliRun.concat(words(get),
                "--keys")).ok().out()));
        in(byCxctl.name(), words("xfrm state update " + sa.replace("time-hard 3600", "time-hard 7200"))).ok();
        assertTrue(byCxctl.ip("-s", "xfrm", "state", "list").contains("hard 7200(sec)"));
        in(byCxctl.name(), words("xfrm state delete src 192.0.2.1 dst 192.0.2.2 proto esp spi 0x2000 mark 5")).ok();
        assertEquals("", byCxctl.ip("xfrm", "state", "list").trim());
    }
}
