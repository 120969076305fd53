package io.cxt.cxtp;

import java.net.InetAddress;
import java.util.List;

/**
 * CT-Req (RFC 4067 section 2.5.6, type 0x7), nAR to pAR: send me this MN's contexts. Sequence
 * number, token and request blocks are copied verbatim from the CTAR, so pAR can verify the
 * token over the same input.
 *
 * <pre>
 * |Vers.|  Type   |V|  Reserved   |            Length             |
 * ~               Mobile Node's Previous IP Address               ~
 * |                        Sequence Number                        |
 * |                     MN Authorization Token                    |
 * ~        Next Requested Context Data Block (if present)         ~ ...
 * </pre>
 *
 * <p>A token of zero is the "null token" of section 2.5.6: nAR has not yet seen the CTAR and pAR
 * answers with a {@link PredictiveContextTransferData}. (Section 2.5.3 calls this "a CTD message
 * with a null Authorization Token"; CTD has no token field, so we read it as CT-Req.)
 *
 * @param previousAddress the MN's previous IP address
 * @param sequenceNumber unsigned 32-bit, from the CTAR
 * @param authorizationToken from the CTAR, or 0 (null token)
 * @param requestedContexts request blocks from the CTAR
 */
public record ContextTransferRequest(InetAddress previousAddress, long sequenceNumber, int authorizationToken,
                                     List<ContextDataBlock> requestedContexts) implements CxtpMessage {

    public ContextTransferRequest {
        previousAddress = Addresses.normalize(previousAddress, "MN previous address");
        Addresses.u32(sequenceNumber, "sequence number");
        requestedContexts = Addresses.copy(requestedContexts);
    }

    /** The CT-Req nAR sends for a CTAR it received: same address, sequence number, token, blocks. */
    public static ContextTransferRequest forActivateRequest(ContextTransferActivateRequest ctar) {
        return new ContextTransferRequest(ctar.previousAddress(), ctar.sequenceNumber(),
                ctar.authorizationToken(), ctar.requestedContexts());
    }

    /** True when the token is the null token (nAR has not received the CTAR yet). */
    public boolean hasNullToken() {
        return authorizationToken == AuthorizationToken.NULL_TOKEN;
    }

    @Override
    public MessageType type() {
        return MessageType.CT_REQ;
    }
}
