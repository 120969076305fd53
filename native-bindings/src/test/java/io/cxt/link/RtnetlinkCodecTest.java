package io.cxt.link;

import io.cxt.nl.route.Rtnetlink;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.InetAddress;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.Random;

import org.junit.jupiter.api.Test;

import io.cxt.nl.MalformedNetlinkException;
import io.cxt.nl.NetlinkMessage;

/** Decoding of hand-built messages, and seeded garbage: only MalformedNetlinkException ever escapes. */
class RtnetlinkCodecTest {

    @Test
    void decodesAnIpv6DefaultRouteWithGateway() throws Exception {
        ByteBuffer b = ByteBuffer.allocate(12 + 20 + 8 + 8 + 8).order(ByteOrder.nativeOrder());
        b.put((byte) 10).put((byte) 0).put((byte) 0).put((byte) 0).put((byte) 254).put((byte) 9).put((byte) 0).put((byte) 1)
                .putInt(0);
        b.putShort((short) 20).putShort((short) Rtnetlink.RTA_GATEWAY).put(InetAddress.getByName("fe80::1").getAddress());
        b.putShort((short) 8).putShort((short) Rtnetlink.RTA_OIF).putInt(7);
        b.putShort((short) 8).putShort((short) Rtnetlink.RTA_PRIORITY).putInt(1024);
        b.putShort((short) 8).putShort((short) Rtnetlink.RTA_TABLE).putInt(254);
        RouteInfo r = (RouteInfo) RtnetlinkCodec.decode(new NetlinkMessage(Rtnetlink.RTM_NEWROUTE, 0, 0, 0, b.array()));
        assertTrue(r.isDefaultViaGateway());
        assertEquals(InetAddress.getByName("fe80::1"), r.gateway());
        assertEquals(7, r.outputInterface());
        assertEquals(1024, r.priority());
        assertEquals(Rtnetlink.RTPROT_RA, r.protocol());
    }

    @Test
    void ifaFlagsOverrideTheHeaderByte() throws Exception {
        ByteBuffer b = ByteBuffer.allocate(8 + 20 + 8).order(ByteOrder.nativeOrder());
        b.put((byte) 10).put((byte) 64).put((byte) 0).put((byte) 0).putInt(3);
        b.putShort((short) 20).putShort((short) Rtnetlink.IFA_ADDRESS).put(InetAddress.getByName("2001:db8::1").getAddress());
        b.putShort((short) 8).putShort((short) Rtnetlink.IFA_FLAGS).putInt(Rtnetlink.IFA_F_TENTATIVE);
        AddressInfo a = (AddressInfo) RtnetlinkCodec.decode(new NetlinkMessage(Rtnetlink.RTM_NEWADDR, 0, 0, 0, b.array()));
        assertEquals(Rtnetlink.IFA_F_TENTATIVE, a.flags());
        assertEquals(3, a.index());
        assertTrue(!a.usableGlobal());
    }

    @Test
    void otherTypesDecodeToNull() {
        assertNull(RtnetlinkCodec.decode(new NetlinkMessage(28, 0, 0, 0, new byte[12])));
    }

    @Test
    void shortAddressIsMalformed() {
        ByteBuffer b = ByteBuffer.allocate(8 + 8).order(ByteOrder.nativeOrder());
        b.put((byte) 10).put((byte) 64).put((byte) 0).put((byte) 0).putInt(3);
        b.putShort((short) 8).putShort((short) Rtnetlink.IFA_ADDRESS).putInt(1);
        assertThrows(MalformedNetlinkException.class,
                () -> RtnetlinkCodec.decode(new NetlinkMessage(Rtnetlink.RTM_NEWADDR, 0, 0, 0, b.array())));
    }

    @Test
    void seededGarbageOnlyEverThrowsMalformed() {
        Random random = new Random(0x4d4f5645L);
        int[] types = {Rtnetlink.RTM_NEWLINK, Rtnetlink.RTM_DELLINK, Rtnetlink.RTM_NEWADDR, Rtnetlink.RTM_DELADDR,
                Rtnetlink.RTM_NEWROUTE, Rtnetlink.RTM_DELROUTE};
        for (int i = 0; i < 20_000; i++) {
            byte[] p = new byte[random.nextInt(64)];
            random.nextBytes(p);
            if (p.length > 1 && random.nextBoolean()) {
                p[0] = (byte) (random.nextBoolean() ? 10 : 2);
            }
            try {
                RtnetlinkCodec.decode(new NetlinkMessage(types[random.nextInt(types.length)], 0, 0, 0, p));
            } catch (MalformedNetlinkException expected) {
                // fine
            }
        }
    }
}
