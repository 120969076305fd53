package io.cxt.agent.control;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFileAttributes;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * SO_PEERCRED authorisation with real processes of other users: a python3 client run through
 * setpriv as uid 65534 (nobody), with and without a temporary group made by groupadd.
 */
@org.junit.jupiter.api.Timeout(120)
class ControlAuthorizationTest {

    /** Connects, sends a status request and its end, prints the reply line and EOF when the server closed, or CONNECT-ERROR errno. */
    private static final String CLIENT = String.join("\n",
            "import socket, sys",
            "s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)",
            "try:",
            "    s.connect(sys.argv[1])",
            "except OSError as e:",
            "    print('CONNECT-ERROR', e.errno); sys.exit(0)",
            "s.sendall(b'{\"command\":\"status\"}\\n')",
            "s.shutdown(socket.SHUT_WR)",
            "f = s.makefile('rb')",
            "print(f.readline().decode().strip())",
            "try:",
            "    rest = f.readline()",
            "except ConnectionResetError:",  // a refused peer's unread request makes the close a reset
            "    rest = b''",
            "print('EOF' if rest == b'' else 'MORE')");

    private static final ControlHandler HANDLER = (c, a) -> Map.of("name", "t1");

    private Path dir;
    private Path socket;
    private final List<String> groups = new ArrayList<>();

    @BeforeEach
    void setUp() throws Exception {
        assumeTrue("root".equals(System.getProperty("user.name")), "needs root (setpriv, groupadd)");
        assumeTrue(Files.isExecutable(Path.of("/usr/bin/setpriv")) && Files.isExecutable(Path.of("/usr/bin/python3")),
                "needs /usr/bin/setpriv and /usr/bin/python3");
        dir = Files.createTempDirectory("cxt-auth");
        Files.setPosixFilePermissions(dir, PosixFilePermissions.fromString("rwxr-xr-x"));
        socket = dir.resolve("cxagent.sock");
    }

