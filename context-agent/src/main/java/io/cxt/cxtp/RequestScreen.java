package io.cxt.cxtp;

import java.net.InetSocketAddress;

/**
 * The receiver's cheap checks on a CTAR, made before it is charged to CT_REQUEST_RATE or
 * remembered (no kernel call, no cryptography, no allocation beyond the decoded message): for
 * example that the previous router it names is a configured peer. A refused CTAR is dropped
 * without an answer (answering would reflect traffic to a forged source) and counted as
 * {@link TransportCounter#SCREENED}.
 */
@FunctionalInterface
public interface RequestScreen {

    /** Admits every CTAR. */
    RequestScreen ALL = (from, ctar) -> true;

    /** Whether the CTAR from {@code from} is worth processing. Must be fast and must not throw. */
    boolean admits(InetSocketAddress from, ContextTransferActivateRequest ctar);

    /**
     * Whether the receiver expects this CTAR (it holds a context for the MN it names): such CTARs
     * draw on a global bucket of their own, so a flood of CTARs for unknown MNs from many forged
     * sources cannot starve the MNs whose contexts wait here. Must be fast and must not throw.
     */
    default boolean expected(InetSocketAddress from, ContextTransferActivateRequest ctar) {
        return false;
    }
}
