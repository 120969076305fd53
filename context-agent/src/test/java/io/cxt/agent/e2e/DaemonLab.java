package io.cxt.agent.e2e;

import java.io.IOException;
import java.net.InetAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.EnumMap;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;

import com.fasterxml.jackson.databind.JsonNode;

import io.cxt.agent.control.ControlClient;
import io.cxt.agent.control.ControlException;
import io.cxt.sys.NetNamespace;
import io.cxt.testing.Commands;
import io.cxt.xfrm.SecurityAssociation;
import io.cxt.xfrm.SecurityPolicy;
import io.cxt.xfrm.XfrmClient;

/**
 * The handover demo's topology (tests/lab/handover-demo-guest) for tests with the REAL daemons:
 * MN, pAR, nAR and CN namespaces, an ESP tunnel MN-pAR set up with {@code ip xfrm} as an IKE daemon
 * would, the IKE SA both ends hold (random keys) imported with {@code ike-import}, and three
 * {@code bin/cxagent} processes started with {@code ip netns exec NS} and driven through their
 * control sockets ({@link ControlClient}). Everything is removed on {@link #close()}.
 *
 * <pre>
 *   MN (HoA 2001:db8:100::10) --- pAR 2001:db8:a::1 ---\        CN 2001:db8:200::5
 *      pCoA 2001:db8:a::10           |  2001:db8:ff::/64  +-----
 *      nCoA 2001:db8:b::10    --- nAR 2001:db8:b::1 ---/
 * </pre>
 */
final class DaemonLab implements AutoCloseable {

    static final String HOA = "2001:db8:100::10";
    static final String PCOA = "2001:db8:a::10";
    static final String PAR = "2001:db8:a::1";
    static final String NCOA = "2001:db8:b::10";
    static final String NAR = "2001:db8:b::1";
    static final String CN = "2001:db8:200::5";
    /** The MN's outbound (= routers' inbound) and inbound SPIs as IKE left them. */
    static final int MN_OUT_SPI = 0xc0000001;
    static final int MN_IN_SPI = 0xc1000001;
    /** Message IDs of the IKE SA when imported: the pAR (responder) has sent 5 requests already. */
    static final long PAR_NEXT_REQUEST = 5;

    enum Node { MN, PAR, NAR, CN }

    private static final HexFormat HEX = HexFormat.of();
    private static final SecureRandom RANDOM = new SecureRandom();

