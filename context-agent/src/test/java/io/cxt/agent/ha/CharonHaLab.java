package io.cxt.agent.ha;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.net.InetAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import io.cxt.agent.config.CharonHaSection;
import io.cxt.context.ContextSnapshotter;
import io.cxt.context.IkeContextSlot;
import io.cxt.context.MobileNodeContext;
import io.cxt.context.MobileNodeIdentity;
import io.cxt.context.SequenceNumberPolicy;
import io.cxt.xfrm.XfrmClient;
import io.cxt.sys.NetNamespace;

/**
 * The kernel lab of the charon-HA tests: a mobile node (MN) namespace and access routers, each router on its own
 * veth link to the MN, each with a charon (Debian's strongSwan 5.9.8, {@code ha} plugin) and cxagent's relay
 * ({@link HaHandover}) as its HA peer; the MN runs a stock charon. Router {@code i} (1-based) has the address
 * {@code 2001:db8:i::1}, the MN the care-of address {@code 2001:db8:i::10} on that link. Every router answers
 * for the correspondent CN (an address of CN_NET on its loopback) and routes the MN's home address to the MN.
 * The MN's connection (named {@link #MN_CONN}, child too) goes to the first router; the routers' connections
 * are named {@link #GW_CONN} (the HA state names them: every router has the same names).
 * Authentication: a PSK, or certificates of a CA the lab makes ({@link LabPki}).
 */
final class CharonHaLab implements AutoCloseable {
    static final String HOA = "2001:db8:100::10", CN_NET = "2001:db8:200::/64", CN = "2001:db8:200::5";
    /** The relays' roam-trigger-address (docs/strongswan.md). */
    static final String ROAM_TRIGGER = "2001:db8:ffff::1";
    static final String MN_CONN = "par", GW_CONN = "mn";
    static final String MN_ID = "mn@cxt.lab", GW_ID = "gw.cxt.lab";

    enum Auth {
        PSK,
        /** One gateway certificate (identity {@link #GW_ID}) on every router. */
        CERT_SHARED,
        /** One certificate per router, each with its own identity {@code NAME.cxt.lab}. */
        CERT_PER_ROUTER
    }

    /** An access router as the lab made it; {@code routerIf} is its end of the link to the MN. */
    record Router(String name, String ns, String address, String careOf, String mnIf, String routerIf, HaHandover relay) {
        InetAddress addr() {
            return CharonHaLab.addr(address);
        }

        InetAddress coa() {
            return CharonHaLab.addr(careOf);
        }

        /** The identity of this router's own certificate or PSK. */
        String identity(Auth auth) {
            return auth == Auth.CERT_PER_ROUTER ? name + ".cxt.lab" : GW_ID;
        }
    }

    /**
     * A router to make: its name, the MN's and its interface names, whether its charon reacts to address events, and
     * its connection's {@code dpd_delay} in seconds (0: no liveness checks).
     */
    record Spec(String name, String mnIf, String routerIf, boolean roamEvents, int dpdDelay) {
        Spec(String name, String mnIf, String routerIf, boolean roamEvents) {
            this(name, mnIf, routerIf, roamEvents, 0);
        }
    }

    final String mn;
    final Auth auth;
    final Path run;
    final List<String> events = Collections.synchronizedList(new ArrayList<>());
    final List<Router> routers = new ArrayList<>();
    /** The MN's connection's {@code dpd_delay} in seconds (0: none). */
    final int mnDpdDelay;
    private final List<String> namespaces = new ArrayList<>();
    private final List<Process> charons = new ArrayList<>();
    private boolean relays = true;
    private LabPki.Issued ca;
    private final Map<String, LabPki.Issued> certs = new LinkedHashMap<>();

    private CharonHaLab(String prefix, Auth auth, int mnDpdDelay) throws IOException {
        this.mn = prefix + "-mn";
        this.auth = auth;
        this.mnDpdDelay = mnDpdDelay;
        this.run = Files.createTempDirectory("cxt-" + prefix + "-");
    }

    /** Namespaces, links, relays, charons and their connections; the MN's SA is not initiated yet. */
    static CharonHaLab start(String prefix, Auth auth, List<Spec> specs) throws Exception {
        return start(prefix, auth, specs, 0);
    }

