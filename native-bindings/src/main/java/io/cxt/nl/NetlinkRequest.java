package io.cxt.nl;

import java.util.Arrays;

/** A request to send: message type, flags (NLM_F_REQUEST is added by the socket) and payload. */
public record NetlinkRequest(int type, int flags, byte[] payload) {
    public NetlinkRequest {
        payload = payload == null ? new byte[0] : payload;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof NetlinkRequest r && r.type == type && r.flags == flags && Arrays.equals(r.payload, payload);
    }

    @Override
    public int hashCode() {
        return (type * 31 + flags) * 31 + Arrays.hashCode(payload);
    }

    @Override
    public String toString() {
        return "NetlinkRequest[type=" + type + ", flags=0x" + Integer.toHexString(flags) + ", " + payload.length + " octets]";
    }
}
