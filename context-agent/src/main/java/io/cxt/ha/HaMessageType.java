package io.cxt.ha;

/** HA message types of strongSwan 5.x (ha_message.h, {@code ha_message_type_t}); the code is octet 1. */
public enum HaMessageType {
    IKE_ADD(1), IKE_UPDATE(2), IKE_MID_INITIATOR(3), IKE_MID_RESPONDER(4), IKE_DELETE(5),
    CHILD_ADD(6), CHILD_DELETE(7), SEGMENT_DROP(8), SEGMENT_TAKE(9), STATUS(10), RESYNC(11), IKE_IV(12);

    private static final HaMessageType[] BY_CODE = new HaMessageType[13];
    static {
        for (HaMessageType t : values()) {
            BY_CODE[t.code] = t;
        }
    }

    private final int code;

    HaMessageType(int code) {
        this.code = code;
    }

    public int code() {
        return code;
    }

    /** The type of a code, or null when strongSwan 5.x has none. */
    public static HaMessageType of(int code) {
        return code > 0 && code < BY_CODE.length ? BY_CODE[code] : null;
    }
}
