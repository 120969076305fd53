package io.cxt.sys;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.io.IOException;
import java.net.BindException;
import java.net.InetAddress;
import java.net.InetSocketAddress;

import org.junit.jupiter.api.Test;

/** A bind failure names protocol, address (IPv6 compressed as ip(8) prints it) and port. */
class BindFailureTest {

    private static String format(String address, int port) throws IOException {
        return BindFailure.format(new InetSocketAddress(InetAddress.getByName(address), port));
    }

    @Test
    void addressesAsOperatorsWriteThem() throws IOException {
        assertEquals("[2001:db8:77::1]:5091", format("2001:db8:77::1", 5091));
        assertEquals("[::]:500", format("::", 500));
        assertEquals("[::1]:9464", format("::1", 9464));
        assertEquals("[2001:db8::1:0:0:1]:1", format("2001:db8:0:0:1:0:0:1", 1), "the first of two equal runs");
        assertEquals("[2001:db8:0:1::1]:1", format("2001:db8:0:1:0:0:0:1", 1));
        assertEquals("[fe80::1]:2", format("fe80::1%1", 2));
        assertEquals("[2001:db8:0:1:1:1:1:1]:3", format("2001:db8:0:1:1:1:1:1", 3), "a single zero group stays");
        assertEquals("192.0.2.1:4500", format("192.0.2.1", 4500));
    }

    @Test
    void theMessageNamesProtocolAddressPortAndReason() throws IOException {
        BindException e = BindFailure.of("UDP", new InetSocketAddress(InetAddress.getByName("2001:db8::1"), 5091),
                new BindException("Cannot assign requested address"));
        assertEquals("cannot bind UDP [2001:db8::1]:5091: Cannot assign requested address", e.getMessage());
    }
}
