package io.cxt.ha;

/**
 * HA attribute tags of strongSwan 5.x (ha_message.h, {@code ha_message_attribute_t}) and how each value is
 * encoded (ha_message.c). There is no length field: the encoding decides where a value ends, so an unknown
 * tag ends decoding.
 */
public enum HaAttributeType {
    IKE_ID(1, Encoding.IKE_SA_ID), IKE_REKEY_ID(2, Encoding.IKE_SA_ID),
    LOCAL_ID(3, Encoding.IDENTITY), REMOTE_ID(4, Encoding.IDENTITY), REMOTE_EAP_ID(5, Encoding.IDENTITY),
    LOCAL_ADDR(6, Encoding.HOST), REMOTE_ADDR(7, Encoding.HOST), CONFIG_NAME(8, Encoding.STRING),
    CONDITIONS(9, Encoding.U32), EXTENSIONS(10, Encoding.U32), LOCAL_VIP(11, Encoding.HOST),
    REMOTE_VIP(12, Encoding.HOST), PEER_ADDR(13, Encoding.HOST), INITIATOR(14, Encoding.U8),
    NONCE_I(15, Encoding.CHUNK), NONCE_R(16, Encoding.CHUNK), SECRET(17, Encoding.SECRET),
    OLD_SKD(18, Encoding.SECRET), ALG_PRF(19, Encoding.U16), ALG_OLD_PRF(20, Encoding.U16),
    ALG_ENCR(21, Encoding.U16), ALG_ENCR_LEN(22, Encoding.U16), ALG_INTEG(23, Encoding.U16),
    ALG_DH(24, Encoding.U16), IPSEC_MODE(25, Encoding.U8), IPCOMP(26, Encoding.U8),
    INBOUND_SPI(27, Encoding.U32), OUTBOUND_SPI(28, Encoding.U32), INBOUND_CPI(29, Encoding.U16),
    OUTBOUND_CPI(30, Encoding.U16), LOCAL_TS(31, Encoding.TS), REMOTE_TS(32, Encoding.TS),
    MID(33, Encoding.U32), SEGMENT(34, Encoding.U16), ESN(35, Encoding.U16), IKE_VERSION(36, Encoding.U8),
    LOCAL_DH(37, Encoding.CHUNK), REMOTE_DH(38, Encoding.CHUNK), PSK(39, Encoding.SECRET),
    IV(40, Encoding.SECRET), AUTH_METHOD(41, Encoding.U16);

    /** Wire encodings of ha_message.c. SECRET is a chunk whose bytes never print. */
    public enum Encoding { IKE_SA_ID, IDENTITY, HOST, STRING, U8, U16, U32, CHUNK, SECRET, TS }

    private static final HaAttributeType[] BY_CODE = new HaAttributeType[42];
    static {
        for (HaAttributeType t : values()) {
            BY_CODE[t.code] = t;
        }
    }

    private final int code;
    private final Encoding encoding;

    HaAttributeType(int code, Encoding encoding) {
        this.code = code;
        this.encoding = encoding;
    }

    public int code() {
        return code;
    }

    public Encoding encoding() {
        return encoding;
    }

    /** The attribute of a tag, or null when strongSwan 5.x has none. */
    public static HaAttributeType of(int code) {
        return code > 0 && code < BY_CODE.length ? BY_CODE[code] : null;
    }
}
