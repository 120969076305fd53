package io.cxt.agent.role;

import java.io.IOException;
import java.net.InetAddress;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.List;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import io.cxt.xfrm.AddressText;

/**
 * The mobile node's journal (issue 12 item 6): the one window in which a MN's crash loses something is between
 * the nAR's success CTAA and the MN's own kernel update (the nAR has the context, the pAR removes its copy on the
 * nAR's CTDR, and the MN's own SAs still lead to the pAR). So the agent writes {@code moving SEQ OLDCOA NEWCOA
 * OLDROUTER NAR} when the CTAA says success, before touching its kernel, and {@code moved SEQ} after; a started
 * agent that finds a {@code moving} without its {@code moved} makes the move itself ({@link MobileNodeAgent}).
 * File {@code <state-directory>/<name>.mn-journal}, written synchronously (one {@code write(2)}, a page-cache
 * copy: it survives kill -9), emptied at start once read.
 */
final class MobileJournal implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(MobileJournal.class);

    /** A move the CTAA acknowledged: from {@code oldCareOf} at {@code oldRouter} to {@code newCareOf} at {@code nar}. */
    record Move(long sequence, InetAddress oldCareOf, InetAddress newCareOf, InetAddress oldRouter, InetAddress nar) {
    }

    private final Path file;
    private FileChannel channel;

    MobileJournal(Path stateDirectory, String agentName) throws IOException {
        Files.createDirectories(stateDirectory);
        this.file = stateDirectory.resolve(agentName.replaceAll("[^A-Za-z0-9._-]", "_") + ".mn-journal");
    }

    Path file() {
        return file;
    }

    /** The last move acknowledged but not recorded as made (a previous run died in between), or null. */
    Move unfinished() throws IOException {
        if (!Files.exists(file)) {
            return null;
        }
        Move open = null;
        for (String line : Files.readAllLines(file, StandardCharsets.US_ASCII)) {
            String[] f = line.trim().split(" ");
            try {
                if (f[0].equals("moving") && f.length == 6) {
                    open = new Move(Long.parseLong(f[1]), AddressText.parse(f[2]), AddressText.parse(f[3]),
                            AddressText.parse(f[4]), AddressText.parse(f[5]));
                } else if (f[0].equals("moved") && f.length == 2 && open != null && open.sequence() == Long.parseLong(f[1])) {
                    open = null;
                }
            } catch (RuntimeException e) {
                LOG.warn("MN journal {}: unreadable line skipped: {}", file, e.toString());
            }
        }
        return open;
    }

    /**
     * Starts a fresh, empty journal (after {@link #unfinished} was read and dealt with), open for writing: the
     * first handover's record is then one {@code write(2)}, not an open(2) and the file channel's first use.
     */
    synchronized void reset() throws IOException {
        close();
        Files.deleteIfExists(file);
        channel = FileChannel.open(file, StandardOpenOption.CREATE, StandardOpenOption.WRITE, StandardOpenOption.APPEND);
    }

    synchronized void moving(Move m) {
        try {
            if (channel != null && channel.size() > 1 << 20) {
                channel.truncate(0); // a line or two per handover: start over now and then (no move is open here)
            }
        } catch (IOException e) {
            LOG.warn("MN journal {}: truncate failed: {}", file, e.getMessage());
        }
        write("moving " + m.sequence() + ' ' + String.join(" ", List.of(m.oldCareOf().getHostAddress(),
                m.newCareOf().getHostAddress(), m.oldRouter().getHostAddress(), m.nar().getHostAddress())) + '\n');
    }

    synchronized void moved(long sequence) {
        write("moved " + sequence + '\n');
    }

    private void write(String record) {
        try {
            if (channel == null) {
                channel = FileChannel.open(file, StandardOpenOption.CREATE, StandardOpenOption.WRITE, StandardOpenOption.APPEND);
            }
            ByteBuffer b = ByteBuffer.wrap(record.getBytes(StandardCharsets.US_ASCII));
            while (b.hasRemaining()) {
                channel.write(b);
            }
        } catch (IOException e) {
            LOG.error("MN journal {}: write failed: {}", file, e.getMessage());
        }
    }

    @Override
    public synchronized void close() {
        if (channel != null) {
            try {
                channel.close();
            } catch (IOException e) {
                LOG.debug("MN journal {}: close: {}", file, e.getMessage());
            }
            channel = null;
        }
    }
}