    /** As {@link #start(String, Auth, List)}, the MN's connection with {@code dpd_delay = mnDpdDelay} seconds. */
    static CharonHaLab start(String prefix, Auth auth, List<Spec> specs, int mnDpdDelay) throws Exception {
        return start(prefix, auth, specs, mnDpdDelay, true);
    }

    /**
     * As {@link #start(String, Auth, List, int)}; with {@code relays} false no relay runs in this JVM (the routers'
     * {@code bin/cxagent} processes are their charons' HA peers, {@link Router#relay()} is null) and the routers get
     * a router channel: a link between each router and the first ({@code 2001:db8:ff::1} on the first, {@code
     * 2001:db8:ff::I} on router I) with routes to each other's MN link.
     */
    static CharonHaLab start(String prefix, Auth auth, List<Spec> specs, int mnDpdDelay, boolean relays) throws Exception {
        CharonHaLab lab = new CharonHaLab(prefix, auth, mnDpdDelay);
        lab.relays = relays;
        try {
            lab.build(prefix, specs);
        } catch (Exception | AssertionError e) {
            lab.close();
            throw e;
        }
        return lab;
    }

    private void build(String prefix, List<Spec> specs) throws Exception {
        namespaces.add(mn);
        StringBuilder sh = new StringBuilder("set -eu\nip netns add " + mn + "\nip -n " + mn + " link set lo up\n");
        sh.append("ip -n ").append(mn).append(" addr add ").append(HOA).append("/128 dev lo nodad\n");
        List<String[]> made = new ArrayList<>();
        for (int i = 1; i <= specs.size(); i++) {
            Spec s = specs.get(i - 1);
            String ns = prefix + "-" + s.name(), addr = "2001:db8:" + i + "::1", coa = "2001:db8:" + i + "::10";
            made.add(new String[] {ns, addr, coa});
            namespaces.add(ns);
            sh.append(String.join("\n",
                    "ip netns add " + ns, "ip -n " + ns + " link set lo up",
                    "ip link add " + s.mnIf() + " netns " + mn + " type veth peer name " + s.routerIf() + " netns " + ns,
                    "ip -n " + mn + " addr add " + coa + "/64 dev " + s.mnIf() + " nodad",
                    "ip -n " + ns + " addr add " + addr + "/64 dev " + s.routerIf() + " nodad",
                    "ip -n " + mn + " link set " + s.mnIf() + " up", "ip -n " + ns + " link set " + s.routerIf() + " up",
                    "ip -n " + ns + " addr add " + CN + "/128 dev lo nodad",
                    "ip -n " + ns + " route add " + HOA + "/128 via " + coa, ""));
        }
        sh.append("ip -n ").append(mn).append(" route add ").append(CN_NET).append(" dev ").append(specs.get(0).mnIf()).append('\n');
        for (int i = 2; !relays && i <= specs.size(); i++) {
            String first = made.get(0)[0], ns = made.get(i - 1)[0];
            sh.append(String.join("\n",
                    "ip link add rc" + i + " netns " + first + " type veth peer name rc0 netns " + ns,
                    "ip -n " + first + " addr add 2001:db8:ff::1/64 dev rc" + i + " nodad",
                    "ip -n " + ns + " addr add 2001:db8:ff::" + i + "/64 dev rc0 nodad",
                    "ip -n " + first + " link set rc" + i + " up", "ip -n " + ns + " link set rc0 up",
                    "ip -n " + first + " route add 2001:db8:" + i + "::/64 via 2001:db8:ff::" + i,
                    "ip -n " + ns + " route add 2001:db8:1::/64 via 2001:db8:ff::1", ""));
        }
        bash(sh.toString());
        CharonHaSection ha = haSection(true);
        if (auth != Auth.PSK) {
            ca = LabPki.ca("cxt lab CA");
            certs.put(mn, LabPki.endEntity(ca, MN_ID));
        }
        for (int i = 0; i < specs.size(); i++) {
            Spec s = specs.get(i);
            String ns = made.get(i)[0];
            HaHandover relay = !relays ? null : startRelay(ha, s.name(), ns);
            routers.add(new Router(s.name(), ns, made.get(i)[1], made.get(i)[2], s.mnIf(), s.routerIf(), relay));
        }
        startCharon(mn, false, false);
        for (int i = 0; i < specs.size(); i++) {
            startCharon(routers.get(i).ns(), true, specs.get(i).roamEvents());
        }
        Router first = routers.get(0);
        swanctlConf(mn, MN_ID, """
                connections { %s { version = 2
                    local_addrs = %s
                    remote_addrs = %s
                    proposals = aes128-sha256-x25519
                    dpd_delay = %ds
                    local { %s
                            id = %s }
                    remote { %s
                             id = %s }
                    children { %s { local_ts = %s/128
                                     remote_ts = %s
                                     esp_proposals = aes128gcm16 } } } }
                """.formatted(MN_CONN, first.careOf(), first.address(), mnDpdDelay, localAuth(MN_ID), MN_ID, remoteAuth(),
                first.identity(auth), MN_CONN, HOA, CN_NET));
        for (int i = 0; i < routers.size(); i++) {
            Router r = routers.get(i);
            if (auth != Auth.PSK) {
                certs.put(r.ns(), auth == Auth.CERT_SHARED && certs.containsKey("gw") ? certs.get("gw")
                        : LabPki.endEntity(ca, r.identity(auth)));
                certs.putIfAbsent("gw", certs.get(r.ns()));
            }
            swanctlConf(r.ns(), r.identity(auth), """
                    connections { %s { version = 2
                        local_addrs = %s
                        unique = never
                        proposals = aes128-sha256-x25519
                        dpd_delay = %ds
                        local { %s
                                id = %s }
                        remote { %s
                                 id = %s }
                        children { %s { local_ts = %s
                                        remote_ts = %s/128
                                        esp_proposals = aes128gcm16 } } } }
                    """.formatted(GW_CONN, r.address(), specs.get(i).dpdDelay(), localAuth(r.identity(auth)), r.identity(auth), remoteAuth(), MN_ID,
                    GW_CONN, CN_NET, HOA));
        }
    }

