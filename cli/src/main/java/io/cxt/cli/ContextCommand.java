package io.cxt.cli;

import java.io.IOException;
import java.io.PrintWriter;
import java.net.InetAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

import io.cxt.cdb.ContextBlocks;
import io.cxt.cdb.ContextDecodeException;
import io.cxt.context.ContextException;
import io.cxt.context.ContextInstaller;
import io.cxt.context.ContextRemover;
import io.cxt.context.ContextRewriter;
import io.cxt.context.ContextSnapshotter;
import io.cxt.context.InstallReceipt;
import io.cxt.context.MobileNodeContext;
import io.cxt.context.MobileNodeIdentity;
import io.cxt.context.SadLookupCase;
import io.cxt.context.SequenceNumberPolicy;
import io.cxt.context.SpiAllocator;
import io.cxt.context.SpiMapping;
import io.cxt.context.SpiReservations;
import io.cxt.cxtp.ContextDataBlock;
import io.cxt.cxtp.CxtpCodec;
import io.cxt.cxtp.CxtpDecodeException;
import io.cxt.xfrm.PolicyInfo;
import io.cxt.xfrm.SecurityAssociation;
import io.cxt.xfrm.SecurityPolicy;
import io.cxt.xfrm.UserTemplate;
import io.cxt.xfrm.XfrmClient;

/**
 * {@code cxctl context}: a mobile node's security context, offline. {@code snapshot} takes it out of
 * a kernel into a file, {@code install} puts a file into another kernel for a new care-of address
 * and router (what the nAR agent does on activation), {@code remove} takes it out of the source
 * kernel, {@code diff} compares two snapshots.
 */
@Command(name = "context",
        mixinStandardHelpOptions = true,
        description = {"A mobile node's IPsec context (SAs and policies): snapshot, install, remove, compare.",
            "",
            "A context file holds the context as RFC 4067 Context Data Blocks, exactly as it travels between"
                + " access routers (docs/context-blocks.md). It contains the SAs' keys: it is written with mode 0600"
                + " and never printed; text and --json output show keys as <redacted>."},
        footer = {"%nExamples:%n"
                + "  cxctl -n par context snapshot --mn 2001:db8:a::10 --out mn.ctx%n"
                + "  cxctl -n nar context install mn.ctx --ncoa 2001:db8:b::10 --nar 2001:db8:b::1%n"
                + "  cxctl -n par context remove mn.ctx%n"
                + "  cxctl context diff before.ctx after.ctx%n"
                + "%nExit status: 0 success, 1 the kernel refused (nothing is left half-installed), 2 bad command line."},
        subcommands = {ContextCommand.Snapshot.class, ContextCommand.Install.class, ContextCommand.Remove.class,
            ContextCommand.Diff.class, ContextCommand.Show.class})
public final class ContextCommand implements Runnable {

    @Spec
    CommandSpec spec;

    @Override
    public void run() {
        throw new CommandLine.ParameterException(spec.commandLine(),
                "context needs a command: snapshot, install, remove, diff or show");
    }

    /** Shared plumbing of the context subcommands. */
    abstract static class Leaf extends CxctlLeaf {
        XfrmClient openXfrm() throws IOException {
            return XfrmClient.open(root().netns);
        }

        void json(Object o) throws IOException {
            out().println(Json.mapper(false).writeValueAsString(o));
            out().flush();
        }
    }

    static MobileNodeContext read(Path file) throws IOException {
        byte[] bytes;
        try {
            bytes = Files.readAllBytes(file);
        } catch (java.nio.file.NoSuchFileException e) {
            throw new UsageException("no such context file: " + file);
        }
        try {
            List<ContextDataBlock> blocks = CxtpCodec.decodeBlocks(bytes);
            return ContextBlocks.decode(blocks);
        } catch (CxtpDecodeException | ContextDecodeException e) {
            throw new IOException("cannot read context file " + file + ": " + e.getMessage());
        }
    }

