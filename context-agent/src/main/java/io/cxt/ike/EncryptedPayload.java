package io.cxt.ike;

import java.nio.ByteBuffer;
import java.util.Arrays;

/**
 * Encrypted and Authenticated payload, SK (RFC 7296 section 3.14, RFC 5282 for AEAD), as it
 * appears on the wire: its Next Payload field names the first payload inside, and the content
 * (IV, ciphertext with padding and pad length, integrity checksum or AEAD tag) is opaque to the
 * codec. {@link SkProtector} creates and opens it. It is always the last payload of a message.
 *
 * @param firstInnerPayload  type of the first encrypted payload (0 if the SK payload is empty)
 * @param content            IV | ciphertext | ICV
 */
public record EncryptedPayload(int firstInnerPayload, byte[] content) implements IkePayload {

    public EncryptedPayload {
        Octets.checkU8(firstInnerPayload, "first inner payload type");
        content = Octets.copy(content, "encrypted content");
        IkePayload.checkBodyLength(content.length, "Encrypted");
    }

    @Override
    public int type() {
        return PayloadType.ENCRYPTED;
    }

    @Override
    public byte[] content() {
        return content.clone();
    }

    @Override
    public int bodyLength() {
        return content.length;
    }

    @Override
    public void encodeBody(ByteBuffer b) {
        b.put(content);
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof EncryptedPayload e && e.firstInnerPayload == firstInnerPayload
                && Arrays.equals(e.content, content);
    }

    @Override
    public int hashCode() {
        return firstInnerPayload * 31 + Arrays.hashCode(content);
    }

    @Override
    public String toString() {
        return "Encrypted[first=" + firstInnerPayload + ", " + content.length + " octets]";
    }
}
