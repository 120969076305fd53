package io.cxt.ike;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import io.cxt.testing.Commands;

/**
 * Runs Debian's strongSwan charon in a network namespace for interop tests in the lab kernel, as
 * tests/lab/strongswan-capture does: its own /run (charon always writes /run/charon.pid), its own
 * strongswan.conf and VICI socket in a work directory, an explicit plugin list, the IKE log at
 * level 4 (which dumps SKEYSEED and the SK_* keys: Debian's 5.9.8 has no save-keys plugin).
 */
final class StrongSwanLab implements AutoCloseable {
    static final Path CHARON = Path.of("/usr/lib/ipsec/charon");
    static final String PSK = "cxt strongSwan interop lab secret";

    private final String namespace;
    private final Path dir;
    private final Process charon;

    private StrongSwanLab(String namespace, Path dir, Process charon) {
        this.namespace = namespace;
        this.dir = dir;
        this.charon = charon;
    }

    static boolean installed() {
        return Files.isExecutable(CHARON) && Commands.exec(List.of("sh", "-c", "command -v swanctl"), null).exit() == 0;
    }

    /** Starts charon in {@code namespace}; returns once its VICI socket is open. */
    static StrongSwanLab start(String namespace, Path dir) throws IOException, InterruptedException {
        Files.createDirectories(dir);
        Files.writeString(dir.resolve("strongswan.conf"), """
                charon {
                    load = random nonce openssl aes sha1 sha2 hmac gcm kdf kernel-netlink socket-default vici counters
                    install_routes = no
                    retransmit_tries = 2
                    plugins {
                        vici {
                            socket = unix://%1$s/charon.vici
                        }
                    }
                    syslog {
                        daemon {
                            default = -1
                        }
                    }
                    filelog {
                        charon {
                            path = %1$s/charon.log
                            default = 1
                            ike = 4
                            append = no
                            flush_line = yes
                        }
                    }
                }
                """.formatted(dir));
        ProcessBuilder pb = new ProcessBuilder("ip", "netns", "exec", namespace, "sh", "-c",
                "mount -t tmpfs tmpfs /run && exec " + CHARON);
        pb.environment().put("STRONGSWAN_CONF", dir.resolve("strongswan.conf").toString());
        pb.redirectErrorStream(true).redirectOutput(dir.resolve("charon.out").toFile());
        Process p = pb.start();
        StrongSwanLab lab = new StrongSwanLab(namespace, dir, p);
        long deadline = System.nanoTime() + Duration.ofSeconds(15).toNanos();
        while (!Files.exists(dir.resolve("charon.vici"))) {
            if (!p.isAlive() || System.nanoTime() > deadline) {
                lab.close();
                throw new IllegalStateException("charon in " + namespace + " did not open its VICI socket: "
                        + Files.readString(dir.resolve("charon.out")));
            }
            Thread.sleep(50);
        }
        return lab;
    }

    /** A swanctl.conf with one connection "lab" (PSK) and one transport-mode Child SA "net". */
    void loadConnection(String local, String remote, boolean initiator, String ikeProposal, String espProposal)
            throws IOException {
        String me = initiator ? "initiator@cxt.test" : "responder@cxt.test";
        String peer = initiator ? "responder@cxt.test" : "initiator@cxt.test";
        Path conf = dir.resolve("swanctl.conf");
        Files.writeString(conf, """
                connections {
                    lab {
                        version = 2
                        local_addrs = %s
                        remote_addrs = %s
                        proposals = %s
                        rekey_time = 0
                        dpd_delay = 0
                        mobike = no
                        fragmentation = no
                        local {
                            auth = psk
                            id = %s
                        }
                        remote {
                            auth = psk
                            id = %s
                        }
                        children {
                            net {
                                mode = transport
                                esp_proposals = %s
                                rekey_time = 0
                                start_action = none
                            }
                        }
                    }
                }
                secrets {
                    ike-lab {
                        id-1 = initiator@cxt.test
                        id-2 = responder@cxt.test
                        secret = "%s"
                    }
                }
                """.formatted(local, remote, ikeProposal, me, peer, espProposal, PSK));
        swanctl("--load-all", "--file", conf.toString());
    }

