package io.cxt.agent;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;

import org.junit.jupiter.api.Test;

import io.cxt.agent.config.RouterSection;
import io.cxt.agent.settings.IpPrefix;
import io.cxt.context.PeerContextScreen;

/** The [router] peer-* keys reach the nAR's screen as its allowance. */
class PeerAllowanceMappingTest {
    @Test
    void configuredPrefixesAndSwitchesBecomeTheScreensAllowance() {
        PeerContextScreen.Allowance a = DefaultAgentFactory.RouterRuntime.peerAllowance(
                new RouterSection.PeerAllowance(List.of(IpPrefix.parse("2001:db8:100::/48")), true, false));
        assertEquals(1, a.mobilePrefixes().size());
        assertEquals(48, a.mobilePrefixes().get(0).length());
        assertEquals("2001:db8:100:0:0:0:0:0", a.mobilePrefixes().get(0).address().getHostAddress());
        assertTrue(a.marksAndIfIds());
        assertEquals(false, a.unknownAttributes());
        assertEquals(PeerContextScreen.Allowance.NONE,
                DefaultAgentFactory.RouterRuntime.peerAllowance(RouterSection.PeerAllowance.NONE));
    }
}
