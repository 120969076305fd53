package io.cxt.ike;

import java.nio.ByteBuffer;
import java.util.Arrays;

/** Vendor ID payload (RFC 7296 section 3.12): an opaque vendor-defined constant. */
public record VendorIdPayload(byte[] vendorId) implements IkePayload {

    public VendorIdPayload {
        vendorId = Octets.copy(vendorId, "vendor ID");
        IkePayload.checkBodyLength(vendorId.length, "Vendor ID");
    }

    @Override
    public int type() {
        return PayloadType.VENDOR_ID;
    }

    @Override
    public byte[] vendorId() {
        return vendorId.clone();
    }

    public boolean is(byte[] id) {
        return Arrays.equals(vendorId, id);
    }

    @Override
    public int bodyLength() {
        return vendorId.length;
    }

    @Override
    public void encodeBody(ByteBuffer b) {
        b.put(vendorId);
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof VendorIdPayload v && Arrays.equals(v.vendorId, vendorId);
    }

    @Override
    public int hashCode() {
        return Arrays.hashCode(vendorId);
    }

    @Override
    public String toString() {
        return "VendorId[" + Octets.hex(vendorId) + "]";
    }
}
