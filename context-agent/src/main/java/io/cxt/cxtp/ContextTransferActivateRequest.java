package io.cxt.cxtp;

import java.net.InetAddress;
import java.util.List;

/**
 * CTAR (RFC 4067 section 2.5.1), MN to AR: activate (and if needed fetch) the MN's contexts.
 *
 * <pre>
 * |Vers.|   Type  |V|A| Reserved  |            Length             |
 * ~                   MN's Previous IP Address                    ~
 * ~                  Previous (New) AR IP Address                 ~
 * |                        Sequence Number                        |
 * |                     MN Authorization Token                    |
 * |            Requested Context Data Block (if present)          | ...
 * </pre>
 *
 * @param acknowledgementRequested the A flag: the MN wants a CTAA
 * @param previousAddress the MN's previous IP address
 * @param otherRouterAddress nAR's address when sent to pAR, pAR's address when sent to nAR
 * @param sequenceNumber unsigned 32-bit; the same for the pAR and nAR copies of one request
 * @param authorizationToken First(32, HMAC_SHA1(key, previous address | sequence number | CDBs))
 * @param requestedContexts request blocks; empty means "all contexts"
 */
public record ContextTransferActivateRequest(boolean acknowledgementRequested, InetAddress previousAddress,
                                             InetAddress otherRouterAddress, long sequenceNumber,
                                             int authorizationToken, List<ContextDataBlock> requestedContexts)
        implements CxtpMessage {

    public ContextTransferActivateRequest {
        previousAddress = Addresses.normalize(previousAddress, "MN previous address");
        otherRouterAddress = Addresses.normalize(otherRouterAddress, "AR address");
        Addresses.sameFamily(previousAddress, otherRouterAddress, "AR address");
        Addresses.u32(sequenceNumber, "sequence number");
        requestedContexts = Addresses.copy(requestedContexts);
    }

    @Override
    public MessageType type() {
        return MessageType.CTAR;
    }
}