    private static final String TOPOLOGY = """
            set -eu
            for ns in $MN $PAR $NAR $CN; do ip netns add $ns; ip -n $ns link set lo up; done
            ip link add mp0 netns $MN type veth peer name mp1 netns $PAR
            ip link add mn0 netns $MN type veth peer name mn1 netns $NAR
            ip link add pc0 netns $PAR type veth peer name pc1 netns $CN
            ip link add nc0 netns $NAR type veth peer name nc1 netns $CN
            ip link add pn0 netns $PAR type veth peer name pn1 netns $NAR
            ip -n $MN addr add 2001:db8:100::10/128 dev lo nodad
            ip -n $PAR addr add 2001:db8:a::1/64 dev mp1 nodad
            ip -n $NAR addr add 2001:db8:b::1/64 dev mn1 nodad
            ip -n $PAR addr add 2001:db8:f1::1/64 dev pc0 nodad
            ip -n $CN addr add 2001:db8:f1::5/64 dev pc1 nodad
            ip -n $NAR addr add 2001:db8:f2::1/64 dev nc0 nodad
            ip -n $CN addr add 2001:db8:f2::5/64 dev nc1 nodad
            ip -n $PAR addr add 2001:db8:ff::1/64 dev pn0 nodad
            ip -n $NAR addr add 2001:db8:ff::2/64 dev pn1 nodad
            ip -n $CN addr add 2001:db8:200::5/128 dev lo nodad
            for l in "$MN mp0" "$PAR mp1" "$NAR mn1" "$PAR pc0" "$CN pc1" "$NAR nc0" "$CN nc1" "$PAR pn0" "$NAR pn1"; do
                set -- $l; ip -n "$1" link set "$2" up
            done
            for ns in $PAR $NAR; do ip netns exec $ns sysctl -q -w net.ipv6.conf.all.forwarding=1; done
            ip -n $PAR route add 2001:db8:200::/48 via 2001:db8:f1::5
            ip -n $NAR route add 2001:db8:200::/48 via 2001:db8:f2::5
            ip -n $PAR route add 2001:db8:b::/64 via 2001:db8:ff::2
            ip -n $NAR route add 2001:db8:a::/64 via 2001:db8:ff::1
            ip -n $PAR route add 2001:db8:100::10/128 via 2001:db8:a::10
            ip -n $NAR route add 2001:db8:100::10/128 via 2001:db8:b::10
            ip -n $MN link set mn0 down
            ip -n $MN addr add 2001:db8:a::10/64 dev mp0 nodad
            ip -n $MN route add default via 2001:db8:a::1
            ip -n $CN route add 2001:db8:100::10/128 via 2001:db8:f1::1
            HOA=2001:db8:100::10 PCOA=2001:db8:a::10 PARA=2001:db8:a::1
            for ns in $MN $PAR; do
                ip -n $ns xfrm state add src $PCOA dst $PARA proto esp spi 0xc0000001 reqid 1 mode tunnel replay-window 32 \\
                    enc 'cbc(aes)' 0x$ENC auth-trunc 'hmac(sha256)' 0x$AUTH 128 sel src $HOA/128 dst 2001:db8:200::/48
                ip -n $ns xfrm state add src $PARA dst $PCOA proto esp spi 0xc1000001 reqid 1 mode tunnel replay-window 32 \\
                    enc 'cbc(aes)' 0x$ENC2 auth-trunc 'hmac(sha256)' 0x$AUTH2 128 sel src 2001:db8:200::/48 dst $HOA/128
            done
            ip -n $MN xfrm policy add src $HOA/128 dst 2001:db8:200::/48 dir out tmpl src $PCOA dst $PARA proto esp reqid 1 mode tunnel
            ip -n $MN xfrm policy add src 2001:db8:200::/48 dst $HOA/128 dir in tmpl src $PARA dst $PCOA proto esp reqid 1 mode tunnel
            ip -n $PAR xfrm policy add src 2001:db8:200::/48 dst $HOA/128 dir out tmpl src $PARA dst $PCOA proto esp reqid 1 mode tunnel
            ip -n $PAR xfrm policy add src $HOA/128 dst 2001:db8:200::/48 dir in tmpl src $PCOA dst $PARA proto esp reqid 1 mode tunnel
            ip -n $PAR xfrm policy add src $HOA/128 dst 2001:db8:200::/48 dir fwd tmpl src $PCOA dst $PARA proto esp reqid 1 mode tunnel
            """;

    private static final String ATTACH_NAR = """
            set -eu
            ip -n $MN link set mp0 down; ip -n $MN link set mn0 up
            ip -n $MN addr replace 2001:db8:b::10/64 dev mn0 nodad
            ip -n $MN route replace default via 2001:db8:b::1
            ip -n $CN route replace 2001:db8:100::10/128 via 2001:db8:f2::1
            """;

    /** What differs between the labs of one test class. */
    record Options(String sadLookup, int mnIkePort, String ikeTimer, int maxRoundTrips, boolean fallbackHook) {
        static Options lookup(String sadLookup) {
            return new Options(sadLookup, 500, "30s", 3, false); // 30 s: a loaded 1-CPU lab with cold JVMs
        }
    }

    final String id;
    final Path run;
    final Options options;
    private final Map<Node, String> names = new EnumMap<>(Node.class);
    private final Map<Node, Process> agents = new EnumMap<>(Node.class);
    private final Map<Node, XfrmClient> xfrm = new EnumMap<>(Node.class);
    final String parIkeJson;
    final String mnIkeJson;
    final String ikeInitiatorSpi;

