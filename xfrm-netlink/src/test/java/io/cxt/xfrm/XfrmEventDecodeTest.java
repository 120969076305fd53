package io.cxt.xfrm;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.List;

import org.junit.jupiter.api.Test;

import io.cxt.nl.MalformedNetlinkException;
import io.cxt.nl.NetlinkMessage;
import io.cxt.nl.NlAttribute;
import io.cxt.testing.Gen;
import io.cxt.testing.SeededTest;

/** The pure decoder NetlinkMessage -> XfrmEvent: typed variants, and nothing but MalformedNetlinkException. */
class XfrmEventDecodeTest {

    private static NetlinkMessage msg(int type, byte[] payload) {
        return new NetlinkMessage(type, 0, 0, 0, payload);
    }

    // ------------------------------------------------------------------ robustness

    @SeededTest(cases = 3000)
    void randomPayloadsDecodeOrFailOnlyAsMalformed(Gen g) {
        int type = g.bool() ? g.between(XfrmMsgType.NEWSA, XfrmMsgType.GETDEFAULT) : g.u16();
        byte[] payload = payload(g);
        assertDecodesOrIsMalformed(msg(type, payload));
    }

    @SeededTest(cases = 2000)
    void mutatedKernelMessagesDecodeOrFailOnlyAsMalformed(Gen g) {
        NetlinkMessage valid = validMessage(g);
        List<int[]> edits = g.list(0, 4, () -> new int[] {g.anyInt(), g.between(0, 255)});
        int cut = g.bool() ? -1 : g.between(0, 400);
        byte[] p = valid.payload();
        for (int[] e : edits) {
            if (p.length > 0) {
                p[Math.floorMod(e[0], p.length)] = (byte) e[1];
            }
        }
        int len = cut < 0 ? p.length : Math.min(p.length, cut);
        byte[] q = java.util.Arrays.copyOf(p, len);
        assertDecodesOrIsMalformed(msg(valid.type(), q));
    }

    private static void assertDecodesOrIsMalformed(NetlinkMessage m) {
        try {
            XfrmEvent e = XfrmEvent.decode(m);
            assertTrue(e != null, "decode returned null for " + m);
        } catch (MalformedNetlinkException expected) {
            // the one permitted failure
        } catch (RuntimeException other) {
            throw new AssertionError("XFRM_MSG_" + XfrmMsgType.name(m.type()) + " with " + m.payload().length
                    + " octets threw " + other, other);
        }
        // the monitor's variant never throws at all
        XfrmEvent e = XfrmMonitor.decodeOrUnknown(m);
        assertTrue(e != null);
    }

    /** Raw octets, or a fixed part of a plausible size followed by well-formed attributes of random types. */
    private static byte[] payload(Gen g) {
        if (g.bool()) {
            return g.bytes(0, 700);
        }
        int n = g.ofInts(0, 1, 3, 24, 36, 48, 60, 64, 168, 176, 224, 232, 280);
        byte[] fill = g.bytes(0, 300);
        List<NlAttribute> attrs = g.list(0, 6, () -> new NlAttribute(g.between(0, 45), g.bytes(0, 250)));
        ByteBuffer b = ByteBuffer.allocate(n + NlAttribute.encodedLength(attrs) + 3).order(ByteOrder.nativeOrder());
        for (int i = 0; i < n; i++) {
            b.put(fill.length == 0 ? 0 : fill[i % fill.length]);
        }
        while (b.position() % 4 != 0) {
            b.put((byte) 0);
        }
        for (NlAttribute a : attrs) {
            a.writeTo(b);
        }
        return java.util.Arrays.copyOf(b.array(), b.position());
    }

