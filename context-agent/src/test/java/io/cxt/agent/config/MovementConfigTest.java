package io.cxt.agent.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.InetAddress;
import java.time.Duration;
import java.util.List;

import org.junit.jupiter.api.Test;

/** {@code [mobile.movement]}: values, defaults and one-line errors. */
class MovementConfigTest {

    private static final String MN = """
            [agent]
            role = "mobile-node"
            name = "mn"

            [mobile]
            home-address = "2001:db8:100::10"
            care-of-address = "2001:db8:a::10"
            access-router = "2001:db8:a::1"
            token-key-source = "ike"
            """;

    private static MovementSection parse(String movement) throws ConfigException {
        return AgentConfigParser.parse(MN + "\n" + movement, "t.conf").mobile().orElseThrow().movement().orElseThrow();
    }

    private static String error(String movement) {
        return assertThrows(ConfigException.class, () -> parse(movement)).getMessage();
    }

    @Test
    void absentMeansManualActivationOnly() throws Exception {
        assertTrue(AgentConfigParser.parse(MN, "t.conf").mobile().orElseThrow().movement().isEmpty());
    }

    @Test
    void defaultsAndConfiguredRouters() throws Exception {
        MovementSection d = parse("[mobile.movement]\ninterfaces = [\"mp0\", \"mn0\"]\n");
        assertEquals(List.of("mp0", "mn0"), d.interfaces());
        assertEquals("gateway", d.router());
        assertEquals(Duration.ofMillis(20), d.debounce());

        MovementSection c = parse("""
                [mobile.movement]
                interfaces = ["mp0", "mn0"]
                router = "configured"
                debounce = "50ms"
                routers = { mp0 = "2001:db8:a::1", "2001:db8:b::/64" = "2001:db8:b::1" }
                """);
        assertEquals("configured", c.router());
        assertEquals(Duration.ofMillis(50), c.debounce());
        assertEquals(InetAddress.getByName("2001:db8:a::1"), c.routersByInterface().get("mp0"));
        assertEquals(InetAddress.getByName("2001:db8:b::1"), c.routersByPrefix().values().iterator().next());
        assertEquals(0, parse("[mobile.movement]\ninterfaces = [\"mn0\"]\ndebounce = \"0\"\n").debounce().toMillis());
    }

    @Test
    void oneLineErrors() {
        assertTrue(error("[mobile.movement]\nrouter = \"gateway\"\n").contains("[mobile.movement] interfaces: required"));
        assertTrue(error("[mobile.movement]\ninterfaces = [\"mn0\"]\nrouter = \"ra\"\n")
                .contains("[mobile.movement] router: must be \"gateway\" or \"configured\""));
        assertTrue(error("[mobile.movement]\ninterfaces = [\"mn0\"]\nrouter = \"configured\"\n")
                .contains("routers: required with router = \"configured\""));
        assertTrue(error("[mobile.movement]\ninterfaces = [\"mn0\"]\nrouters = { wlan9 = \"2001:db8::1\" }\n")
                .contains("'wlan9' is neither a prefix nor one of the interfaces"));
        assertTrue(error("[mobile.movement]\ninterfaces = [\"mn0\"]\nrouters = { mn0 = \"192.0.2.1\" }\n")
                .contains("not of the care-of address's family"));
        assertTrue(error("[mobile.movement]\ninterfaces = [\"mn0\"]\ndebounce = \"1m\"\n").contains("at most 10s"));
        assertTrue(error("[mobile.movement]\ninterfaces = [\"mn0\"]\nspeed = 3\n").contains("unknown key"));
    }
}
