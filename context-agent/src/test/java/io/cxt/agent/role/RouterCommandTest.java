package io.cxt.agent.role;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.Map;

import org.junit.jupiter.api.Test;

import io.cxt.agent.control.ControlException;

class RouterCommandTest {

    @Test
    void commandsAreParsedIntoTypedRecords() throws ControlException {
        assertEquals(new RouterCommand.Transfer(HandoverLab.ip("2001:db8:a::10"), "nar"),
                RouterCommand.parse("transfer", Map.of("mn", "2001:db8:a::10", "to", "nar")));
        assertEquals(new RouterCommand.Cancel(HandoverLab.ip("10.0.0.1"), null),
                RouterCommand.parse("cancel", Map.of("mn", "10.0.0.1")));
        assertEquals(new RouterCommand.Events(42), RouterCommand.parse("events", Map.of("since", "42")));
        assertEquals(new RouterCommand.Events(0), RouterCommand.parse("events", null));
        assertEquals(new RouterCommand.Status(), RouterCommand.parse("status", Map.of()));
    }

    @Test
    void badArgumentsGiveAOneLineError() {
        assertEquals("'mn' is not an address: mn.example.org", assertThrows(ControlException.class,
                () -> RouterCommand.parse("transfer", Map.of("mn", "mn.example.org", "to", "nar"))).getMessage(),
                "numeric only: a name is never resolved");
        assertEquals("missing argument 'to'", assertThrows(ControlException.class,
                () -> RouterCommand.parse("transfer", Map.of("mn", "10.0.0.1"))).getMessage());
        assertEquals("not a number: soon", assertThrows(ControlException.class,
                () -> RouterCommand.parse("events", Map.of("since", "soon"))).getMessage());
        assertEquals("unknown command 'reboot' for an access router", assertThrows(ControlException.class,
                () -> RouterCommand.parse("reboot", Map.of())).getMessage());
    }
}
