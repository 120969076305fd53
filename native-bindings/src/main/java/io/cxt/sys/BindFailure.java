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
        return (a.getAddress() instanceof Inet6Address ? "[" + host + "]" : host) + ":" + a.getPort();
    }
}
