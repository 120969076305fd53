package io.cxt.bench;

import java.io.IOException;
import java.lang.management.GarbageCollectorMXBean;
import java.lang.management.ManagementFactory;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.concurrent.TimeUnit;

import io.cxt.nl.NetlinkMessage;
import io.cxt.xfrm.LifetimeCurrent;
import io.cxt.xfrm.PolicyInfo;
import io.cxt.xfrm.SecurityPolicy;
import io.cxt.xfrm.Selector;
import io.cxt.xfrm.SpdInfo;
import io.cxt.xfrm.UserTemplate;
import io.cxt.xfrm.XfrmBatch;
import io.cxt.xfrm.XfrmClient;
import io.cxt.xfrm.XfrmFailure;

/**
 * Installs and dumps N XFRM policies with cxt ({@code PolicyOperations.addAll} and {@code dump()})
 * and with iproute2 ({@code ip -n NS -batch FILE}, {@code ip -n NS xfrm policy list > /dev/null}),
 * each in a fresh network namespace, and prints wall and CPU times and the cxt/ip ratios.
 *
 * <p>A benchmark that prints figures, never a test: run it with {@code tests/bench/policy-bench}.
 * ip is timed from process start to exit (what an operator runs); cxt in-process after warm-up,
 * and optionally again as a fresh child JVM so that JVM start-up is counted too.
 *
 * <p>CPU times come from {@code /proc/self/stat} (utime/stime of this process for cxt, all its
 * threads; cutime/cstime of reaped children for ip and child JVMs), in clock ticks of 10 ms.
 * They split user (encoding, parsing, printing) from system time (the kernel's work, which for a
 * netlink request runs synchronously in the sender's send call).
 *
 * <p><b>Size.</b> Over 600 lines because it is a benchmark harness (set-up, the iproute2 reference, cxt's paths, the report) that runs as one program; it is not product code.
 */
public final class PolicyBench {

    private static final String IP = "ip";
    private static final int DEFAULT_N = 50_000;
    private static final long TICK_NANOS = TimeUnit.SECONDS.toNanos(1) / 100; // USER_HZ is 100 on Linux

    private final int n;
    private final int rounds;
    private final int warmups;
    private final boolean childJvm;
    private final boolean profile;
    private final List<SecurityPolicy> policies;
    private final Path ipBatchFile;
    private final Set<String> liveNamespaces = new LinkedHashSet<>();
    private final String tag = "cxtb" + ProcessHandle.current().pid();
    private int nsCounter;

    private PolicyBench(int n, int rounds, int warmups, boolean childJvm, boolean profile) throws IOException {
        this.n = n;
        this.rounds = rounds;
        this.warmups = warmups;
        this.childJvm = childJvm;
        this.profile = profile;
        this.policies = policies(n);
        this.ipBatchFile = Files.createTempFile("policy-bench-", ".ip");
        Files.writeString(ipBatchFile, ipBatch(policies), StandardCharsets.US_ASCII);
    }

    // ------------------------------------------------------------------ the policies

    /**
     * N distinct host-to-host policies, dir out, priority 0, one ESP tunnel template each: the first
     * half IPv4 (10.a.b.c/32 -> 172.(16+a).b.c/32, tunnel 192.0.2.1 -> 192.0.2.2), the second half
     * IPv6 (2001:db8:1::i/128 -> 2001:db8:2::i/128, tunnel 2001:db8::1 -> 2001:db8::2); reqid i+1.
     * Full-length prefixes are hashed exactly by the kernel (default thresholds 32/128), so neither
     * tool pays for the inexact-policy tree.
     */
    static List<SecurityPolicy> policies(int n) {
        InetAddress tun4s = addr("192.0.2.1");
        InetAddress tun4d = addr("192.0.2.2");
        InetAddress tun6s = addr("2001:db8::1");
        InetAddress tun6d = addr("2001:db8::2");
        int half = n / 2 + n % 2;
        List<SecurityPolicy> out = new ArrayList<>(n);
        for (int i = 0; i < n; i++) {
            Selector sel;
            UserTemplate tmpl;
            if (i < half) {
                sel = Selector.between(v4(10, i), 32, v4(172, i + (16 << 16)), 32);
                tmpl = UserTemplate.tunnel(UserTemplate.PROTO_ESP, tun4s, tun4d, i + 1);
            } else {
                sel = Selector.between(v6(0x20010db8_00010000L, i), 128, v6(0x20010db8_00020000L, i), 128);
                tmpl = UserTemplate.tunnel(UserTemplate.PROTO_ESP, tun6s, tun6d, i + 1);
            }
            out.add(SecurityPolicy.builder(sel, PolicyInfo.DIR_OUT).template(tmpl).build());
        }
        return out;
    }

