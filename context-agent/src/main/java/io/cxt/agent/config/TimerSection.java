package io.cxt.agent.config;

import java.time.Duration;
import java.util.Objects;

/**
 * The {@code [timers]} table (optional; RFC 4067 section 7 defaults).
 *
 * @param cxtpRetryInitial {@code cxtp-retry-initial}: CT_REQUEST_RETRY, default 2s (doubling)
 * @param cxtpRetryMax {@code cxtp-retry-max}: CT_RETRY_MAX, default 15s
 * @param maxTransferTime {@code max-transfer-time}: CT_MAX_TRANSFER_TIME, default 200ms
 */
public record TimerSection(Duration cxtpRetryInitial, Duration cxtpRetryMax, Duration maxTransferTime) {

    public static final TimerSection DEFAULT = new TimerSection(Duration.ofSeconds(2), Duration.ofSeconds(15),
            Duration.ofMillis(200));

    public TimerSection {
        Objects.requireNonNull(cxtpRetryInitial, "cxtpRetryInitial");
        Objects.requireNonNull(cxtpRetryMax, "cxtpRetryMax");
        Objects.requireNonNull(maxTransferTime, "maxTransferTime");
    }
}
