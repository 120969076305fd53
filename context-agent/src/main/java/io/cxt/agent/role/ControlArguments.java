package io.cxt.agent.role;

import java.net.InetAddress;
import java.util.Map;

import io.cxt.agent.control.ControlException;
import io.cxt.xfrm.AddressText;

/** The argument checks of both agents' control commands, each failing with a one-line error. */
final class ControlArguments {

    private ControlArguments() {
    }

    /** A numeric address (never a name: nothing is resolved). */
    static InetAddress address(Map<String, String> args, String key) throws ControlException {
        String v = required(args, key);
        InetAddress a = AddressText.parseOrNull(v);
        if (a == null) {
            throw new ControlException("'" + key + "' is not an address: " + v);
        }
        return a;
    }

    static String required(Map<String, String> args, String key) throws ControlException {
        String v = args.get(key);
        if (v == null || v.isBlank()) {
            throw new ControlException("missing argument '" + key + "'");
        }
        return v;
    }

    static long number(String s) throws ControlException {
        try {
            return Long.parseLong(s);
        } catch (NumberFormatException e) {
            throw new ControlException("not a number: " + s);
        }
    }
}