    private static NetlinkMessage validMessage(Gen g) {
        return switch (g.between(0, 11)) {
            case 0 -> msg(XfrmMsgType.NEWSA, SaGen.securityAssociation(g).toBytes());
            case 1 -> msg(XfrmMsgType.DELSA, deletedSa(SaGen.securityAssociation(g)));
            case 2 -> msg(XfrmMsgType.EXPIRE, SaGen.saExpire(g).toBytes());
            case 3 -> msg(XfrmMsgType.NEWAE, SaGen.replayLifetimeState(g).toBytes());
            case 4 -> msg(XfrmMsgType.NEWPOLICY, PolicyGen.securityPolicy(g).toBytes(AttributeOrder.KERNEL));
            case 5 -> msg(XfrmMsgType.DELPOLICY, deletedPolicy(PolicyGen.securityPolicy(g)));
            case 6 -> msg(XfrmMsgType.POLEXPIRE, PolicyGen.policyExpire(g).toBytes(AttributeOrder.KERNEL));
            case 7 -> msg(XfrmMsgType.ACQUIRE, PolicyGen.acquireEvent(g).toBytes());
            case 8 -> msg(XfrmMsgType.REPORT, PolicyGen.reportEvent(g).toBytes());
            case 9 -> msg(XfrmMsgType.MAPPING, PolicyGen.mappingEvent(g).toBytes());
            case 10 -> msg(XfrmMsgType.MIGRATE, PolicyGen.migrateRequest(g).toBytes(AttributeOrder.KERNEL));
            default -> msg(XfrmMsgType.FLUSHPOLICY, PolicyGen.policyFlush(g).toBytes());
        };
    }

    // ------------------------------------------------------------------ what decodes to what

    /** DELSA as the kernel builds it: xfrm_usersa_id, XFRMA_SA with the SA's info, the SA's attributes. */
    static byte[] deletedSa(SecurityAssociation sa) {
        ByteBuffer id = ByteBuffer.allocate(SaId.LENGTH).order(ByteOrder.nativeOrder());
        new SaId(sa.destination(), sa.spi(), sa.family(), sa.proto()).encode(id);
        ByteBuffer info = ByteBuffer.allocate(SaInfo.LENGTH).order(ByteOrder.nativeOrder());
        sa.info().encode(info);
        List<NlAttribute> attrs = new ArrayList<>();
        attrs.add(new NlAttribute(XfrmAttrType.SA, info.array()));
        attrs.addAll(sa.attributes());
        return concat(id.array(), attrs);
    }

    /** DELPOLICY as the kernel builds it: xfrm_userpolicy_id, XFRMA_POLICY, the policy's attributes. */
    static byte[] deletedPolicy(SecurityPolicy p) {
        byte[] id = PolicyId.bySelector(p.selector(), p.direction()).toBytes();
        byte[] whole = p.toBytes(AttributeOrder.KERNEL);
        List<NlAttribute> attrs = new ArrayList<>();
        attrs.add(new NlAttribute(XfrmAttrType.POLICY, java.util.Arrays.copyOf(whole, PolicyInfo.LENGTH)));
        attrs.addAll(NlAttribute.parseAll(ByteBuffer.wrap(whole, PolicyInfo.LENGTH, whole.length - PolicyInfo.LENGTH)
                .slice().order(ByteOrder.nativeOrder())));
        return concat(id, attrs);
    }

    private static byte[] concat(byte[] head, List<NlAttribute> attrs) {
        ByteBuffer b = ByteBuffer.allocate(head.length + NlAttribute.encodedLength(attrs)).order(ByteOrder.nativeOrder());
        b.put(head);
        attrs.forEach(a -> a.writeTo(b));
        return b.array();
    }

    @SeededTest(cases = 300)
    void saMessagesDecodeToTheirVariant(Gen g) {
        SecurityAssociation sa = SaGen.securityAssociation(g);
        assertEquals(new XfrmEvent.SaAdded(sa), XfrmEvent.decode(msg(XfrmMsgType.NEWSA, sa.toBytes())));
        assertEquals(new XfrmEvent.SaUpdated(sa), XfrmEvent.decode(msg(XfrmMsgType.UPDSA, sa.toBytes())));
        XfrmEvent.SaDeleted d = assertInstanceOf(XfrmEvent.SaDeleted.class,
                XfrmEvent.decode(msg(XfrmMsgType.DELSA, deletedSa(sa))));
        assertEquals(sa, d.sa());
        assertEquals(sa.spi(), d.id().spi());
        assertEquals(sa.destination(), d.id().daddr());
    }

    @SeededTest(cases = 300)
    void policyMessagesDecodeToTheirVariant(Gen g) {
        SecurityPolicy p = PolicyGen.securityPolicy(g);
        SecurityPolicy asKernelSendsIt = SecurityPolicy.decode(p.toBytes(AttributeOrder.KERNEL));
        assertEquals(new XfrmEvent.PolicyAdded(asKernelSendsIt),
                XfrmEvent.decode(msg(XfrmMsgType.NEWPOLICY, p.toBytes(AttributeOrder.KERNEL))));
        assertEquals(new XfrmEvent.PolicyUpdated(asKernelSendsIt),
                XfrmEvent.decode(msg(XfrmMsgType.UPDPOLICY, p.toBytes(AttributeOrder.KERNEL))));
        XfrmEvent.PolicyDeleted d = assertInstanceOf(XfrmEvent.PolicyDeleted.class,
                XfrmEvent.decode(msg(XfrmMsgType.DELPOLICY, deletedPolicy(p))));
        assertEquals(asKernelSendsIt, d.policy());
        assertEquals(p.selector(), d.id().selector());
        assertEquals(p.direction(), d.id().direction());
        assertEquals(p.mark(), d.id().mark());
        assertEquals(p.ifId(), d.id().ifId());
    }

