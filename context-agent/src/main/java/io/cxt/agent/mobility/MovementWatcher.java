package io.cxt.agent.mobility;

import java.io.IOException;
import java.net.InetAddress;
import java.time.Instant;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import io.cxt.agent.EventSink;
import io.cxt.agent.control.ControlException;
import io.cxt.agent.view.OperationResult;
import io.cxt.link.LinkEventsLostException;
import io.cxt.link.RtnetlinkMonitor;
import io.cxt.sys.NetNamespace;
import io.cxt.xfrm.AddressText;

/**
 * The mobile node's movement detection at work: one thread reads rtnetlink
 * ({@link RtnetlinkMonitor}) and feeds a {@link MovementDetector}; each move it decides is handed to a
 * second thread that sends the CTAR to the new access router ({@link Mover}, normally
 * {@code MobileNodeAgent.activate}), so the monitor keeps reading while the MN waits for the CTAA.
 * Moves run one at a time, in order.
 *
 * <p>Events: {@code movement-detected} when a move is decided (interface, new CoA, router, cause,
 * link-up and trigger times), {@code movement-activated} or {@code movement-failed} after the
 * activation with link up, trigger, CTAR sent and CTAA times (wall clock, microseconds).
 */
public final class MovementWatcher implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(MovementWatcher.class);
    private static final int MAX_POLL_MILLIS = 500;

    /** Sends the CTAR to {@code router} from {@code careOf} and moves the MN's own SAs (the agent's activate). */
    @FunctionalInterface
    public interface Mover {
        OperationResult move(InetAddress router, InetAddress careOf) throws ControlException;
    }

    /** Where the MN is attached now (the agent's current CoA and router). */
    public interface Location {
        InetAddress careOf();

        InetAddress router();
    }

    private final MovementSettings settings;
    private final RtnetlinkMonitor monitor;
    private final MovementDetector detector;
    private final Location location;
    private final Mover mover;
    private final EventSink events;
    private final String name;
    private final ExecutorService moves;
    private final Thread reader;
    private final AtomicLong detected = new AtomicLong();
    private final AtomicLong activated = new AtomicLong();
    private final AtomicLong failed = new AtomicLong();
    private final long epochNanosAtStart;
    private final long nanoAtStart;
    private volatile boolean running = true;

    private MovementWatcher(String name, MovementSettings settings, RtnetlinkMonitor monitor, Location location,
                            Mover mover, EventSink events) {
        this.name = name;
        this.settings = settings;
        this.monitor = monitor;
        this.detector = new MovementDetector(settings);
        this.location = location;
        this.mover = mover;
        this.events = events == null ? EventSink.NONE : events;
        Instant now = Instant.now();
        this.nanoAtStart = System.nanoTime();
        this.epochNanosAtStart = now.getEpochSecond() * 1_000_000_000L + now.getNano();
        this.moves = Executors.newSingleThreadExecutor(r -> {
            // the MN's CTAR, its wait for the CTAA and its own kernel update run here
            Thread t = new Thread(() -> {
                io.cxt.sys.RealtimeThreads.enterCurrentThread("cxagent-" + name + "-move");
                r.run();
            }, "cxagent-" + name + "-move");
            t.setDaemon(true);
            return t;
        });
        this.reader = new Thread(this::run, "cxagent-" + name + "-movement");
        this.reader.setDaemon(true);
    }

    /**
     * Opens the monitor in {@code ns} (null: this namespace), takes the current state (no move) and
     * starts watching.
     */
    public static MovementWatcher start(String name, MovementSettings settings, NetNamespace ns, Location location,
                                        Mover mover, EventSink events) throws IOException {
        RtnetlinkMonitor monitor = RtnetlinkMonitor.open(ns);
        try {
            MovementWatcher w = new MovementWatcher(name, settings, monitor, location, mover, events);
            w.detector.seed(monitor.currentState());
            w.reader.start();
            LOG.info("{}: movement detection on {} (router: {}, debounce {} ms)", name, String.join(", ",
                    new java.util.TreeSet<>(settings.interfaces())), settings.routerSource().spelling(),
                    settings.debounce().toMillis());
            return w;
        } catch (IOException | RuntimeException e) {
            monitor.close();
            throw e;
        }
    }

    /** Counters for {@code stats}: movement.detected, movement.activated, movement.failed. */
    public Map<String, Long> counters() {
        return Map.of("movement.detected", detected.get(), "movement.activated", activated.get(),
                "movement.failed", failed.get());
    }

    /** Whether the reader thread is alive (for the watchdog). */
    public boolean healthy() {
        return reader.isAlive() || !running;
    }

    private void run() {
        io.cxt.sys.RealtimeThreads.enterCurrentThread(Thread.currentThread().getName());
        while (running) {
            try {
                long now = System.nanoTime();
                long deadline = detector.nextDeadline();
                long waitMillis = deadline == Long.MAX_VALUE ? MAX_POLL_MILLIS
                        : Math.max(1, Math.min(MAX_POLL_MILLIS, (deadline - now + 999_999) / 1_000_000));
                monitor.poll((int) waitMillis, e -> detector.accept(e, System.nanoTime()));
                decide();
            } catch (LinkEventsLostException e) {
                LOG.warn("{}: rtnetlink notifications were lost; reading the current state again", name);
                try {
                    long now = System.nanoTime();
                    monitor.currentState().forEach(ev -> detector.accept(ev, now));
                } catch (IOException | RuntimeException again) {
                    LOG.warn("{}: rtnetlink dump failed: {}", name, again.toString());
                }
            } catch (IOException | RuntimeException e) {
                if (!running) {
                    return;
                }
                LOG.warn("{}: movement detection: {}", name, e.toString());
                sleepQuietly();
            }
        }
    }

    private void decide() {
        while (true) {
            Optional<Movement> m = detector.due(System.nanoTime(), location.careOf(), location.router());
            if (m.isEmpty()) {
                return;
            }
            Movement move = m.get();
            detected.incrementAndGet();
            events.emitAt(move.triggerNanos(), "movement-detected", "", "interface " + move.interfaceName() + " ("
                    + move.cause() + "): CoA " + AddressText.of(move.careOf()) + ", access router "
                    + AddressText.of(move.router()) + "; link up " + at(move.linkUpNanos()) + ", first change "
                    + at(move.firstChangeNanos()) + ", trigger " + at(move.triggerNanos()));
            try {
                moves.execute(() -> activate(move));
            } catch (RejectedExecutionException closed) {
                return;
            }
        }
    }

    private void activate(Movement move) {
        long before = System.nanoTime();
        try {
            OperationResult r = mover.move(move.router(), move.careOf());
            long after = System.nanoTime();
            Object sent = r.details() == null ? null : r.details().get("ctarSentNanoTime");
            long ctarSent = sent instanceof Number n ? n.longValue() : before;
            Object delay = r.details() == null ? null : r.details().get("delayMicros");
            Object moved = r.details() == null ? null : r.details().get("ownMovedNanoTime");
            String timeline = "link up " + at(move.linkUpNanos()) + ", trigger " + at(move.triggerNanos()) + ", CTAR sent "
                    + at(ctarSent) + (delay instanceof Number d ? ", CTAA " + at(ctarSent + d.longValue() * 1000) : "")
                    + (moved instanceof Number m ? ", moved " + at(m.longValue()) : "") + ", done " + at(after) + " (trigger->CTAR " + micros(ctarSent - move.triggerNanos())
                    + (move.linkUpNanos() >= 0 ? ", link up->CTAR " + micros(ctarSent - move.linkUpNanos()) : "") + ")";
            if (r.ok()) {
                activated.incrementAndGet();
                events.emitAt(after, "movement-activated", "", "interface " + move.interfaceName() + ": at "
                        + AddressText.of(move.router()) + " with CoA " + AddressText.of(move.careOf()) + "; " + timeline
                        + "; details " + new java.util.TreeMap<>(r.details()));
            } else {
                failed.incrementAndGet();
                events.emitAt(after, "movement-failed", "", "interface " + move.interfaceName() + ": " + r.summary()
                        + "; " + timeline);
            }
        } catch (ControlException | RuntimeException e) {
            failed.incrementAndGet();
            events.emit("movement-failed", "", "interface " + move.interfaceName() + ": CTAR to "
                    + AddressText.of(move.router()) + " from " + AddressText.of(move.careOf()) + ": " + e.getMessage());
        }
    }

    /** A nanoTime reading as wall-clock time (ISO-8601, microseconds), or "-" for -1. */
    private String at(long nanos) {
        if (nanos < 0) {
            return "-";
        }
        long epoch = epochNanosAtStart + (nanos - nanoAtStart);
        Instant i = Instant.ofEpochSecond(Math.floorDiv(epoch, 1_000_000_000L), Math.floorMod(epoch, 1_000_000_000L));
        return i.truncatedTo(java.time.temporal.ChronoUnit.MICROS).toString();
    }

    private static String micros(long nanos) {
        return String.format(java.util.Locale.ROOT, "%.3f ms", nanos / 1e6);
    }

    private static void sleepQuietly() {
        try {
            Thread.sleep(200);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    @Override
    public void close() {
        running = false;
        moves.shutdownNow();
        try {
            reader.join(MAX_POLL_MILLIS * 4L);
            moves.awaitTermination(1, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        monitor.close();
    }
}
