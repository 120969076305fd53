package io.cxt.cxtp;

import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.List;

import io.cxt.testing.Gen;
import io.cxt.xfrm.KeyBytes;
import io.cxt.xfrm.XfrmStructs;

/** Seeded generators for CXTP messages and their parts. */
final class CxtpGen {
    private CxtpGen() {
    }

    static InetAddress address(Gen g, boolean ipv4) {
        byte[] b = g.bytes(ipv4 ? 4 : 16);
        if (!ipv4) {
            return XfrmStructs.ipv6(b);
        }
        try {
            return InetAddress.getByAddress(b);
        } catch (UnknownHostException e) {
            throw new IllegalStateException(e);
        }
    }

    static long u32(Gen g) {
        return g.oneIn(5) ? g.of(0L, 0xffffffffL) : Integer.toUnsignedLong(g.anyInt());
    }

    static ContextDataBlock block(Gen g) {
        int pick = g.between(0, 11);
        if (pick < 5) {
            return ContextDataBlock.of(g.u16(), g.bytes(0, 120));
        }
        if (pick < 8) {
            return ContextDataBlock.withPresenceVector(g.u16(), g.anyInt(), g.bytes(0, 120));
        }
        if (pick < 11) {
            return ContextDataBlock.request(g.u16());
        }
        return ContextDataBlock.of(g.u16(), g.bytes(CxtpConstants.MAX_CDB_LENGTH - 4));
    }

    static List<ContextDataBlock> blocks(Gen g) {
        return g.list(0, 4, () -> block(g));
    }

    static List<FeatureStatus> statuses(Gen g) {
        return g.list(0, 6, () -> new FeatureStatus(g.u16(), g.between(0, 255)));
    }

    static ContextTransferActivateRequest ctar(Gen g) {
        boolean v4 = g.bool();
        return new ContextTransferActivateRequest(g.bool(), address(g, v4), address(g, v4), u32(g), g.anyInt(), blocks(g));
    }

    static ContextTransferActivateAcknowledge ctaa(Gen g) {
        boolean v4 = g.bool();
        return new ContextTransferActivateAcknowledge(address(g, v4), statuses(g));
    }

    static ContextTransferData ctd(Gen g) {
        boolean v4 = g.bool();
        return new ContextTransferData(g.bool(), u32(g), address(g, v4), blocks(g));
    }

    static TokenKeyMaterial keyMaterial(Gen g) {
        return new TokenKeyMaterial(g.u16(), KeyBytes.of(g.bytes(0, 70)));
    }

    static PredictiveContextTransferData pctd(Gen g) {
        boolean v4 = g.bool();
        return new PredictiveContextTransferData(g.bool(), u32(g), address(g, v4), keyMaterial(g), blocks(g));
    }

    static ContextTransferDataReply ctdr(Gen g) {
        boolean v4 = g.bool();
        return new ContextTransferDataReply(g.bool(), address(g, v4), statuses(g));
    }

    static ContextTransferCancel ctc(Gen g) {
        return new ContextTransferCancel(address(g, g.bool()));
    }

    static ContextTransferRequest ctReq(Gen g) {
        boolean v4 = g.bool();
        return new ContextTransferRequest(address(g, v4), u32(g), g.anyInt(), blocks(g));
    }

    static CxtpMessage message(Gen g) {
        return switch (g.between(0, 6)) {
            case 0 -> ctar(g);
            case 1 -> ctaa(g);
            case 2 -> ctd(g);
            case 3 -> pctd(g);
            case 4 -> ctdr(g);
            case 5 -> ctc(g);
            default -> ctReq(g);
        };
    }
}
