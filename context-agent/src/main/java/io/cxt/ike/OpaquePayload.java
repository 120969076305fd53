package io.cxt.ike;

import java.nio.ByteBuffer;
import java.util.Arrays;

/**
 * A payload whose body the codec does not interpret (SA, KE, ID, AUTH, ... or a type it does not
 * know at all). It is kept with its critical bit and re-emitted unchanged, never dropped.
 */
public record OpaquePayload(int type, boolean critical, byte[] body) implements IkePayload {

    public OpaquePayload {
        if (type < 1 || type > 0xff) {
            throw new IllegalArgumentException("payload type out of range 1-255: " + type);
        }
        if (PayloadChain.isInterpreted(type)) {
            throw new IllegalArgumentException("payload type " + type + " has its own record");
        }
        body = Octets.copy(body, "payload body");
        IkePayload.checkBodyLength(body.length, "payload " + type);
    }

    @Override
    public byte[] body() {
        return body.clone();
    }

    /** Whether the receiver must reject the message: critical and of a type IKEv2 does not define. */
    public boolean mustBeUnderstood() {
        return critical && !PayloadType.isDefinedByRfc7296(type);
    }

    @Override
    public int bodyLength() {
        return body.length;
    }

    @Override
    public void encodeBody(ByteBuffer b) {
        b.put(body);
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof OpaquePayload p && p.type == type && p.critical == critical && Arrays.equals(p.body, body);
    }

    @Override
    public int hashCode() {
        return (type * 31 + (critical ? 1 : 0)) * 31 + Arrays.hashCode(body);
    }

    @Override
    public String toString() {
        return "Payload[type=" + type + (critical ? ", critical" : "") + ", body=" + Octets.hex(body) + "]";
    }
}
