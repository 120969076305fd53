package io.cxt.xfrm;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import org.junit.jupiter.api.Test;

/** Issue 12 item 9: what a control request names is parsed as a literal, never resolved. */
class AddressTextLiteralTest {

    @Test
    void literalsParse() {
        assertEquals("2001:db8::1", AddressText.of(AddressText.parseOrNull("2001:db8::1")));
        assertEquals("10.1.2.3", AddressText.of(AddressText.parseOrNull("10.1.2.3")));
    }

    @Test
    void namesAreRefusedWithoutALookup() {
        for (String s : new String[] {"localhost", "example.com", "", "10.0.0.256"}) {
            assertNull(AddressText.parseOrNull(s), s);
        }
    }
}
