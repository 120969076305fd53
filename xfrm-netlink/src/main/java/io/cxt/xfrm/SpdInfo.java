package io.cxt.xfrm;

import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;

import io.cxt.nl.NlAttribute;

/**
 * The SPD summary: GETSPDINFO's answer (NEWSPDINFO) and, with only the thresholds set, the
 * NEWSPDINFO request that changes them. A u32 of flags, then XFRMA_SPD_INFO (policy counts),
 * XFRMA_SPD_HINFO (hash buckets) and XFRMA_SPD_IPV4_HTHRESH / IPV6_HTHRESH (the prefix lengths from
 * which a selector is hashed exactly rather than kept in the inexact lists). Absent parts are null.
 */
public record SpdInfo(int flags, Counts counts, HashInfo hashInfo, HashThreshold ipv4Threshold,
                      HashThreshold ipv6Threshold, List<NlAttribute> extraAttributes) {

    /** {@code struct xfrmu_spdinfo} (24 octets): policies per direction; "socket" ones are per-socket policies. */
    public record Counts(int in, int out, int fwd, int inSocket, int outSocket, int fwdSocket) {
        public static final int LENGTH = 24;

        static Counts decode(ByteBuffer b) {
            return new Counts(b.getInt(), b.getInt(), b.getInt(), b.getInt(), b.getInt(), b.getInt());
        }

        void encode(ByteBuffer b) {
            b.putInt(in).putInt(out).putInt(fwd).putInt(inSocket).putInt(outSocket).putInt(fwdSocket);
        }
    }

    /** {@code struct xfrmu_spdhinfo} (8 octets): current and maximum hash bucket counts. */
    public record HashInfo(int buckets, int maxBuckets) {
        public static final int LENGTH = 8;
    }

    /** {@code struct xfrmu_spdhthresh} (2 octets): local and remote prefix-length thresholds. */
    public record HashThreshold(int localBits, int remoteBits) {
        public static final int LENGTH = 2;

        public HashThreshold {
            PolicyWire.u8(localBits, "lbits");
            PolicyWire.u8(remoteBits, "rbits");
        }
    }

    /** The flags value iproute2 sends in GETSPDINFO and NEWSPDINFO (the kernel ignores it). */
    public static final int REQUEST_FLAGS = 0xffffffff;

    public SpdInfo {
        extraAttributes = PolicyWire.copy(extraAttributes);
    }

    /** The NEWSPDINFO request that sets the hash thresholds (either may be null to leave it). */
    public static SpdInfo thresholds(HashThreshold ipv4, HashThreshold ipv6) {
        return new SpdInfo(REQUEST_FLAGS, null, null, ipv4, ipv6, List.of());
    }

    public static SpdInfo decode(ByteBuffer in) {
        ByteBuffer b = PolicyWire.nativeOrder(in);
        XfrmStructs.need(b, 4, "spdinfo flags");
        int flags = b.getInt();
        Counts counts = null;
        HashInfo hinfo = null;
        HashThreshold t4 = null;
        HashThreshold t6 = null;
        List<NlAttribute> extra = new ArrayList<>();
        for (NlAttribute a : PolicyWire.readAttributes(b)) {
            ByteBuffer v = a.valueBuffer();
            switch (a.type()) {
                case XfrmAttrType.SPD_INFO -> {
                    PolicyWire.requireFirst(counts, "XFRMA_SPD_INFO");
                    PolicyWire.requireLength(a, Counts.LENGTH, "XFRMA_SPD_INFO");
                    counts = Counts.decode(v);
                }
                case XfrmAttrType.SPD_HINFO -> {
                    PolicyWire.requireFirst(hinfo, "XFRMA_SPD_HINFO");
                    PolicyWire.requireLength(a, HashInfo.LENGTH, "XFRMA_SPD_HINFO");
                    hinfo = new HashInfo(v.getInt(), v.getInt());
                }
                case XfrmAttrType.SPD_IPV4_HTHRESH -> {
                    PolicyWire.requireFirst(t4, "XFRMA_SPD_IPV4_HTHRESH");
                    PolicyWire.requireLength(a, HashThreshold.LENGTH, "XFRMA_SPD_IPV4_HTHRESH");
                    t4 = new HashThreshold(XfrmStructs.getU8(v), XfrmStructs.getU8(v));
                }
                case XfrmAttrType.SPD_IPV6_HTHRESH -> {
                    PolicyWire.requireFirst(t6, "XFRMA_SPD_IPV6_HTHRESH");
                    PolicyWire.requireLength(a, HashThreshold.LENGTH, "XFRMA_SPD_IPV6_HTHRESH");
                    t6 = new HashThreshold(XfrmStructs.getU8(v), XfrmStructs.getU8(v));
                }
                default -> extra.add(a);
            }
        }
        return new SpdInfo(flags, counts, hinfo, t4, t6, extra);
    }

    public static SpdInfo decode(byte[] payload) {
        return decode(ByteBuffer.wrap(payload));
    }

    private List<NlAttribute> attributes() {
        // build_spdinfo and iproute2 agree on this order
        List<NlAttribute> out = new ArrayList<>();
        if (counts != null) {
            out.add(PolicyWire.attribute(XfrmAttrType.SPD_INFO, Counts.LENGTH, counts::encode));
        }
        if (hashInfo != null) {
            out.add(PolicyWire.attribute(XfrmAttrType.SPD_HINFO, HashInfo.LENGTH,
                    b -> b.putInt(hashInfo.buckets()).putInt(hashInfo.maxBuckets())));
        }
        if (ipv4Threshold != null) {
            out.add(threshold(XfrmAttrType.SPD_IPV4_HTHRESH, ipv4Threshold));
        }
        if (ipv6Threshold != null) {
            out.add(threshold(XfrmAttrType.SPD_IPV6_HTHRESH, ipv6Threshold));
        }
        out.addAll(extraAttributes);
        return out;
    }

    private static NlAttribute threshold(int type, HashThreshold t) {
        return PolicyWire.attribute(type, HashThreshold.LENGTH,
                b -> b.put((byte) t.localBits()).put((byte) t.remoteBits()));
    }

    public int encodedLength() {
        return 4 + NlAttribute.encodedLength(attributes());
    }

    public void encode(ByteBuffer b) {
        b.putInt(flags);
        PolicyWire.writeAttributes(b, attributes());
    }

    public byte[] toBytes() {
        ByteBuffer b = PolicyWire.allocate(encodedLength());
        encode(b);
        return b.array();
    }
}