    private String localAuth(String id) {
        return auth == Auth.PSK ? "auth = psk" : "auth = pubkey\n certs = " + file(id) + ".pem";
    }

    private String remoteAuth() {
        return auth == Auth.PSK ? "auth = psk" : "auth = pubkey\n cacerts = ca.pem";
    }

    private static String file(String id) {
        return id.replace('@', '_');
    }

    private static CharonHaSection haSection(boolean resyncOnStart) throws IOException {
        return new CharonHaSection(InetAddress.getByName("127.0.0.2"), InetAddress.getByName("127.0.0.1"), 4510,
                CharonHaSection.DEFAULT_FIFO, 1, CharonHaSection.DEFAULT_CHARON, 1024, Duration.ofSeconds(10),
                InetAddress.getByName(ROAM_TRIGGER), resyncOnStart, true);
    }

    private HaHandover startRelay(CharonHaSection ha, String name, String ns) throws IOException {
        return HaHandover.start(ha, NetNamespace.named(ns), (k, m, d) -> events.add(name + " " + k + " " + m + " " + d),
                SequenceNumberPolicy.DEFAULT);
    }

    /** A router's relay closed and another started (cxagent restarted beside a running charon). */
    Router restartRelay(String name, boolean resyncOnStart) throws IOException {
        Router r = router(name);
        r.relay().close();
        Router n = new Router(r.name(), r.ns(), r.address(), r.careOf(), r.mnIf(), r.routerIf(),
                startRelay(haSection(resyncOnStart), name, r.ns()));
        routers.set(routers.indexOf(r), n);
        return n;
    }

    Router router(String name) {
        return routers.stream().filter(r -> r.name().equals(name)).findFirst().orElseThrow();
    }

    // ------------------------------------------------------------------------------- the handover steps

