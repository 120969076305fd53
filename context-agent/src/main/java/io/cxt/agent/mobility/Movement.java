package io.cxt.agent.mobility;

import java.net.InetAddress;

/**
 * One detected move: the MN is attached through {@code interfaceName} with {@code careOf}, and
 * {@code router} is the access router there. Times are {@link System#nanoTime} readings.
 *
 * @param linkUpNanos when the interface's carrier came up, or -1 when it was up before (an address
 *        or router change on a link that stayed up)
 * @param firstChangeNanos the first change of this move (link, address or route)
 * @param triggerNanos when the debounce ended and the move was decided
 * @param cause what changed, for the log: "link up", "new address", "new router"
 */
public record Movement(String interfaceName, int interfaceIndex, InetAddress careOf, InetAddress router,
        long linkUpNanos, long firstChangeNanos, long triggerNanos, String cause) {
}
