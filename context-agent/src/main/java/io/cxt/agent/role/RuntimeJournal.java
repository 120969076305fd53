package io.cxt.agent.role;

import java.io.IOException;
import java.net.InetAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import io.cxt.nl.NetlinkErrorException;
import io.cxt.xfrm.PolicyId;
import io.cxt.xfrm.SaKey;
import io.cxt.xfrm.SecurityAssociation;
import io.cxt.xfrm.XfrmClient;

/**
 * What a router agent has put into or reserved in its kernel for contexts that are not active
 * yet, so that a restarted agent can remove what a dead one left (half-installed SAs and policies,
 * larval SAs of SPI reservations).
 *
 * <p>One text file {@code <state-directory>/<agent-name>.journal} (tmpfs in production: /run/cxt),
 * one record per line: {@code hold MN}, then {@code sa MN HEX} (an SaKey: larval reservation or
 * SA to be installed), {@code out MN SRC SPI PROTO} (an outbound SA, matched by source, SPI and
 * protocol because its destination, the MN's new CoA, may differ from the prediction),
 * {@code pol MN HEX} (a PolicyId); {@code active MN} once installed and acknowledged;
 * {@code done MN} once released. Records are written by one background thread, so the activation
 * path never waits for the disk: it only enqueues.
 *
 * <p>Not journaled: key material (never written anywhere) and the pAR's side (a pAR only removes).
 */
