package io.cxt.cli;

import static io.cxt.cli.CliRun.in;
import static io.cxt.cli.CliRun.normalised;
import static io.cxt.cli.CliRun.words;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import io.cxt.testing.NetnsExtension;
import io.cxt.testing.TestNamespace;

/**
 * {@code cxctl xfrm policy} against the kernel, with iproute2 as the reference: what ip adds,
 * cxctl lists as ip does; what cxctl adds, ip lists as if ip had added it.
 */
@ExtendWith(NetnsExtension.class)
class PolicyCliKernelTest {

    /** Test policies in ip(8)'s grammar: both families, ports, protocols, marks, if_id, types, templates. */
    static final List<String> POLICIES = List.of(
            "src 10.0.0.0/24 dst 10.1.0.0/24 dir out priority 100 tmpl src 192.0.2.1 dst 192.0.2.2 proto esp reqid 5"
                    + " mode tunnel",
            "src 10.0.0.0/24 dst 10.1.0.0/24 proto tcp sport 80 dport 443 dir in priority 7 mark 5 mask 0xff if_id 9"
                    + " ptype sub action block",
            "src 2001:db8::/64 dst 2001:db8:1::/64 proto ipv6-icmp type 135 code 0 dir fwd tmpl src 2001:db8::1"
                    + " dst 2001:db8::2 proto esp mode tunnel level use reqid 3",
            "src 10.0.0.1 dst 10.0.0.2 proto udp dir out flag localok icmp limit time-soft 100 limit byte-hard 1000"
                    + " tmpl proto esp mode transport tmpl proto ah spi 0x100 mode transport",
            "src 10.0.0.3 dst 10.0.0.4 proto gre key 12345 dir out",
            "src 2001:db8:5::/48 dst ::/0 dir out mark 0x10 mask 0xf0 if_id 0x77 priority 3000 tmpl src 2001:db8::10"
                    + " dst 2001:db8::20 proto esp reqid 11 mode tunnel tmpl src 2001:db8::10 dst 2001:db8::20 proto ah"
                    + " reqid 12 mode tunnel",
            "src 192.168.0.0/16 dst 10.0.0.0/8 dev lo dir in",
            "src 0.0.0.0/0 dst 0.0.0.0/0 proto 253 dir fwd priority 1 ptype sub index 10",
            "src 10.5.0.0/16 dst 10.6.0.0/16 proto udp dport 4500 dir out tmpl src 198.51.100.1 dst 198.51.100.2"
                    + " proto esp mode beet reqid 0x10",
            "src 10.7.0.0/16 dst 10.8.0.0/16 dir out tmpl src 2001:db8::1 dst 2001:db8::2 proto esp mode tunnel"
                    + " reqid 2",
            "src 10.9.0.0/16 dst 10.10.0.0/16 proto sctp sport 9 dir in action block priority 4294967295");

    private static String[] ipArgs(String... args) {
        return args;
    }

    private static void ipAdd(TestNamespace ns, String policy) {
        ns.ip(CliRun.concat(ipArgs("xfrm", "policy", "add"), words(policy)));
    }

    /** The "add YYYY-MM-DD hh:mm:ss use ..." lines of -s output differ between two adds a second apart. */
    private static List<String> withoutTimes(List<String> lines) {
        List<String> out = new ArrayList<>();
        for (String l : lines) {
            if (!l.trim().startsWith("add ")) {
                out.add(l);
            }
        }
        return out;
    }

    static List<String> stripped(String text) {
        return normalised(text).stream().map(String::strip).toList();
    }

    @Test
    void policiesAddedWithIpListAsIpListsThem(TestNamespace ns) {
        for (String p : POLICIES) {
            ipAdd(ns, p);
        }
        List<String> ip = normalised(ns.ip("xfrm", "policy", "list"));
        List<String> cx = normalised(in(ns.name(), "xfrm", "policy", "list").ok().out());
        assertEquals(ip, cx);
        assertTrue(cx.size() > 3 * POLICIES.size(), "every policy printed: " + cx);

        // with -s: index, share, flag bits, lifetimes, template masks, selector uid
        assertEquals(normalised(ns.ip("-s", "xfrm", "policy", "list")),
                normalised(in(ns.name(), "xfrm", "policy", "list", "-s").ok().out()));

        // the bare object lists too, as "ip xfrm policy" does
        assertEquals(ip, normalised(in(ns.name(), "xfrm", "policy").ok().out()));
    }