    /** The MN sets up its SA with the first router (IKE_SA_INIT, IKE_AUTH) and pings through it; its IKE SPIs. */
    String establish() throws Exception {
        Router first = routers.get(0);
        String out = swanctl(mn, "--initiate", "--child", MN_CONN, "--ike", MN_CONN, "--timeout", "20");
        String sas = swanctl(mn, "--list-sas");
        assertTrue(sas.contains("ESTABLISHED") && sas.contains(first.address() + "["), out + "\n" + sas);
        await(first.name() + " relay has the MN's SA", () -> first.relay().control().relay().store()
                .findByMobileNode(first.coa()).map(s -> s.children().size() == 1).orElse(false));
        // 100 echo requests: the MN's inbound anti-replay window (32) is far past 1 before the first move
        String ping = ping(100);
        assertTrue(ping.contains(" 0% packet loss"), ping);
        return spis(sas);
    }

    /**
     * One handover as the routers' roles drive it: {@code from}'s snapshot (its kernel's ESP counters and its charon's
     * HA state), {@code to}'s hold (charon PASSIVE, CHILD_SAs installed), the CTAR (activation), the CTDR at
     * {@code from} (its charon forgets), the stock MN following {@code to}'s charon by MOBIKE. Asserts: {@code from}'s
     * relay has the SA's current CHILD_SA; the MN shows {@code to} as peer with the same IKE SPIs and sent no new
     * IKE_SA_INIT or IKE_AUTH; {@code to}'s charon ESTABLISHED with them; {@code from}'s charon lists no SA, keeps no
     * kernel state and sent no DELETE; ping both ways with /proc/net/xfrm_stat all zero; with {@code rekey}, a CHILD_SA
     * rekey started by the MN goes through {@code to}, and traffic flows on the new CHILD_SA (without it, the CHILD_SA
     * the MN brought stays, so the next move transfers the one this handover gave {@code to}'s charon).
     */
    void handover(Router from, Router to, String spis, boolean rekey) throws Exception {
        int mnLog0 = log(mn).length(), fromLog0 = log(from.ns()).length();
        await(from.name() + "'s kernel holds one CHILD_SA", () -> count(ip(from.ns(), "xfrm", "state"), "src ") == 2);
        String fromXfrm = ip(from.ns(), "xfrm", "state");
        HaIkeSaState state = from.relay().control().relay().store().findByMobileNode(from.coa()).orElseThrow(() ->
                new AssertionError(from.name() + "'s relay has no SA for " + from.careOf() + ": " + events));
        List<int[]> kernelSpis = from.relay().control().kernelSpis(state);
        assertEquals(1, kernelSpis.size(), "CHILD_SAs in " + from.name() + "'s relay: " + state.children());
        assertTrue(fromXfrm.contains(String.format("spi 0x%08x", kernelSpis.get(0)[0]))
                && fromXfrm.contains(String.format("spi 0x%08x", kernelSpis.get(0)[1])),
                from.name() + "'s relay has a CHILD_SA its kernel has not: " + fromXfrm);
        MobileNodeContext ctx = transfer(from, to, spis);
        assertEquals(2, ctx.securityAssociations().size(), ctx.summary());
        String moved = swanctl(mn, "--list-sas");
        assertEquals(spis, spis(moved), "same IKE SA: " + moved);
        assertTrue(moved.contains("ESTABLISHED") && moved.contains(to.careOf() + "["), moved);
        String mnLog = log(mn);
        assertEquals(1, count(mnLog, "generating IKE_SA_INIT request"), "no new IKE_SA_INIT from the MN");
        assertEquals(1, count(mnLog, "generating IKE_AUTH request"), "no new IKE_AUTH from the MN");
        assertFalse(mnLog.substring(mnLog0).contains("received DELETE"), mnLog.substring(mnLog0));
        assertFalse(log(from.ns()).substring(fromLog0).contains("sending DELETE"), log(from.ns()).substring(fromLog0));

        String ping = ping(20);
        assertTrue(ping.contains(" 0% packet loss"), ping + "\nMN:\n" + xfrmStat(mn) + "\n" + to.name() + ":\n"
                + xfrmStat(to.ns()) + "\n" + events + "\n" + ip(to.ns(), "-s", "xfrm", "state"));
        assertEquals("", nonZero(xfrmStat(mn)), "MN's /proc/net/xfrm_stat");
        assertEquals("", nonZero(xfrmStat(to.ns())), to.name() + "'s /proc/net/xfrm_stat");

        // neither relay refused anything its charon synced (the new router's relay knew every message of the SA)
        assertEquals(0, from.relay().control().relay().rejections().total(), from.name() + ": " + from.relay().counters());
        assertEquals(0, to.relay().control().relay().rejections().total(), to.name() + ": " + to.relay().counters());
        if (!rekey) {
            System.out.println("charon-ha: " + from.name() + " -> " + to.name() + ", MN after the move:\n" + moved);
            return;
        }
        String in0 = inSpi(moved);
        swanctl(mn, "--rekey", "--child", MN_CONN);
        await("MN-started CHILD_SA rekey through " + to.name(), () -> {
            String m = swanctl(mn, "--list-sas");
            return !inSpi(m).equals(in0) && countInstalled(m) == 1;
        });
        String rekeyed = swanctl(mn, "--list-sas");
        assertEquals(spis, spis(rekeyed), rekeyed);
        assertTrue(rekeyed.contains(to.address() + "["), rekeyed);
        assertEquals(spis, spis(swanctl(to.ns(), "--list-sas")));
        assertEquals(1, count(log(mn), "generating IKE_AUTH request"), "the rekey sent no IKE_AUTH");
        String after = ping(20);
        assertTrue(after.contains(" 0% packet loss"), after);
        assertEquals("", nonZero(xfrmStat(mn)), "MN's /proc/net/xfrm_stat after the rekey");
        assertEquals("", nonZero(xfrmStat(to.ns())), to.name() + "'s /proc/net/xfrm_stat after the rekey");
        assertEquals(0, to.relay().control().relay().rejections().total(), to.name() + ": " + to.relay().counters());
        System.out.println("charon-ha: " + from.name() + " -> " + to.name() + ", MN after the move and a CHILD_SA rekey:\n"
                + rekeyed);
    }

