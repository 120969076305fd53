package io.cxt.agent.ike;

import java.net.InetSocketAddress;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.EnumMap;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.concurrent.atomic.AtomicLong;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import io.cxt.agent.EventSink;
import io.cxt.ike.ExchangeType;
import io.cxt.ike.IkeDecodeException;
import io.cxt.ike.IkeHeader;
import io.cxt.ike.IkeRejectedException;
import io.cxt.ike.IkeSaContext;
import io.cxt.ike.InformationalContent;
import io.cxt.ike.InformationalExchange;
import io.cxt.ike.ProtocolId;
import io.cxt.ike.UpdateSpiNotify;
import io.cxt.ike.UpdateSpiRefusal;

/**
 * The mobile node's side of the paper's section 3.2.4 exchange: receives the access router's
 * protected INFORMATIONAL request (UPDATE_SA_ADDRESSES, UPDATE_SPI), checks it against the IKE SA in
 * the {@link IkeSaStore}, applies it through a {@link SpiChangeApplier} all or nothing, and answers.
 *
 * <ul>
 * <li>Anything not protected by a known IKE SA (unknown SPIs, bad ICV, wrong flags, malformed) is
 * dropped unanswered and counted by reason; the store and the kernel are untouched.</li>
 * <li>Message IDs: window of one. The request with the next expected ID is processed; a
 * retransmission of the last processed request (identical bytes) gets the cached response again
 * and is not applied twice; any other older ID is dropped and counted (REPLAYED_MESSAGE_ID).</li>
 * <li>Success: empty protected response; the store gets the advanced message ID and the SPI
 * changes. Failure to apply: protected response with {@link UpdateSpiRefusal} notifies (COLLISION
 * when a new SPI is taken here, UNKNOWN_SA, APPLY_FAILED); the message ID still advances (the
 * request was processed), nothing else changes.</li>
 * </ul>
 * Events: "spi-update-applied", "spi-update-refused", "ike-rejected".
 */
public final class SpiUpdateResponder {
    private static final Logger LOG = LoggerFactory.getLogger(SpiUpdateResponder.class);

    private record Cached(long messageId, byte[] request, byte[] response) {
    }

    private final IkeSaStore store;
    private final SpiChangeApplier applier;
    private final EventSink events;
    private final SecureRandom random;
    /** Last processed request and its response, by the initiator SPI in its header. */
    private final Map<Long, Cached> lastExchange = new HashMap<>();
    private final Map<IkeRejectedException.Reason, AtomicLong> rejected = new EnumMap<>(IkeRejectedException.Reason.class);
    private final AtomicLong unknownSa = new AtomicLong();
    private final AtomicLong retransmissionsAnswered = new AtomicLong();

    public SpiUpdateResponder(IkeSaStore store, SpiChangeApplier applier, EventSink events, SecureRandom random) {
        this.store = store;
        this.applier = applier;
        this.events = events == null ? EventSink.NONE : events;
        this.random = random == null ? new SecureRandom() : random;
        for (IkeRejectedException.Reason r : IkeRejectedException.Reason.values()) {
            rejected.put(r, new AtomicLong());
        }
    }

    /** As an {@link IkeUdpEndpoint.Handler}: answers through the endpoint the request came in on. */
    public void received(InetSocketAddress from, byte[] message, IkeUdpEndpoint via) {
        handle(from, message).ifPresent(response -> {
            try {
                via.send(from, response);
            } catch (java.io.IOException e) {
                LOG.warn("IKE response to {} not sent: {}", from, e.toString());
            }
        });
    }