    /** Runs swanctl against this charon; fails on a non-zero exit. */
    String swanctl(String... args) {
        Commands.Result r = Commands.exec(swanctlCommand(args), null);
        if (r.exit() != 0) {
            throw new IllegalStateException("swanctl " + String.join(" ", args) + " exited " + r.exit() + ": "
                    + r.stdout() + r.stderr().lines().filter(l -> !l.startsWith("plugin '")).toList());
        }
        return r.stdout();
    }

    /** Starts swanctl without waiting for it (for commands that wait on an exchange cxt must answer). */
    Process swanctlAsync(String... args) throws IOException {
        return new ProcessBuilder(swanctlCommand(args)).redirectErrorStream(true)
                .redirectOutput(dir.resolve("swanctl-async.out").toFile()).start();
    }

    private List<String> swanctlCommand(String... args) {
        List<String> cmd = new ArrayList<>(List.of("swanctl"));
        cmd.addAll(List.of(args));
        cmd.addAll(List.of("--uri", "unix://" + dir.resolve("charon.vici")));
        return cmd;
    }

    String log() {
        try {
            return Files.readString(dir.resolve("charon.log"), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Kills charon with SIGKILL: it sends nothing more and leaves its kernel SAs and its IKE SA state behind. */
    void kill() throws InterruptedException {
        charon.destroyForcibly();
        charon.waitFor(10, TimeUnit.SECONDS);
    }

    @Override
    public void close() {
        if (charon.isAlive()) {
            charon.destroy();
            try {
                if (!charon.waitFor(5, TimeUnit.SECONDS)) {
                    charon.destroyForcibly();
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                charon.destroyForcibly();
            }
        }
    }

    @Override
    public String toString() {
        return "charon in " + namespace;
    }

    // --- reading charon's log ---

    private static final Pattern DUMP_START = Pattern.compile("^\\d+\\[IKE\\] (\\S.*?) => (\\d+) bytes @ .*$");
    private static final Pattern DUMP_LINE = Pattern.compile("^\\d+\\[\\w+\\]\\s+\\d+: ((?:[0-9A-F]{2} )*[0-9A-F]{2}).*$");

    /** The first dump of each name in the log ("Sk_ei secret", "SKEYSEED", ...). */
    static Map<String, byte[]> dumps(String log) {
        Map<String, byte[]> out = new LinkedHashMap<>();
        String[] lines = log.split("\n");
        for (int i = 0; i < lines.length; i++) {
            Matcher m = DUMP_START.matcher(lines[i]);
            if (!m.matches()) {
                continue;
            }
            StringBuilder hex = new StringBuilder();
            while (i + 1 < lines.length) {
                Matcher d = DUMP_LINE.matcher(lines[i + 1]);
                if (!d.matches()) {
                    break;
                }
                hex.append(d.group(1).replace(" ", ""));
                i++;
            }
            byte[] bytes = HexFormat.of().parseHex(hex.toString());
            if (bytes.length != Integer.parseInt(m.group(2))) {
                throw new IllegalStateException("dump " + m.group(1) + " has " + bytes.length + " octets, logged "
                        + m.group(2));
            }
            out.putIfAbsent(m.group(1), bytes);
        }
        return out;
    }

    /** The value of the first match of {@code regex}'s group 1 in the log. */
    static String find(String log, String regex) {
        Matcher m = Pattern.compile(regex, Pattern.MULTILINE).matcher(log);
        if (!m.find()) {
            throw new IllegalStateException("charon's log has no line matching " + regex);
        }
        return m.group(1);
    }

    /** Message IDs in charon's "generating/parsed EXCHANGE request N" lines, in order. */
    static List<Long> requestIds(String log, String verb) {
        List<Long> ids = new ArrayList<>();
        Matcher m = Pattern.compile("\\[ENC\\] " + verb + " \\S+ request (\\d+) ").matcher(log);
        while (m.find()) {
            ids.add(Long.parseLong(m.group(1)));
        }
        return ids;
    }
}