    /**
     * The move itself, as the routers' roles drive it, with no assumption about the CHILD_SAs: {@code from}'s snapshot
     * (its kernel's ESP SAs and its relay's HA state), {@code to}'s hold (charon PASSIVE with the SPIs), the activation
     * (ESP counters continued), the CTDR at {@code from} (its charon lists no SA, its kernel state is gone), and the
     * MN's IKE SA following to {@code to}. Returns the context that was transferred.
     */
    MobileNodeContext transfer(Router from, Router to, String spis) throws Exception {
        MobileNodeIdentity id = new MobileNodeIdentity(addr(HOA), from.coa());
        int mnLog0 = log(mn).length();
        IkeContextSlot slot = from.relay().snapshot(id);
        assertNotNull(slot);
        assertEquals(spis, String.format("%016x_i %016x_r", slot.spiInitiator(), slot.spiResponder()));
        MobileNodeContext ctx;
        try (XfrmClient k = XfrmClient.open(from.ns())) {
            ctx = new ContextSnapshotter(k).snapshot(id, from.addr()).withIkeContext(slot);
        }

        long sequenced = events.stream().filter(e -> e.startsWith(to.name() + " ike-ha-sequence")).count();
        assertTrue(to.relay().held(from.coa(), ctx, to.addr(), to.coa()));
        await(to.name() + "'s charon PASSIVE", () -> swanctl(to.ns(), "--list-sas").contains("PASSIVE"));
        assertEquals(spis, spis(swanctl(to.ns(), "--list-sas")));
        assertTrue(to.relay().activate(from.coa()));
        await(to.name() + "'s charon ESTABLISHED", () -> swanctl(to.ns(), "--list-sas").contains("ESTABLISHED"));
        assertEquals(spis, spis(swanctl(to.ns(), "--list-sas")));
        assertEquals(sequenced + 1, events.stream().filter(e -> e.startsWith(to.name() + " ike-ha-sequence")).count(),
                "ESP counters continued at " + to.name() + ": " + events);

        from.relay().moved(id);
        await(from.name() + "'s charon lists no SA", () -> !swanctl(from.ns(), "--list-sas").contains(GW_CONN + ":"));
        await(from.name() + "'s kernel state gone", () -> ip(from.ns(), "xfrm", "state").isBlank());
        try {
            await("the MN's IKE SA follows to " + to.name(), () -> swanctl(mn, "--list-sas").contains(to.address() + "["));
        } catch (AssertionError e) {
            throw new AssertionError(e.getMessage() + "\n" + to.name() + "'s charon:\n" + log(to.ns()) + "\nMN:\n"
                    + log(mn).substring(mnLog0) + "\nevents: " + events, e);
        }
        return ctx;
    }

