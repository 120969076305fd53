package io.cxt.cxtp;

import java.net.InetAddress;
import java.util.List;

/**
 * PCTD (RFC 4067 section 2.5.3, type 0x4), pAR to nAR: a CTD that also carries the key nAR needs
 * to verify the MN's authorization token locally.
 *
 * <pre>
 * |Vers.|   Type  |V|A| Reserved  |          Length               |
 * |               Elapsed Time (in milliseconds)                  |
 * ~            Mobile Node's Previous Care-of Address             ~
 * |            Algorithm          |            Key Length         |
 * ~                              Key                              ~  (zero padded to 4 octets)
 * ~                   First Context Data Block                    ~ ...
 * </pre>
 *
 * <p>Decided: the key fields are present exactly when the type is PCTD. RFC 4067 also has pAR
 * send them in answer to a CT-Req with a null token, "as if the message were being sent due to
 * predictive transfer"; we send that answer as a PCTD, because a CTD gives the receiver no way to
 * tell whether key fields follow the address. The key is followed by zero padding to a 4-octet
 * boundary (not counted in Key Length) so that the CDBs stay 32-bit aligned as in every figure.
 *
 * @param acknowledgementRequested the A flag
 * @param elapsedTimeMillis unsigned 32-bit milliseconds since the first CTD for this MN was sent
 * @param previousAddress the MN's previous IP address
 * @param tokenKey algorithm and MN-AR key for the authorization token
 * @param contexts the context data blocks
 */
public record PredictiveContextTransferData(boolean acknowledgementRequested, long elapsedTimeMillis,
                                            InetAddress previousAddress, TokenKeyMaterial tokenKey,
                                            List<ContextDataBlock> contexts) implements CxtpMessage {

    public PredictiveContextTransferData {
        Addresses.u32(elapsedTimeMillis, "elapsed time");
        previousAddress = Addresses.normalize(previousAddress, "MN previous address");
        if (tokenKey == null) {
            throw new IllegalArgumentException("PCTD requires token key material");
        }
        contexts = Addresses.copy(contexts);
    }

    @Override
    public MessageType type() {
        return MessageType.PCTD;
    }
}
