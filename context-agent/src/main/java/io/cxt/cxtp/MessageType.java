package io.cxt.cxtp;

/**
 * The seven CXTP message types (RFC 4067 section 2.5), with their 5-bit type codes.
 */
public enum MessageType {
    /** Context Transfer Activate Request, MN to AR. */
    CTAR(0x1),
    /** Context Transfer Activate Acknowledge, AR to MN. */
    CTAA(0x2),
    /** Context Transfer Data, pAR to nAR. */
    CTD(0x3),
    /** Predictive Context Transfer Data: CTD plus the token key material, pAR to nAR. */
    PCTD(0x4),
    /** Context Transfer Data Reply, nAR to pAR. */
    CTDR(0x5),
    /** Context Transfer Cancel, nAR to pAR. */
    CTC(0x6),
    /** Context Transfer Request, nAR to pAR. */
    CT_REQ(0x7);

    private final int code;

    MessageType(int code) {
        this.code = code;
    }

    /** The 5-bit type code on the wire. */
    public int code() {
        return code;
    }

    /** The type for a wire code, or null if the code is not a CXTP version 1 type. */
    public static MessageType fromCode(int code) {
        for (MessageType t : values()) {
            if (t.code == code) {
                return t;
            }
        }
        return null;
    }

    /**
     * The request this type acknowledges (CTAA acknowledges CTAR, CTDR acknowledges CTD and
     * PCTD, reported as CTD), or null if this type is not an acknowledgement.
     */
    public MessageType acknowledges() {
        return switch (this) {
            case CTAA -> CTAR;
            case CTDR -> CTD;
            default -> null;
        };
    }

    /** CTD and PCTD are one request family for acknowledgement matching; others are their own. */
    public MessageType requestFamily() {
        return this == PCTD ? CTD : this;
    }
}
