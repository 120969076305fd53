package io.cxt.context;

import java.util.List;

import io.cxt.xfrm.SaKey;

/**
 * SPIs held on the target kernel for one MN's inbound SAs, as larval SAs made by ALLOCSPI, and the
 * SPI changes that holding them required. The installer turns each larval SA into the real one
 * with UPDSA; releasing deletes them. The kernel drops an unused larval SA by itself after its
 * acquire timeout (net.core.xfrm_acq_expires, 30 s by default), so a forgotten reservation cannot
 * hold an SPI for ever.
 *
 * @param held     larval SAs on the target, by key (destination, SPI, protocol)
 * @param mappings SPIs that differ from the transferred ones
 */
public record SpiReservations(List<SaKey> held, List<SpiMapping> mappings) {

    public static final SpiReservations NONE = new SpiReservations(List.of(), List.of());

    public SpiReservations {
        held = List.copyOf(held);
        mappings = List.copyOf(mappings);
    }

    public boolean holds(SaKey key) {
        for (SaKey k : held) {
            if (k.id().equals(key.id())) {
                return true;
            }
        }
        return false;
    }
}