    // ------------------------------------------------------------------------------- charon and swanctl

    private String plugins() {
        return auth == Auth.PSK ? "" : " x509 pkcs1 pkcs8 pem pubkey";
    }

    private void startCharon(String ns, boolean ha, boolean roamEvents) throws Exception {
        Path dir = run.resolve(ns);
        Files.createDirectories(dir.resolve("run"));
        String load = "random nonce openssl aes sha1 sha2 hmac gcm kdf" + plugins()
                + " kernel-netlink socket-default vici counters" + (ha ? " ha" : "");
        Files.writeString(dir.resolve("strongswan.conf"), """
                charon {
                  load_modular = no
                  load = %s
                  install_routes = no
                  retransmit_timeout = 2.0
                  plugins {
                    vici { socket = unix://%s/charon.vici }
                    kernel-netlink { roam_events = %s }
                    %s
                  }
                  syslog { daemon { default = -1 } }
                  filelog { lab { path = %s/charon.log
                                  time_format = %%s
                                  time_add_ms = yes
                                  default = 1
                                  ike = 2
                                  cfg = 2
                                  flush_line = yes } }
                }
                swanctl { load = random nonce sha2 openssl%s }
                """.formatted(load, dir, roamEvents ? "yes" : "no", ha ? "ha { local = 127.0.0.1\n remote = 127.0.0.2\n"
                + " segment_count = 1\n monitor = no\n resync = no\n fifo_interface = yes }" : "", dir, plugins()));
        ProcessBuilder pb = new ProcessBuilder("ip", "netns", "exec", ns, "sh", "-c",
                "mount --bind " + dir.resolve("run") + " /run && exec env STRONGSWAN_CONF=" + dir.resolve("strongswan.conf")
                        + " /usr/lib/ipsec/charon");
        pb.redirectErrorStream(true).redirectOutput(dir.resolve("charon.out").toFile());
        charons.add(pb.start());
        await("charon up in " + ns, () -> Files.exists(dir.resolve("charon.vici")) && swanctlRc(ns, "--stats") == 0);
    }

    /** Writes and loads the namespace's swanctl.conf (with its PSK, or its CA, certificate and key files). */
    private void swanctlConf(String ns, String ownId, String connections) throws Exception {
        Path dir = run.resolve(ns + "/swanctl");
        for (String d : List.of("x509", "x509ca", "x509aa", "x509ocsp", "x509crl", "x509ac", "pubkey",
                "private", "rsa", "ecdsa", "bliss", "pkcs8", "pkcs12")) {
            Files.createDirectories(dir.resolve(d));
        }
        String secrets = "";
        if (auth == Auth.PSK) {
            secrets = "\nsecrets { ike-lab { id-a = " + MN_ID + "\n id-b = " + GW_ID
                    + "\n secret = \"cxt-lab-preshared-key-0123456789\" } }\n";
        } else {
            LabPki.Issued own = certs.get(ns);
            Files.writeString(dir.resolve("x509ca/ca.pem"), ca.certificatePem());
            Files.writeString(dir.resolve("x509/" + file(ownId) + ".pem"), own.certificatePem());
            Files.writeString(dir.resolve("private/" + file(ownId) + ".pem"), own.keyPem());
        }
        Path f = dir.resolve("swanctl.conf");
        Files.writeString(f, connections + secrets);
        String out = swanctl(ns, "--load-all", "--noprompt", "--file", f.toString());
        assertTrue(out.contains("loaded connection"), out);
        if (auth != Auth.PSK) {
            assertTrue(out.contains("loaded certificate from") && out.contains("loaded private key from"), out);
        }
    }

    String swanctl(String ns, String... args) {
        return exec(swanctlCommand(ns, args)).output();
    }

    int swanctlRc(String ns, String... args) {
        return exec(swanctlCommand(ns, args)).rc();
    }