    static void write(Path file, MobileNodeContext ctx) throws IOException {
        byte[] bytes = CxtpCodec.encodeBlocks(ContextBlocks.encode(ctx));
        Path tmp = file.resolveSibling(file.getFileName() + ".tmp");
        Files.deleteIfExists(tmp);
        Files.createFile(tmp, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
        Files.write(tmp, bytes, StandardOpenOption.TRUNCATE_EXISTING);
        Files.move(tmp, file, java.nio.file.StandardCopyOption.REPLACE_EXISTING, java.nio.file.StandardCopyOption.ATOMIC_MOVE);
    }

    static InetAddress address(String s, String what) {
        if (s == null) {
            return null;
        }
        InetAddress a = io.cxt.xfrm.AddressText.parseOrNull(s);
        if (a == null) {
            throw new UsageException("invalid " + what + " address '" + s + "'");
        }
        return a;
    }

    /** Text view, one line per SA and policy, in ip-xfrm words. Never keys. */
    static void print(PrintWriter out, MobileNodeContext ctx) {
        out.println(ctx.summary() + " (source router " + Formats.address(ctx.sourceRouter()) + ")");
        for (SecurityAssociation sa : ctx.securityAssociations()) {
            StringBuilder b = new StringBuilder("  sa  ").append(ContextRewriter.describe(sa).toLowerCase(java.util.Locale.ROOT));
            b.append(" mode ").append(sa.info().mode() == 1 ? "tunnel" : sa.info().mode() == 0 ? "transport" : sa.info().mode());
            List<String> algs = new ArrayList<>();
            if (sa.aead() != null) {
                algs.add(sa.aead().name());
            }
            if (sa.crypt() != null) {
                algs.add(sa.crypt().name());
            }
            if (sa.authTrunc() != null) {
                algs.add(sa.authTrunc().name());
            } else if (sa.auth() != null) {
                algs.add(sa.auth().name());
            }
            if (!algs.isEmpty()) {
                b.append(' ').append(String.join("+", algs));
            }
            if (sa.replayEsn() != null) {
                b.append(String.format(" esn oseq 0x%x seq 0x%x", sa.replayEsn().outboundSequence(), sa.replayEsn().inboundSequence()));
            } else if (sa.replay() != null) {
                b.append(String.format(" oseq 0x%x seq 0x%x", sa.replay().oseq(), sa.replay().seq()));
            }
            out.println(b);
        }
        for (SecurityPolicy p : ctx.policies()) {
            out.println("  pol " + policyLine(p));
        }
        for (SpiMapping m : ctx.spiMappings()) {
            out.println("  spi " + m);
        }
        out.flush();
    }

    static String policyLine(SecurityPolicy p) {
        var s = p.selector();
        StringBuilder b = new StringBuilder(PolicyInfo.directionName(p.direction())).append(' ')
                .append(Formats.address(s.saddr())).append('/').append(s.prefixlenS()).append(" -> ")
                .append(Formats.address(s.daddr())).append('/').append(s.prefixlenD())
                .append(" priority ").append(Integer.toUnsignedString(p.priority()));
        if (p.action() == PolicyInfo.ACTION_BLOCK) {
            b.append(" action block");
        }
        for (UserTemplate t : p.templates()) {
            b.append(" tmpl ").append(Formats.address(t.saddr())).append(" -> ").append(Formats.address(t.daddr()))
                    .append(" reqid ").append(Integer.toUnsignedString(t.reqid()));
        }
        return b.toString();
    }

    @Command(name = "snapshot", mixinStandardHelpOptions = true,
            description = {"Takes one mobile node's context out of the kernel: the SAs to or from its care-of"
                + " address, the policies whose selectors or templates name it, and fresh replay and lifetime"
                + " state (GETAE). Consistent even while an IKE daemon changes SAs (docs: ContextSnapshotter)."})
    static final class Snapshot extends Leaf {
        @Option(names = "--mn", required = true, paramLabel = "COA", description = "The MN's care-of address.")
        String mn;

        @Option(names = "--hoa", paramLabel = "ADDR", description = "The MN's home address (also matches policies naming it).")
        String hoa;

        @Option(names = "--router", paramLabel = "ADDR",
                description = "This router's tunnel address (default: the other end of the MN's SAs).")
        String router;

        @Option(names = {"-o", "--out"}, paramLabel = "FILE", description = "Write the context to FILE (mode 0600).")
        Path outFile;

        @Override
        public Integer call() throws Exception {
            InetAddress coa = address(mn, "care-of");
            InetAddress home = address(hoa, "home");
            InetAddress r = address(router, "router");
            try (XfrmClient c = openXfrm()) {
                ContextSnapshotter snapshotter = new ContextSnapshotter(c);
                MobileNodeIdentity id = new MobileNodeIdentity(home, coa);
                MobileNodeContext ctx = snapshotter.snapshot(id, r == null ? coa : r);
                if (r == null) {
                    Set<InetAddress> peers = new LinkedHashSet<>();
                    for (SecurityAssociation sa : ctx.securityAssociations()) {
                        peers.add(sa.source().equals(coa) ? sa.destination() : sa.source());
                    }
                    if (peers.size() > 1) {
                        throw new UsageException("the MN's SAs have " + peers.size() + " peers " + peers
                                + "; say which is this router with --router");
                    }
                    if (peers.isEmpty()) {
                        throw new IOException("no SA to or from " + Formats.address(coa) + " in this namespace");
                    }
                    ctx = new MobileNodeContext(id, peers.iterator().next(), null, null, ctx.securityAssociations(),
                            ctx.policies(), List.of(), null, ctx.createdAt(), ctx.lifetime());
                }
                if (outFile != null) {
                    write(outFile, ctx);
                }
                if (root().json) {
                    json(ctx);
                } else {
                    print(out(), ctx);
                    if (outFile != null) {
                        out().println("written to " + outFile + " ("
                                + ContextBlocks.encodedLength(ContextBlocks.encode(ctx)) + " octets of CDBs)");
                    }
                }
                out().flush();
                return 0;
            }
        }
    }

    @Command(name = "install", mixinStandardHelpOptions = true,
            description = {"Installs a context file into this kernel for the MN's new care-of address and this"
                + " router, as the new access router does on activation: reserves the inbound SPIs (ALLOCSPI;"
                + " a colliding SPI is replaced by a free one), rewrites addresses and SPIs, continues outbound"
                + " sequence numbers with the margin, and installs SAs then policies (out, fwd, in) in one"
                + " batch. All or nothing: on any refusal everything added is removed again."})
    static final class Install extends Leaf {
        @Parameters(index = "0", paramLabel = "FILE")
        Path file;

        @Option(names = "--ncoa", required = true, paramLabel = "ADDR", description = "The MN's new care-of address.")
        String ncoa;

        @Option(names = "--nar", required = true, paramLabel = "ADDR", description = "This (new) router's tunnel address.")
        String nar;

        @Option(names = "--lookup", paramLabel = "CASE", defaultValue = "spi-dst",
                description = "SAD lookup case deciding SPI collisions: spi, spi-dst (Linux, default), spi-dst-src.")
        String lookup;

        @Option(names = "--seq-margin", paramLabel = "N", defaultValue = "10000",
                description = "Added to outbound sequence numbers (RFC 6027 section 3.4; default ${DEFAULT-VALUE}).")
        long margin;

        @Option(names = "--mobile-node",
                description = "Move the context in place on the mobile node itself (FILE is the MN's own snapshot):"
                    + " new SAs with the new care-of address and the new router as peer are added, the policies"
                    + " replaced one by one (never a moment without one), then the old SAs deleted.")
        boolean mobileNode;

        @Option(names = "--spi", paramLabel = "OLD=NEW",
                description = "An SPI the new router changed (as UPDATE_SPI tells the MN), e.g. 0xc0000001=0x3001;"
                    + " repeatable; with --mobile-node.")
        List<String> spiChanges = new ArrayList<>();

        static int parseSpi(String s) {
            try {
                return s.startsWith("0x") || s.startsWith("0X") ? Integer.parseUnsignedInt(s.substring(2), 16)
                        : Integer.parseUnsignedInt(s);
            } catch (NumberFormatException e) {
                throw new UsageException("invalid SPI '" + s + "'");
            }
        }

        private Integer mobileNodeInstall(MobileNodeContext ctx, InetAddress newCoa, InetAddress router) throws Exception {
            List<SpiMapping> changes = new ArrayList<>();
            for (String c : spiChanges) {
                String[] kv = c.split("=", 2);
                if (kv.length != 2) {
                    throw new UsageException("--spi wants OLD=NEW, got '" + c + "'");
                }
                changes.add(SpiMapping.ipsec(50, router, parseSpi(kv[0]), parseSpi(kv[1]), true));
            }
            var plan = io.cxt.context.RewritePlan.forMobileNode(ctx.mobileNode().careOfAddress(), newCoa,
                    ctx.sourceRouter(), router, changes, new SequenceNumberPolicy(margin));
            MobileNodeContext rw = ContextRewriter.rewrite(ctx, plan, router, newCoa);
            try (XfrmClient c = openXfrm()) {
                InstallReceipt receipt = new ContextInstaller(c).replace(ctx, rw);
                out().println(rw.mobileNode().label() + ": moved to " + Formats.address(newCoa) + " behind "
                        + Formats.address(router) + ": installed " + receipt.sas().size() + " SAs and "
                        + receipt.policies().size() + " policies in " + receipt.nanos() / 1000 + " us");
                out().flush();
                return 0;
            }
        }

        @Override
        public Integer call() throws Exception {
            InetAddress newCoa = address(ncoa, "new care-of");
            InetAddress router = address(nar, "router");
            SadLookupCase lc;
            try {
                lc = SadLookupCase.parse(lookup);
            } catch (IllegalArgumentException e) {
                throw new UsageException(e.getMessage());
            }
            if (margin < 0) {
                throw new UsageException("--seq-margin must be >= 0");
            }
            MobileNodeContext ctx = read(file);
            if (mobileNode) {
                return mobileNodeInstall(ctx, newCoa, router);
            }
            if (!spiChanges.isEmpty()) {
                throw new UsageException("--spi is for --mobile-node; a router finds its own SPI collisions");
            }
            try (XfrmClient c = openXfrm()) {
                SpiAllocator alloc = new SpiAllocator(c, lc);
                SpiReservations res = alloc.reserveInbound(ctx, router);
                MobileNodeContext rw;
                try {
                    rw = ContextRewriter.forTarget(ctx, newCoa, router, res.mappings(), new SequenceNumberPolicy(margin));
                } catch (ContextException e) {
                    alloc.release(res);
                    throw e;
                }
                InstallReceipt receipt = new ContextInstaller(c).install(rw, res);
                if (root().json) {
                    Map<String, Object> o = new LinkedHashMap<>();
                    o.put("mobileNode", rw.mobileNode());
                    o.put("alreadyInstalled", receipt.alreadyInstalled());
                    o.put("securityAssociations", receipt.sas().size());
                    o.put("policies", receipt.policies().size());
                    o.put("spiChanges", rw.spiMappings());
                    o.put("microseconds", receipt.nanos() / 1000);
                    json(o);
                } else if (receipt.alreadyInstalled()) {
                    out().println(rw.mobileNode().label() + ": already installed, nothing changed");
                } else {
                    out().println(rw.mobileNode().label() + ": installed " + receipt.sas().size() + " SAs and "
                            + receipt.policies().size() + " policies for nCoA " + Formats.address(newCoa) + " in "
                            + receipt.nanos() / 1000 + " us");
                    for (SpiMapping m : rw.spiMappings()) {
                        out().println("  SPI collision: " + m);
                    }
                }
                out().flush();
                return 0;
            }
        }
    }

    @Command(name = "remove", mixinStandardHelpOptions = true,
            description = {"Removes the SAs and policies of a context file from this kernel (the previous access"
                + " router after a transfer). Already-gone items are fine; on any other refusal what was removed is"
                + " put back."})
    static final class Remove extends Leaf {
        @Parameters(index = "0", paramLabel = "FILE")
        Path file;

        @Override
        public Integer call() throws Exception {
            MobileNodeContext ctx = read(file);
            try (XfrmClient c = openXfrm()) {
                new ContextRemover(c, SequenceNumberPolicy.DEFAULT).remove(ctx);
            }
            out().println(ctx.mobileNode().label() + ": removed " + ctx.securityAssociations().size() + " SAs and "
                    + ctx.policies().size() + " policies");
            out().flush();
            return 0;
        }
    }

    @Command(name = "show", mixinStandardHelpOptions = true, description = "Prints a context file (keys redacted).")
    static final class Show extends Leaf {
        @Parameters(index = "0", paramLabel = "FILE")
        Path file;

        @Override
        public Integer call() throws Exception {
            MobileNodeContext ctx = read(file);
            if (root().json) {
                json(ctx);
            } else {
                print(out(), ctx);
            }
            return 0;
        }
    }

    @Command(name = "diff", mixinStandardHelpOptions = true,
            description = {"Compares two context files: SAs by (destination, SPI, protocol), policies by direction"
                + " and selector. Lines start with '-' (only in A), '+' (only in B) or '~' (changed, with the"
                + " fields that differ). Exit status 0 whether or not they differ."})
    static final class Diff extends Leaf {
        @Parameters(index = "0", paramLabel = "A")
        Path a;

        @Parameters(index = "1", paramLabel = "B")
        Path b;

        @Override
        public Integer call() throws Exception {
            MobileNodeContext x = read(a);
            MobileNodeContext y = read(b);
            List<String> lines = new ArrayList<>();
            Map<String, SecurityAssociation> sx = new LinkedHashMap<>();
            Map<String, SecurityAssociation> sy = new LinkedHashMap<>();
            x.securityAssociations().forEach(s -> sx.put(saKey(s), s));
            y.securityAssociations().forEach(s -> sy.put(saKey(s), s));
            for (var e : sx.entrySet()) {
                SecurityAssociation o = sy.get(e.getKey());
                if (o == null) {
                    lines.add("- sa " + e.getKey());
                } else if (!o.equals(e.getValue())) {
                    lines.add("~ sa " + e.getKey() + ": " + saChanges(e.getValue(), o));
                }
            }
            for (var e : sy.entrySet()) {
                if (!sx.containsKey(e.getKey())) {
                    lines.add("+ sa " + e.getKey());
                }
            }
            Map<String, SecurityPolicy> px = new LinkedHashMap<>();
            Map<String, SecurityPolicy> py = new LinkedHashMap<>();
            x.policies().forEach(p -> px.put(policyKey(p), p));
            y.policies().forEach(p -> py.put(policyKey(p), p));
            for (var e : px.entrySet()) {
                SecurityPolicy o = py.get(e.getKey());
                if (o == null) {
                    lines.add("- pol " + policyLine(e.getValue()));
                } else if (!policyLine(o).equals(policyLine(e.getValue()))) {
                    lines.add("~ pol " + policyLine(e.getValue()) + "  =>  " + policyLine(o));
                }
            }
            for (var e : py.entrySet()) {
                if (!px.containsKey(e.getKey())) {
                    lines.add("+ pol " + policyLine(e.getValue()));
                }
            }
            if (root().json) {
                json(lines);
            } else if (lines.isEmpty()) {
                out().println("no differences");
            } else {
                lines.forEach(out()::println);
            }
            out().flush();
            return 0;
        }

        static String saKey(SecurityAssociation s) {
            return SpiMappingName.proto(s.proto()) + " spi " + String.format("0x%08x", s.spi()) + " dst "
                    + Formats.address(s.destination());
        }

        static String policyKey(SecurityPolicy p) {
            var s = p.selector();
            return p.direction() + " " + Formats.address(s.saddr()) + "/" + s.prefixlenS() + " "
                    + Formats.address(s.daddr()) + "/" + s.prefixlenD() + " " + s.proto() + " " + s.sport() + " " + s.dport();
        }

        static String saChanges(SecurityAssociation a, SecurityAssociation b) {
            List<String> c = new ArrayList<>();
            if (!a.source().equals(b.source())) {
                c.add("src " + Formats.address(a.source()) + " -> " + Formats.address(b.source()));
            }
            if (a.reqid() != b.reqid()) {
                c.add("reqid " + a.reqid() + " -> " + b.reqid());
            }
            if (a.replay() != null && b.replay() != null) {
                if (a.replay().oseq() != b.replay().oseq()) {
                    c.add(String.format("oseq 0x%x -> 0x%x", a.replay().oseq(), b.replay().oseq()));
                }
                if (a.replay().seq() != b.replay().seq()) {
                    c.add(String.format("seq 0x%x -> 0x%x", a.replay().seq(), b.replay().seq()));
                }
            }
            if (!a.info().current().equals(b.info().current())) {
                c.add("lifetime current " + a.info().current().bytes() + "B/" + a.info().current().packets() + "p -> "
                        + b.info().current().bytes() + "B/" + b.info().current().packets() + "p");
            }
            if (!java.util.Objects.equals(a.crypt(), b.crypt()) || !java.util.Objects.equals(a.aead(), b.aead())
                    || !java.util.Objects.equals(a.authTrunc(), b.authTrunc())) {
                c.add("keys or algorithms");
            }
            if (c.isEmpty()) {
                c.add("other fields");
            }
            return String.join(", ", c);
        }
    }

    /** Protocol names for the diff keys. */
    static final class SpiMappingName {
        static String proto(int p) {
            return switch (p) {
                case 50 -> "esp";
                case 51 -> "ah";
                case 108 -> "comp";
                default -> Integer.toString(p);
            };
        }
    }
}
