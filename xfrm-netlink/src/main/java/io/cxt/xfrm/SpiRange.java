package io.cxt.xfrm;

import java.nio.ByteBuffer;
import java.util.Objects;

/**
 * {@code struct xfrm_userspi_info} (232 octets): the fixed part of ALLOCSPI, the SA to create in
 * the larval state and the inclusive SPI range to pick from (host values; {@code min == max}
 * asks for exactly that SPI).
 */
public record SpiRange(SaInfo info, int min, int max) {

    public static final int LENGTH = SaInfo.LENGTH + 8;

    public SpiRange {
        Objects.requireNonNull(info, "info");
    }

    public static SpiRange decode(ByteBuffer b) {
        XfrmStructs.need(b, LENGTH, "xfrm_userspi_info");
        return new SpiRange(SaInfo.decode(b), b.getInt(), b.getInt());
    }

    public void encode(ByteBuffer b) {
        info.encode(b);
        b.putInt(min).putInt(max);
    }
}
