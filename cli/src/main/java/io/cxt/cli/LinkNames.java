package io.cxt.cli;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.Map;

import io.cxt.sys.NetNamespace;

/**
 * Interface names and indexes of one network namespace, read once with an RTM_GETLINK dump
 * (sysfs would show the namespace cxctl itself runs in, not the one given with -n).
 */
final class LinkNames {
    private final String netns;
    private Map<Integer, String> byIndex;

    LinkNames(String netns) {
        this.netns = netns;
    }

    /** The name of an interface, or "if" and the index when it is not there (any more). */
    String name(int ifindex) {
        String n = links().get(ifindex);
        return n != null ? n : "if" + Integer.toUnsignedString(ifindex);
    }

    /** The index of an interface name; a usage error if there is none. */
    int index(String name) {
        for (Map.Entry<Integer, String> e : links().entrySet()) {
            if (e.getValue().equals(name)) {
                return e.getKey();
            }
        }
        throw new UsageException("no such device \"" + name + "\"" + (netns == null ? "" : " in namespace " + netns));
    }

    private Map<Integer, String> links() {
        if (byIndex == null) {
            try {
                byIndex = dump();
            } catch (IOException e) {
                throw new UncheckedIOException("cannot list network interfaces: " + e.getMessage(), e);
            }
        }
        return byIndex;
    }

    private Map<Integer, String> dump() throws IOException {
        return io.cxt.link.InterfaceNames.dump(netns == null ? null : NetNamespace.named(netns));
    }
}
