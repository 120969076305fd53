package io.cxt.cxtp;

import java.net.InetSocketAddress;
import java.util.Arrays;
import java.util.EnumMap;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.LongAdder;

import org.bouncycastle.crypto.InvalidCipherTextException;
import org.bouncycastle.crypto.engines.AESEngine;
import org.bouncycastle.crypto.modes.GCMBlockCipher;
import org.bouncycastle.crypto.modes.GCMModeCipher;
import org.bouncycastle.crypto.params.AEADParameters;
import org.bouncycastle.crypto.params.KeyParameter;

/**
 * Confidentiality, integrity and replay protection of CXTP between access routers.
 *
 * <p>Why: RFC 4067 section 6.2 requires ESP with replay protection between routers (the CTD/PCTD
 * carry contexts and, predictively, the MN's token key). cxt must also run where the kernel has no
 * ESP, so the router channel protects each message itself: AES-256-GCM with a per-peer key and the
 * same sliding-window anti-replay check ESP uses.
 *
 * <p>Envelope (all fields network order):
 * <pre>
 *  0                   1                   2                   3
 *  0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * |  Version = 1  |                 Reserved (0)                  |
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * |                           Sender Id                           |
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * |                       Counter (64 bits)                       |
 * |                                                               |
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * ~          Ciphertext (the CXTP message, same length)           ~
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * |                      GCM Tag (16 octets)                      |
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * </pre>
 * The 96-bit GCM nonce is octets 4..15 (sender id | counter); the additional authenticated data
 * is the whole 16-octet header. Each sender uses a strictly increasing counter of its own, and two
 * routers sharing a key have different sender ids, so a (key, nonce) pair never repeats. Counters
 * run from 0 to 2^63 - 1; a sender that reaches the end must be rekeyed.
 *
 * <p>The receiver looks the key up by sender id, checks that the counter is new for that sender
 * and not older than the window, verifies the tag, and only then marks the counter seen, so forged
 * envelopes cannot move the window.
 *
 * <p><b>Restarts and clock steps</b> ({@link #restartSafe}): the counter starts from the wall
 * clock (milliseconds times 2^20), but never below what the {@link ChannelCounterStore} says may
 * already have been used: counters are reserved in blocks of {@link #RESERVATION_BLOCK} and the
 * reservation is written before the first of them is sealed, so a clock stepped back across a
 * restart cannot repeat a nonce. The highest counter accepted from each peer is written to the
 * store when it grows and restored into the peer's window at start, so an envelope captured
 * before a restart is refused after it; and an envelope whose counter says it was sealed more than
 * the maximum age ago (handover timeout plus clock skew) is refused as {@link RejectionReason#EXPIRED}. {@link #open} never throws: every failure is a
 * {@link Rejected} with a {@link RejectionReason}, counted in {@link #rejectedCount}.
 */
public final class RouterChannelProtection {

    public static final int ENVELOPE_VERSION = 1;
    public static final int HEADER_LENGTH = 16;
    public static final int TAG_LENGTH = 16;
    public static final int KEY_LENGTH = 32;
    public static final int DEFAULT_WINDOW = 64;
    public static final int MAX_WINDOW = 4096;
    /** Clock difference between routers tolerated by the envelope age check. */
    public static final java.time.Duration DEFAULT_CLOCK_SKEW = java.time.Duration.ofSeconds(30);
    /** Counters reserved in the store at a time (one positional write per this many seals). */
    public static final long RESERVATION_BLOCK = 4096;

    /** Why an envelope was refused. */
    public enum RejectionReason {
        /** Too short, reserved octets not zero, or a counter no conforming sender produces. */
        MALFORMED,
        /** Envelope version other than 1. */
        UNSUPPORTED_VERSION,
        /** No key for the sender id. */
        UNKNOWN_PEER,
        /** The sender id belongs to a peer configured at another address. */
        WRONG_SOURCE,
        /** Authentication failed: wrong key, or a changed header, ciphertext or tag. */
        BAD_TAG,
        /** The counter was already accepted. */
        REPLAYED,
        /** The counter is below the window. */
        TOO_OLD,
        /** The counter's time stamp is older than the maximum envelope age. */
        EXPIRED
    }

    /** The outcome of {@link #open}. */
    public sealed interface Opened permits Accepted, Rejected {
    }

