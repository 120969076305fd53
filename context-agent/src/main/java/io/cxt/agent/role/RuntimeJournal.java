package io.cxt.agent.role;

import java.io.IOException;
import java.net.InetAddress;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import io.cxt.xfrm.PolicyId;
import io.cxt.xfrm.SaKey;
import io.cxt.xfrm.SecurityAssociation;
import io.cxt.xfrm.SecurityPolicy;
import io.cxt.xfrm.IpsecKernel;
import io.cxt.xfrm.XfrmError;

/**
 * What a router agent has put into or reserved in its kernel for contexts that are not active
 * yet, so that a restarted agent can remove what a dead one left (half-installed SAs and policies,
 * larval SAs of SPI reservations).
 *
 * <p>One text file {@code <state-directory>/<agent-name>.journal} (tmpfs in production: /run/cxt),
 * one record per line: {@code hold MN SERIAL}, then {@code sa MN HEX FP} (an SaKey: larval reservation
 * or SA to be installed), {@code out MN SRC SPI PROTO FP} (an outbound SA, matched by source, SPI and
 * protocol because its destination, the MN's new CoA, may differ from the prediction),
 * {@code pol MN HEX FP} (a PolicyId); FP is the item's {@link KernelOwnership} fingerprint, so that
 * {@link #reconcile} removes only what is still cxt's; {@code active MN SERIAL} once installed and acknowledged;
 * {@code done MN SERIAL} once released. The serial ties an {@code active}/{@code done} to the
 * {@code hold} it ends: a record for an older hold of the same MN (written late, because records
 * are written in the background) does not end a newer one. Records without a serial (files of
 * earlier versions) end whatever is open for the MN.
 *
 * <p><b>Writing.</b> Records are formatted and written by one background thread (the executor the
 * agent gives, which also does its post-CTAA work, or an own one), so the activation path never
 * waits for the disk: it only enqueues. The file is opened once (append) and kept open: one
 * {@code write} per record, no open/close.
 *
 * <p><b>Compaction.</b> At start, {@link #reconcile} removes from the kernel everything the file
 * names as unfinished and then empties the file: a new run starts with an empty journal. While
 * running, the writer keeps the records of the unfinished entries in memory; when the file has grown
 * past {@link #COMPACT_MIN_BYTES} and past four times the size of those records, it writes them to
 * {@code <file>.tmp} and renames that over the file (atomic on the same file system), so the file
 * always holds every unfinished entry, before and after the rename, and never grows without bound.
 *
 * <p>Not journaled: key material (never written anywhere) and the pAR's side (a pAR only removes).
 */