    DaemonLab(String id, Options options) throws IOException {
        this.id = id;
        this.options = options;
        for (Node n : Node.values()) {
            names.put(n, id + "-" + n.name().toLowerCase());
        }
        this.run = Files.createTempDirectory("cxt-e2e-" + id + "-");
        Map<String, String> env = nsEnv();
        env.put("ENC", hex(16));
        env.put("AUTH", hex(32));
        env.put("ENC2", hex(16));
        env.put("AUTH2", hex(32));
        try {
            bash(TOPOLOGY, env);
            for (Node n : Node.values()) {
                xfrm.put(n, XfrmClient.open(NetNamespace.named(names.get(n))));
            }
        } catch (RuntimeException | IOException e) {
            close();
            throw e;
        }
        // The IKE SA both ends hold (AES-CBC-256 + HMAC-SHA2-256-128, PRF HMAC-SHA2-256).
        ikeInitiatorSpi = "0x" + hex(8);
        String base = """
                "format": "cxt-ike-sa/1", "initiatorSpi": "%s", "responderSpi": "0x%s",
                "algorithms": {"encryption": 12, "encryptionKeyBits": 256, "integrity": 12, "prf": 5, "dhGroup": 19},
                "keys": {"skD": "%s", "skAi": "%s", "skAr": "%s", "skEi": "%s", "skEr": "%s", "skPi": "%s", "skPr": "%s"},
                "lifetime": {"establishedEpochSeconds": 1764259200, "rekeyAfterSeconds": 14400, "deleteAfterSeconds": 15840}
                """.formatted(ikeInitiatorSpi, hex(8), hex(32), hex(32), hex(32), hex(32), hex(32), hex(32), hex(32));
        String psk = HEX.formatHex("cxt lab pre-shared key".getBytes(StandardCharsets.US_ASCII));
        mnIkeJson = "{" + base + """
                , "originalInitiator": true, "messageIds": {"nextRequestToSend": 2, "nextRequestExpected": %d},
                "peer": {"identity": {"type": "ID_FQDN", "value": "par.example.org"}, "authMethod": "SHARED_KEY_MIC", "psk": "%s"},
                "childSas": [{"protocol": "ESP", "inboundSpi": "0xc1000001", "outboundSpi": "0xc0000001"}]}
                """.formatted(PAR_NEXT_REQUEST, psk);
        parIkeJson = "{" + base + """
                , "originalInitiator": false, "messageIds": {"nextRequestToSend": %d, "nextRequestExpected": 2},
                "peer": {"identity": {"type": "ID_RFC822_ADDR", "value": "mn@example.org"}, "authMethod": "SHARED_KEY_MIC", "psk": "%s"},
                "childSas": [{"protocol": "ESP", "inboundSpi": "0xc0000001", "outboundSpi": "0xc1000001"}]}
                """.formatted(PAR_NEXT_REQUEST, psk);
        Files.writeString(run.resolve("routers.key"), hex(32) + "\n");
        Files.writeString(run.resolve("par.conf"), routerConf("par", PAR, 1, "2001:db8:a::/64", "nar", NAR, 2));
        Files.writeString(run.resolve("nar.conf"), routerConf("nar", NAR, 2, "2001:db8:b::/64", "par", PAR, 1));
        Files.writeString(run.resolve("mn.conf"), """
                [agent]
                role = "mobile-node"
                name = "mn"
                control-socket = "%1$s/mn.sock"
                state-directory = "%1$s/mn"

                [mobile]
                home-address = "%2$s"
                care-of-address = "%3$s"
                access-router = "%4$s"
                token-key-source = "ike"
                transport = "icmp"

                [ike]
                port = %5$d
                """.formatted(run, HOA, PCOA, PAR, options.mnIkePort()));
    }

    private String routerConf(String name, String address, int senderId, String prefix, String peer, String peerAddress,
            int peerSenderId) {
        String hook = options.fallbackHook()
                ? "fallback-hook = [\"/bin/sh\", \"-c\", \"echo %mn% >> " + run + "/" + name + "-fallback-hook.out\"]\n"
                : "";
        return """
                [agent]
                role = "access-router"
                name = "%1$s"
                control-socket = "%8$s/%1$s.sock"
                state-directory = "%8$s/%1$s"

                [router]
                address = "%2$s"
                mobile-transport = "icmp"
                mobile-prefix = "%4$s"
                sender-id = %3$d
                sad-lookup = "%9$s"
                token-key-source = "ike"

                [[peer]]
                name = "%5$s"
                address = "%6$s"
                transport = "udp"
                sender-id = %7$d
                key-file = "%8$s/routers.key"

                [ike]
                port = 500
                max-round-trips = %10$d
                timer = "%11$s"
                retransmit-initial = "300ms"
                %12$s""".formatted(name, address, senderId, prefix, peer, peerAddress, peerSenderId, run,
                options.sadLookup(), options.maxRoundTrips(), options.ikeTimer(), hook);
    }

