package io.cxt.cli;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * IP protocol names, as {@code getprotobyname}/{@code getprotobynumber} give them to iproute2:
 * from /etc/protocols when the machine has one (so names print exactly as {@code ip} prints them),
 * else from a built-in table of the usual ones.
 */
final class Protocols {
    private Protocols() {
    }

    private static final Map<String, Integer> BY_NAME = new HashMap<>();
    private static final Map<Integer, String> BY_NUMBER = new HashMap<>();

    static {
        String[][] builtin = {
            {"ip", "0"}, {"icmp", "1"}, {"igmp", "2"}, {"ipencap", "4"}, {"tcp", "6"}, {"egp", "8"},
            {"udp", "17"}, {"dccp", "33"}, {"ipv6", "41"}, {"ipv6-route", "43"}, {"ipv6-frag", "44"},
            {"rsvp", "46"}, {"gre", "47"}, {"esp", "50"}, {"ah", "51"}, {"ipv6-icmp", "58"},
            {"ipv6-nonxt", "59"}, {"ipv6-opts", "60"}, {"ospf", "89"}, {"ipip", "94"}, {"pim", "103"},
            {"ipcomp", "108"}, {"vrrp", "112"}, {"l2tp", "115"}, {"sctp", "132"}, {"mobility-header", "135"},
            {"udplite", "136"}, {"mpls-in-ip", "137"},
        };
        boolean loaded = load(Path.of("/etc/protocols"));
        if (!loaded) {
            for (String[] e : builtin) {
                int n = Integer.parseInt(e[1]);
                BY_NAME.putIfAbsent(e[0], n);
                BY_NUMBER.putIfAbsent(n, e[0]);
            }
        }
    }

    private static boolean load(Path file) {
        List<String> lines;
        try {
            lines = Files.readAllLines(file, StandardCharsets.UTF_8);
        } catch (IOException | RuntimeException e) {
            return false;
        }
        for (String line : lines) {
            int hash = line.indexOf('#');
            String[] f = (hash >= 0 ? line.substring(0, hash) : line).trim().split("\\s+");
            if (f.length < 2) {
                continue;
            }
            int n;
            try {
                n = Integer.parseInt(f[1]);
            } catch (NumberFormatException e) {
                continue;
            }
            if (n < 0 || n > 255) {
                continue;
            }
            BY_NAME.putIfAbsent(f[0], n);
            for (int i = 2; i < f.length; i++) {
                BY_NAME.putIfAbsent(f[i], n);
            }
            BY_NUMBER.putIfAbsent(n, f[0]);
        }
        return !BY_NUMBER.isEmpty();
    }

    /** The protocol number of a name, or -1. */
    static int number(String name) {
        Integer n = BY_NAME.get(name);
        return n == null ? -1 : n;
    }

    /** The name of a protocol number, or the number in decimal (iproute2's strxf_proto). */
    static String name(int proto) {
        String s = BY_NUMBER.get(proto);
        return s != null ? s : Integer.toString(proto);
    }
}
