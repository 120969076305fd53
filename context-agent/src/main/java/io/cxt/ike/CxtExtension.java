package io.cxt.ike;

import java.util.HexFormat;

/**
 * cxt's private IKEv2 extension (docs/ike.md): the UPDATE_SPI status notify of the paper's section
 * 3.2.4, announced by a Vendor ID payload as RFC 7296 section 3.12 requires for private-use numbers.
 */
public final class CxtExtension {
    /** The text whose SHA-256 hash, truncated to 16 octets, is the Vendor ID. */
    public static final String VENDOR_ID_TEXT = "cxt IKEv2 context transfer: UPDATE_SPI notify, version 1";

    private static final byte[] VENDOR_ID = HexFormat.of().parseHex("b9a624a2a06b00afc32e06438f95d737");

    /**
     * Private-use status notify type 51968 (0xCB00): inside 40960-65535, well away from strongSwan's
     * 40961-40969 and the other values seen in the wild near the start of the range.
     */
    public static final int UPDATE_SPI_NOTIFY_TYPE = 0xCB00;

    private CxtExtension() {
    }

    /** SHA-256("cxt IKEv2 context transfer: UPDATE_SPI notify, version 1")[0..16). */
    public static byte[] vendorId() {
        return VENDOR_ID.clone();
    }

    public static VendorIdPayload vendorIdPayload() {
        return new VendorIdPayload(VENDOR_ID);
    }

    public static boolean isCxtVendorId(IkePayload p) {
        return p instanceof VendorIdPayload v && v.is(VENDOR_ID);
    }
}
