package io.cxt.cxtp;

import java.net.InetAddress;

/**
 * CTC (RFC 4067 section 2.5.5), nAR to pAR: cancel the ongoing transfer for a MN.
 *
 * <pre>
 * |Vers.|  Type   |V|   Reserved  |            Length             |
 * ~               Mobile Node's Previous IP Address               ~
 * </pre>
 *
 * @param previousAddress the MN's previous IP address
 */
public record ContextTransferCancel(InetAddress previousAddress) implements CxtpMessage {

    public ContextTransferCancel {
        previousAddress = Addresses.normalize(previousAddress, "MN previous address");
    }

    @Override
    public MessageType type() {
        return MessageType.CTC;
    }
}
