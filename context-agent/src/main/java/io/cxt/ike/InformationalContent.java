package io.cxt.ike;

import java.util.ArrayList;
import java.util.List;

import io.cxt.ike.IkeRejectedException.Reason;

/**
 * What a protected INFORMATIONAL message says, for cxt's purposes: whether it carries MOBIKE's
 * UPDATE_SA_ADDRESSES, the UPDATE_SPI notifies (paper section 3.2.4), and every other payload,
 * kept in order.
 *
 * <p>On the wire ({@link #toPayloads()}): cxt's Vendor ID first whenever there is an UPDATE_SPI (it
 * gives the private notify type its meaning, RFC 7296 section 3.12), then N(UPDATE_SA_ADDRESSES),
 * then one N(UPDATE_SPI) per changed SPI, then the other payloads. A private notify of the
 * UPDATE_SPI number in a message without cxt's Vendor ID is someone else's and stays among the
 * other payloads.
 */
public record InformationalContent(boolean updateSaAddresses, List<UpdateSpiNotify> spiUpdates,
        List<IkePayload> otherPayloads) {

    public InformationalContent {
        spiUpdates = List.copyOf(spiUpdates);
        otherPayloads = List.copyOf(otherPayloads);
        for (IkePayload p : otherPayloads) {
            if (p instanceof EncryptedPayload) {
                throw new IllegalArgumentException("an Encrypted payload cannot be inside the INFORMATIONAL content");
            }
            if (CxtExtension.isCxtVendorId(p)) {
                throw new IllegalArgumentException("cxt's Vendor ID is added automatically");
            }
            if (p instanceof NotifyPayload n && n.notifyType() == NotifyType.UPDATE_SA_ADDRESSES) {
                throw new IllegalArgumentException("use updateSaAddresses for UPDATE_SA_ADDRESSES");
            }
            if (p instanceof NotifyPayload n && n.notifyType() == NotifyType.UPDATE_SPI && !spiUpdates.isEmpty()) {
                throw new IllegalArgumentException("use spiUpdates for UPDATE_SPI notifies");
            }
        }
    }

    /** An INFORMATIONAL with nothing in it (a liveness check, or a plain response). */
    public static InformationalContent empty() {
        return new InformationalContent(false, List.of(), List.of());
    }

    /** The paper's request: UPDATE_SA_ADDRESSES plus one UPDATE_SPI per changed SPI. */
    public static InformationalContent addressAndSpiUpdate(List<UpdateSpiNotify> spiUpdates) {
        return new InformationalContent(true, spiUpdates, List.of());
    }

    public List<IkePayload> toPayloads() {
        List<IkePayload> out = new ArrayList<>();
        if (!spiUpdates.isEmpty()) {
            out.add(CxtExtension.vendorIdPayload());
        }
        if (updateSaAddresses) {
            out.add(NotifyPayload.of(NotifyType.UPDATE_SA_ADDRESSES));
        }
        spiUpdates.forEach(u -> out.add(u.toNotify()));
        out.addAll(otherPayloads);
        return out;
    }

    /**
     * Interprets decrypted payloads.
     *
     * @throws IkeRejectedException MALFORMED for an UPDATE_SPI not of the documented layout,
     *         UNSUPPORTED_CRITICAL_PAYLOAD for a critical payload of a type IKEv2 does not define
     */
    public static InformationalContent fromPayloads(List<IkePayload> payloads) throws IkeRejectedException {
        boolean cxt = payloads.stream().anyMatch(CxtExtension::isCxtVendorId);
        boolean addresses = false;
        List<UpdateSpiNotify> updates = new ArrayList<>();
        List<IkePayload> others = new ArrayList<>();
        for (IkePayload p : payloads) {
            if (p instanceof OpaquePayload o && o.mustBeUnderstood()) {
                throw new IkeRejectedException(Reason.UNSUPPORTED_CRITICAL_PAYLOAD,
                        "payload type " + o.type() + " is marked critical and not understood");
            }
            if (CxtExtension.isCxtVendorId(p)) {
                continue;
            }
            if (p instanceof NotifyPayload n && n.notifyType() == NotifyType.UPDATE_SA_ADDRESSES) {
                addresses = true;
            } else if (cxt && p instanceof NotifyPayload n && n.notifyType() == NotifyType.UPDATE_SPI) {
                try {
                    updates.add(UpdateSpiNotify.fromNotify(n));
                } catch (IkeDecodeException e) {
                    throw new IkeRejectedException(Reason.MALFORMED, e.getMessage(), e);
                }
            } else {
                others.add(p);
            }
        }
        return new InformationalContent(addresses, updates, others);
    }
}
