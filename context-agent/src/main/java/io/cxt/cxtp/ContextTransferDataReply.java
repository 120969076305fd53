package io.cxt.cxtp;

import java.net.InetAddress;
import java.util.List;

/**
 * CTDR (RFC 4067 section 2.5.4, type 0x5; the RFC's "(Context Transfer Data)" label is a copy
 * slip for "Data Reply"), nAR to pAR: the result of a CTD or PCTD that had the A flag.
 *
 * <pre>
 * |Vers.|  Type   |V|S| Reserved  |          Length               |
 * ~             Mobile Node's Previous IP Address                 ~
 * |        FPT (if present)       |  Status code  |   Reserved    | ...
 * </pre>
 *
 * @param success the S flag: all contexts were received successfully
 * @param previousAddress the MN's previous IP address
 * @param statuses per feature profile type results
 */
public record ContextTransferDataReply(boolean success, InetAddress previousAddress, List<FeatureStatus> statuses)
        implements CxtpMessage {

    public ContextTransferDataReply {
        previousAddress = Addresses.normalize(previousAddress, "MN previous address");
        statuses = Addresses.copy(statuses);
    }

    @Override
    public MessageType type() {
        return MessageType.CTDR;
    }
}
