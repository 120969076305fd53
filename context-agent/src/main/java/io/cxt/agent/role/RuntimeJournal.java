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
import java.util.concurrent.atomic.AtomicLong;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import io.cxt.xfrm.IpsecKernel;
import io.cxt.xfrm.PolicyId;
import io.cxt.xfrm.SaKey;

/**
 * What a router agent has put into, reserved in, or promised to remove from its kernel, so that an agent restarted
 * after kill -9 finishes what a dead one left half done (issue 12 items 5 and 6).
 *
 * <p>One text file {@code <state-directory>/<agent-name>.journal} (tmpfs in production: /run/cxt), one record per
 * line. As nAR: {@code hold MN SERIAL PEER}, then its items {@code sa MN HEX FP} (an SaKey: larval reservation or SA to
 * be installed), {@code out MN SRC SPI PROTO FP} (an outbound SA, matched by source, SPI and protocol because its
 * destination, the MN's new CoA, may differ from the prediction), {@code pol MN HEX FP} (a PolicyId); then
 * {@code replied MN SERIAL} once installed, acknowledged and the CTDR sent, or {@code done MN SERIAL} once
 * released ({@code active MN SERIAL} of earlier versions ends a hold too). As pAR: {@code sent MN SERIAL PEER p|r} with items
 * {@code psa MN HEX FP} and {@code ppol MN HEX FP} (what the transfer moves away), {@code moved MN SERIAL} once the
 * nAR's CTDR said it took the context (before removing it here), {@code released MN SERIAL} once removed or
 * forgotten. FP is the item's {@link KernelOwnership} fingerprint, so that a restart removes only what is still the
 * object journaled. The serial ties an end to the record it ends: an end for an older record of the same MN does not
 * end a newer one. Records without a serial (files of earlier versions) end whatever is open for the MN.
 *
 * <p><b>Order.</b> Every record is written before the kernel change or message it protects: the hold before the
 * install, {@code sent} before the PCTD/CTD, {@code moved} before the removal. Between the install and the CTAA
 * nothing is written (the predictive activation path stays free of file I/O): the kernel itself records that the
 * install happened, and a restart reads it back ({@link #recover}).
 * Records are therefore written synchronously, on the caller's thread: one {@code write(2)} of a few hundred octets
 * to a file kept open, a copy into the page cache (tmpfs: no disk). That survives the process being killed, which
 * is the failure the journal is for; it does not survive a power loss, after which the kernel's state is gone too.
 * The SPI reservations (larval SAs) alone come before their hold record, as their SPIs are only known then; the
 * kernel expires larval SAs by itself (net.core.xfrm_acq_expires, 30 s).
 *
 * <p><b>At start</b> ({@link #recover}): an open hold whose every item is in the kernel as journaled (installed:
 * nothing larval, every fingerprint as written) is returned as an activation that may not have been reported, for
 * the agent to send its CTDR and to answer the MN's retransmitted CTAR; any other open hold is removed from the
 * kernel (half installed or only reserved: the MN's retry fetches the context again); sent entries without an end are returned, for
 * the agent to remove on the nAR's CTDR; moved ones are removed. The file is then rewritten with only what is still
 * open. <b>Compaction</b> while running: the writer keeps the records of open entries in memory; once the file has
 * grown past {@link #COMPACT_MIN_BYTES} and past four times their size, they are written to {@code <file>.tmp},
 * which is renamed over the file (atomic on one file system).
 *
 * <p>Not journaled: key material (never written anywhere), and the MN's own kernel update (the MN's role is not a
 * router's; docs/roles.md).
 */
