package io.cxt.ike;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * The mobile node's answer when it cannot apply an UPDATE_SPI request: cxt's private <em>error</em>
 * notify UPDATE_SPI_REFUSED in the (protected) INFORMATIONAL response, one per refused SPI or one
 * for the whole request. An error notify type (RFC 7296 section 3.10.1: types below 16384 are
 * errors; 8192-16383 are for private use) tells any IKEv2 reader that the request failed; the
 * response also carries cxt's Vendor ID, which gives the number its meaning.
 *
 * <p>Layout: Protocol ID and SPI as in the refused UPDATE_SPI (1 IKE, 2 AH, 3 ESP; the SPI field
 * holds the refused <em>new</em> SPI), or protocol 0 and no SPI for the whole request;
 * Notification Data = a 32-bit reason ({@link Reason}). {@link Reason#COLLISION} is the paper's
 * "collision persists": the initiator picks another SPI and asks again (Algorithm 1); any other
 * reason makes the initiator give up (full IKEv2 negotiation required). Nothing of a refused request
 * was applied (all or nothing).
 */
public record UpdateSpiRefusal(Optional<ProtocolId> protocol, long refusedSpi, Reason reason) {
    /** Private-use error notify type 11008 (0x2B00). */
    public static final int NOTIFY_TYPE = 0x2B00;

    public enum Reason {
        /** The new SPI is already in use at the receiver: choose another one. */
        COLLISION(1),
        /** The old SPI names no SA of this IKE SA. */
        UNKNOWN_SA(2),
        /** Applying the change failed for another reason (e.g. the kernel refused it). */
        APPLY_FAILED(3);

        private final int code;

        Reason(int code) {
            this.code = code;
        }

        public int code() {
            return code;
        }

        static Reason of(int code) {
            for (Reason r : values()) {
                if (r.code == code) {
                    return r;
                }
            }
            return APPLY_FAILED;
        }
    }

    public UpdateSpiRefusal {
        if (protocol == null || reason == null) {
            throw new IllegalArgumentException("protocol (may be empty) and reason are required");
        }
    }

    /** A refusal of one SPI change. */
    public static UpdateSpiRefusal of(UpdateSpiNotify refused, Reason reason) {
        return new UpdateSpiRefusal(Optional.of(refused.protocol()), refused.newSpi(), reason);
    }

    /** A refusal of the whole request. */
    public static UpdateSpiRefusal whole(Reason reason) {
        return new UpdateSpiRefusal(Optional.empty(), 0, reason);
    }

    public NotifyPayload toNotify() {
        byte[] data = Octets.writeUnsigned(reason.code, 4);
        return protocol.map(p -> new NotifyPayload(p.id(), NOTIFY_TYPE, Octets.writeUnsigned(refusedSpi, p.spiSize()), data))
                .orElseGet(() -> new NotifyPayload(0, NOTIFY_TYPE, new byte[0], data));
    }

    /** Whether the refused change is {@code u} (same protocol and new SPI). */
    public boolean refuses(UpdateSpiNotify u) {
        return protocol.isEmpty() || protocol.get() == u.protocol() && refusedSpi == u.newSpi();
    }

    /**
     * The response content carrying these refusals. No Vendor ID is added: the refusal is only ever
     * sent in, and interpreted in, the response to a request that carried cxt's Vendor ID and
     * UPDATE_SPI (the exchange is cxt's, so the private number is already announced).
     */
    public static InformationalContent response(List<UpdateSpiRefusal> refusals) {
        List<IkePayload> payloads = new ArrayList<>();
        refusals.forEach(r -> payloads.add(r.toNotify()));
        return new InformationalContent(false, List.of(), payloads);
    }

    /** The refusals in a response (empty: the request was applied). Malformed ones count as APPLY_FAILED for the whole request. */
    public static List<UpdateSpiRefusal> in(InformationalContent response) {
        List<UpdateSpiRefusal> out = new ArrayList<>();
        for (IkePayload p : response.otherPayloads()) {
            if (p instanceof NotifyPayload n && n.notifyType() == NOTIFY_TYPE) {
                out.add(parse(n));
            }
        }
        return out;
    }

    private static UpdateSpiRefusal parse(NotifyPayload n) {
        byte[] data = n.data();
        Reason reason = data.length == 4 ? Reason.of((int) Octets.readUnsigned(data)) : Reason.APPLY_FAILED;
        byte[] spi = n.spi();
        if (n.protocolId() == 0 || spi.length == 0) {
            return whole(reason);
        }
        try {
            ProtocolId p = ProtocolId.fromId(n.protocolId());
            if (spi.length != p.spiSize()) {
                return whole(Reason.APPLY_FAILED);
            }
            return new UpdateSpiRefusal(Optional.of(p), Octets.readUnsigned(spi), reason);
        } catch (IllegalArgumentException e) {
            return whole(Reason.APPLY_FAILED);
        }
    }

    @Override
    public String toString() {
        return "UpdateSpiRefusal[" + protocol.map(p -> p + " " + (p == ProtocolId.IKE ? Octets.spi64(refusedSpi)
                : Octets.spi32(refusedSpi))).orElse("whole request") + ": " + reason + "]";
    }
}
