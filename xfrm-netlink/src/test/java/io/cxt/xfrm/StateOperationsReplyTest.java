package io.cxt.xfrm;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

import io.cxt.nl.MalformedNetlinkException;
import io.cxt.nl.NetlinkMessage;

/** How StateOperations treats replies it cannot use: always MalformedNetlinkException. */
class StateOperationsReplyTest {

    @Test
    void replyOfTheWrongTypeIsMalformed() {
        byte[] sa = Iproute2SaVectorTest.espTunnelCbcAesHmacSha256().toBytes();
        NetlinkMessage m = new NetlinkMessage(XfrmMsgType.NEWAE, 0, 1, 0, sa);
        MalformedNetlinkException e = assertThrows(MalformedNetlinkException.class,
                () -> StateOperations.decodeReply(m, XfrmMsgType.NEWSA, SecurityAssociation::decode));
        assertTrue(e.getMessage().contains("NEWAE"), e.getMessage());
    }

    @Test
    void truncatedReplyIsMalformed() {
        NetlinkMessage m = new NetlinkMessage(XfrmMsgType.NEWSA, 0, 1, 0, new byte[100]);
        assertThrows(MalformedNetlinkException.class,
                () -> StateOperations.decodeReply(m, XfrmMsgType.NEWSA, SecurityAssociation::decode));
        NetlinkMessage ae = new NetlinkMessage(XfrmMsgType.NEWAE, 0, 1, 0, new byte[47]);
        assertThrows(MalformedNetlinkException.class,
                () -> StateOperations.decodeReply(ae, XfrmMsgType.NEWAE, ReplayLifetimeState::decode));
    }

    @Test
    void decoderSlipsBecomeMalformed() {
        NetlinkMessage m = new NetlinkMessage(XfrmMsgType.NEWSA, 0, 1, 0, new byte[4]);
        MalformedNetlinkException e = assertThrows(MalformedNetlinkException.class,
                () -> StateOperations.decodeReply(m, XfrmMsgType.NEWSA, b -> {
                    b.position(0).getLong(); // a decoder reading past the end
                    return null;
                }));
        assertTrue(e.getMessage().contains("NEWSA reply"), e.getMessage());
    }

    @Test
    void goodReplyDecodes() {
        SecurityAssociation sa = Iproute2SaVectorTest.espIpv6EncapMarkIfId();
        NetlinkMessage m = new NetlinkMessage(XfrmMsgType.NEWSA, 0, 1, 0, sa.toBytes());
        assertEquals(sa, StateOperations.decodeReply(m, XfrmMsgType.NEWSA, SecurityAssociation::decode));
    }
}
