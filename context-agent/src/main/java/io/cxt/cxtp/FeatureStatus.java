package io.cxt.cxtp;

/**
 * One "FPT | Status code | Reserved" entry of a CTAA or CTDR: which feature profile type and how
 * it fared (0 is success; other values are context specific, e.g. {@link #BAD_CHECKSUM}).
 *
 * @param featureProfileType 16-bit FPT
 * @param statusCode 8-bit status
 */
public record FeatureStatus(int featureProfileType, int statusCode) {

    /** Octets per entry on the wire. */
    public static final int LENGTH = 4;

    /** RFC 4067 section 4: the SCTP checksum failed. */
    public static final int BAD_CHECKSUM = 0x01;

    public FeatureStatus {
        if (featureProfileType < 0 || featureProfileType > 0xffff) {
            throw new IllegalArgumentException("feature profile type must be 0..65535: " + featureProfileType);
        }
        if (statusCode < 0 || statusCode > 0xff) {
            throw new IllegalArgumentException("status code must be 0..255: " + statusCode);
        }
    }
}
