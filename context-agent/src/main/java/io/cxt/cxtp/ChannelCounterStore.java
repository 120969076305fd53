package io.cxt.cxtp;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.HashMap;
import java.util.Map;
import java.util.zip.CRC32;

/**
 * What the router channel must remember across restarts ({@link RouterChannelProtection}): how
 * far our own counter may already have been used (so a restarted router never seals a nonce twice
 * under the same key, whatever its clock did), and the highest counter accepted from each peer (so
 * an envelope captured before a restart is not accepted after it).
 *
 * <p>File layout: 16-octet slots, slot 0 ours, then one per peer in the order first seen:
 * {@code sender id (4) | value (8) | CRC-32 of the first 12 (4)}, network order. A slot is
 * rewritten in place with one positional write ({@code pwrite}, no fsync): it survives the
 * process being killed at any point; a slot torn by a power loss fails its CRC and is ignored,
 * and then the clock-based first counter and the envelope age limit still hold. Slots exist only
 * for peers whose envelopes were authenticated, so the file is bounded by the configured peers.
 *
 * <p>{@link #inMemory()} remembers nothing across instances (tests, tools). Thread-safe.
 */
public final class ChannelCounterStore implements AutoCloseable {

    static final int SLOT = 16;

    private final FileChannel file;
    private final Path path;
    private long local = -1;
    private final Map<Integer, long[]> peers = new HashMap<>(); // sender id -> {slot index, value}
    private int nextSlot = 1;
    private final ByteBuffer slot = ByteBuffer.allocate(SLOT);

    private ChannelCounterStore(FileChannel file, Path path) {
        this.file = file;
        this.path = path;
    }

    /** A store that forgets everything when dropped. */
    public static ChannelCounterStore inMemory() {
        return new ChannelCounterStore(null, null);
    }

    /** Opens (or creates, mode 0600) the store at {@code file} and reads what it holds. */
    public static ChannelCounterStore open(Path file) throws IOException {
        Path dir = file.toAbsolutePath().getParent();
        if (dir != null) {
            Files.createDirectories(dir);
        }
        if (!Files.exists(file)) {
            try {
                Files.createFile(file, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
            } catch (java.nio.file.FileAlreadyExistsException e) {
                // created concurrently: fine
            }
        }
        FileChannel ch = FileChannel.open(file, StandardOpenOption.READ, StandardOpenOption.WRITE);
        ChannelCounterStore s = new ChannelCounterStore(ch, file);
        try {
            s.load();
        } catch (IOException | RuntimeException e) {
            ch.close();
            throw e;
        }
        return s;
    }

    private void load() throws IOException {
        long size = file.size();
        ByteBuffer all = ByteBuffer.allocate((int) Math.min(size, 1 << 20));
        while (all.hasRemaining() && file.read(all, all.position()) > 0) {
            // read it all
        }
        all.flip();
        int slots = all.limit() / SLOT;
        for (int i = 0; i < slots; i++) {
            int id = all.getInt(i * SLOT);
            long value = all.getLong(i * SLOT + 4);
            int crc = all.getInt(i * SLOT + 12);
            if (crc != crc(id, value) || value < 0) {
                continue;
            }
            if (i == 0) {
                local = value;
            } else {
                peers.put(id, new long[] {i, value});
            }
        }
        nextSlot = Math.max(1, slots);
    }

    /** The file, or null in memory. */
    public Path path() {
        return path;
    }

    /** The lowest counter we may seal next (-1: nothing recorded). */
    public synchronized long localFloor() {
        return local;
    }

    /** Records that counters below {@code upTo} may have been used; written before any of them is sealed. */
    public synchronized void reserveLocal(long upTo) {
        if (upTo <= local) {
            return;
        }
        write(0, 0, upTo);
        local = upTo;
    }

    /** The highest counter accepted from a peer in an earlier run or this one (-1: none). */
    public synchronized long peerHighest(int senderId) {
        long[] p = peers.get(senderId);
        return p == null ? -1 : p[1];
    }

    /** Records a counter accepted from a peer when it is the highest so far. */
    public synchronized void recordPeer(int senderId, long counter) {
        long[] p = peers.get(senderId);
        if (p != null && counter <= p[1]) {
            return;
        }
        if (p == null) {
            p = new long[] {nextSlot++, -1};
            peers.put(senderId, p);
        }
        write((int) p[0], senderId, counter);
        p[1] = counter;
    }

    private void write(int index, int id, long value) {
        if (file == null) {
            return;
        }
        slot.clear();
        slot.putInt(id).putLong(value).putInt(crc(id, value)).flip();
        try {
            long at = (long) index * SLOT;
            while (slot.hasRemaining()) {
                at += file.write(slot, at);
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot record router channel counter in " + path + ": " + e.getMessage(), e);
        }
    }

    private static int crc(int id, long value) {
        CRC32 c = new CRC32();
        ByteBuffer b = ByteBuffer.allocate(12).putInt(id).putLong(value);
        c.update(b.array());
        return (int) c.getValue();
    }

    @Override
    public synchronized void close() throws IOException {
        if (file != null) {
            file.close();
        }
    }
}