    @AfterEach
    void tearDown() throws Exception {
        for (String g : groups) {
            run("groupdel", g);
        }
        if (dir != null) {
            try (var s = Files.walk(dir)) {
                s.sorted(java.util.Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
            }
        }
    }

    @Test
    void nobodyIsRefusedByPeerCredentialsEvenOnAWorldWritableSocket() throws Exception {
        try (ControlServer server = ControlServer.start(socket, Optional.empty(), HANDLER)) {
            // as shipped (0660 root:root) the kernel already refuses the connection
            assertEquals(List.of("CONNECT-ERROR 13"), asNobody("--regid=65534", "--clear-groups"));
            // a socket opened up by mistake: SO_PEERCRED still refuses, with one line, and closes
            Files.setPosixFilePermissions(socket, PosixFilePermissions.fromString("rw-rw-rw-"));
            assertEquals(List.of("{\"ok\":false,\"error\":\"permission denied: uid 65534 is not root (no control-group configured)\"}",
                    "EOF"), asNobody("--regid=65534", "--clear-groups"));
            // root is served
            assertEquals("t1", ControlClient.request(socket, "status", Map.of()).get("name").asText());
        }
    }

    @Test
    void memberOfTheControlGroupIsServed() throws Exception {
        String g = newGroup();
        int gid = gid(g);
        try (ControlServer server = ControlServer.start(socket, Optional.of(g), HANDLER)) {
            PosixFileAttributes a = Files.readAttributes(socket, PosixFileAttributes.class, LinkOption.NOFOLLOW_LINKS);
            assertEquals(g, a.group().getName(), "socket belongs to the control group");
            assertEquals("rw-rw----", PosixFilePermissions.toString(a.permissions()));
            // primary (effective) gid = control group: SO_PEERCRED's gid matches
            assertEquals(List.of("{\"ok\":true,\"result\":{\"name\":\"t1\"}}", "EOF"),
                    asNobody("--regid=" + gid, "--clear-groups"));
            // not in the group at all: the kernel refuses (0660)
            assertEquals(List.of("CONNECT-ERROR 13"), asNobody("--regid=65534", "--clear-groups"));
            // supplementary group but not listed in /etc/group: allowed in by the kernel, refused by cxagent,
            // which knows supplementary groups only from /etc/group (SO_PEERCRED does not carry them)
            assertEquals(List.of("{\"ok\":false,\"error\":\"permission denied: uid 65534 is not root and not in group " + g + "\"}",
                    "EOF"), asNobody("--regid=65534", "--groups=" + gid));
            // listed as a member in /etc/group: served, read at connection time without a restart
            run("gpasswd", "-a", "nobody", g);
            assertEquals(List.of("{\"ok\":true,\"result\":{\"name\":\"t1\"}}", "EOF"),
                    asNobody("--regid=65534", "--groups=" + gid));
        }
    }

    @Test
    void authorizerRulesFromGroupAndPasswdFiles() throws IOException {
        Path grp = dir.resolve("group");
        Path pw = dir.resolve("passwd");
        Files.writeString(grp, "root:x:0:\ncxt:x:990:alice,bob\nstaff:x:50:\n");
        Files.writeString(pw, "root:x:0:0::/root:/bin/sh\nalice:x:1000:1000::/h:/bin/sh\ncarol:x:1002:990::/h:/bin/sh\n"
                + "dave:x:1003:1003::/h:/bin/sh\n");
        ControlAuthorizer a = new ControlAuthorizer(Optional.of("cxt"), grp, pw);
        assertNull(a.refusal(new PeerCredentials(1, 0, 0)), "root");
        assertNull(a.refusal(new PeerCredentials(1, 1000, 1000)), "listed member");
        assertNull(a.refusal(new PeerCredentials(1, 1002, 1002)), "passwd primary group");
        assertNull(a.refusal(new PeerCredentials(1, 4242, 990)), "effective gid");
        assertEquals("permission denied: uid 1003 is not root and not in group cxt",
                a.refusal(new PeerCredentials(1, 1003, 1003)));
        assertEquals("permission denied: uid 4242 is not root and not in group cxt",
                a.refusal(new PeerCredentials(1, 4242, 4242)), "unknown uid");
        assertEquals("permission denied: uid 1000 is not root and not in group nosuch",
                new ControlAuthorizer(Optional.of("nosuch"), grp, pw).refusal(new PeerCredentials(1, 1000, 1000)));
        assertEquals("permission denied: uid 1000 is not root (no control-group configured)",
                new ControlAuthorizer(Optional.empty(), grp, pw).refusal(new PeerCredentials(1, 1000, 1000)));
    }

    private String newGroup() throws Exception {
        String g = "cxtt" + Integer.toHexString(ThreadLocalRandom.current().nextInt(0x10000, 0xfffff));
        run("groupadd", g);
        groups.add(g);
        return g;
    }

    private static int gid(String group) throws Exception {
        return Integer.parseInt(run("getent", "group", group).split(":")[2]);
    }

    private List<String> asNobody(String... groupOptions) throws Exception {
        List<String> cmd = new ArrayList<>(List.of("/usr/bin/setpriv", "--reuid=65534"));
        cmd.addAll(List.of(groupOptions));
        cmd.addAll(List.of("/usr/bin/python3", "-c", CLIENT, socket.toString()));
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        if (!p.waitFor(20, TimeUnit.SECONDS)) {
            p.destroyForcibly();
            throw new AssertionError("client as nobody did not finish");
        }
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertEquals(0, p.exitValue(), out);
        return out.lines().toList();
    }

    private static String run(String... cmd) throws Exception {
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        p.waitFor(20, TimeUnit.SECONDS);
        if (p.exitValue() != 0) {
            throw new IOException(String.join(" ", cmd) + " failed: " + out);
        }
        return out.strip();
    }
}
