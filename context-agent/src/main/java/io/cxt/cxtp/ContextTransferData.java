package io.cxt.cxtp;

import java.net.InetAddress;
import java.util.List;

/**
 * CTD (RFC 4067 section 2.5.3, type 0x3), pAR to nAR: the MN's feature contexts, without token key
 * material. When pAR must also send the key material (predictive transfer, or a CT-Req with a
 * null token) it sends a {@link PredictiveContextTransferData} instead, because the receiver can
 * only know the key fields are present from the type.
 *
 * <pre>
 * |Vers.|   Type  |V|A| Reserved  |          Length               |
 * |               Elapsed Time (in milliseconds)                  |
 * ~            Mobile Node's Previous Care-of Address             ~
 * ~                   First Context Data Block                    ~ ...
 * </pre>
 *
 * @param acknowledgementRequested the A flag: pAR wants a CTDR
 * @param elapsedTimeMillis unsigned 32-bit milliseconds since the first CTD for this MN was sent
 * @param previousAddress the MN's previous IP address
 * @param contexts the context data blocks
 */
public record ContextTransferData(boolean acknowledgementRequested, long elapsedTimeMillis,
                                  InetAddress previousAddress, List<ContextDataBlock> contexts)
        implements CxtpMessage {

    public ContextTransferData {
        Addresses.u32(elapsedTimeMillis, "elapsed time");
        previousAddress = Addresses.normalize(previousAddress, "MN previous address");
        contexts = Addresses.copy(contexts);
    }

    @Override
    public MessageType type() {
        return MessageType.CTD;
    }
}
