package io.cxt.agent.settings;

import java.net.InetAddress;
import java.util.Objects;

import io.cxt.xfrm.AddressText;

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

    /**
     * Parses {@code ADDRESS/LENGTH} with a literal address (never a name lookup, see
     * {@link AddressText#parse}); an {@link IllegalArgumentException} saying what is wrong otherwise.
     */
    public static IpPrefix parse(String text) {
        int slash = text.indexOf('/');
        if (slash < 0) {
            throw new IllegalArgumentException("not a prefix: '" + text + "' (expected ADDRESS/LENGTH)");
        }
        InetAddress a = AddressText.parseOrNull(text.substring(0, slash));
        if (a == null) {
            throw new IllegalArgumentException("not an IP address: '" + text.substring(0, slash) + "'");
        }
        String len = text.substring(slash + 1);
        if (!len.matches("\\d{1,3}")) {
            throw new IllegalArgumentException("bad prefix length in '" + text + "'");
        }
        try {
            return new IpPrefix(a, Integer.parseInt(len));
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("bad prefix length in '" + text + "'", e);
        }
    }

    /** Whether {@code a} (same family) lies in this prefix. */
    public boolean contains(InetAddress a) {
        return a.getAddress().length == network.getAddress().length && masked(a, length).equals(network);
    }

    /**
     * This prefix's bits followed by the interface id (the bits after the prefix) of {@code host}:
     * the care-of address an MN with address {@code host} is predicted to form here. Null if the
     * families differ.
     */
    public InetAddress withInterfaceIdOf(InetAddress host) {
        byte[] n = network.getAddress();
        byte[] h = host.getAddress();
        if (n.length != h.length) {
            return null;
        }
        for (int i = 0; i < n.length; i++) {
            int bits = Math.max(0, Math.min(8, length - i * 8));
            int mask = bits == 0 ? 0 : (0xff << (8 - bits)) & 0xff;
            n[i] = (byte) ((n[i] & mask) | (h[i] & ~mask & 0xff));
        }
        return address(n);
    }

    private static InetAddress masked(InetAddress a, int length) {
        byte[] b = a.getAddress();
        for (int i = 0; i < b.length; i++) {
            int bits = Math.max(0, Math.min(8, length - i * 8));
            int mask = bits == 0 ? 0 : (0xff << (8 - bits)) & 0xff;
            b[i] = (byte) (b[i] & mask);
        }
        return address(b);
    }

    private static InetAddress address(byte[] b) {
        try {
            return b.length == 16 ? io.cxt.xfrm.XfrmStructs.ipv6(b) : InetAddress.getByAddress(b);
        } catch (java.net.UnknownHostException e) {
            throw new IllegalStateException(e);
        }
    }

    @Override
    public String toString() {
        return AddressText.of(network) + "/" + length;
    }
}