    // ------------------------------------------------------------------ daemons

    /** Starts the three agents (in parallel: a JVM start is slow in the 1-CPU lab) and imports the IKE SA. */
    void startAgents() throws Exception {
        startAgents(Map.of());
    }

    /** As {@link #startAgents()}, with extra environment variables for some agents. */
    void startAgents(Map<Node, Map<String, String>> environment) throws Exception {
        for (Node n : List.of(Node.MN, Node.PAR, Node.NAR)) {
            launch(n, environment.getOrDefault(n, Map.of()));
        }
        for (Node n : List.of(Node.MN, Node.PAR, Node.NAR)) {
            awaitUp(n);
        }
        control(Node.MN, "ike-import", Map.of("json", mnIkeJson));
        control(Node.PAR, "ike-import", Map.of("mn", PCOA, "json", parIkeJson));
    }

    void launch(Node n) throws IOException {
        launch(n, Map.of());
    }

    /** Starts one agent with extra environment variables (e.g. {@code CXT_CRASH_AT}). */
    void launch(Node n, Map<String, String> environment) throws IOException {
        String name = n.name().toLowerCase();
        agents.put(n, io.cxt.agent.CxAgentProcesses.launch(names.get(n), run.resolve(name + ".conf"),
                run.resolve(name + ".log"), io.cxt.agent.CxAgentProcesses.JAVA_OPTS, environment));
    }

    void awaitUp(Node n) throws Exception {
        io.cxt.agent.CxAgentProcesses.awaitUp(n.name(), agents.get(n), socket(n), () -> log(n));
    }

    /** Waits until an agent has exited by itself; returns its exit status. */
    int awaitExit(Node n, Duration timeout) throws InterruptedException {
        Process p = agents.get(n);
        if (!p.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
            throw new AssertionError("cxagent " + n + " still runs after " + timeout + ":\n" + log(n));
        }
        agents.remove(n);
        return p.exitValue();
    }

    /** kill -9: no shutdown hook, no clean-up; the process is gone when this returns. */
    void kill9(Node n) throws InterruptedException {
        Process p = agents.remove(n);
        p.destroyForcibly();
        if (!p.waitFor(20, TimeUnit.SECONDS)) {
            throw new AssertionError("cxagent " + n + " survived SIGKILL");
        }
    }

    Path socket(Node n) {
        return run.resolve(n.name().toLowerCase() + ".sock");
    }

    Path stateDirectory(Node n) {
        return run.resolve(n.name().toLowerCase());
    }

    JsonNode control(Node n, String command, Map<String, String> args) throws IOException, ControlException {
        return ControlClient.request(socket(n), command, args);
    }

    JsonNode control(Node n, String command) throws IOException, ControlException {
        return control(n, command, Map.of());
    }

    long stat(Node n, String counter) throws IOException, ControlException {
        JsonNode v = control(n, "stats").get(counter);
        return v == null ? 0 : v.asLong();
    }

    /** "kind mn detail" lines of the agent's events. */
    List<String> events(Node n) throws IOException, ControlException {
        List<String> out = new ArrayList<>();
        for (JsonNode e : control(n, "events")) {
            out.add(e.get("kind").asText() + " " + e.get("mobileNode").asText() + " " + e.get("detail").asText());
        }
        return out;
    }

    boolean hasEvent(Node n, String kind) throws IOException, ControlException {
        return events(n).stream().anyMatch(e -> e.startsWith(kind + " "));
    }

    /** The MN's IKE SA as {@code ike-show} gives it (keys redacted). */
    JsonNode ikeShow(Node n) throws IOException, ControlException {
        return control(n, "ike-show", Map.of("spi", ikeInitiatorSpi));
    }

    String log(Node n) {
        try {
            List<String> lines = Files.readAllLines(run.resolve(n.name().toLowerCase() + ".log"));
            return String.join("\n", lines.subList(Math.max(0, lines.size() - 40), lines.size()));
        } catch (IOException e) {
            return "(no log: " + e + ")";
        }
    }

    /** Logs of the agents and the routers' and MN's SAD, for assertion messages. */
    String diagnostics() {
        StringBuilder b = new StringBuilder();
        for (Node n : List.of(Node.MN, Node.PAR, Node.NAR)) {
            b.append("\n--- ").append(n).append(" log\n").append(log(n));
            b.append("\n--- ").append(n).append(" SAD\n").append(ip(n, "-s", "xfrm", "state"));
        }
        return b.toString();
    }