final class RuntimeJournal implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(RuntimeJournal.class);
    private static final HexFormat HEX = HexFormat.of();
    /** The file is compacted only once it is larger than this (and 4x its open records). */
    static final long COMPACT_MIN_BYTES = 1 << 20;

    /** What one held context put into the kernel (nAR), or what one transfer moves away (pAR: {@link #sas} only). */
    record Entry(String mn, List<OwnedSa> sas, List<OutboundSa> outbound, List<OwnedPolicy> policies) {
        Entry {
            sas = List.copyOf(sas);
            outbound = List.copyOf(outbound);
            policies = List.copyOf(policies);
        }

        static Entry empty(String mn) {
            return new Entry(mn, List.of(), List.of(), List.of());
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

    /**
     * nAR: an activation installed whose CTDR may not have reached the pAR.
     *
     * @param newCareOf the MN's care-of address the installed outbound SA leads to, or null if it has none
     */
    record Unreplied(String mn, long serial, String peer, InetAddress newCareOf) {
    }

    /** pAR: a transfer sent whose CTDR has not come; {@link Entry#sas} and {@link Entry#policies} are what it moves. */
    record Awaiting(Entry entry, long serial, String peer, boolean predictive) {
    }

    /** What {@link #recover} found and did. */
    record Recovered(int removed, int leftAlone, List<Unreplied> unreplied, List<Awaiting> awaiting) {
    }

    private final Path file;
    private final long compactMinBytes;
    private final AtomicLong serials = new AtomicLong();
    private final Object lock = new Object();

    // Under lock.
    private FileChannel channel;
    private long fileBytes;
    /** Records of open entries by "n MN" (nAR) or "p MN" (pAR): {serial, record bytes}. */
    private final Map<String, Object[]> openRecords = new LinkedHashMap<>();
    private long openBytes;
    private int compactions;
    private int opens;
    private boolean closed;

    RuntimeJournal(Path stateDirectory, String agentName) throws IOException {
        this(stateDirectory, agentName, COMPACT_MIN_BYTES);
    }

    /** @param compactMinBytes see {@link #COMPACT_MIN_BYTES} (smaller in tests) */
    RuntimeJournal(Path stateDirectory, String agentName, long compactMinBytes) throws IOException {
        Files.createDirectories(stateDirectory);
        this.file = stateDirectory.resolve(agentName.replaceAll("[^A-Za-z0-9._-]", "_") + ".journal");
        this.compactMinBytes = compactMinBytes;
    }

    Path file() {
        return file;
    }

    // ------------------------------------------------------------------ nAR

    /** Records a held context's kernel items, before they are installed. Returns the serial its end names. */
    long hold(Entry e, String peer) {
        long serial = serials.incrementAndGet();
        open("n " + e.mn(), serial, holdRecords(e, serial, peer));
        return serial;
    }

    private static StringBuilder holdRecords(Entry e, long serial, String peer) {
        StringBuilder sb = new StringBuilder(256).append("hold ").append(e.mn()).append(' ').append(serial).append(' ')
                .append(peer).append('\n');
        for (OwnedSa k : e.sas()) {
            sb.append("sa ").append(e.mn()).append(' ').append(HEX.formatHex(k.key().toBytes())).append(' ')
                    .append(k.fingerprint()).append('\n');
        }
        for (OutboundSa o : e.outbound()) {
            sb.append("out ").append(e.mn()).append(' ').append(o.source().getHostAddress()).append(' ')
                    .append(Integer.toUnsignedString(o.spi())).append(' ').append(o.proto()).append(' ')
                    .append(o.fingerprint()).append('\n');
        }
        appendPolicies(sb, "pol ", e);
        return sb;
    }

    /** The hold with this serial was installed and acknowledged, and its CTDR sent. */
    void replied(String mn, long serial) {
        end("n ", "replied", mn, serial);
    }

    /** The hold with this serial was released. */
    void done(String mn, long serial) {
        end("n ", "done", mn, serial);
    }

    // ------------------------------------------------------------------ pAR

    /** Records what a transfer moves away, before the PCTD or CTD leaves. Returns the serial its end names. */
    long sent(Entry e, String peer, boolean predictive) {
        long serial = serials.incrementAndGet();
        open("p " + e.mn(), serial, sentRecords(e, serial, peer, predictive));
        return serial;
    }

    private static StringBuilder sentRecords(Entry e, long serial, String peer, boolean predictive) {
        StringBuilder sb = new StringBuilder(256).append("sent ").append(e.mn()).append(' ').append(serial).append(' ')
                .append(peer).append(' ').append(predictive ? 'p' : 'r').append('\n');
        for (OwnedSa k : e.sas()) {
            sb.append("psa ").append(e.mn()).append(' ').append(HEX.formatHex(k.key().toBytes())).append(' ')
                    .append(k.fingerprint()).append('\n');
        }
        appendPolicies(sb, "ppol ", e);
        return sb;
    }

    /** The nAR took the context sent with this serial: written before this router removes it. */
    void moved(String mn, long serial) {
        String line = "moved " + mn + ' ' + serial + '\n';
        synchronized (lock) {
            Object[] o = openRecords.get("p " + mn);
            if (o != null && (long) o[0] == serial) {
                byte[] before = (byte[]) o[1];
                byte[] both = new byte[before.length + line.length()];
                System.arraycopy(before, 0, both, 0, before.length);
                System.arraycopy(line.getBytes(StandardCharsets.US_ASCII), 0, both, before.length, line.length());
                replaceOpen("p " + mn, serial, both);
            }
            write(line.getBytes(StandardCharsets.US_ASCII));
        }
    }

    /** The transfer with this serial is over: its state removed, or kept because the MN did not leave. */
    void released(String mn, long serial) {
        end("p ", "released", mn, serial);
    }

    // ------------------------------------------------------------------ writing

    private static void appendPolicies(StringBuilder sb, String verb, Entry e) {
        for (OwnedPolicy p : e.policies()) {
            sb.append(verb).append(e.mn()).append(' ').append(HEX.formatHex(p.id().toBytes())).append(' ')
                    .append(p.fingerprint()).append('\n');
        }
    }

    private void open(String key, long serial, StringBuilder records) {
        byte[] bytes = records.toString().getBytes(StandardCharsets.US_ASCII);
        synchronized (lock) {
            replaceOpen(key, serial, bytes);
            write(bytes);
        }
    }

    private void end(String side, String what, String mn, long serial) {
        synchronized (lock) {
            Object[] o = openRecords.get(side + mn);
            if (o != null && (long) o[0] == serial) {
                openRecords.remove(side + mn);
                openBytes -= ((byte[]) o[1]).length;
            }
            write((what + ' ' + mn + ' ' + serial + '\n').getBytes(StandardCharsets.US_ASCII));
        }
    }

    /** Under lock. */
    private void replaceOpen(String key, long serial, byte[] bytes) {
        Object[] old = openRecords.put(key, new Object[] {serial, bytes});
        openBytes += bytes.length - (old == null ? 0 : ((byte[]) old[1]).length);
    }

    /** Under lock: appends to the open file, compacting when it has grown enough. */
    private void write(byte[] bytes) {
        if (closed) {
            LOG.debug("journal closed; record dropped");
            return;
        }
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
            if (fileBytes > compactMinBytes && fileBytes > 4 * openBytes) {
                compact();
            }
        } catch (IOException e) {
            LOG.error("journal {}: write failed: {}", file, e.getMessage());
            closeChannel();
        }
    }

    /** Under lock: rewrites the file with only the open entries' records. */
    private void compact() throws IOException {
        Path tmp = file.resolveSibling(file.getFileName() + ".tmp");
        try (FileChannel out = FileChannel.open(tmp, StandardOpenOption.CREATE, StandardOpenOption.WRITE,
                StandardOpenOption.TRUNCATE_EXISTING)) {
            for (Object[] r : openRecords.values()) {
                ByteBuffer b = ByteBuffer.wrap((byte[]) r[1]);
                while (b.hasRemaining()) {
                    out.write(b);
                }
            }
        }
        closeChannel();
        Files.move(tmp, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
        compactions++;
        LOG.debug("journal {}: compacted to {} open entries", file, openRecords.size());
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

    /** Compactions so far and times the file was opened (tests). */
    int[] writerCounts() {
        synchronized (lock) {
            return new int[] {compactions, opens};
        }
    }

    // ------------------------------------------------------------------ reading

    /** The open entries of a file, in file order. */
    JournalFile read() throws IOException {
        return JournalFile.read(file);
    }

    /** Entries of contexts held but neither replied nor done (nAR), in file order. */
    List<Entry> unfinished() throws IOException {
        return read().holds().stream().map(JournalFile.Open::entry).toList();
    }

    /**
     * At start: removes from the kernel what open holds and moved transfers name and is still the object journaled
     * ({@link JournalItems}); returns the unreplied activations and the transfers still awaiting their CTDR, and
     * rewrites the file with only those, which stay open under their serials.
     *
     * @param router this router's tunnel address (the router side of the templates the fingerprints name)
     */
    Recovered recover(IpsecKernel kernel, InetAddress router) throws IOException {
        JournalFile f = read();
        JournalItems.Removal removal = new JournalItems.Removal();
        List<JournalFile.Open> installed = new ArrayList<>();
        List<Unreplied> unreplied = new ArrayList<>();
        for (JournalFile.Open h : f.holds()) {
            JournalItems.Installed in = JournalItems.installed(kernel, router, h.entry());
            if (in.complete() && h.peer() != null) {
                installed.add(h);
                unreplied.add(new Unreplied(h.entry().mn(), h.serial(), h.peer(), in.newCareOf()));
                LOG.info("journal: MN {}: installed by a previous run (not known to be reported): kept", h.entry().mn());
                continue;
            }
            JournalItems.remove(kernel, router, h.entry(), removal);
            LOG.info("journal: removed what a previous run left for MN {} (not activated)", h.entry().mn());
        }
        for (JournalFile.Open m : f.moved()) {
            JournalItems.remove(kernel, router, m.entry(), removal);
            LOG.info("journal: removed MN {}'s state that a previous run had been told moved (CTDR from {})",
                    m.entry().mn(), m.peer());
        }
        synchronized (lock) {
            serials.set(Math.max(serials.get(), f.maxSerial()));
            closeChannel();
            Files.deleteIfExists(file);
            openRecords.clear();
            openBytes = 0;
            fileBytes = 0;
        }
        for (JournalFile.Open h : installed) {
            open("n " + h.entry().mn(), h.serial(), holdRecords(h.entry(), h.serial(), h.peer()));
        }
        List<Awaiting> awaiting = new ArrayList<>();
        for (JournalFile.Open s : f.sent()) {
            awaiting.add(new Awaiting(s.entry(), s.serial(), s.peer(), s.predictive()));
            open("p " + s.entry().mn(), s.serial(), sentRecords(s.entry(), s.serial(), s.peer(), s.predictive()));
        }
        return new Recovered(removal.removed, removal.leftAlone, unreplied, awaiting);
    }

    @Override
    public void close() {
        synchronized (lock) {
            closed = true;
            closeChannel();
        }
    }
}
