package io.cxt.cxtp;

import java.net.Inet4Address;
import java.net.InetAddress;

/**
 * A CXTP version 1 message. Every message identifies the mobile node by its previous IP address
 * (RFC 4067 section 2.5); the V flag on the wire is derived from that address's family.
 */
public sealed interface CxtpMessage permits ContextTransferActivateRequest, ContextTransferActivateAcknowledge,
        ContextTransferData, PredictiveContextTransferData, ContextTransferDataReply, ContextTransferCancel,
        ContextTransferRequest {

    MessageType type();

    /** The MN's previous IP address (IPv4 or IPv6, never scoped). */
    InetAddress previousAddress();

    /** The V flag: true when the message carries IPv4 addresses. */
    default boolean ipv4Addresses() {
        return previousAddress() instanceof Inet4Address;
    }

    /** Whether the sender asks for an acknowledgement (the A flag of CTAR, CTD and PCTD). */
    default boolean acknowledgementRequested() {
        return false;
    }
}
