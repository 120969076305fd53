package io.cxt.xfrm;

import java.net.InetAddress;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

import io.cxt.nl.NlAttribute;

/**
 * REPORT (Mobile IPv6): {@code struct xfrm_user_report} (60 octets: proto u8, 3 pad, selector at 4) and
 * an optional XFRMA_COADDR care-of address, read in the selector's family (kept as 16 octets of IPv6
 * when an AF_INET guess would drop non-zero octets).
 *
 * @param careOfAddress the XFRMA_COADDR address, or null when absent
 */
public record ReportEvent(int proto, Selector selector, InetAddress careOfAddress, List<NlAttribute> extraAttributes) {

    public static final int LENGTH = 60;

    public ReportEvent {
        PolicyWire.u8(proto, "proto");
        Objects.requireNonNull(selector, "selector");
        extraAttributes = PolicyWire.copy(extraAttributes);
    }

    public static ReportEvent decode(ByteBuffer in) {
        ByteBuffer b = PolicyWire.nativeOrder(in);
        XfrmStructs.need(b, LENGTH, "xfrm_user_report");
        int proto = XfrmStructs.getU8(b);
        XfrmStructs.skip(b, 3);
        Selector sel = Selector.decode(b);
        InetAddress coaddr = null;
        List<NlAttribute> extra = new ArrayList<>();
        for (NlAttribute a : PolicyWire.readAttributes(b)) {
            if (a.type() == XfrmAttrType.COADDR) {
                PolicyWire.requireFirst(coaddr, "XFRMA_COADDR");
                PolicyWire.requireLength(a, XfrmStructs.ADDRESS_LENGTH, "XFRMA_COADDR");
                coaddr = PolicyWire.readInferredAddress(a.valueBuffer(), sel.family());
            } else {
                extra.add(a);
            }
        }
        return new ReportEvent(proto, sel, coaddr, extra);
    }

    public static ReportEvent decode(byte[] payload) {
        return decode(ByteBuffer.wrap(payload));
    }

    private List<NlAttribute> attributes() {
        List<NlAttribute> out = new ArrayList<>();
        if (careOfAddress != null) {
            out.add(PolicyWire.attribute(XfrmAttrType.COADDR, XfrmStructs.ADDRESS_LENGTH,
                    b -> XfrmStructs.writeAddress(b, careOfAddress)));
        }
        out.addAll(extraAttributes);
        return out;
    }

    public int encodedLength() {
        return LENGTH + NlAttribute.encodedLength(attributes());
    }

    public void encode(ByteBuffer b) {
        b.put((byte) proto);
        XfrmStructs.pad(b, 3);
        selector.encode(b);
        PolicyWire.writeAttributes(b, attributes());
    }

    public byte[] toBytes() {
        ByteBuffer b = PolicyWire.allocate(encodedLength());
        encode(b);
        return b.array();
    }
}
