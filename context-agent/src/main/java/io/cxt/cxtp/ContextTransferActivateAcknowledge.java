package io.cxt.cxtp;

import java.net.InetAddress;
import java.util.List;

/**
 * CTAA (RFC 4067 section 2.5.2), AR to MN: acknowledges a CTAR, listing the feature profile
 * types that were <em>not</em> transferred. It carries no sequence number; see
 * {@link ReliableDelivery} for how it is matched to its CTAR.
 *
 * <pre>
 * |Vers.|  Type   |V|  Reserved   |            Length             |
 * ~              Mobile Node's Previous IP address                ~
 * |       FPT (if present)        |  Status code  |   Reserved    | ...
 * </pre>
 *
 * @param previousAddress the MN's previous IP address
 * @param failedContexts contexts not transferred, with the failure reason
 */
public record ContextTransferActivateAcknowledge(InetAddress previousAddress, List<FeatureStatus> failedContexts)
        implements CxtpMessage {

    public ContextTransferActivateAcknowledge {
        previousAddress = Addresses.normalize(previousAddress, "MN previous address");
        failedContexts = Addresses.copy(failedContexts);
    }

    @Override
    public MessageType type() {
        return MessageType.CTAA;
    }
}