final class RuntimeJournal implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(RuntimeJournal.class);
    private static final HexFormat HEX = HexFormat.of();
    /** The file is compacted only once it is larger than this (and 4x its unfinished records). */
    static final long COMPACT_MIN_BYTES = 1 << 20;

    /** What one held context put into the kernel. */
    record Entry(String mn, List<OwnedSa> sas, List<OutboundSa> outbound, List<OwnedPolicy> policies) {
        Entry {
            sas = List.copyOf(sas);
            outbound = List.copyOf(outbound);
            policies = List.copyOf(policies);
        }
    }

    /**
     * An outbound SA by what does not depend on the MN's new CoA.
     *
     * @param fingerprint {@link KernelOwnership#sa}; null in files of earlier versions (then left alone)
     */
    record OutboundSa(InetAddress source, int spi, int proto, String fingerprint) {
    }

    /** An SA (or SPI reservation: {@link KernelOwnership#LARVAL}) at a key, with its fingerprint (null: earlier version). */
    record OwnedSa(SaKey key, String fingerprint) {
    }

    /** A policy by id, with its {@link KernelOwnership#policy} fingerprint (null: earlier version). */
    record OwnedPolicy(PolicyId id, String fingerprint) {
    }

    private final Path file;
    private final ExecutorService writer;
    private final boolean ownsWriter;
    private final long compactMinBytes;
    private final AtomicLong serials = new AtomicLong();

    // Writer thread only.
    private FileChannel channel;
    private long fileBytes;
    /** Records of unfinished entries by MN: {serial, record bytes}. */
    private final Map<String, Object[]> unfinishedRecords = new LinkedHashMap<>();
    private long unfinishedBytes;
    private int compactions;
    private int opens;

    RuntimeJournal(Path stateDirectory, String agentName) throws IOException {
        this(stateDirectory, agentName, null, COMPACT_MIN_BYTES);
    }

    /**
     * @param writer a single-thread executor to write on (not shut down by {@link #close}), or null
     *        for an own one
     * @param compactMinBytes see {@link #COMPACT_MIN_BYTES} (smaller in tests)
     */
    RuntimeJournal(Path stateDirectory, String agentName, ExecutorService writer, long compactMinBytes) throws IOException {
        Files.createDirectories(stateDirectory);
        this.file = stateDirectory.resolve(agentName.replaceAll("[^A-Za-z0-9._-]", "_") + ".journal");
        this.ownsWriter = writer == null;
        this.writer = writer != null ? writer : Executors.newSingleThreadExecutor(r -> {
            Thread t = new Thread(r, "cxagent-journal");
            t.setDaemon(true);
            return t;
        });
        this.compactMinBytes = compactMinBytes;
    }

    Path file() {
        return file;
    }

    /**
     * Records a held context's kernel items (enqueued; formatted on the writer thread). Returns the
     * serial that {@link #active} and {@link #done} name to end exactly this hold.
     */
    long hold(Entry e) {
        long serial = serials.incrementAndGet();
        enqueue(() -> {
            StringBuilder sb = new StringBuilder(256).append("hold ").append(e.mn()).append(' ').append(serial).append('\n');
            for (OwnedSa k : e.sas()) {
                sb.append("sa ").append(e.mn()).append(' ').append(HEX.formatHex(k.key().toBytes())).append(' ')
                        .append(k.fingerprint()).append('\n');
            }
            for (OutboundSa o : e.outbound()) {
                sb.append("out ").append(e.mn()).append(' ').append(o.source().getHostAddress()).append(' ')
                        .append(Integer.toUnsignedString(o.spi())).append(' ').append(o.proto()).append(' ')
                        .append(o.fingerprint()).append('\n');
            }
            for (OwnedPolicy p : e.policies()) {
                sb.append("pol ").append(e.mn()).append(' ').append(HEX.formatHex(p.id().toBytes())).append(' ')
                        .append(p.fingerprint()).append('\n');
            }
            byte[] bytes = sb.toString().getBytes(StandardCharsets.US_ASCII);
            Object[] old = unfinishedRecords.put(e.mn(), new Object[] {serial, bytes});
            unfinishedBytes += bytes.length - (old == null ? 0 : ((byte[]) old[1]).length);
            write(bytes);
        });
        return serial;
    }

    /** The hold with this serial was installed and acknowledged (enqueued). */
    void active(String mn, long serial) {
        end("active", mn, serial);
    }

    /** The hold with this serial was released (enqueued). */
    void done(String mn, long serial) {
        end("done", mn, serial);
    }

    /**
     * As {@link #active}, but written before returning: for the caller that runs on the writer
     * thread (the agent's post-CTAA work) and must have the record in the file before its next
     * step (the CTDR that lets the pAR delete its copy: issue 12 item 6).
     */
    void activeNow(String mn, long serial) {
        endRecord("active", mn, serial).run();
    }

    private void end(String what, String mn, long serial) {
        enqueue(endRecord(what, mn, serial));
    }

    private Runnable endRecord(String what, String mn, long serial) {
        return (() -> {
            Object[] open = unfinishedRecords.get(mn);
            if (open != null && (long) open[0] == serial) {
                unfinishedRecords.remove(mn);
                unfinishedBytes -= ((byte[]) open[1]).length;
            }
            write((what + ' ' + mn + ' ' + serial + '\n').getBytes(StandardCharsets.US_ASCII));
        });
    }

    private void enqueue(Runnable record) {
        try {
            writer.execute(record);
        } catch (java.util.concurrent.RejectedExecutionException e) {
            LOG.debug("journal closed; record dropped");
        }
    }

    /** Writer thread: appends to the open file, compacting when it has grown enough. */
    private void write(byte[] bytes) {
        try {
            if (channel == null) {
                channel = FileChannel.open(file, StandardOpenOption.CREATE, StandardOpenOption.WRITE, StandardOpenOption.APPEND);
                fileBytes = channel.size();
                opens++;
            }
            ByteBuffer b = ByteBuffer.wrap(bytes);
            while (b.hasRemaining()) {
                channel.write(b);
            }
            fileBytes += bytes.length;
            if (fileBytes > compactMinBytes && fileBytes > 4 * unfinishedBytes) {
                compact();
            }
        } catch (IOException e) {
            LOG.error("journal {}: write failed: {}", file, e.getMessage());
            closeChannel();
        }
    }

    /** Writer thread: rewrites the file with only the unfinished entries' records. */
    private void compact() throws IOException {
        Path tmp = file.resolveSibling(file.getFileName() + ".tmp");
        try (FileChannel out = FileChannel.open(tmp, StandardOpenOption.CREATE, StandardOpenOption.WRITE,
                StandardOpenOption.TRUNCATE_EXISTING)) {
            for (Object[] r : unfinishedRecords.values()) {
                ByteBuffer b = ByteBuffer.wrap((byte[]) r[1]);
                while (b.hasRemaining()) {
                    out.write(b);
                }
            }
        }
        closeChannel();
        Files.move(tmp, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
        compactions++;
        LOG.debug("journal {}: compacted to {} unfinished entries", file, unfinishedRecords.size());
    }

    private void closeChannel() {
        if (channel != null) {
            try {
                channel.close();
            } catch (IOException e) {
                LOG.debug("journal {}: close: {}", file, e.getMessage());
            }
            channel = null;
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

    /** Compactions so far and times the file was opened (tests; read after {@link #flush}). */
    int[] writerCounts() {
        try {
            return writer.submit(() -> new int[] {compactions, opens}).get(5, TimeUnit.SECONDS);
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    /** Entries of contexts held but neither active nor done, in file order. */
    List<Entry> unfinished() throws IOException {
        if (!Files.exists(file)) {
            return List.of();
        }
        Map<String, Entry> open = new LinkedHashMap<>();
        Map<String, String> serialOf = new java.util.HashMap<>();
        for (String line : Files.readAllLines(file, StandardCharsets.US_ASCII)) {
            String[] f = line.trim().split(" ");
            if (f.length < 2) {
                continue;
            }
            String mn = f[1];
            try {
                switch (f[0]) {
                    case "hold" -> {
                        open.put(mn, new Entry(mn, List.of(), List.of(), List.of()));
                        serialOf.put(mn, f.length > 2 ? f[2] : "");
                    }
                    case "active", "done" -> {
                        // An end for an older hold of the same MN leaves a newer hold open.
                        if (f.length < 3 || f[2].equals(serialOf.get(mn)) || "".equals(serialOf.get(mn))) {
                            open.remove(mn);
                        }
                    }
                    case "sa" -> open.computeIfPresent(mn, (k, e) -> new Entry(mn, plus(e.sas(),
                            new OwnedSa(SaKey.decode(HEX.parseHex(f[2])), field(f, 3))), e.outbound(), e.policies()));
                    case "out" -> open.computeIfPresent(mn, (k, e) -> new Entry(mn, e.sas(), plus(e.outbound(),
                            new OutboundSa(parse(f[2]), Integer.parseUnsignedInt(f[3]), Integer.parseInt(f[4]), field(f, 5))),
                            e.policies()));
                    case "pol" -> open.computeIfPresent(mn, (k, e) -> new Entry(mn, e.sas(), e.outbound(),
                            plus(e.policies(), new OwnedPolicy(PolicyId.decode(HEX.parseHex(f[2])), field(f, 3)))));
                    default -> LOG.warn("journal {}: unknown record '{}'", file, f[0]);
                }
            } catch (RuntimeException e) {
                LOG.warn("journal {}: unreadable line skipped: {}", file, e.toString());
            }
        }
        return new ArrayList<>(open.values());
    }

    private static String field(String[] f, int i) {
        return f.length > i ? f[i] : null;
    }

    /** What {@link #reconcile} did: removed, and left alone because it is no longer (or not provably) cxt's. */
    record Reconciled(int removed, int leftAlone) {
    }

    /**
     * Removes from the kernel what unfinished entries name and is still cxt's: each item is read back and removed
     * only when its fingerprint is the journaled one ({@link KernelOwnership}); absent items are fine; anything
     * else (an operator's policy with the same selector, an SA with the same SPI, a record of an earlier version
     * without a fingerprint) is left alone and logged. Then starts a fresh journal.
     *
     * @param router this router's tunnel address (the router side of the templates the fingerprints name)
     */
    Reconciled reconcile(IpsecKernel kernel, InetAddress router) throws IOException {
        List<Entry> left = unfinished();
        int removed = 0;
        int leftAlone = 0;
        List<SecurityAssociation> sad = null;
        for (Entry e : left) {
            for (OwnedPolicy p : e.policies()) {
                SecurityPolicy inKernel = getQuietly(() -> kernel.getPolicy(p.id()));
                if (inKernel == null) {
                    continue;
                }
                if (p.fingerprint() != null && p.fingerprint().equals(KernelOwnership.policy(inKernel, router))) {
                    removed += quietly(() -> kernel.deletePolicy(p.id()));
                } else {
                    leftAlone++;
                    LOG.warn("journal: MN {}: policy {} is not the one cxt installed: left alone", e.mn(), inKernel.id());
                }
            }
            if (!e.outbound().isEmpty()) {
                if (sad == null) {
                    sad = kernel.dumpSas();
                }
                for (SecurityAssociation sa : sad) {
                    for (OutboundSa o : e.outbound()) {
                        if (sa.spi() == o.spi() && sa.proto() == o.proto() && sa.source().equals(o.source())) {
                            if (o.fingerprint() != null && o.fingerprint().equals(KernelOwnership.sa(sa))) {
                                removed += quietly(() -> kernel.deleteSa(sa.key()));
                            } else {
                                leftAlone++;
                                LOG.warn("journal: MN {}: SA spi 0x{} from {} is not the one cxt installed: left alone",
                                        e.mn(), Integer.toHexString(sa.spi()), sa.source().getHostAddress());
                            }
                        }
                    }
                }
            }
            for (OwnedSa k : e.sas()) {
                SecurityAssociation inKernel = getQuietly(() -> kernel.getSa(k.key()));
                if (inKernel == null) {
                    continue;
                }
                if (k.fingerprint() != null && KernelOwnership.owns(k.fingerprint(), inKernel)) {
                    removed += quietly(() -> kernel.deleteSa(k.key()));
                } else {
                    leftAlone++;
                    LOG.warn("journal: MN {}: SA spi 0x{} to {} is not the one cxt installed: left alone", e.mn(),
                            Integer.toHexString(inKernel.spi()), inKernel.destination().getHostAddress());
                }
            }
            LOG.info("journal: removed what a previous run left for MN {} (not activated)", e.mn());
        }
        // Compaction at start: everything the file named is gone from the kernel; start empty.
        Files.deleteIfExists(file);
        return new Reconciled(removed, leftAlone);
    }

    private interface KernelRead<T> {
        T get() throws IOException;
    }

    private static <T> T getQuietly(KernelRead<T> read) throws IOException {
        try {
            return read.get();
        } catch (IOException e) {
            if (XfrmError.of(e).absent()) {
                return null;
            }
            throw e;
        }
    }

    private interface KernelOp {
        void run() throws IOException;
    }

    private static int quietly(KernelOp op) throws IOException {
        try {
            op.run();
            return 1;
        } catch (IOException e) {
            if (XfrmError.of(e).absent()) {
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
        return io.cxt.xfrm.AddressText.parse(s);
    }

    @Override
    public void close() {
        if (!ownsWriter) {
            try {
                writer.submit(this::closeChannel).get(5, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            } catch (Exception e) {
                LOG.debug("journal close: {}", e.toString());
            }
            return;
        }
        writer.execute(this::closeChannel);
        writer.shutdown();
        try {
            writer.awaitTermination(5, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
