package io.cxt.agent.ike;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import io.cxt.agent.ActivationListener;
import io.cxt.agent.EventSink;
import io.cxt.context.SpiMapping;
import io.cxt.ike.IkeDecodeException;
import io.cxt.ike.IkeHeader;
import io.cxt.ike.IkeRejectedException;
import io.cxt.ike.IkeSaContext;
import io.cxt.ike.InformationalContent;
import io.cxt.ike.InformationalExchange;
import io.cxt.ike.ProtocolId;
import io.cxt.ike.SpiOwner;
import io.cxt.ike.UpdateSpiNotify;
import io.cxt.ike.UpdateSpiRefusal;

/**
 * The new access router's side of the paper's section 3.2: after a transferred context was
 * activated, tells the mobile node its new addresses (MOBIKE UPDATE_SA_ADDRESSES, RFC 4555 section
 * 3.5: the responder may start it when its old address is gone) and every SPI that had to change
 * (cxt's UPDATE_SPI, one per SPI: the IKE SA's and each Child SA's, with the D bit of whose SPI it
 * is), in a protected INFORMATIONAL request on the transferred IKE SA, using its next message ID.
 *
 * <p>The paper's Algorithm 1: one round trip is one request (retransmitted per RFC 7296 section
 * 2.1: same bytes, waits of {@code retransmitInitial}, doubling); a response with an
 * {@link UpdateSpiRefusal} of reason COLLISION means the collision persists at the MN: the
 * {@link SpiReallocator} picks other SPIs and the next round trip asks again (next message ID). After
 * {@code maxRoundTrips} round trips, when {@code timer} expires (no answer at all included), or on a
 * refusal for any other reason, it gives up: event "ike-full-negotiation-required" and the optional
 * hook command ({@code %mn%} replaced by the MN's address); the old SAs are left as they are.
 * Success: event "spi-update-acknowledged", the store holds the SA with the changes applied and the
 * message ID advanced.
 *
 * <p>Never blocks the caller: each activation runs on the initiator's own executor. Responses reach
 * it through {@link #received} (wire it to the endpoint, e.g. with
 * {@link IkeUdpEndpoint#byDirection}).
 */
