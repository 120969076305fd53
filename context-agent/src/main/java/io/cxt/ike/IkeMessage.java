package io.cxt.ike;

import java.nio.ByteBuffer;
import java.util.List;
import java.util.Optional;

/**
 * An IKEv2 message as on the wire: header and payload chain. The header's Next Payload and Length
 * fields are derived from the payloads, so a message is always consistent. An Encrypted payload
 * stays encrypted here; {@link SkProtector} opens it.
 */
public record IkeMessage(IkeHeader header, List<IkePayload> payloads) {

    public IkeMessage {
        payloads = List.copyOf(payloads);
        PayloadChain.checkPlacement(payloads, false);
        header = header.withNextPayloadAndLength(PayloadChain.firstType(payloads),
                (long) IkeHeader.LENGTH + PayloadChain.encodedLength(payloads));
    }

    public byte[] encode() {
        ByteBuffer b = ByteBuffer.allocate((int) header.length());
        header.encode(b);
        PayloadChain.encode(payloads, b);
        return b.array();
    }

    /**
     * Decodes a whole IKE message (without the 4-octet non-ESP marker of port 4500).
     *
     * @throws IkeDecodeException on anything malformed, and only then
     */
    public static IkeMessage decode(byte[] message) throws IkeDecodeException {
        IkeHeader h = IkeHeader.decode(message);
        if (h.length() != message.length) {
            throw new IkeDecodeException("IKE header says the message has " + h.length() + " octets but it has "
                    + message.length);
        }
        List<IkePayload> payloads = PayloadChain.decode(h.nextPayload(), message, IkeHeader.LENGTH,
                message.length - IkeHeader.LENGTH, false);
        return new IkeMessage(h, payloads);
    }

    /** The Encrypted payload, if the message has one (it is then the last payload). */
    public Optional<EncryptedPayload> encryptedPayload() {
        return payloads.isEmpty() || !(payloads.get(payloads.size() - 1) instanceof EncryptedPayload e)
                ? Optional.empty() : Optional.of(e);
    }
}