    /** An authentic, fresh envelope and its plaintext. */
    public record Accepted(int senderId, long counter, byte[] plaintext) implements Opened {
        public Accepted {
            plaintext = plaintext.clone();
        }

        @Override
        public byte[] plaintext() {
            return plaintext.clone();
        }

        @Override
        public boolean equals(Object o) {
            return o instanceof Accepted a && a.senderId == senderId && a.counter == counter
                    && Arrays.equals(a.plaintext, plaintext);
        }

        @Override
        public int hashCode() {
            return senderId * 31 + Long.hashCode(counter) * 17 + Arrays.hashCode(plaintext);
        }

        /** Zeroes the plaintext held here (callers wipe their copies of {@link #plaintext()} too). */
        public void wipe() {
            Arrays.fill(plaintext, (byte) 0);
        }

        @Override
        public String toString() {
            return "Accepted[sender=" + Integer.toUnsignedString(senderId) + ", counter=" + counter
                    + ", " + plaintext.length + " octets]";
        }
    }

    /** A refused envelope. */
    public record Rejected(RejectionReason reason) implements Opened {
    }

    private final int localSenderId;
    private final int windowSize;
    private final AtomicLong nextCounter;
    private final ChannelCounterStore store;
    /** Envelopes whose counter time is older than this are refused; 0 = no age check. */
    private final long maxAgeMillis;
    private final java.util.function.LongSupplier clockMillis;
    private volatile long reservedUpTo = Long.MAX_VALUE;
    private final Map<Integer, PeerState> peersById = new ConcurrentHashMap<>();
    private final Map<InetSocketAddress, PeerState> peersByAddress = new ConcurrentHashMap<>();
    private final LongAdder accepted = new LongAdder();
    private final LongAdder storeFailures = new LongAdder();
    private final Map<RejectionReason, LongAdder> rejected = new EnumMap<>(RejectionReason.class);

    /** A channel for this router with the default 64-counter window. */
    public RouterChannelProtection(int localSenderId) {
        this(localSenderId, DEFAULT_WINDOW);
    }

    /**
     * @param localSenderId our sender id, put in every envelope we seal
     * @param windowSize how far behind the newest counter a reordered envelope may arrive
     *        (multiple of 64, 64..4096)
     */
    public RouterChannelProtection(int localSenderId, int windowSize) {
        this(localSenderId, windowSize, restartSafeFirstCounter(System.currentTimeMillis()));
    }

    /**
     * The first counter of a channel started at {@code epochMillis}: milliseconds since the epoch
     * times 2^20. A router that restarts (crash, upgrade) keeps its sender id and key, and its peers
     * keep the replay window of its previous run; starting again at 0 would make them drop every
     * envelope of the new run as replayed until it passed the old run's highest counter (a lost
     * PCTD, since PCTD is not retransmitted). Starting from the clock puts the new run above the old
     * one as long as the old run sealed fewer than 2^20 envelopes per millisecond it ran and the
     * clock did not step back. 2^63 is reached in the year 2248.
     */
    static long restartSafeFirstCounter(long epochMillis) {
        return Math.max(0, epochMillis) << 20;
    }

    /**
     * @param firstCounter the counter of the first envelope this channel seals (tests; the other
     *        constructors take {@link #restartSafeFirstCounter})
     */
    RouterChannelProtection(int localSenderId, int windowSize, long firstCounter) {
        this(localSenderId, windowSize, firstCounter, ChannelCounterStore.inMemory(), null, System::currentTimeMillis);
    }

    /**
     * A channel that survives restarts and clock steps: its first counter is the later of the clock
     * and the store's reservation, peers' windows start at the highest counter the store recorded
     * for them, and envelopes older than {@code maxAge} (by their counter's time stamp) are refused.
     *
     * @param store where counters are kept across restarts (the agent's state directory)
     * @param maxAge the handover timeout plus the clock skew allowed between routers
     * @param clock the wall clock (tests step it)
     */
    public static RouterChannelProtection restartSafe(int localSenderId, ChannelCounterStore store, java.time.Duration maxAge,
                                                      java.time.Clock clock) {
        long now = clock.millis();
        long first = Math.max(restartSafeFirstCounter(now), store.localFloor());
        return new RouterChannelProtection(localSenderId, DEFAULT_WINDOW, first, store, maxAge, clock::millis);
    }

