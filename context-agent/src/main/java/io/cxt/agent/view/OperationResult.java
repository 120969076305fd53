package io.cxt.agent.view;

import java.util.Map;

/**
 * Answer to {@code transfer}, {@code activate}, {@code cancel}, {@code ike-import}.
 *
 * @param ok whether it succeeded
 * @param summary one line for humans (what happened to which MN and SPI)
 * @param details extra facts for scripts, e.g. "delayMicros", "ctarOctets", "ctaaOctets", "spiChanges"
 */
public record OperationResult(boolean ok, String summary, Map<String, Object> details) {
    public OperationResult {
        details = Map.copyOf(details);
    }
}