    /** Processes one request; returns the response to send, if any. */
    public synchronized Optional<byte[]> handle(InetSocketAddress from, byte[] message) {
        IkeHeader h;
        try {
            h = IkeHeader.decode(message);
        } catch (IkeDecodeException e) {
            return reject(IkeRejectedException.Reason.MALFORMED, "", from, e.getMessage());
        }
        if (h.response() || h.exchangeType() != ExchangeType.INFORMATIONAL) {
            return reject(h.response() ? IkeRejectedException.Reason.WRONG_FLAGS
                    : IkeRejectedException.Reason.WRONG_EXCHANGE_TYPE, "", from, "not an INFORMATIONAL request");
        }
        Cached cached = lastExchange.get(h.initiatorSpi());
        if (cached != null && cached.messageId() == h.messageId()) {
            if (Arrays.equals(cached.request(), message)) {
                retransmissionsAnswered.incrementAndGet();
                return Optional.of(cached.response().clone());
            }
            return reject(IkeRejectedException.Reason.REPLAYED_MESSAGE_ID, "", from,
                    "request " + h.messageId() + " differs from the one already processed");
        }
        Optional<IkeSaStore.Entry> entry = store.entry(h.initiatorSpi());
        if (entry.isEmpty()) {
            unknownSa.incrementAndGet();
            events.emit("ike-rejected", "", "INFORMATIONAL from " + io.cxt.xfrm.AddressText.of(from.getAddress())
                    + " for unknown IKE SA " + IkeSaStore.hex64(h.initiatorSpi()));
            return Optional.empty();
        }
        IkeSaContext sa = entry.get().sa();
        String mn = entry.get().owner();
        InformationalExchange.AcceptedRequest accepted;
        try {
            accepted = InformationalExchange.acceptRequest(sa, message);
        } catch (IkeRejectedException e) {
            return reject(e.reason(), mn, from, e.getMessage());
        }
        IkeSaContext afterRequest = accepted.context();
        InformationalContent content = accepted.content();
        List<UpdateSpiNotify> changes = content.spiUpdates();
        List<UpdateSpiRefusal> refusals = new ArrayList<>();
        IkeSaContext updated = afterRequest;
        if (!changes.isEmpty() || content.updateSaAddresses()) {
            // All or nothing: check every change against the IKE SA before touching anything.
            for (UpdateSpiNotify u : changes) {
                try {
                    updated = updated.applySpiUpdate(u);
                } catch (IllegalArgumentException e) {
                    refusals.add(UpdateSpiRefusal.of(u, UpdateSpiRefusal.Reason.UNKNOWN_SA));
                }
            }
            if (refusals.isEmpty()) {
                try {
                    applier.apply(sa, from.getAddress(), changes);
                } catch (SpiChangeApplier.SpiCollisionException e) {
                    e.colliding().forEach(u -> refusals.add(UpdateSpiRefusal.of(u, UpdateSpiRefusal.Reason.COLLISION)));
                    if (refusals.isEmpty()) {
                        refusals.add(UpdateSpiRefusal.whole(UpdateSpiRefusal.Reason.COLLISION));
                    }
                } catch (Exception e) {
                    LOG.warn("{}: applying {} from {} failed: {}", mn, changes, from, e.toString());
                    refusals.add(UpdateSpiRefusal.whole(UpdateSpiRefusal.Reason.APPLY_FAILED));
                }
            }
        }
        IkeSaContext toStore = refusals.isEmpty() ? updated : afterRequest;
        store.update(h.initiatorSpi(), current -> toStore);
        // The response still uses the old IKE SPIs (the exchange completes before they change).
        InformationalContent answer = refusals.isEmpty() ? InformationalContent.empty() : UpdateSpiRefusal.response(refusals);
        byte[] response = InformationalExchange.buildResponse(afterRequest, accepted.messageId(), answer, random);
        lastExchange.put(h.initiatorSpi(), new Cached(accepted.messageId(), message.clone(), response.clone()));
        if (refusals.isEmpty()) {
            events.emit("spi-update-applied", mn, "message " + accepted.messageId() + " from "
                    + io.cxt.xfrm.AddressText.of(from.getAddress()) + (content.updateSaAddresses() ? ": addresses updated" : "")
                    + (changes.isEmpty() ? "" : ", " + describe(changes)));
        } else {
            events.emit("spi-update-refused", mn, "message " + accepted.messageId() + " from "
                    + io.cxt.xfrm.AddressText.of(from.getAddress()) + ": " + refusals);
        }
        return Optional.of(response);
    }

    private Optional<byte[]> reject(IkeRejectedException.Reason reason, String mn, InetSocketAddress from, String detail) {
        rejected.get(reason).incrementAndGet();
        events.emit("ike-rejected", mn, "INFORMATIONAL from " + io.cxt.xfrm.AddressText.of(from.getAddress()) + " dropped: " + detail);
        return Optional.empty();
    }

    static String describe(List<UpdateSpiNotify> changes) {
        List<String> parts = new ArrayList<>();
        for (UpdateSpiNotify u : changes) {
            String fmt = u.protocol() == ProtocolId.IKE ? "%s %s SPI 0x%016x -> 0x%016x" : "%s %s SPI 0x%08x -> 0x%08x";
            parts.add(String.format(fmt, u.protocol(), u.owner().name().toLowerCase(), u.oldSpi(), u.newSpi()));
        }
        return String.join(", ", parts);
    }

    /** Dropped messages by reason ("unknown-ike-sa", "replayed-message-id", ...) and retransmissions answered. */
    public Map<String, Long> counters() {
        Map<String, Long> out = new TreeMap<>();
        rejected.forEach((r, n) -> out.put(r.name().toLowerCase().replace('_', '-'), n.get()));
        out.put("unknown-ike-sa", out.get("unknown-ike-sa") + unknownSa.get());
        out.put("retransmissions-answered", retransmissionsAnswered.get());
        return out;
    }

    /** All requests dropped so far. */
    public long rejectedCount() {
        return rejected.values().stream().mapToLong(AtomicLong::get).sum() + unknownSa.get();
    }
}