    // ------------------------------------------------------------------ network

    void attachToNar() {
        bash(ATTACH_NAR, nsEnv());
    }

    /** Runs {@code ip -n NS ARGS}; output, or the error text (diagnostics must not throw). */
    String ip(Node n, String... args) {
        List<String> cmd = new ArrayList<>(List.of("ip", "-n", names.get(n)));
        cmd.addAll(List.of(args));
        Commands.Result r = Commands.exec(cmd, null);
        return r.exit() == 0 ? r.stdout() : "(" + String.join(" ", cmd) + ": " + r.stderr().strip() + ")";
    }

    void ipOrFail(Node n, String... args) {
        List<String> cmd = new ArrayList<>(List.of("ip", "-n", names.get(n)));
        cmd.addAll(List.of(args));
        Commands.run(cmd.toArray(String[]::new));
    }

    /** ping HoA -> CN from the MN: success needs MN -> CN and CN -> MN. */
    boolean ping(int count) {
        Commands.Result r = Commands.exec(List.of("ip", "netns", "exec", names.get(Node.MN), "ping", "-6", "-c",
                Integer.toString(count), "-i", "0.2", "-W", "2", "-I", HOA, CN), null);
        return r.exit() == 0;
    }

    NetNamespace netns(Node n) throws IOException {
        return NetNamespace.named(names.get(n));
    }

    XfrmClient xfrm(Node n) {
        return xfrm.get(n);
    }

    /** SAD and SPD of a node, sorted, without counters (what must not change). */
    List<String> dump(Node n) throws IOException {
        List<String> out = new ArrayList<>();
        for (SecurityAssociation sa : xfrm(n).states().dump()) {
            out.add("sa " + sa.source().getHostAddress() + ">" + sa.destination().getHostAddress() + " spi "
                    + Integer.toHexString(sa.spi()) + " proto " + sa.proto() + " reqid " + sa.reqid() + " sel "
                    + sa.info().selector());
        }
        for (SecurityPolicy p : xfrm(n).policies().dump()) {
            out.add("pol " + p.direction() + " " + p.selector() + " " + p.templates());
        }
        Collections.sort(out);
        return out;
    }

    static InetAddress address(String a) {
        try {
            return InetAddress.getByName(a);
        } catch (java.net.UnknownHostException e) {
            throw new IllegalArgumentException(e);
        }
    }

    static void await(String what, Duration timeout, CheckedCondition cond) throws Exception {
        long end = System.nanoTime() + timeout.toNanos();
        while (!cond.holds()) {
            if (System.nanoTime() > end) {
                throw new AssertionError("timed out after " + timeout + " waiting for " + what);
            }
            Thread.sleep(50);
        }
    }

    static void await(String what, BooleanSupplier cond) throws Exception {
        await(what, Duration.ofSeconds(15), cond::getAsBoolean);
    }

    @FunctionalInterface
    interface CheckedCondition {
        boolean holds() throws Exception;
    }

    private Map<String, String> nsEnv() {
        Map<String, String> env = new LinkedHashMap<>();
        names.forEach((n, name) -> env.put(n.name(), name));
        return env;
    }

    private static void bash(String script, Map<String, String> env) {
        try {
            ProcessBuilder pb = new ProcessBuilder("bash", "-c", script);
            pb.environment().putAll(env);
            pb.redirectErrorStream(true);
            Process p = pb.start();
            String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            if (p.waitFor() != 0) {
                throw new IllegalStateException("lab set-up failed (exit " + p.exitValue() + "): " + out);
            }
        } catch (IOException e) {
            throw new IllegalStateException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    static String hex(int octets) {
        byte[] b = new byte[octets];
        RANDOM.nextBytes(b);
        return HEX.formatHex(b);
    }

    @Override
    public void close() {
        io.cxt.agent.CxAgentProcesses.stop(agents.values());
        agents.clear();
        xfrm.values().forEach(XfrmClient::close);
        xfrm.clear();
        for (String ns : names.values()) {
            Commands.exec(List.of("ip", "netns", "del", ns), null);
        }
    }
}
