package io.cxt.ike;

/**
 * Lifetime of the IKE SA. IKEv2 does not negotiate lifetimes; each end applies its own policy, so
 * these are the values the SA's owner applies. Zero means "no limit".
 *
 * @param establishedEpochSeconds  when the IKE SA was established (Unix time)
 * @param rekeyAfterSeconds        soft lifetime: rekey this long after establishment
 * @param deleteAfterSeconds       hard lifetime: delete this long after establishment
 */
public record IkeLifetime(long establishedEpochSeconds, long rekeyAfterSeconds, long deleteAfterSeconds) {

    public IkeLifetime {
        if (establishedEpochSeconds < 0 || rekeyAfterSeconds < 0 || deleteAfterSeconds < 0) {
            throw new IllegalArgumentException("lifetimes must not be negative");
        }
        if (rekeyAfterSeconds > 0 && deleteAfterSeconds > 0 && rekeyAfterSeconds > deleteAfterSeconds) {
            throw new IllegalArgumentException("the IKE SA would be deleted (" + deleteAfterSeconds
                    + " s) before it is rekeyed (" + rekeyAfterSeconds + " s)");
        }
    }
}