    @Test
    void listFiltersSelectAsIpsDo(TestNamespace ns) {
        for (String p : POLICIES) {
            ipAdd(ns, p);
        }
        String[] filters = {"dir out", "dir in", "ptype sub", "ptype main", "action block", "priority 7",
            "src 10.0.0.0/24", "dst 10.1.0.0/24 dir in", "src 2001:db8::/64", "proto udp", "flag localok", "index 10",
            "nosock", "dev lo"};
        for (String f : filters) {
            List<String> ip = normalised(ns.ip(CliRun.concat(ipArgs("xfrm", "policy", "list"), words(f))));
            List<String> cx = normalised(in(ns.name(), CliRun.concat(ipArgs("xfrm", "policy", "list"), words(f)))
                    .ok().out());
            assertEquals(ip, cx, "filter: " + f);
        }
        assertFalse(normalised(in(ns.name(), "xfrm", "policy", "list", "dir", "fwd").ok().out()).isEmpty());
    }

    @Test
    void policiesAddedWithCxctlReadBackWithIpAsIfIpHadAddedThem(TestNamespace byCxctl, TestNamespace byIp) {
        for (String p : POLICIES) {
            CliRun r = in(byCxctl.name(), CliRun.concat(ipArgs("xfrm", "policy", "add"), words(p)));
            assertEquals(0, r.exit(), p + ": " + r.err());
            ipAdd(byIp, p);
        }
        assertEquals(normalised(byIp.ip("xfrm", "policy", "list")), normalised(byCxctl.ip("xfrm", "policy", "list")));
        // and the detail only -s shows: lifetimes, flags, levels, masks, indexes
        assertEquals(withoutTimes(normalised(byIp.ip("-s", "xfrm", "policy", "list"))),
                withoutTimes(normalised(byCxctl.ip("-s", "xfrm", "policy", "list"))));
    }

    @Test
    void getUpdateDeleteFlushAndCountThroughCxctl(TestNamespace ns) {
        String sel = "src 10.0.0.0/24 dst 10.1.0.0/24";
        in(ns.name(), words("xfrm policy add " + sel + " dir out priority 100 mark 7 if_id 3 tmpl src 192.0.2.1"
                + " dst 192.0.2.2 proto esp reqid 5 mode tunnel")).ok();
        String get = "xfrm policy get " + sel + " dir out mark 7 if_id 3";
        assertEquals(normalised(ns.ip(words(get))), normalised(in(ns.name(), words(get)).ok().out()));

        in(ns.name(), words("xfrm policy update " + sel + " dir out priority 200 mark 7 if_id 3 tmpl src 192.0.2.1"
                + " dst 192.0.2.9 proto esp reqid 5 mode tunnel")).ok();
        String shown = ns.ip(words(get));
        assertTrue(shown.contains("priority 200"), shown);
        assertTrue(shown.contains("dst 192.0.2.9"), shown);

        // by index, as -s shows it
        String index = ns.ip(CliRun.concat(ipArgs("-s"), words(get))).replaceAll("(?s).*index (\\d+).*", "$1").trim();
        assertEquals(normalised(shown), normalised(in(ns.name(), words("xfrm policy get index " + index
                + " dir out mark 7 if_id 3")).ok().out()));

        // iproute2 indents these lines with a tab and a space; cxctl does not
        assertEquals(stripped(ns.ip("xfrm", "policy", "count")),
                stripped(in(ns.name(), "xfrm", "policy", "count").ok().out()));
        assertEquals(stripped(ns.ip("-s", "-s", "xfrm", "policy", "count")),
                stripped(in(ns.name(), "xfrm", "policy", "count", "-s", "-s").ok().out()));

        in(ns.name(), words("xfrm policy delete " + sel + " dir out mark 7 if_id 3")).ok();
        assertEquals("", ns.ip("xfrm", "policy", "list").trim());
        CliRun gone = in(ns.name(), words(get));
        assertEquals(1, gone.exit());
        assertTrue(gone.err().contains("ENOENT"), gone.err());
        assertEquals(1, gone.err().lines().count(), gone.err());

        in(ns.name(), words("xfrm policy add " + sel + " dir in")).ok();
        in(ns.name(), words("xfrm policy add " + sel + " dir in ptype sub")).ok();
        in(ns.name(), "xfrm", "policy", "flush").ok();
        assertEquals(normalised(in(ns.name(), "xfrm", "policy", "list").ok().out()), normalised(ns.ip("xfrm",
                "policy", "list")));
        assertTrue(ns.ip("xfrm", "policy", "list").contains("ptype sub"), "flush without ptype leaves sub");
        in(ns.name(), "xfrm", "policy", "flush", "ptype", "sub").ok();
        assertEquals("", ns.ip("xfrm", "policy", "list").trim());
    }