    @SeededTest(cases = 200)
    void otherNotificationsDecodeToTheirVariant(Gen g) {
        SaExpire x = SaGen.saExpire(g);
        AcquireEvent a = PolicyGen.acquireEvent(g);
        MappingEvent m = PolicyGen.mappingEvent(g);
        ReplayLifetimeState r = SaGen.replayLifetimeState(g);
        PolicyDefault d = PolicyGen.policyDefault(g);
        assertEquals(new XfrmEvent.SaExpired(x), XfrmEvent.decode(msg(XfrmMsgType.EXPIRE, x.toBytes())));
        if (a.addressesInferable()) {
            assertEquals(new XfrmEvent.Acquire(a), XfrmEvent.decode(msg(XfrmMsgType.ACQUIRE, a.toBytes())));
        }
        assertEquals(new XfrmEvent.Mapping(m), XfrmEvent.decode(msg(XfrmMsgType.MAPPING, m.toBytes())));
        assertEquals(new XfrmEvent.ReplayLifetime(r), XfrmEvent.decode(msg(XfrmMsgType.NEWAE, r.toBytes())));
        assertEquals(new XfrmEvent.DefaultPolicyChanged(d), XfrmEvent.decode(msg(XfrmMsgType.GETDEFAULT, d.toBytes())));
    }

    @Test
    void flushesCarryProtocolAndType() {
        assertEquals(new XfrmEvent.SasFlushed(XfrmId.PROTO_IPSEC_ANY),
                XfrmEvent.decode(msg(XfrmMsgType.FLUSHSA, new byte[] {(byte) 255, 0, 0, 0})));
        XfrmEvent.PoliciesFlushed f = assertInstanceOf(XfrmEvent.PoliciesFlushed.class,
                XfrmEvent.decode(msg(XfrmMsgType.FLUSHPOLICY, PolicyFlush.of(PolicyType.SUB).toBytes())));
        assertEquals(PolicyType.SUB, f.policyType());
        XfrmEvent.PoliciesFlushed main = assertInstanceOf(XfrmEvent.PoliciesFlushed.class,
                XfrmEvent.decode(msg(XfrmMsgType.FLUSHPOLICY, new byte[0])));
        assertEquals(PolicyType.MAIN, main.policyType(), "no type attribute means main");
    }

    @Test
    void unknownTypesKeepTheRawMessage() {
        NetlinkMessage m = msg(0x99, new byte[] {1, 2, 3});
        XfrmEvent.Unknown u = assertInstanceOf(XfrmEvent.Unknown.class, XfrmEvent.decode(m));
        assertEquals(m, u.message());
        assertNull(u.reason());
        // GETSA is a request type, never a notification: also unknown
        assertInstanceOf(XfrmEvent.Unknown.class, XfrmEvent.decode(msg(XfrmMsgType.GETSA, new byte[24])));
    }

    @Test
    void malformedKnownMessagesBecomeUnknownWithAReasonInTheMonitor() {
        NetlinkMessage truncated = msg(XfrmMsgType.NEWSA, new byte[100]);
        assertThrows(MalformedNetlinkException.class, () -> XfrmEvent.decode(truncated));
        XfrmEvent.Unknown u = assertInstanceOf(XfrmEvent.Unknown.class, XfrmMonitor.decodeOrUnknown(truncated));
        assertEquals(truncated, u.message());
        assertTrue(u.reason().contains("xfrm_usersa_info"), u.reason());

        byte[] noSa = new byte[SaId.LENGTH];
        assertThrows(MalformedNetlinkException.class, () -> XfrmEvent.decode(msg(XfrmMsgType.DELSA, noSa)));
    }

    @Test
    void allGroupsAreOneToEight() {
        assertEquals(List.of(1, 2, 3, 4, 5, 6, 7, 8),
                java.util.Arrays.stream(XfrmMonitor.allGroups()).boxed().toList());
    }
}
