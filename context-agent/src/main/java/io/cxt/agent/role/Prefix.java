package io.cxt.agent.role;

import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.Objects;

/**
 * An address prefix, e.g. the care-of prefix a router serves ({@code mobile-prefix}).
 *
 * @param network the prefix address
 * @param length prefix length in bits
 */
public record Prefix(InetAddress network, int length) {

    public Prefix {
        Objects.requireNonNull(network, "prefix address");
        int max = network.getAddress().length * 8;
        if (length < 0 || length > max) {
            throw new IllegalArgumentException("prefix length must be 0.." + max);
        }
    }

    /** Parses "2001:db8:1::/64". */
    public static Prefix parse(String text) {
        int slash = text.indexOf('/');
        if (slash < 0) {
            throw new IllegalArgumentException("prefix needs a length: " + text);
        }
        try {
            return new Prefix(InetAddress.getByName(text.substring(0, slash)), Integer.parseInt(text.substring(slash + 1)));
        } catch (UnknownHostException | NumberFormatException e) {
            throw new IllegalArgumentException("not a prefix: " + text, e);
        }
    }

    public boolean contains(InetAddress a) {
        byte[] p = network.getAddress();
        byte[] b = a.getAddress();
        if (p.length != b.length) {
            return false;
        }
        for (int i = 0; i < length; i++) {
            int bit = 0x80 >>> (i & 7);
            if ((p[i >>> 3] & bit) != (b[i >>> 3] & bit)) {
                return false;
            }
        }
        return true;
    }

    /**
     * The address with this prefix and the interface identifier (the bits after the prefix) of
     * {@code other}: the CoA prediction of the design (nAR prefix + the MN's interface id).
     * Null if the families differ.
     */
    public InetAddress withInterfaceIdOf(InetAddress other) {
        byte[] p = network.getAddress();
        byte[] b = other.getAddress();
        if (p.length != b.length) {
            return null;
        }
        byte[] out = b.clone();
        for (int i = 0; i < length; i++) {
            int bit = 0x80 >>> (i & 7);
            out[i >>> 3] = (byte) ((out[i >>> 3] & ~bit) | (p[i >>> 3] & bit));
        }
        try {
            return InetAddress.getByAddress(out);
        } catch (UnknownHostException e) {
            throw new IllegalStateException(e);
        }
    }

    @Override
    public String toString() {
        return io.cxt.xfrm.AddressText.of(network) + "/" + length;
    }
}
