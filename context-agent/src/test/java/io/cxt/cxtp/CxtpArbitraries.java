package io.cxt.cxtp;

import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.List;

import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;

import io.cxt.xfrm.KeyBytes;
import io.cxt.xfrm.XfrmStructs;

/** jqwik generators for CXTP messages and their parts. */
final class CxtpArbitraries {
    private CxtpArbitraries() {
    }

    static Arbitrary<Boolean> ipv4() {
        return Arbitraries.of(true, false);
    }

    static Arbitrary<InetAddress> address(boolean ipv4) {
        return Arbitraries.bytes().array(byte[].class).ofSize(ipv4 ? 4 : 16).map(b -> {
            if (!ipv4) {
                return XfrmStructs.ipv6(b);
            }
            try {
                return InetAddress.getByAddress(b);
            } catch (UnknownHostException e) {
                throw new IllegalStateException(e);
            }
        });
    }

    static Arbitrary<Long> u32() {
        return Arbitraries.oneOf(Arbitraries.longs().between(0, 0xffffffffL), Arbitraries.of(0L, 0xffffffffL));
    }

    static Arbitrary<Integer> u16() {
        return Arbitraries.integers().between(0, 0xffff);
    }

    static Arbitrary<ContextDataBlock> block() {
        Arbitrary<byte[]> data = Arbitraries.bytes().array(byte[].class).ofMinSize(0).ofMaxSize(120);
        Arbitrary<ContextDataBlock> plain = Combinators.combine(u16(), data).as(ContextDataBlock::of);
        Arbitrary<ContextDataBlock> withPv = Combinators.combine(u16(), Arbitraries.integers(), data)
                .as(ContextDataBlock::withPresenceVector);
        Arbitrary<ContextDataBlock> request = u16().map(ContextDataBlock::request);
        Arbitrary<ContextDataBlock> big = Combinators.combine(u16(),
                Arbitraries.bytes().array(byte[].class).ofSize(CxtpConstants.MAX_CDB_LENGTH - 4))
                .as(ContextDataBlock::of);
        return Arbitraries.frequencyOf(
                net.jqwik.api.Tuple.of(5, plain), net.jqwik.api.Tuple.of(3, withPv),
                net.jqwik.api.Tuple.of(3, request), net.jqwik.api.Tuple.of(1, big));
    }

    static Arbitrary<List<ContextDataBlock>> blocks() {
        return block().list().ofMaxSize(4);
    }

    static Arbitrary<List<FeatureStatus>> statuses() {
        return Combinators.combine(u16(), Arbitraries.integers().between(0, 255)).as(FeatureStatus::new)
                .list().ofMaxSize(6);
    }

    static Arbitrary<ContextTransferActivateRequest> ctar() {
        return ipv4().flatMap(v4 -> Combinators.combine(Arbitraries.of(true, false), address(v4), address(v4),
                u32(), Arbitraries.integers(), blocks()).as(ContextTransferActivateRequest::new));
    }

    static Arbitrary<ContextTransferActivateAcknowledge> ctaa() {
        return ipv4().flatMap(v4 -> Combinators.combine(address(v4), statuses())
                .as(ContextTransferActivateAcknowledge::new));
    }

    static Arbitrary<ContextTransferData> ctd() {
        return ipv4().flatMap(v4 -> Combinators.combine(Arbitraries.of(true, false), u32(), address(v4), blocks())
                .as(ContextTransferData::new));
    }

    static Arbitrary<TokenKeyMaterial> keyMaterial() {
        return Combinators.combine(u16(), Arbitraries.bytes().array(byte[].class).ofMaxSize(70))
                .as((alg, key) -> new TokenKeyMaterial(alg, KeyBytes.of(key)));
    }

    static Arbitrary<PredictiveContextTransferData> pctd() {
        return ipv4().flatMap(v4 -> Combinators.combine(Arbitraries.of(true, false), u32(), address(v4),
                keyMaterial(), blocks()).as(PredictiveContextTransferData::new));
    }

    static Arbitrary<ContextTransferDataReply> ctdr() {
        return ipv4().flatMap(v4 -> Combinators.combine(Arbitraries.of(true, false), address(v4), statuses())
                .as(ContextTransferDataReply::new));
    }

    static Arbitrary<ContextTransferCancel> ctc() {
        return ipv4().flatMap(v4 -> address(v4).map(ContextTransferCancel::new));
    }

    static Arbitrary<ContextTransferRequest> ctReq() {
        return ipv4().flatMap(v4 -> Combinators.combine(address(v4), u32(), Arbitraries.integers(), blocks())
                .as(ContextTransferRequest::new));
    }

    static Arbitrary<CxtpMessage> message() {
        return Arbitraries.oneOf(ctar(), ctaa(), ctd(), pctd(), ctdr(), ctc(), ctReq());
    }
}
