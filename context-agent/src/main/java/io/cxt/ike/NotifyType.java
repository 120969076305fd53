package io.cxt.ike;

/** Notify message types that cxt sends or recognises. */
public final class NotifyType {
    /** MOBIKE (RFC 4555 section 4.2.4): protocol ID and SPI size zero, no data. */
    public static final int UPDATE_SA_ADDRESSES = 16400;
    /**
     * cxt's private UPDATE_SPI status notify (paper section 3.2.4), from the private-use range
     * 40960-65535 but away from strongSwan's 40961-40969. Only meaningful in a message that also
     * carries {@link CxtExtension#VENDOR_ID}.
     */
    public static final int UPDATE_SPI = CxtExtension.UPDATE_SPI_NOTIFY_TYPE;

    private NotifyType() {
    }
}