public final class SpiUpdateInitiator implements ActivationListener, AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(SpiUpdateInitiator.class);

    /**
     * @param port               the MN's IKE port (500, or 4500 with the non-ESP marker: the endpoint's framing)
     * @param maxRoundTrips      Algorithm 1's MAX_ROUND_TRIPS (at least 1)
     * @param timer              Algorithm 1's TIMER: overall limit from the first send
     * @param retransmitInitial  first retransmission wait; doubles after each retransmission
     * @param fallbackHook       command run on give-up, {@code %mn%} replaced; empty for none
     */
    public record Options(int port, int maxRoundTrips, Duration timer, Duration retransmitInitial,
            List<String> fallbackHook) {
        public Options {
            if (port < 1 || port > 65535) {
                throw new IllegalArgumentException("IKE port out of range: " + port);
            }
            if (maxRoundTrips < 1) {
                throw new IllegalArgumentException("max-round-trips must be at least 1");
            }
            Objects.requireNonNull(timer, "timer");
            Objects.requireNonNull(retransmitInitial, "retransmit-initial");
            if (timer.isNegative() || timer.isZero() || retransmitInitial.isNegative() || retransmitInitial.isZero()) {
                throw new IllegalArgumentException("timer and retransmit-initial must be positive");
            }
            fallbackHook = fallbackHook == null ? List.of() : List.copyOf(fallbackHook);
        }

        /** docs/agent.md defaults: port 500, 3 round trips, 10 s, 500 ms, no hook. */
        public static Options defaults() {
            return new Options(IkeUdpEndpoint.IKE_PORT, 3, Duration.ofSeconds(10), Duration.ofMillis(500), List.of());
        }
    }

    /** How an update ended. */
    public enum Outcome {
        /** The MN applied every change. */
        ACKNOWLEDGED,
        /** Nothing changed (no SPI changes, same addresses) or no IKE SA: no exchange. */
        NOTHING_TO_DO,
        /** Algorithm 1 gave up. */
        FULL_NEGOTIATION_REQUIRED
    }

    /**
     * Picks replacements for SPIs the MN refused as colliding, changing this router's state to match
     * (e.g. a new ALLOCSPI and SA replacement), and returns the UPDATE_SPIs to send in their place;
     * an empty list means none could be found (give up).
     */
    @FunctionalInterface
    public interface SpiReallocator {
        /** Asks again with the same SPIs (a collision at the MN may be transient). */
        SpiReallocator SAME = (activation, sa, refused) -> refused;

        /**
         * @param activation the activation being announced (addresses of the MN and this router)
         * @param sa         the IKE SA as this router holds it (its role decides whose SPI a D bit names)
         * @param refused    the UPDATE_SPIs the MN refused; their new SPI is what this router uses now
         * @return replacements: same old SPI and owner, another new SPI (this router's state changed to match)
         */
        List<UpdateSpiNotify> reallocate(Activation activation, IkeSaContext sa, List<UpdateSpiNotify> refused)
                throws Exception;
    }

    private final IkeSaStore store;
    private final IkeUdpEndpoint endpoint;
    private final EventSink events;
    private final Options options;
    private final SpiReallocator reallocator;
    private final SecureRandom random = new SecureRandom();
    private final ExecutorService executor;
    private final Map<String, BlockingQueue<byte[]>> pending = new ConcurrentHashMap<>();

    public SpiUpdateInitiator(IkeSaStore store, IkeUdpEndpoint endpoint, EventSink events, Options options,
            SpiReallocator reallocator) {
        this.store = Objects.requireNonNull(store);
        this.endpoint = Objects.requireNonNull(endpoint);
        this.events = events == null ? EventSink.NONE : events;
        this.options = Objects.requireNonNull(options);
        this.reallocator = reallocator == null ? SpiReallocator.SAME : reallocator;
        AtomicInteger n = new AtomicInteger();
        this.executor = Executors.newCachedThreadPool(r -> {
            Thread t = new Thread(r, "ike-spi-update-" + n.incrementAndGet());
            t.setDaemon(true);
            return t;
        });
    }

    @Override
    public void activated(Activation activation) {
        start(activation);
    }

    /** Starts the update for an activation on the initiator's executor; the future tells how it ended. */
    public CompletableFuture<Outcome> start(Activation a) {
        return CompletableFuture.supplyAsync(() -> {
            try {
                return run(a);
            } catch (RuntimeException e) {
                LOG.error("IKE update for {} failed", a.newCareOf(), e);
                return giveUp(mnText(a), "internal error: " + e);
            }
        }, executor);
    }

    /** A response from the network (wire the endpoint's responses here). */
    public void received(InetSocketAddress from, byte[] message, IkeUdpEndpoint via) {
        IkeHeader h;
        try {
            h = IkeHeader.decode(message);
        } catch (IkeDecodeException e) {
            return;
        }
        BlockingQueue<byte[]> q = pending.get(key(h.initiatorSpi(), h.messageId()));
        if (q != null) {
            q.offer(message.clone());
        }
    }

    private static String key(long spiI, long messageId) {
        return Long.toHexString(spiI) + "/" + messageId;
    }

    private static String mnText(Activation a) {
        InetAddress hoa = a.installed() == null ? null : a.installed().mobileNode().homeAddress();
        InetAddress who = hoa != null ? hoa : a.newCareOf() != null ? a.newCareOf() : a.previousCareOf();
        return who == null ? "" : io.cxt.xfrm.AddressText.of(who);
    }

    private Outcome run(Activation a) {
        String mn = mnText(a);
        IkeSaContext sa;
        if (a.ike() != null) {
            try {
                sa = IkeContextSlots.decode(a.ike());
            } catch (IkeDecodeException e) {
                events.emit("ike-rejected", mn, "transferred IKE context unreadable: " + e.getMessage());
                return giveUp(mn, "transferred IKE context unreadable");
            }
            store.put(sa, mn);
        } else {
            var e = store.findByOwner(mn);
            if (e.isEmpty()) {
                LOG.debug("{}: no IKE SA, no UPDATE_SPI exchange", mn);
                return Outcome.NOTHING_TO_DO;
            }
            sa = e.get().sa();
        }
        boolean addressesChanged = !Objects.equals(a.previousCareOf(), a.newCareOf())
                || !Objects.equals(a.previousRouter(), a.newRouter());
        List<UpdateSpiNotify> updates = toNotifies(sa, a.spiChanges(), mn);
        if (!addressesChanged && updates.isEmpty()) {
            return Outcome.NOTHING_TO_DO;
        }
        InetSocketAddress to = new InetSocketAddress(a.newCareOf(), options.port());
        long spiI = sa.initiatorSpi();
        long deadline = System.nanoTime() + options.timer().toNanos();
        for (int round = 1; ; round++) {
            InformationalExchange.OutgoingRequest[] req = new InformationalExchange.OutgoingRequest[1];
            List<UpdateSpiNotify> asked = updates;
            IkeSaContext current = store.update(spiI, s -> {
                req[0] = InformationalExchange.buildRequest(s, new InformationalContent(true, asked, List.of()), random);
                return req[0].context();
            });
            long mid = req[0].messageId();
            events.emit("spi-update-sent", mn, "round trip " + round + ", message " + mid + " to "
                    + io.cxt.xfrm.AddressText.of(to.getAddress()) + " port " + to.getPort() + ": UPDATE_SA_ADDRESSES"
                    + (updates.isEmpty() ? "" : ", " + SpiUpdateResponder.describe(updates)));
            InformationalExchange.AcceptedResponse response = exchange(current, req[0], to, deadline);
            if (response == null) {
                return giveUp(mn, "no valid answer from " + io.cxt.xfrm.AddressText.of(to.getAddress()) + " within " + options.timer()
                        + " (round trip " + round + ")");
            }
            List<UpdateSpiRefusal> refusals = UpdateSpiRefusal.in(response.content());
            if (refusals.isEmpty()) {
                List<UpdateSpiNotify> done = updates;
                store.update(spiI, s -> applyAll(s, done, mn));
                events.emit("spi-update-acknowledged", mn, "message " + mid + " acknowledged by "
                        + io.cxt.xfrm.AddressText.of(to.getAddress()) + (done.isEmpty() ? ": addresses updated"
                        : ": " + SpiUpdateResponder.describe(done)));
                return Outcome.ACKNOWLEDGED;
            }
            boolean collision = refusals.stream().allMatch(r -> r.reason() == UpdateSpiRefusal.Reason.COLLISION);
            events.emit("spi-update-refused", mn, "round trip " + round + ": " + refusals);
            if (!collision) {
                return giveUp(mn, "MN refused the update: " + refusals);
            }
            if (round >= options.maxRoundTrips()) {
                return giveUp(mn, "SPI collision persists after " + round + " round trips");
            }
            if (System.nanoTime() >= deadline) {
                return giveUp(mn, "timer " + options.timer() + " expired with the collision persisting");
            }
            List<UpdateSpiNotify> refused = new ArrayList<>();
            List<UpdateSpiNotify> kept = new ArrayList<>();
            for (UpdateSpiNotify u : updates) {
                (refusals.stream().anyMatch(r -> r.refuses(u)) ? refused : kept).add(u);
            }
            try {
                List<UpdateSpiNotify> replacement = reallocator.reallocate(a, store.get(spiI).orElseThrow(), refused);
                if (replacement.isEmpty() && !refused.isEmpty()) {
                    return giveUp(mn, "no other SPI available for " + refused);
                }
                kept.addAll(replacement);
            } catch (Exception e) {
                return giveUp(mn, "could not pick other SPIs: " + e.getMessage());
            }
            updates = kept;
        }
    }

    /** Sends and retransmits one request until a valid response, or null at the deadline. */
    private InformationalExchange.AcceptedResponse exchange(IkeSaContext sa, InformationalExchange.OutgoingRequest req,
            InetSocketAddress to, long deadline) {
        String k = key(sa.initiatorSpi(), req.messageId());
        BlockingQueue<byte[]> q = new LinkedBlockingQueue<>();
        pending.put(k, q);
        try {
            long wait = options.retransmitInitial().toNanos();
            byte[] bytes = req.message();
            while (true) {
                long now = System.nanoTime();
                if (now >= deadline) {
                    return null;
                }
                try {
                    endpoint.send(to, bytes);
                } catch (IOException e) {
                    LOG.warn("IKE request {} to {} not sent: {}", req.messageId(), to, e.toString());
                }
                long until = Math.min(deadline, now + wait);
                while (true) {
                    long left = until - System.nanoTime();
                    if (left <= 0) {
                        break;
                    }
                    byte[] answer = q.poll(left, TimeUnit.NANOSECONDS);
                    if (answer == null) {
                        break;
                    }
                    try {
                        return InformationalExchange.acceptResponse(sa, req.messageId(), answer);
                    } catch (IkeRejectedException e) {
                        events.emit("ike-rejected", "", "response from " + io.cxt.xfrm.AddressText.of(to.getAddress())
                                + " dropped: " + e.getMessage());
                    }
                }
                wait = Math.min(wait * 2, TimeUnit.SECONDS.toNanos(3600));
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return null;
        } finally {
            pending.remove(k);
        }
    }

    private IkeSaContext applyAll(IkeSaContext s, List<UpdateSpiNotify> done, String mn) {
        IkeSaContext out = s;
        for (UpdateSpiNotify u : done) {
            try {
                out = out.applySpiUpdate(u);
            } catch (IllegalArgumentException e) {
                // The kernel state is already right; the IKE context simply did not list this SA.
                LOG.warn("{}: IKE SA context does not know {}: {}", mn, u, e.getMessage());
            }
        }
        return out;
    }

    /**
     * The UPDATE_SPIs for the SPIs the nAR changed. An SA inbound to this router carries this router's
     * SPI (D = its original role), an outbound one the MN's. IPComp CPIs cannot be expressed and are skipped.
     */
    static List<UpdateSpiNotify> toNotifies(IkeSaContext sa, List<SpiMapping> changes, String mn) {
        List<UpdateSpiNotify> out = new ArrayList<>();
        SpiOwner us = sa.ownRole();
        SpiOwner peer = us == SpiOwner.INITIATOR ? SpiOwner.RESPONDER : SpiOwner.INITIATOR;
        for (SpiMapping m : changes) {
            if (m.ikeSa()) {
                SpiOwner owner = m.oldSpi() == sa.initiatorSpi() ? SpiOwner.INITIATOR : SpiOwner.RESPONDER;
                out.add(new UpdateSpiNotify(ProtocolId.IKE, m.oldSpi(), m.newSpi(), owner));
                continue;
            }
            ProtocolId p = switch (m.proto()) {
                case 50 -> ProtocolId.ESP;
                case 51 -> ProtocolId.AH;
                default -> null;
            };
            if (p == null) {
                LOG.warn("{}: {} cannot be announced with UPDATE_SPI (only IKE, AH, ESP)", mn, m);
                continue;
            }
            out.add(new UpdateSpiNotify(p, m.oldSpi(), m.newSpi(), m.inboundToTarget() ? us : peer));
        }
        return out;
    }

    private Outcome giveUp(String mn, String why) {
        events.emit("ike-full-negotiation-required", mn, why + "; old SAs kept");
        LOG.warn("{}: full IKEv2 negotiation required: {}", mn, why);
        List<String> hook = options.fallbackHook();
        if (!hook.isEmpty()) {
            List<String> cmd = new ArrayList<>(hook.size());
            hook.forEach(s -> cmd.add(s.replace("%mn%", mn)));
            try {
                Process p = new ProcessBuilder(cmd).redirectErrorStream(true)
                        .redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
                if (!p.waitFor(30, TimeUnit.SECONDS)) {
                    p.destroy();
                    LOG.warn("{}: fallback hook {} still running after 30 s; stopped", mn, cmd.get(0));
                } else if (p.exitValue() != 0) {
                    LOG.warn("{}: fallback hook {} exited with {}", mn, cmd.get(0), p.exitValue());
                }
            } catch (IOException e) {
                LOG.warn("{}: fallback hook {} could not run: {}", mn, cmd.get(0), e.getMessage());
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
        return Outcome.FULL_NEGOTIATION_REQUIRED;
    }

    @Override
    public void close() {
        executor.shutdownNow();
    }
}