    private RouterChannelProtection(int localSenderId, int windowSize, long firstCounter, ChannelCounterStore store,
                                    java.time.Duration maxAge, java.util.function.LongSupplier clockMillis) {
        if (firstCounter < 0) {
            throw new IllegalArgumentException("first counter must not be negative");
        }
        this.nextCounter = new AtomicLong(firstCounter);
        this.store = store;
        this.maxAgeMillis = maxAge == null ? 0 : maxAge.toMillis();
        this.clockMillis = clockMillis;
        if (store.path() != null) {
            store.reserveLocal(firstCounter + RESERVATION_BLOCK);
            this.reservedUpTo = firstCounter + RESERVATION_BLOCK;
        }
        if (windowSize < 64 || windowSize > MAX_WINDOW || windowSize % 64 != 0) {
            throw new IllegalArgumentException("window size must be a multiple of 64 in 64.." + MAX_WINDOW);
        }
        this.localSenderId = localSenderId;
        this.windowSize = windowSize;
        for (RejectionReason r : RejectionReason.values()) {
            rejected.put(r, new LongAdder());
        }
    }

    public int localSenderId() {
        return localSenderId;
    }

    /** Adds or replaces a peer (replacing resets its replay window). */
    public void addPeer(RouterPeer peer) {
        if (peer.senderId() == localSenderId) {
            // Otherwise our own envelopes reflected back to us would be accepted.
            throw new IllegalArgumentException("peer sender id equals our own (" + localSenderId + ")");
        }
        PeerState state = new PeerState(peer, windowSize, store.peerHighest(peer.senderId()));
        PeerState old = peersById.put(peer.senderId(), state);
        if (old != null && old.peer.address() != null) {
            peersByAddress.remove(old.peer.address(), old);
        }
        if (peer.address() != null) {
            peersByAddress.put(peer.address(), state);
        }
    }

    /** Forgets a peer and wipes our copy of its key. */
    public void removePeer(int senderId) {
        PeerState old = peersById.remove(senderId);
        if (old != null) {
            if (old.peer.address() != null) {
                peersByAddress.remove(old.peer.address(), old);
            }
            Arrays.fill(old.key.getKey(), (byte) 0);
        }
    }

    /** Forgets every peer and zeroes our copies of their keys (at shutdown). */
    public void wipeKeys() {
        for (Integer id : java.util.List.copyOf(peersById.keySet())) {
            removePeer(id);
        }
    }

    /** The peer configured at an address. */
    public Optional<RouterPeer> peerAt(InetSocketAddress address) {
        PeerState s = peersByAddress.get(address);
        return s == null ? Optional.empty() : Optional.of(s.peer);
    }

    /**
     * Seals a message for a peer.
     *
     * @throws IllegalArgumentException if the peer is unknown
     * @throws IllegalStateException if our counter space is exhausted (rekey needed)
     */
    public byte[] seal(int peerSenderId, byte[] plaintext) {
        PeerState peer = peersById.get(peerSenderId);
        if (peer == null) {
            throw new IllegalArgumentException("no router channel key for peer " + Integer.toUnsignedString(peerSenderId));
        }
        return seal(peer, plaintext);
    }

    /**
     * Seals a message for the peer configured at {@code destination}.
     *
     * @throws IllegalArgumentException if no peer is configured at that address
     */
    public byte[] sealFor(InetSocketAddress destination, byte[] plaintext) {
        PeerState peer = peersByAddress.get(destination);
        if (peer == null) {
            throw new IllegalArgumentException("no router channel peer configured at " + destination);
        }
        return seal(peer, plaintext);
    }

    private byte[] seal(PeerState peer, byte[] plaintext) {
        long counter = nextCounter();
        if (counter >= reservedUpTo) {
            reserve(counter);
        }
        byte[] out = new byte[HEADER_LENGTH + plaintext.length + TAG_LENGTH];
        out[0] = ENVELOPE_VERSION;
        putInt(out, 4, localSenderId);
        putInt(out, 8, (int) (counter >>> 32));
        putInt(out, 12, (int) counter);
        GCMModeCipher gcm = cipher(true, peer.key, out);
        int n = gcm.processBytes(plaintext, 0, plaintext.length, out, HEADER_LENGTH);
        try {
            gcm.doFinal(out, HEADER_LENGTH + n);
        } catch (InvalidCipherTextException e) {
            throw new IllegalStateException("GCM encryption failed", e);
        }
        return out;
    }

