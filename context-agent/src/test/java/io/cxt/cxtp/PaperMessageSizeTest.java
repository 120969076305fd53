package io.cxt.cxtp;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;

import java.net.InetAddress;
import java.util.List;

import org.junit.jupiter.api.Test;

import io.cxt.xfrm.KeyBytes;

/**
 * Allard et al. (MobiArch'08), Table 1: context activation took one CTAR of 106 octets and one
 * CTAA of 82 octets (IPv6, one IPsec/IKEv1 context, with token). docs/cxtp.md explains the sums.
 */
class PaperMessageSizeTest {

    static final int ETHERNET_II_HEADER = 14;
    static final int IPV6_HEADER = 40;

    static final InetAddress MN = CxtpCodecFiguresTest.addr("2001:db8:1::10");   // MN.par.ipv6.com
    static final InetAddress PAR = CxtpCodecFiguresTest.addr("2001:db8:1::1");   // pAR.par.ipv6.com
    static final KeyBytes KEY = KeyBytes.ofHex("00112233445566778899aabbccddeeff00112233");

    static int onTheWire(byte[] cxtp) {
        return ETHERNET_II_HEADER + IPV6_HEADER + IcmpCxtpFraming.frame(true, cxtp).length;
    }

    @Test
    void ctarAndCtaaMatchThePaper() {
        // The MN activates its one context at nAR: no request block ("all contexts"), a real token.
        int token = AuthorizationToken.compute(KEY, MN, 1, List.of());
        byte[] ctar = CxtpCodec.encode(new ContextTransferActivateRequest(true, MN, PAR, 1, token, List.of()));
        byte[] ctaa = CxtpCodec.encode(new ContextTransferActivateAcknowledge(MN, List.of()));

        assertEquals(44, ctar.length, "4 header + 16 MN + 16 pAR + 4 sequence + 4 token");
        assertEquals(20, ctaa.length, "4 header + 16 MN, no failed contexts");
        assertEquals(52, IcmpCxtpFraming.frame(true, ctar).length, "+ 8 ICMPv6 type/code/checksum/subtype/reserved");
        assertEquals(106, onTheWire(ctar), "+ 40 IPv6 + 14 Ethernet");
        assertEquals(82, onTheWire(ctaa), "+ 40 IPv6 + 14 Ethernet");
    }

    @Test
    void namingTheContextExplicitlyWouldNotMatch() {
        // With a request block for the one context the CTAR grows by 8 octets (our 8-octet request
        // CDB) or by 4 (a 4-octet one): 114 or 110, neither is the paper's 106.
        byte[] withBlock = CxtpCodec.encode(new ContextTransferActivateRequest(true, MN, PAR, 1, 1,
                List.of(ContextDataBlock.request(0x8001))));
        assertEquals(52, withBlock.length);
        assertEquals(114, onTheWire(withBlock));
        assertNotEquals(106, onTheWire(withBlock) - 4);
    }
}
