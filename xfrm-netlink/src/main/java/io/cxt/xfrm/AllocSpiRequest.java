package io.cxt.xfrm;

import java.net.InetAddress;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

import io.cxt.nl.NlAttribute;

/**
 * An ALLOCSPI request: {@link SpiRange} plus the attributes the kernel takes for the larval SA it
 * creates, XFRMA_MARK, XFRMA_IF_ID, XFRMA_SA_PCPU and XFRMA_SA_DIR; anything else is kept raw.
 */
public record AllocSpiRequest(SpiRange range, Mark mark, Integer ifId, Integer pcpu, Integer saDir,
                              List<NlAttribute> unknownAttributes) {

    public AllocSpiRequest {
        Objects.requireNonNull(range, "range");
        if (saDir != null) {
            StateCodec.checkU8(saDir, "SA direction");
        }
        unknownAttributes = unknownAttributes == null ? List.of() : List.copyOf(unknownAttributes);
    }

    /**
     * The request iproute2's {@code ip xfrm state allocspi src S dst D proto P mode M reqid R
     * [mark ...] min MIN max MAX} sends: no selector, no lifetimes (all zero), family from the
     * addresses.
     */
    public static AllocSpiRequest of(InetAddress src, InetAddress dst, int proto, int reqid, int mode, Mark mark,
                                     Integer ifId, int min, int max) {
        int family = AddressFamily.of(dst);
        SaInfo info = new SaInfo(Selector.any(AddressFamily.UNSPEC), new XfrmId(dst, 0, proto), src,
                new LifetimeConfig(0, 0, 0, 0, 0, 0, 0, 0), LifetimeCurrent.ZERO, SaStats.ZERO, 0, reqid, family,
                mode, 0, 0);
        return new AllocSpiRequest(new SpiRange(info, min, max), mark, ifId, null, null, List.of());
    }

    public AllocSpiRequest withSaDir(Integer dir) {
        return new AllocSpiRequest(range, mark, ifId, pcpu, dir, unknownAttributes);
    }

    public AllocSpiRequest withPcpu(Integer cpu) {
        return new AllocSpiRequest(range, mark, ifId, cpu, saDir, unknownAttributes);
    }

    public List<NlAttribute> attributes() {
        List<NlAttribute> out = new ArrayList<>();
        SaScopeAttributes.encode(out, mark, ifId, pcpu, saDir);
        out.addAll(unknownAttributes);
        return out;
    }

    public byte[] toBytes() {
        return StateCodec.payload(SpiRange.LENGTH, range::encode, attributes());
    }

    public static AllocSpiRequest decode(ByteBuffer payload) {
        return StateCodec.guard("xfrm_userspi_info request", () -> {
            ByteBuffer b = payload.duplicate().order(java.nio.ByteOrder.nativeOrder());
            List<NlAttribute> attrs = StateCodec.attributesAfter(b, SpiRange.LENGTH, "xfrm_userspi_info");
            SpiRange range = SpiRange.decode(b);
            SaScopeAttributes scope = new SaScopeAttributes();
            List<NlAttribute> unknown = new ArrayList<>();
            for (NlAttribute a : attrs) {
                if (!scope.take(a)) {
                    unknown.add(a);
                }
            }
            return new AllocSpiRequest(range, scope.mark, scope.ifId, scope.pcpu, scope.saDir, unknown);
        });
    }

    public static AllocSpiRequest decode(byte[] payload) {
        return decode(StateCodec.wrap(payload));
    }
}