    private static InetAddress v4(int first, int rest) {
        byte[] a = {(byte) first, (byte) (rest >>> 16), (byte) (rest >>> 8), (byte) rest};
        return addr(a);
    }

    private static InetAddress v6(long high, int low) {
        byte[] a = new byte[16];
        for (int k = 0; k < 8; k++) {
            a[k] = (byte) (high >>> (56 - 8 * k));
        }
        a[12] = (byte) (low >>> 24);
        a[13] = (byte) (low >>> 16);
        a[14] = (byte) (low >>> 8);
        a[15] = (byte) low;
        return addr(a);
    }

    private static InetAddress addr(String literal) {
        try {
            return InetAddress.getByName(literal); // a literal: no name lookup
        } catch (UnknownHostException e) {
            throw new IllegalArgumentException(literal, e);
        }
    }

    private static InetAddress addr(byte[] raw) {
        try {
            return InetAddress.getByAddress(raw);
        } catch (UnknownHostException e) {
            throw new IllegalArgumentException(e);
        }
    }

    /** The same policies as {@code ip -batch} lines, written from the records themselves. */
    static String ipBatch(List<SecurityPolicy> ps) {
        StringBuilder sb = new StringBuilder(ps.size() * 140);
        for (SecurityPolicy p : ps) {
            Selector s = p.selector();
            sb.append("xfrm policy add src ").append(s.saddr().getHostAddress()).append('/').append(s.prefixlenS())
                    .append(" dst ").append(s.daddr().getHostAddress()).append('/').append(s.prefixlenD())
                    .append(" dir ").append(PolicyInfo.directionName(p.direction()));
            if (p.priority() != 0) {
                sb.append(" priority ").append(p.priority());
            }
            for (UserTemplate t : p.templates()) {
                sb.append(" tmpl src ").append(t.saddr().getHostAddress()).append(" dst ")
                        .append(t.daddr().getHostAddress()).append(" proto esp mode ")
                        .append(UserTemplate.modeName(t.mode())).append(" reqid ")
                        .append(Integer.toUnsignedString(t.reqid()));
            }
            sb.append('\n');
        }
        return sb.toString();
    }

    // ------------------------------------------------------------------ timing

    /**
     * One measurement: wall time, CPU split into user and system time, and for in-process steps the
     * garbage collections that ran during it (count and accumulated time) and the bytes the
     * measuring thread allocated (-1 for a child process).
     */
    record Timing(long wallNanos, long userNanos, long sysNanos, long gcCount, long gcMillis, long allocated) {
        long cpuNanos() {
            return userNanos + sysNanos;
        }
    }

