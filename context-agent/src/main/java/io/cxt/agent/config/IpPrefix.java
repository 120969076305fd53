package io.cxt.agent.config;

import java.net.InetAddress;
import java.util.Objects;

/**
 * An address prefix such as {@code 2001:db8:1::/64} (the nAR's {@code mobile-prefix}: a predicted
 * care-of address is this prefix plus the interface id of the MN's old care-of address).
 *
 * @param network the prefix's address with the host bits cleared
 * @param length prefix length in bits (0..32 for IPv4, 0..128 for IPv6)
 */
public record IpPrefix(InetAddress network, int length) {

    public IpPrefix {
        Objects.requireNonNull(network, "network");
        int max = network.getAddress().length * 8;
        if (length < 0 || length > max) {
            throw new IllegalArgumentException("prefix length " + length + " out of range 0.." + max);
        }
        network = masked(network, length);
    }

    /** Whether {@code a} (same family) lies in this prefix. */
    public boolean contains(InetAddress a) {
        return a.getAddress().length == network.getAddress().length && masked(a, length).equals(network);
    }

    /**
     * This prefix's bits followed by the host bits of {@code host} (same family): the care-of address
     * an MN with address {@code host} is predicted to form here.
     */
    public InetAddress withHostBitsOf(InetAddress host) {
        byte[] n = network.getAddress();
        byte[] h = host.getAddress();
        if (n.length != h.length) {
            throw new IllegalArgumentException("address family of " + host.getHostAddress() + " differs from " + this);
        }
        for (int i = 0; i < n.length; i++) {
            int bits = Math.max(0, Math.min(8, length - i * 8));
            int mask = bits == 0 ? 0 : (0xff << (8 - bits)) & 0xff;
            n[i] = (byte) ((n[i] & mask) | (h[i] & ~mask & 0xff));
        }
        try {
            return InetAddress.getByAddress(n);
        } catch (java.net.UnknownHostException e) {
            throw new IllegalStateException(e);
        }
    }

    private static InetAddress masked(InetAddress a, int length) {
        byte[] b = a.getAddress();
        for (int i = 0; i < b.length; i++) {
            int bits = Math.max(0, Math.min(8, length - i * 8));
            int mask = bits == 0 ? 0 : (0xff << (8 - bits)) & 0xff;
            b[i] = (byte) (b[i] & mask);
        }
        try {
            return InetAddress.getByAddress(b);
        } catch (java.net.UnknownHostException e) {
            throw new IllegalStateException(e);
        }
    }

    @Override
    public String toString() {
        return io.cxt.xfrm.AddressText.of(network) + "/" + length;
    }
}