    @Test
    void defaultsAndThresholds(TestNamespace ns) {
        in(ns.name(), words("xfrm policy setdefault in block fwd block")).ok();
        assertEquals(normalised(ns.ip("xfrm", "policy", "getdefault")),
                normalised(in(ns.name(), "xfrm", "policy", "getdefault").ok().out()));
        assertTrue(ns.ip("xfrm", "policy", "getdefault").contains("fwd: block"));
        in(ns.name(), words("xfrm policy setdefault in accept fwd accept")).ok();

        in(ns.name(), words("xfrm policy set hthresh4 24 16 hthresh6 64 48")).ok();
        String info = in(ns.name(), "xfrm", "policy", "info").ok().out();
        assertTrue(info.contains("SPD IPv4 thresholds: local 24 remote 16"), info);
        assertTrue(info.contains("SPD IPv6 thresholds: local 64 remote 48"), info);
        assertEquals(stripped(ns.ip("-s", "-s", "xfrm", "policy", "count")), stripped(info));
    }

    @Test
    void jsonListParsesAndCarriesTheFields(TestNamespace ns) throws Exception {
        for (String p : POLICIES) {
            ipAdd(ns, p);
        }
        CliRun r = in(ns.name(), "--json", "xfrm", "policy", "list").ok();
        JsonNode all = new ObjectMapper().readTree(r.out());
        assertTrue(all.isArray());
        assertEquals(POLICIES.size(), all.size());
        JsonNode tunnel = null;
        JsonNode blocked = null;
        for (JsonNode p : all) {
            if (p.path("priority").asLong() == 100) {
                tunnel = p;
            }
            if (p.path("priority").asLong() == 7) {
                blocked = p;
            }
        }
        assertEquals("out", tunnel.path("dir").asText());
        assertEquals("10.0.0.0/24", tunnel.path("selector").path("src").asText());
        assertEquals("esp", tunnel.path("templates").get(0).path("proto").asText());
        assertEquals("192.0.2.2", tunnel.path("templates").get(0).path("dst").asText());
        assertEquals(5, tunnel.path("templates").get(0).path("reqid").asInt());
        assertEquals("tunnel", tunnel.path("templates").get(0).path("mode").asText());
        assertEquals("block", blocked.path("action").asText());
        assertEquals("sub", blocked.path("ptype").asText());
        assertEquals(5, blocked.path("mark").path("value").asLong());
        assertEquals(0xff, blocked.path("mark").path("mask").asLong());
        assertEquals(9, blocked.path("ifId").asLong());
        assertEquals(443, blocked.path("selector").path("dport").asInt());
        assertEquals("tcp", blocked.path("selector").path("proto").asText());
        // a JSON document: --json after the command works as well
        assertEquals(all, new ObjectMapper().readTree(in(ns.name(), "xfrm", "policy", "list", "--json").ok().out()));
    }
}