    /**
     * The counter of the next seal. A restart-safe channel stamps it with the clock: at least the
     * current time in milliseconds times 2^20, so its time stamp says when it was sealed and not
     * when the channel started; otherwise every envelope of a router that has run longer than the
     * peers' maximum age would be refused as {@link RejectionReason#EXPIRED} (issue 11: the second
     * predictive transfer of the handover experiment, 80 s after the agents started, was dropped).
     * Strictly increasing whatever the clock does.
     */
    private long nextCounter() {
        long stamp = maxAgeMillis > 0 ? restartSafeFirstCounter(clockMillis.getAsLong()) : 0;
        while (true) {
            long current = nextCounter.get();
            if (current < 0) {
                throw new IllegalStateException("router channel counter exhausted; the channel must be rekeyed");
            }
            long counter = Math.max(current, stamp);
            // Long.MAX_VALUE + 1 wraps to a negative value: the next seal reports the exhaustion.
            if (nextCounter.compareAndSet(current, counter + 1)) {
                return counter;
            }
        }
    }

    /** Writes the next reservation before {@code counter} is used (once per {@link #RESERVATION_BLOCK} seals). */
    private synchronized void reserve(long counter) {
        if (counter >= reservedUpTo) {
            long upTo = counter + RESERVATION_BLOCK;
            store.reserveLocal(upTo);
            reservedUpTo = upTo;
        }
    }

    /**
     * Opens an envelope. Never throws.
     *
     * @param source where it came from, checked against the peer's configured address; null skips the check
     */
    public Opened open(InetSocketAddress source, byte[] envelope) {
        try {
            return openChecked(source, envelope);
        } catch (RuntimeException e) {
            // Defensive: no input may break the caller's receive loop.
            return reject(RejectionReason.MALFORMED);
        }
    }

    private Opened openChecked(InetSocketAddress source, byte[] envelope) {
        if (envelope == null || envelope.length < HEADER_LENGTH + TAG_LENGTH) {
            return reject(RejectionReason.MALFORMED);
        }
        if ((envelope[0] & 0xff) != ENVELOPE_VERSION) {
            return reject(RejectionReason.UNSUPPORTED_VERSION);
        }
        if (envelope[1] != 0 || envelope[2] != 0 || envelope[3] != 0) {
            return reject(RejectionReason.MALFORMED);
        }
        int senderId = getInt(envelope, 4);
        long counter = ((long) getInt(envelope, 8) << 32) | (getInt(envelope, 12) & 0xffffffffL);
        if (counter < 0) {
            return reject(RejectionReason.MALFORMED);
        }
        PeerState peer = peersById.get(senderId);
        if (peer == null) {
            return reject(RejectionReason.UNKNOWN_PEER);
        }
        if (source != null && peer.peer.address() != null && !peer.peer.address().equals(source)) {
            return reject(RejectionReason.WRONG_SOURCE);
        }
        if (maxAgeMillis > 0 && (counter >>> 20) < clockMillis.getAsLong() - maxAgeMillis) {
            return reject(RejectionReason.EXPIRED);
        }
        RejectionReason early = peer.window.check(counter);
        if (early != null) {
            return reject(early);
        }
        GCMModeCipher gcm = cipher(false, peer.key, envelope);
        int cipherLength = envelope.length - HEADER_LENGTH;
        byte[] plain = new byte[gcm.getOutputSize(cipherLength)];
        try {
            int n = gcm.processBytes(envelope, HEADER_LENGTH, cipherLength, plain, 0);
            gcm.doFinal(plain, n);
        } catch (InvalidCipherTextException e) {
            Arrays.fill(plain, (byte) 0);
            return reject(RejectionReason.BAD_TAG);
        }
        RejectionReason late = peer.window.commit(counter);
        if (late != null) {
            // A concurrent copy of the same envelope won the race.
            return reject(late);
        }
        try {
            store.recordPeer(senderId, counter);
        } catch (java.io.UncheckedIOException e) {
            // The window of this run still holds; only a restart could then accept a replay (within the age limit).
            storeFailures.increment();
        }
        accepted.increment();
        Accepted a = new Accepted(senderId, counter, plain);
        Arrays.fill(plain, (byte) 0);
        return a;
    }