    private List<String> swanctlCommand(String ns, String... args) {
        Path dir = run.resolve(ns);
        List<String> cmd = new ArrayList<>(List.of("env", "STRONGSWAN_CONF=" + dir.resolve("strongswan.conf"),
                "SWANCTL_DIR=" + dir.resolve("swanctl"), "swanctl", args[0], "--uri", "unix://" + dir.resolve("charon.vici")));
        cmd.addAll(List.of(args).subList(1, args.length));
        return cmd;
    }

    /** A namespace's charon log so far. */
    String log(String ns) {
        try {
            return Files.readString(run.resolve(ns + "/charon.log"));
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    /** Echo requests from the MN's home address to the CN, through the MN's tunnel. */
    String ping(int count) {
        return exec(List.of("ip", "netns", "exec", mn, "ping", "-6", "-n", "-q", "-c", String.valueOf(count), "-i", "0.01",
                "-W", "2", "-I", HOA, CN)).output();
    }

    static String xfrmStat(String ns) {
        return exec(List.of("ip", "netns", "exec", ns, "cat", "/proc/net/xfrm_stat")).output();
    }

    /** The lines of /proc/net/xfrm_stat whose counter is not zero. */
    static String nonZero(String xfrmStat) {
        StringBuilder b = new StringBuilder();
        for (String line : xfrmStat.split("\n")) {
            String[] f = line.trim().split("\\s+");
            if (f.length == 2 && !f[1].equals("0")) {
                b.append(line.trim()).append('\n');
            }
        }
        return b.toString();
    }

    static String ip(String ns, String... args) {
        List<String> cmd = new ArrayList<>(List.of("ip", "-n", ns));
        cmd.addAll(List.of(args));
        return exec(cmd).output();
    }

    // ------------------------------------------------------------------------------- swanctl --list-sas

    static String inSpi(String listSas) {
        Matcher m = Pattern.compile("\\n\\s+in\\s+([0-9a-f]{8})").matcher(listSas);
        return m.find() ? m.group(1) : "";
    }

    static int countInstalled(String listSas) {
        return count(listSas, "INSTALLED");
    }

    static int count(String text, String needle) {
        int n = 0;
        for (int i = text.indexOf(needle); i >= 0; i = text.indexOf(needle, i + 1)) {
            n++;
        }
        return n;
    }

    static String spisOrEmpty(String listSas) {
        Matcher m = Pattern.compile("([0-9a-f]{16}_i)\\*? ([0-9a-f]{16}_r)").matcher(listSas);
        return m.find() ? m.group(1) + " " + m.group(2) : "";
    }

    static String spis(String listSas) {
        Matcher m = Pattern.compile("([0-9a-f]{16}_i)\\*? ([0-9a-f]{16}_r)").matcher(listSas);
        assertTrue(m.find(), listSas);
        return m.group(1) + " " + m.group(2);
    }

    // ------------------------------------------------------------------------------- processes

    static InetAddress addr(String s) {
        try {
            return InetAddress.getByName(s);
        } catch (IOException e) {
            throw new AssertionError(e);
        }
    }

    record Result(int rc, String output) {
    }

    static Result exec(List<String> cmd) {
        try {
            Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
            String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            return new Result(p.waitFor(), out);
        } catch (IOException e) {
            return new Result(-1, e.toString());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return new Result(-1, e.toString());
        }
    }

    static void bash(String script) {
        Result r = exec(List.of("bash", "-c", script));
        if (r.rc() != 0) {
            throw new IllegalStateException("lab command failed: " + r.output() + "\n" + script);
        }
    }

    static void await(String what, BooleanSupplier ok) throws Exception {
        long end = System.nanoTime() + Duration.ofSeconds(60).toNanos();
        while (!ok.getAsBoolean()) {
            if (System.nanoTime() > end) {
                throw new AssertionError("timed out waiting for: " + what);
            }
            Thread.sleep(50);
        }
    }

    @Override
    public void close() {
        for (Process p : charons) {
            p.destroy();
        }
        for (Process p : charons) {
            try {
                p.waitFor(10, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
        for (Router r : routers) {
            if (r.relay() != null) {
                r.relay().close();
            }
        }
        StringBuilder del = new StringBuilder();
        for (String ns : namespaces) {
            del.append("ip netns del ").append(ns).append(" 2>/dev/null || true\n");
        }
        try {
            bash(del.toString());
        } catch (RuntimeException e) {
            // best effort
        }
    }
}
