package io.cxt.xfrm;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import org.junit.jupiter.api.Test;

/** Issue 12 item 9: what a control request names is parsed as a literal, never resolved. */
class AddressTextLiteralTest {

    @Test
    void literalsParse() {
        assertEquals("2001:db8::1", AddressText.of(AddressText.parseLiteral("2001:db8::1")));
        assertEquals("10.1.2.3", AddressText.of(AddressText.parseLiteral(" 10.1.2.3 ")));
    }

    @Test
    void namesAndLegacyShapesAreRefusedWithoutALookup() {
        for (String s : new String[] {"localhost", "example.com", "1.2.3", "0x7f000001", "2130706433", "", "fe80::1%eth0",
                "10.0.0.256"}) {
            assertThrows(IllegalArgumentException.class, () -> AddressText.parseLiteral(s), s);
        }
    }
}
