package io.cxt.bench;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.HashSet;
import java.util.List;
import java.util.Set;

import org.junit.jupiter.api.Test;

import io.cxt.xfrm.AddressFamily;
import io.cxt.xfrm.SecurityPolicy;
import io.cxt.xfrm.Selector;

/**
 * The benchmark's workload is what its README states (distinct exact selectors, half IPv4, half
 * IPv6) and the ip batch lines say the same as the records. No kernel and no timing here: the
 * benchmark itself only runs from tests/bench/policy-bench.
 */
class PolicyBenchWorkloadTest {

    @Test
    void policiesAreDistinctExactSelectorsHalfIpv4HalfIpv6() {
        List<SecurityPolicy> ps = PolicyBench.policies(1001);
        assertEquals(1001, ps.size());
        Set<Selector> selectors = new HashSet<>();
        int v4 = 0;
        for (SecurityPolicy p : ps) {
            Selector s = p.selector();
            selectors.add(s);
            int full = s.family() == AddressFamily.INET ? 32 : 128;
            assertEquals(full, s.prefixlenS(), p.summary());
            assertEquals(full, s.prefixlenD(), p.summary());
            assertEquals(1, p.templates().size(), p.summary());
            assertEquals(s.family(), p.templates().get(0).family(), p.summary());
            v4 += s.family() == AddressFamily.INET ? 1 : 0;
        }
        assertEquals(1001, selectors.size(), "selectors must be distinct or NEWPOLICY fails with EEXIST");
        assertEquals(501, v4);
    }

    @Test
    void ipBatchLinesDescribeTheSamePolicies() {
        List<SecurityPolicy> ps = PolicyBench.policies(4);
        String[] lines = PolicyBench.ipBatch(ps).split("\n");
        assertEquals(4, lines.length);
        assertEquals("xfrm policy add src 10.0.0.0/32 dst 172.16.0.0/32 dir out"
                + " tmpl src 192.0.2.1 dst 192.0.2.2 proto esp mode tunnel reqid 1", lines[0]);
        assertEquals("xfrm policy add src 2001:db8:1:0:0:0:0:3/128 dst 2001:db8:2:0:0:0:0:3/128 dir out"
                + " tmpl src 2001:db8:0:0:0:0:0:1 dst 2001:db8:0:0:0:0:0:2 proto esp mode tunnel reqid 4", lines[3]);
        assertTrue(lines[1].startsWith("xfrm policy add src 10.0.0.1/32 dst 172.16.0.1/32 "), lines[1]);
    }
}