final class RuntimeJournal implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(RuntimeJournal.class);
    private static final HexFormat HEX = HexFormat.of();

    /** What one held context put into the kernel. */
    record Entry(String mn, List<SaKey> sas, List<OutboundSa> outbound, List<PolicyId> policies) {
        Entry {
            sas = List.copyOf(sas);
            outbound = List.copyOf(outbound);
            policies = List.copyOf(policies);
        }
    }

    /** An outbound SA by what does not depend on the MN's new CoA. */
    record OutboundSa(InetAddress source, int spi, int proto) {
    }

    private final Path file;
    private final ExecutorService writer;

    RuntimeJournal(Path stateDirectory, String agentName) throws IOException {
        Files.createDirectories(stateDirectory);
        this.file = stateDirectory.resolve(agentName.replaceAll("[^A-Za-z0-9._-]", "_") + ".journal");
        this.writer = Executors.newSingleThreadExecutor(r -> {
            Thread t = new Thread(r, "cxagent-journal");
            t.setDaemon(true);
            return t;
        });
    }

    Path file() {
        return file;
    }

    /** Records a held context's kernel items (enqueued). */
    void hold(Entry e) {
        StringBuilder sb = new StringBuilder("hold ").append(e.mn()).append('\n');
        for (SaKey k : e.sas()) {
            sb.append("sa ").append(e.mn()).append(' ').append(HEX.formatHex(k.toBytes())).append('\n');
        }
        for (OutboundSa o : e.outbound()) {
            sb.append("out ").append(e.mn()).append(' ').append(o.source().getHostAddress()).append(' ')
                    .append(Integer.toUnsignedString(o.spi())).append(' ').append(o.proto()).append('\n');
        }
        for (PolicyId p : e.policies()) {
            sb.append("pol ").append(e.mn()).append(' ').append(HEX.formatHex(p.toBytes())).append('\n');
        }
        append(sb.toString());
    }

    void active(String mn) {
        append("active " + mn + "\n");
    }

    void done(String mn) {
        append("done " + mn + "\n");
    }

    private void append(String text) {
        try {
            writer.execute(() -> {
                try {
                    Files.writeString(file, text, StandardCharsets.US_ASCII, StandardOpenOption.CREATE,
                            StandardOpenOption.APPEND, StandardOpenOption.WRITE);
                } catch (IOException e) {
                    LOG.error("journal {}: write failed: {}", file, e.getMessage());
                }
            });
        } catch (java.util.concurrent.RejectedExecutionException e) {
            LOG.debug("journal closed; record dropped");
        }
    }

    /** Waits until every enqueued record is on disk (tests, shutdown). */
    void flush() {
        try {
            writer.submit(() -> { }).get(5, TimeUnit.SECONDS);
        } catch (Exception e) {
            LOG.debug("journal flush: {}", e.toString());
        }
    }

    /** Entries of contexts held but neither active nor done, in file order. */
    List<Entry> unfinished() throws IOException {
        if (!Files.exists(file)) {
            return List.of();
        }
        Map<String, Entry> open = new LinkedHashMap<>();
        for (String line : Files.readAllLines(file, StandardCharsets.US_ASCII)) {
            String[] f = line.trim().split(" ");
            if (f.length < 2) {
                continue;
            }
            String mn = f[1];
            try {
                switch (f[0]) {
                    case "hold" -> open.put(mn, new Entry(mn, List.of(), List.of(), List.of()));
                    case "active", "done" -> open.remove(mn);
                    case "sa" -> open.computeIfPresent(mn, (k, e) -> new Entry(mn, plus(e.sas(),
                            SaKey.decode(HEX.parseHex(f[2]))), e.outbound(), e.policies()));
                    case "out" -> open.computeIfPresent(mn, (k, e) -> new Entry(mn, e.sas(), plus(e.outbound(),
                            new OutboundSa(parse(f[2]), Integer.parseUnsignedInt(f[3]), Integer.parseInt(f[4]))),
                            e.policies()));
                    case "pol" -> open.computeIfPresent(mn, (k, e) -> new Entry(mn, e.sas(), e.outbound(),
                            plus(e.policies(), PolicyId.decode(HEX.parseHex(f[2])))));
                    default -> LOG.warn("journal {}: unknown record '{}'", file, f[0]);
                }
            } catch (RuntimeException e) {
                LOG.warn("journal {}: unreadable line skipped: {}", file, e.toString());
            }
        }
        return new ArrayList<>(open.values());
    }

    /**
     * Removes from the kernel everything unfinished entries name (absent items are fine), then
     * starts a fresh journal. Returns how many SAs and policies were removed.
     */
    int reconcile(XfrmClient kernel) throws IOException {
        List<Entry> left = unfinished();
        int removed = 0;
        List<SecurityAssociation> sad = null;
        for (Entry e : left) {
            for (PolicyId p : e.policies()) {
                removed += quietly(() -> kernel.policies().delete(p));
            }
            if (!e.outbound().isEmpty()) {
                if (sad == null) {
                    sad = kernel.states().dump();
                }
                for (SecurityAssociation sa : sad) {
                    for (OutboundSa o : e.outbound()) {
                        if (sa.spi() == o.spi() && sa.proto() == o.proto() && sa.source().equals(o.source())) {
                            removed += quietly(() -> kernel.states().delete(sa.key()));
                        }
                    }
                }
            }
            for (SaKey k : e.sas()) {
                removed += quietly(() -> kernel.states().delete(k));
            }
            LOG.info("journal: removed what a previous run left for MN {} (not activated)", e.mn());
        }
        Files.deleteIfExists(file);
        return removed;
    }

    private interface KernelOp {
        void run() throws IOException;
    }

    private static int quietly(KernelOp op) throws IOException {
        try {
            op.run();
            return 1;
        } catch (NetlinkErrorException e) {
            if ("ENOENT".equals(e.errnoName()) || "ESRCH".equals(e.errnoName())) {
                return 0;
            }
            throw e;
        }
    }

    private static <T> List<T> plus(List<T> l, T x) {
        List<T> out = new ArrayList<>(l);
        out.add(x);
        return out;
    }

    private static InetAddress parse(String s) {
        try {
            return InetAddress.getByName(s);
        } catch (java.net.UnknownHostException e) {
            throw new IllegalArgumentException(e);
        }
    }

    @Override
    public void close() {
        writer.shutdown();
        try {
            writer.awaitTermination(5, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