    private GCMModeCipher cipher(boolean encrypt, KeyParameter key, byte[] envelope) {
        byte[] nonce = Arrays.copyOfRange(envelope, 4, HEADER_LENGTH);
        byte[] aad = Arrays.copyOfRange(envelope, 0, HEADER_LENGTH);
        GCMModeCipher gcm = GCMBlockCipher.newInstance(AESEngine.newInstance());
        gcm.init(encrypt, new AEADParameters(key, TAG_LENGTH * 8, nonce, aad));
        return gcm;
    }

    private Rejected reject(RejectionReason reason) {
        rejected.get(reason).increment();
        return new Rejected(reason);
    }

    /** Test hook: where our counter continues (to reach the end of the counter space quickly). */
    void continueCounterAt(long counter) {
        nextCounter.set(counter);
    }

    /** Accepted envelopes whose counter could not be written to the store. */
    public long storeFailures() {
        return storeFailures.sum();
    }

    /** Envelopes accepted so far. */
    public long acceptedCount() {
        return accepted.sum();
    }

    /** Envelopes rejected for a reason so far. */
    public long rejectedCount(RejectionReason reason) {
        return rejected.get(reason).sum();
    }

    /** Envelopes rejected for any reason so far. */
    public long rejectedCount() {
        long n = 0;
        for (LongAdder a : rejected.values()) {
            n += a.sum();
        }
        return n;
    }

    private static void putInt(byte[] b, int off, int v) {
        b[off] = (byte) (v >>> 24);
        b[off + 1] = (byte) (v >>> 16);
        b[off + 2] = (byte) (v >>> 8);
        b[off + 3] = (byte) v;
    }

    private static int getInt(byte[] b, int off) {
        return ((b[off] & 0xff) << 24) | ((b[off + 1] & 0xff) << 16) | ((b[off + 2] & 0xff) << 8) | (b[off + 3] & 0xff);
    }

    @Override
    public String toString() {
        return "RouterChannelProtection[sender=" + Integer.toUnsignedString(localSenderId) + ", peers="
                + peersById.size() + ", window=" + windowSize + "]";
    }

    private static final class PeerState {
        final RouterPeer peer;
        final KeyParameter key;
        final ReplayWindow window;

        PeerState(RouterPeer peer, int windowSize, long highestSeen) {
            this.peer = peer;
            byte[] k = peer.key().bytes();
            this.key = new KeyParameter(k);
            Arrays.fill(k, (byte) 0);
            this.window = new ReplayWindow(windowSize, highestSeen);
        }
    }

    /**
     * The anti-replay window of one sender (RFC 4303 section 3.4.3 style): the highest counter
     * accepted and a bitmap of the {@code size} counters at and below it, kept as a ring indexed
     * by {@code counter mod size}.
     */
    static final class ReplayWindow {
        private final int size;
        private final long[] bits;
        private long highest = -1;

        ReplayWindow(int size) {
            this(size, -1);
        }

        /** A window that has seen every counter up to {@code highestSeen} (restored after a restart; -1: none). */
        ReplayWindow(int size, long highestSeen) {
            this.size = size;
            this.bits = new long[size / 64];
            if (highestSeen >= 0) {
                this.highest = highestSeen;
                Arrays.fill(bits, -1L);
            }
        }

        /** Null if the counter would be accepted now, else why not. */
        synchronized RejectionReason check(long counter) {
            if (highest < 0 || counter > highest) {
                return null;
            }
            if (highest - counter >= size) {
                return RejectionReason.TOO_OLD;
            }
            return isSet(counter) ? RejectionReason.REPLAYED : null;
        }

        /** Marks the counter seen; null on success, else why it can no longer be accepted. */
        synchronized RejectionReason commit(long counter) {
            RejectionReason r = check(counter);
            if (r != null) {
                return r;
            }
            if (highest < 0 || counter > highest) {
                if (highest < 0 || counter - highest >= size) {
                    Arrays.fill(bits, 0L);
                } else {
                    for (long c = highest + 1; c < counter; c++) {
                        clear(c);
                    }
                }
                highest = counter;
            }
            set(counter);
            return null;
        }

        private boolean isSet(long c) {
            int i = (int) (c % size);
            return (bits[i >>> 6] & (1L << (i & 63))) != 0;
        }

        private void set(long c) {
            int i = (int) (c % size);
            bits[i >>> 6] |= 1L << (i & 63);
        }

        private void clear(long c) {
            int i = (int) (c % size);
            bits[i >>> 6] &= ~(1L << (i & 63));
        }
    }
}
