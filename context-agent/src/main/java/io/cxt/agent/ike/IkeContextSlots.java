package io.cxt.agent.ike;

import io.cxt.context.IkeContextSlot;
import io.cxt.ike.IkeDecodeException;
import io.cxt.ike.IkeSaContext;
import io.cxt.ike.IkeSaContextCodec;

/**
 * The bridge between the context engine's opaque {@link IkeContextSlot} and the IKE layer: the slot
 * carries the IKE SA's SPIs in clear (for collision checks) and {@link IkeSaContextCodec}'s bytes.
 */
public final class IkeContextSlots {
    private IkeContextSlots() {
    }

    /** The slot for an IKE SA (the encoded bytes hold its keys; the slot never prints them). */
    public static IkeContextSlot of(IkeSaContext sa) {
        byte[] encoded = IkeSaContextCodec.encode(sa);
        try {
            return new IkeContextSlot(sa.initiatorSpi(), sa.responderSpi(), encoded);
        } finally {
            java.util.Arrays.fill(encoded, (byte) 0);
        }
    }

    /**
     * The IKE SA in a slot.
     *
     * @throws IkeDecodeException if the bytes are malformed or their SPIs differ from the slot's
     */
    public static IkeSaContext decode(IkeContextSlot slot) throws IkeDecodeException {
        byte[] encoded = slot.encoded();
        try {
            IkeSaContext sa = IkeSaContextCodec.decode(encoded);
            if (sa.initiatorSpi() != slot.spiInitiator() || sa.responderSpi() != slot.spiResponder()) {
                throw new IkeDecodeException("IKE context slot names SPIs " + spi64(slot.spiInitiator()) + "/"
                        + spi64(slot.spiResponder()) + " but carries the IKE SA "
                        + spi64(sa.initiatorSpi()) + "/" + spi64(sa.responderSpi()));
            }
            return sa;
        } finally {
            java.util.Arrays.fill(encoded, (byte) 0);
        }
    }

    private static String spi64(long spi) {
        return String.format("0x%016x", spi);
    }
}
