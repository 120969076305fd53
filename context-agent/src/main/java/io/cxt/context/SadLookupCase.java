package io.cxt.context;

/**
 * How the target kernel finds an inbound SA for a received packet, which decides when a
 * transferred SPI collides with one already there (the paper's section 3.2.3).
 */
public enum SadLookupCase {
    /**
     * Case 1: the SPI alone identifies an SA. Every transferred SPI, inbound or outbound, must be
     * unique on the whole target.
     */
    SPI_ONLY,
    /**
     * Case 2: SPI and destination address (and protocol). Only SAs whose destination is the
     * target itself (inbound) can collide. This is Linux: {@code xfrm_state_lookup(daddr, spi,
     * proto)}; kernels with commit 94f39804d891 additionally keep inbound SPIs unique across
     * destinations, which {@link #SPI_ONLY}-style checking of inbound SPIs covers.
     */
    SPI_DESTINATION,
    /**
     * Case 3: SPI, destination and source. The MN's new care-of address is part of the key and is
     * new on the target, so transferred SAs cannot collide.
     */
    SPI_DESTINATION_SOURCE;

    /** The default: how Linux looks up inbound SAs. */
    public static final SadLookupCase DEFAULT = SPI_DESTINATION;

    /** Parses the configuration/CLI spelling: spi, spi-dst, spi-dst-src. */
    public static SadLookupCase parse(String s) {
        return switch (s.toLowerCase(java.util.Locale.ROOT)) {
            case "spi", "1", "spi_only" -> SPI_ONLY;
            case "spi-dst", "2", "spi_destination" -> SPI_DESTINATION;
            case "spi-dst-src", "3", "spi_destination_source" -> SPI_DESTINATION_SOURCE;
            default -> throw new IllegalArgumentException("unknown SAD lookup case '" + s
                    + "' (expected spi, spi-dst or spi-dst-src)");
        };
    }

    public String spelling() {
        return switch (this) {
            case SPI_ONLY -> "spi";
            case SPI_DESTINATION -> "spi-dst";
            case SPI_DESTINATION_SOURCE -> "spi-dst-src";
        };
    }
}
