package io.cxt.agent.config;

/**
 * The SPIs this agent may allocate for inbound SAs ({@code spi-range = "0x100-0xcfffffff"}),
 * unsigned 32-bit values held in ints (as io.cxt.context.SpiAllocator takes them).
 *
 * @param first lowest SPI (unsigned), at least 0x100 (RFC 4303: 1..255 are reserved)
 * @param last highest SPI (unsigned), not below {@code first}
 */
public record SpiRange(int first, int last) {

    public static final SpiRange DEFAULT = new SpiRange(0x100, 0xcfffffff);

    public SpiRange {
        if (Integer.compareUnsigned(first, 0x100) < 0) {
            throw new IllegalArgumentException("SPIs below 0x100 are reserved (RFC 4303)");
        }
        if (Integer.compareUnsigned(first, last) > 0) {
            throw new IllegalArgumentException("empty range: first 0x" + Integer.toHexString(first) + " > last 0x"
                    + Integer.toHexString(last));
        }
    }

    @Override
    public String toString() {
        return "0x" + Integer.toHexString(first) + "-0x" + Integer.toHexString(last);
    }
}
