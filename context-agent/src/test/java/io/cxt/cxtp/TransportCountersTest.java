package io.cxt.cxtp;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Map;

import org.junit.jupiter.api.Test;

class TransportCountersTest {

    @Test
    void perMessageTypeCountsMessagesAndOctetsPerDirectionAndOmitsZeroes() {
        TransportCounters c = new TransportCounters();
        assertTrue(c.perMessageType().isEmpty());
        c.sent(MessageType.PCTD, 992);
        c.sent(MessageType.PCTD, 992);
        c.received(MessageType.CTDR, 20);
        assertEquals(Map.of("sent.pctd.messages", 2L, "sent.pctd.octets", 1984L,
                "received.ctdr.messages", 1L, "received.ctdr.octets", 20L), c.perMessageType());
    }
}
