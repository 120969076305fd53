package io.cxt.sys;

import java.io.IOException;
import java.net.BindException;
import java.net.Inet6Address;
import java.net.InetSocketAddress;

/**
 * A bind that failed, as an operator needs to read it: the JDK says only "Address already in use"
 * or "Cannot assign requested address"; this names the protocol, address and port, so that
 * cxagent's one start-up error line ("cannot start: cannot bind UDP [2001:db8::1]:500: Address
 * already in use") says which socket it was.
 */
public final class BindFailure {

    private BindFailure() {
    }

    /** A BindException naming {@code protocol} and {@code address}, with {@code cause}'s text and as its cause. */
    public static BindException of(String protocol, InetSocketAddress address, IOException cause) {
        BindException e = new BindException("cannot bind " + protocol + " " + format(address) + ": "
                + (cause.getMessage() == null ? cause.toString() : cause.getMessage()));
        e.initCause(cause);
        return e;
    }

    /** {@code [v6]:port} or {@code v4:port}. */
    public static String format(InetSocketAddress a) {
        if (a.getAddress() == null) {
            return a.getHostString() + ":" + a.getPort();
        }
        String host = a.getAddress().getHostAddress();
        int pct = host.indexOf('%');
        host = pct >= 0 ? host.substring(0, pct) : host;
        return (a.getAddress() instanceof Inet6Address ? "[" + compressed(host) + "]" : host) + ":" + a.getPort();
    }

    /**
     * The JDK's "2001:db8:0:0:0:0:0:1" as operators write it (and as ip(8) and AddressText print
     * it): the longest run of two or more zero groups, the first on a tie, becomes "::".
     */
    static String compressed(String full) {
        String[] g = full.split(":", -1);
        int bestStart = -1;
        int bestLen = 1;
        for (int i = 0; i < g.length; ) {
            int j = i;
            while (j < g.length && g[j].equals("0")) {
                j++;
            }
            if (j - i > bestLen) {
                bestStart = i;
                bestLen = j - i;
            }
            i = j == i ? i + 1 : j;
        }
        if (bestStart < 0) {
            return full;
        }
        String head = String.join(":", java.util.Arrays.copyOfRange(g, 0, bestStart));
        String tail = String.join(":", java.util.Arrays.copyOfRange(g, bestStart + bestLen, g.length));
        return head + "::" + tail;
    }
}