    private static final com.sun.management.ThreadMXBean THREADS =
            (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();

    private static long[] gcTotals() {
        long count = 0;
        long millis = 0;
        for (GarbageCollectorMXBean gc : ManagementFactory.getGarbageCollectorMXBeans()) {
            count += Math.max(0, gc.getCollectionCount());
            millis += Math.max(0, gc.getCollectionTime());
        }
        return new long[] {count, millis};
    }

    /** Ticks of this process (utime, stime) and of its reaped children (cutime, cstime). */
    private record Ticks(long utime, long stime, long cutime, long cstime) {
        static Ticks now() throws IOException {
            String stat = Files.readString(Path.of("/proc/self/stat"));
            // Fields after the command name, which is in parentheses and may contain spaces.
            String[] f = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
            // f[0] is field 3 (state); utime is field 14, stime 15, cutime 16, cstime 17.
            return new Ticks(Long.parseLong(f[11]), Long.parseLong(f[12]), Long.parseLong(f[13]),
                    Long.parseLong(f[14]));
        }
    }

    @FunctionalInterface
    private interface Action {
        void run() throws IOException, InterruptedException;
    }

    /** Times an action of this process (its own CPU ticks). */
    private static Timing timeSelf(Action a) throws IOException, InterruptedException {
        long[] g0 = gcTotals();
        long a0 = THREADS.getCurrentThreadAllocatedBytes();
        Ticks t0 = Ticks.now();
        long w0 = System.nanoTime();
        a.run();
        long w1 = System.nanoTime();
        Ticks t1 = Ticks.now();
        long a1 = THREADS.getCurrentThreadAllocatedBytes();
        long[] g1 = gcTotals();
        return new Timing(w1 - w0, (t1.utime - t0.utime) * TICK_NANOS, (t1.stime - t0.stime) * TICK_NANOS,
                g1[0] - g0[0], g1[1] - g0[1], a1 - a0);
    }

    /** Times a child process from start to exit (its CPU ticks, counted when it is reaped). */
    private static Timing timeChild(List<String> command) throws IOException, InterruptedException {
        Path err = Files.createTempFile("policy-bench-", ".err");
        try {
            ProcessBuilder pb = new ProcessBuilder(command)
                    .redirectInput(ProcessBuilder.Redirect.from(Path.of("/dev/null").toFile()))
                    .redirectOutput(ProcessBuilder.Redirect.DISCARD)
                    .redirectError(err.toFile());
            Ticks t0 = Ticks.now();
            long w0 = System.nanoTime();
            Process p = pb.start();
            int exit = p.waitFor();
            long w1 = System.nanoTime();
            Ticks t1 = Ticks.now();
            if (exit != 0) {
                throw new IOException(String.join(" ", command) + " exited " + exit + ": "
                        + Files.readString(err).strip());
            }
            return new Timing(w1 - w0, (t1.cutime - t0.cutime) * TICK_NANOS, (t1.cstime - t0.cstime) * TICK_NANOS,
                    -1, -1, -1);
        } finally {
            Files.deleteIfExists(err);
        }
    }

    // ------------------------------------------------------------------ namespaces

    private String newNamespace(String what) throws IOException, InterruptedException {
        String name = tag + "-" + (++nsCounter) + "-" + what;
        run(IP, "netns", "add", name);
        liveNamespaces.add(name);
        return name;
    }

    /** Flushes the SPD first so that freeing 50k policies is not left to the asynchronous netns cleanup. */
    private void deleteNamespace(String name) throws IOException, InterruptedException {
        try (XfrmClient c = XfrmClient.open(name)) {
            c.policies().flush();
        } finally {
            run(IP, "netns", "del", name);
            liveNamespaces.remove(name);
        }
        Thread.sleep(200); // let deferred netns and RCU work finish outside the next measurement
    }

    private void deleteAllNamespaces() {
        for (String ns : new ArrayList<>(liveNamespaces)) {
            try {
                deleteNamespace(ns);
            } catch (IOException | InterruptedException | RuntimeException e) {
                System.err.println("policy-bench: could not delete namespace " + ns + ": " + e.getMessage());
            }
        }
    }

    private static void run(String... cmd) throws IOException, InterruptedException {
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        byte[] out = p.getInputStream().readAllBytes();
        if (p.waitFor() != 0) {
            throw new IOException(String.join(" ", cmd) + " failed: " + new String(out, StandardCharsets.UTF_8).strip());
        }
    }

    private static String output(String... cmd) {
        try {
            Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
            byte[] out = p.getInputStream().readAllBytes();
            p.waitFor();
            return new String(out, StandardCharsets.UTF_8).strip();
        } catch (IOException e) {
            return "?";
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return "?";
        }
    }

    // ------------------------------------------------------------------ the operations measured

    /**
     * addAll in a fresh client. {@code sndbuf} > 0 first shrinks the socket's send buffer, which
     * bounds NetlinkSocket.batch's chunks to sndbuf * 2 - 64 octets (the kernel doubles the value).
     */
    private Timing cxtInstall(String ns, int sndbuf) throws IOException, InterruptedException {
        System.gc(); // garbage of earlier steps is not this step's cost
        return timeSelf(() -> {
            try (XfrmClient c = XfrmClient.open(ns)) {
                if (sndbuf > 0) {
                    c.setSendBufferSize(sndbuf);
                }
                List<XfrmFailure> failures = c.policies().addAll(policies);
                if (!failures.isEmpty()) {
                    throw new IOException(failures.size() + " policies refused, first: " + failures.get(0).cause().getMessage());
                }
            }
        });
    }

    private List<SecurityPolicy> lastCxtDump;

    private Timing cxtDump(String ns) throws IOException, InterruptedException {
        System.gc();
        lastCxtDump = null;
        Timing t = timeSelf(() -> {
            try (XfrmClient c = XfrmClient.open(ns)) {
                lastCxtDump = c.policies().dump();
            }
        });
        if (lastCxtDump.size() != n) {
            throw new IOException("cxt dump of " + ns + " returned " + lastCxtDump.size() + " policies, expected " + n);
        }
        return t;
    }

    private Timing ipInstall(String ns) throws IOException, InterruptedException {
        Timing t = timeChild(List.of(IP, "-n", ns, "-batch", ipBatchFile.toString()));
        expectCount(ns);
        return t;
    }

    private Timing ipDump(String ns) throws IOException, InterruptedException {
        return timeChild(List.of(IP, "-n", ns, "xfrm", "policy", "list"));
    }

    private void expectCount(String ns) throws IOException {
        try (XfrmClient c = XfrmClient.open(ns)) {
            SpdInfo.Counts k = c.policies().spdInfo().counts();
            int total = k.in() + k.out() + k.fwd();
            if (total != n) {
                throw new IOException(ns + " holds " + total + " policies, expected " + n);
            }
        }
    }

    private List<String> childJvm(String mode, String ns) {
        List<String> cmd = new ArrayList<>();
        cmd.add(ProcessHandle.current().info().command().orElse(Path.of(System.getProperty("java.home"), "bin", "java").toString()));
        cmd.addAll(ManagementFactory.getRuntimeMXBean().getInputArguments());
        cmd.add("-cp");
        cmd.add(System.getProperty("java.class.path"));
        cmd.add(PolicyBench.class.getName());
        cmd.add(mode);
        cmd.add(ns);
        cmd.add(Integer.toString(n));
        return cmd;
    }

    // ------------------------------------------------------------------ the run

    private static final String[] ROWS = {
        "install  ip -batch (process)",
        "install  cxt addAll (as is, 1 MiB chunks)",
        "install  cxt addAll, 64 KiB chunks",
        "install  cxt child JVM (start+gen+addAll)",
        "dump     ip xfrm policy list >/dev/null",
        "dump     cxt dump() -> records (warm JVM)",
        "dump     cxt child JVM (start+dump)",
    };
    private static final int IP_INSTALL = 0;
    private static final int CXT_INSTALL = 1;
    private static final int CXT_INSTALL_SMALL = 2;
    private static final int CXT_INSTALL_JVM = 3;
    private static final int IP_DUMP = 4;
    private static final int CXT_DUMP = 5;
    private static final int CXT_DUMP_JVM = 6;
    /** setSendBufferSize(32 KiB): the kernel grants 64 KiB, so batch chunks are 64 KiB - 64 (~260 policies). */
    private static final int SMALL_SNDBUF = 32 << 10;

    private void runAll() throws IOException, InterruptedException {
        printHeader();
        warmUp();
        List<List<Timing>> results = new ArrayList<>();
        for (int r = 0; r < ROWS.length; r++) {
            results.add(new ArrayList<>());
        }
        for (int round = 1; round <= rounds; round++) {
            Timing[] t = new Timing[ROWS.length];
            // Alternate which tool goes first so that neither always runs on a "cooler" machine.
            boolean ipFirst = round % 2 == 1;
            for (int leg = 0; leg < 2; leg++) {
                if ((leg == 0) == ipFirst) {
                    String ns = newNamespace("ip");
                    t[IP_INSTALL] = ipInstall(ns);
                    t[IP_DUMP] = ipDump(ns);
                    if (round == 1) {
                        try (XfrmClient c = XfrmClient.open(ns)) {
                            ipContents = normalised(c.policies().dump());
                        }
                    }
                    deleteNamespace(ns);
                } else {
                    String ns = newNamespace("cxt");
                    t[CXT_INSTALL] = cxtInstall(ns, 0);
                    t[CXT_DUMP] = cxtDump(ns);
                    if (round == 1) {
                        cxtContents = normalised(lastCxtDump);
                    }
                    lastCxtDump = null;
                    if (childJvm) {
                        t[CXT_DUMP_JVM] = timeChild(childJvm("--child-dump", ns));
                    }
                    deleteNamespace(ns);
                    String small = newNamespace("cxt64k");
                    t[CXT_INSTALL_SMALL] = cxtInstall(small, SMALL_SNDBUF);
                    expectCount(small);
                    deleteNamespace(small);
                    if (childJvm) {
                        String ns2 = newNamespace("jvm");
                        t[CXT_INSTALL_JVM] = timeChild(childJvm("--child-install", ns2));
                        expectCount(ns2);
                        deleteNamespace(ns2);
                    }
                }
            }
            System.out.printf(Locale.ROOT, "round %d (%s first): install ip %s, cxt %s (ratio %.2f), cxt 64 KiB chunks %s (%.2f);"
                    + " dump ip %s, cxt %s (ratio %.2f)%n",
                    round, ipFirst ? "ip" : "cxt", ms(t[IP_INSTALL].wallNanos), ms(t[CXT_INSTALL].wallNanos),
                    ratio(t[CXT_INSTALL].wallNanos, t[IP_INSTALL].wallNanos), ms(t[CXT_INSTALL_SMALL].wallNanos),
                    ratio(t[CXT_INSTALL_SMALL].wallNanos, t[IP_INSTALL].wallNanos), ms(t[IP_DUMP].wallNanos),
                    ms(t[CXT_DUMP].wallNanos), ratio(t[CXT_DUMP].wallNanos, t[IP_DUMP].wallNanos));
            if (round == 1) {
                checkSameContents();
            }
            for (int r = 0; r < ROWS.length; r++) {
                if (t[r] != null) {
                    results.get(r).add(t[r]);
                }
            }
        }
        printTable(results);
        if (profile) {
            profileInstall();
            profileDump();
        }
        System.out.println("load average at end: " + loadAverage());
    }

    /** Decoded, normalised contents of round 1's namespaces, compared once both legs ran. */
    private Set<SecurityPolicy> ipContents;
    private Set<SecurityPolicy> cxtContents;

    /** A policy as dumped, without what the kernel assigns per namespace (index, add time). */
    private static Set<SecurityPolicy> normalised(List<SecurityPolicy> ps) {
        Set<SecurityPolicy> out = new HashSet<>(ps.size() * 2);
        for (SecurityPolicy p : ps) {
            out.add(p.withInfo(p.info().withIndex(0).withCurrent(LifetimeCurrent.ZERO)));
        }
        return out;
    }

    /** Checks that ip installed exactly what cxt did, so both tools were measured on the same work. */
    private void checkSameContents() throws IOException {
        if (ipContents.size() != n || !ipContents.equals(cxtContents)) {
            Set<SecurityPolicy> onlyIp = new HashSet<>(ipContents);
            onlyIp.removeAll(cxtContents);
            throw new IOException("ip's and cxt's namespaces hold different policies (" + ipContents.size() + " vs "
                    + cxtContents.size() + " distinct), e.g. only after ip: "
                    + onlyIp.stream().findFirst().map(SecurityPolicy::summary).orElse("none"));
        }
        System.out.println("check: ip and cxt left the same " + n
                + " policies in the kernel (decoded records compared, index and add time ignored)");
        ipContents = null;
        cxtContents = null;
    }

    private void warmUp() throws IOException, InterruptedException {
        for (int w = 1; w <= warmups; w++) {
            String ns = newNamespace("warm");
            Timing i = cxtInstall(ns, w % 2 == 0 ? SMALL_SNDBUF : 0);
            Timing d = cxtDump(ns);
            lastCxtDump = null;
            deleteNamespace(ns);
            System.out.printf(Locale.ROOT, "warm-up %d (cxt, discarded): install %s, dump %s%n", w, ms(i.wallNanos),
                    ms(d.wallNanos));
        }
        // Page in ip and its libraries once.
        String ns = newNamespace("warmip");
        timeChild(List.of(IP, "-n", ns, "xfrm", "policy", "list"));
        deleteNamespace(ns);
    }

    private void printHeader() {
        int v4 = n / 2 + n % 2;
        System.out.printf(Locale.ROOT, "policy-bench: N=%d policies: %d IPv4 /32->/32 and %d IPv6 /128->/128, dir out, "
                + "one ESP tunnel template each (same records for cxt and ip)%n", n, v4, n - v4);
        System.out.printf(Locale.ROOT, "rounds %d, warm-up %d; each measurement in a fresh network namespace%n", rounds,
                warmups);
        System.out.println("machine: " + Runtime.getRuntime().availableProcessors() + " CPUs, kernel "
                + System.getProperty("os.version") + ", " + output(IP, "-V") + ", java "
                + System.getProperty("java.vm.version") + " " + ManagementFactory.getRuntimeMXBean().getInputArguments());
        System.out.println("load average at start: " + loadAverage());
    }

    private static String loadAverage() {
        try {
            return Files.readString(Path.of("/proc/loadavg")).strip();
        } catch (IOException e) {
            return "?";
        }
    }

    private void printTable(List<List<Timing>> results) {
        System.out.println();
        System.out.printf(Locale.ROOT, "%-42s %10s %10s %9s %9s %9s %10s  %s%n", "operation (N=" + n + ")", "wall med",
                "wall min", "user med", "sys med", "cpu med", "us/policy", "in-process: GCs during step, allocated (med)");
        for (int r = 0; r < ROWS.length; r++) {
            List<Timing> ts = results.get(r);
            if (ts.isEmpty()) {
                continue;
            }
            long med = median(ts, Timing::wallNanos);
            long gcs = median(ts, Timing::gcCount);
            System.out.printf(Locale.ROOT, "%-42s %10s %10s %9s %9s %9s %10.2f  %s%n", ROWS[r], ms(med),
                    ms(min(ts, Timing::wallNanos)), ms(median(ts, Timing::userNanos)), ms(median(ts, Timing::sysNanos)),
                    ms(median(ts, Timing::cpuNanos)), med / 1000.0 / n,
                    gcs < 0 ? "-" : gcs + " (" + median(ts, Timing::gcMillis) + " ms), "
                            + median(ts, Timing::allocated) / n + " B/policy");
        }
        System.out.println();
        System.out.println("ratios cxt/ip             wall median  wall min  cpu median   goal");
        printRatio("install (as is)", results.get(CXT_INSTALL), results.get(IP_INSTALL), "<= 0.5");
        printRatio("install, 64 KiB chunks", results.get(CXT_INSTALL_SMALL), results.get(IP_INSTALL), "<= 0.5");
        printRatio("install (incl. JVM start)", results.get(CXT_INSTALL_JVM), results.get(IP_INSTALL), "");
        printRatio("dump (warm JVM)", results.get(CXT_DUMP), results.get(IP_DUMP), "<= 1.0");
        printRatio("dump (incl. JVM start)", results.get(CXT_DUMP_JVM), results.get(IP_DUMP), "");
        System.out.println("(cpu = user+sys from /proc/self/stat in 10 ms ticks; for cxt it counts every JVM thread)");
    }

    private static void printRatio(String what, List<Timing> cxt, List<Timing> ip, String goal) {
        if (cxt.isEmpty() || ip.isEmpty()) {
            return;
        }
        System.out.printf(Locale.ROOT, "%-26s %11.2f %9.2f %11.2f   %s%n", what,
                ratio(median(cxt, Timing::wallNanos), median(ip, Timing::wallNanos)),
                ratio(min(cxt, Timing::wallNanos), min(ip, Timing::wallNanos)),
                ratio(median(cxt, Timing::cpuNanos), median(ip, Timing::cpuNanos)), goal);
    }

    // ------------------------------------------------------------------ profile (--profile)

    /**
     * Where cxt's install time goes: encoding alone (records to NEWPOLICY payloads, no kernel),
     * the batch alone at several chunk sizes (socket send limits), and one request per round trip
     * (what ip does, without process start and text parsing).
     */
    private void profileInstall() throws IOException, InterruptedException {
        System.out.println();
        System.out.println("profile of cxt install (each in a fresh namespace; user = JVM, sys = kernel):");
        XfrmBatch reqs = new XfrmBatch(policies.size());
        for (int k = 0; k < 3; k++) {
            reqs.clear();
            System.gc();
            Timing enc = timeSelf(() -> requests(reqs, policies));
            printProfile("encode only (" + n + " SecurityPolicy.toBytes)", enc);
        }
        // Send buffer asked for -> chunk limit: the kernel doubles the value, batch subtracts 64,
        // and the socket's 1 MiB send buffer caps it (0 = the socket's default, 1 MiB chunks).
        int[] sndbufs = {4 << 10, 8 << 10, 16 << 10, 32 << 10, 64 << 10, 128 << 10, 256 << 10, 0};
        int perMessage = reqs.wireBytes().length / reqs.size();
        for (int rep = 0; rep < 2; rep++) {
            for (int sndbuf : sndbufs) {
                String ns = newNamespace("prof");
                int limit = 1 << 20;
                System.gc();
                Timing t;
                try (XfrmClient c = XfrmClient.open(ns)) {
                    if (sndbuf > 0) {
                        limit = Math.min(limit, c.setSendBufferSize(sndbuf) - 64);
                    }
                    t = timeSelf(() -> {
                        List<XfrmFailure> f = c.apply(reqs);
                        if (!f.isEmpty()) {
                            throw new IOException(f.size() + " refused");
                        }
                    });
                }
                expectCount(ns);
                deleteNamespace(ns);
                printProfile(String.format(Locale.ROOT, "batch only, chunk <= %d KiB (%d msgs/send)", limit >> 10,
                        limit / perMessage), t);
            }
        }
        String ns = newNamespace("prof1");
        System.gc();
        Timing one;
        try (XfrmClient c = XfrmClient.open(ns)) {
            one = timeSelf(() -> {
                for (SecurityPolicy p : policies) {
                    c.policies().add(p);
                }
            });
        }
        expectCount(ns);
        deleteNamespace(ns);
        printProfile("one add() per round trip (no batching)", one);
    }

    /** Where cxt's dump time goes: receiving and splitting messages vs decoding them into records. */
    private void profileDump() throws IOException, InterruptedException {
        System.out.println();
        System.out.println("profile of cxt dump (one namespace holding the " + n + " policies):");
        String ns = newNamespace("profdump");
        try (XfrmClient c = XfrmClient.open(ns)) {
            c.policies().addAll(policies);
            for (int k = 0; k < 3; k++) {
                List<List<NetlinkMessage>> raw = new ArrayList<>();
                System.gc();
                Timing recv = timeSelf(() -> raw.add(c.policies().dumpMessages()));
                printProfile("receive + split only (dumpMessages)", recv);
                List<SecurityPolicy> decoded = new ArrayList<>(n);
                System.gc();
                Timing dec = timeSelf(() -> {
                    for (NetlinkMessage m : raw.get(0)) {
                        decoded.add(SecurityPolicy.decode(m.payloadBuffer()));
                    }
                });
                printProfile("decode only (SecurityPolicy.decode, in memory)", dec);
                raw.clear();
                decoded.clear();
                System.gc();
                Timing all = timeSelf(() -> decoded.addAll(c.policies().dump()));
                printProfile("dump() (both)", all);
            }
        }
        deleteNamespace(ns);
    }

    private static void requests(XfrmBatch out, List<SecurityPolicy> ps) {
        for (SecurityPolicy p : ps) {
            out.addPolicy(p);
        }
    }

    private void printProfile(String what, Timing t) {
        System.out.printf(Locale.ROOT, "  %-48s wall %9s  user %8s  sys %8s  %6.2f us/policy  GCs %d (%d ms), %d B/policy%n",
                what, ms(t.wallNanos), ms(t.userNanos), ms(t.sysNanos), t.wallNanos / 1000.0 / n, t.gcCount, t.gcMillis,
                t.allocated / n);
    }

    // ------------------------------------------------------------------ helpers

    private interface Field {
        long of(Timing t);
    }

    private static long median(List<Timing> ts, Field f) {
        long[] v = ts.stream().mapToLong(f::of).sorted().toArray();
        return v.length % 2 == 1 ? v[v.length / 2] : (v[v.length / 2 - 1] + v[v.length / 2]) / 2;
    }

    private static long min(List<Timing> ts, Field f) {
        return ts.stream().mapToLong(f::of).min().orElse(0);
    }

    private static double ratio(long a, long b) {
        return b == 0 ? Double.NaN : (double) a / b;
    }

    private static String ms(long nanos) {
        return String.format(Locale.ROOT, "%.1f ms", nanos / 1e6);
    }

    // ------------------------------------------------------------------ main

    public static void main(String[] args) throws Exception {
        if (args.length == 3 && args[0].startsWith("--child-")) {
            childMain(args[0], args[1], Integer.parseInt(args[2]));
            return;
        }
        int n = DEFAULT_N;
        int rounds = 3;
        int warmups = 2;
        boolean childJvm = true;
        boolean profile = false;
        List<String> rest = new ArrayList<>(Arrays.asList(args));
        while (!rest.isEmpty()) {
            String a = rest.remove(0);
            switch (a) {
                case "--rounds" -> rounds = Integer.parseInt(rest.remove(0));
                case "--warmup" -> warmups = Integer.parseInt(rest.remove(0));
                case "--no-child-jvm" -> childJvm = false;
                case "--profile" -> profile = true;
                case "-h", "--help" -> {
                    System.out.println("usage: policy-bench [N] [--rounds R] [--warmup W] [--no-child-jvm] [--profile]");
                    return;
                }
                default -> n = Integer.parseInt(a);
            }
        }
        if (n < 2 || n > 1 << 23 || rounds < 1 || warmups < 0) {
            throw new IllegalArgumentException("need 2 <= N <= 8388608, rounds >= 1, warm-up >= 0");
        }
        PolicyBench b = new PolicyBench(n, rounds, warmups, childJvm, profile);
        Thread cleanup = new Thread(b::deleteAllNamespaces);
        Runtime.getRuntime().addShutdownHook(cleanup);
        try {
            b.runAll();
        } finally {
            b.deleteAllNamespaces();
            Files.deleteIfExists(b.ipBatchFile);
        }
    }

    /** A fresh JVM that does one thing and exits, timed by the parent: JVM start-up included. */
    private static void childMain(String mode, String ns, int n) throws IOException {
        try (XfrmClient c = XfrmClient.open(ns)) {
            int sndbuf = Integer.getInteger("cxt.bench.sndbuf", 0); // for profiling a chunk size under perf
            if (sndbuf > 0) {
                c.setSendBufferSize(sndbuf);
            }
            switch (mode) {
                case "--child-install" -> {
                    List<XfrmFailure> f = c.policies().addAll(policies(n));
                    if (!f.isEmpty()) {
                        throw new IOException(f.size() + " policies refused, first: " + f.get(0).cause().getMessage());
                    }
                }
                case "--child-dump" -> {
                    int got = c.policies().dump().size();
                    if (got != n) {
                        throw new IOException("dumped " + got + " policies, expected " + n);
                    }
                }
                default -> throw new IllegalArgumentException(mode);
            }
        }
    }
}
