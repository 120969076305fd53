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

import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;

import io.cxt.nl.MalformedNetlinkException;
import io.cxt.nl.NetlinkMessage;
import io.cxt.nl.NlAttribute;

/** The pure decoder NetlinkMessage -> XfrmEvent: typed variants, and nothing but MalformedNetlinkException. */
class XfrmEventDecodeTest {

    private static NetlinkMessage msg(int type, byte[] payload) {
        return new NetlinkMessage(type, 0, 0, 0, payload);
    }

    // ------------------------------------------------------------------ robustness

    @Property(tries = 3000)
    void randomPayloadsDecodeOrFailOnlyAsMalformed(@ForAll("messageTypes") int type,
                                                    @ForAll("payloads") byte[] payload) {
        assertDecodesOrIsMalformed(msg(type, payload));
    }

    @Property(tries = 2000)
    void mutatedKernelMessagesDecodeOrFailOnlyAsMalformed(@ForAll("validMessages") NetlinkMessage valid,
                                                          @ForAll("mutations") List<int[]> edits,
                                                          @ForAll("cuts") int cut) {
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

    @Provide
    Arbitrary<Integer> messageTypes() {
        return Arbitraries.oneOf(Arbitraries.integers().between(XfrmMsgType.NEWSA, XfrmMsgType.GETDEFAULT),
                Arbitraries.integers().between(0, 0xffff));
    }

    @Provide
    Arbitrary<byte[]> payloads() {
        Arbitrary<byte[]> raw = Arbitraries.bytes().array(byte[].class).ofMaxSize(700);
        // a fixed part of a plausible size followed by well-formed attributes of random types
        Arbitrary<byte[]> structured = Combinators.combine(
                Arbitraries.of(0, 1, 3, 24, 36, 48, 60, 64, 168, 176, 224, 232, 280),
                Arbitraries.bytes().array(byte[].class).ofMaxSize(300),
                attributes()).as((n, fill, attrs) -> {
                    ByteBuffer b = ByteBuffer.allocate(n + NlAttribute.encodedLength(attrs) + 3)
                            .order(ByteOrder.nativeOrder());
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
                });
        return Arbitraries.oneOf(raw, structured);
    }

    private static Arbitrary<List<NlAttribute>> attributes() {
        Arbitrary<NlAttribute> attr = Combinators.combine(Arbitraries.integers().between(0, 45),
                Arbitraries.bytes().array(byte[].class).ofMaxSize(250))
                .as(NlAttribute::new);
        return attr.list().ofMaxSize(6);
    }

    @Provide
    Arbitrary<NetlinkMessage> validMessages() {
        return Arbitraries.oneOf(
                SaArbitraries.securityAssociation().map(sa -> msg(XfrmMsgType.NEWSA, sa.toBytes())),
                SaArbitraries.securityAssociation().map(sa -> msg(XfrmMsgType.DELSA, deletedSa(sa))),
                SaArbitraries.saExpire().map(x -> msg(XfrmMsgType.EXPIRE, x.toBytes())),
                SaArbitraries.replayLifetimeState().map(r -> msg(XfrmMsgType.NEWAE, r.toBytes())),
                PolicyArbitraries.securityPolicy().map(p -> msg(XfrmMsgType.NEWPOLICY,
                        p.toBytes(AttributeOrder.KERNEL))),
                PolicyArbitraries.securityPolicy().map(p -> msg(XfrmMsgType.DELPOLICY, deletedPolicy(p))),
                PolicyArbitraries.policyExpire().map(x -> msg(XfrmMsgType.POLEXPIRE, x.toBytes(AttributeOrder.KERNEL))),
                PolicyArbitraries.acquireEvent().map(a -> msg(XfrmMsgType.ACQUIRE, a.toBytes())),
                PolicyArbitraries.reportEvent().map(r -> msg(XfrmMsgType.REPORT, r.toBytes())),
                PolicyArbitraries.mappingEvent().map(m -> msg(XfrmMsgType.MAPPING, m.toBytes())),
                PolicyArbitraries.migrateRequest().map(m -> msg(XfrmMsgType.MIGRATE, m.toBytes(AttributeOrder.KERNEL))),
                PolicyArbitraries.policyFlush().map(f -> msg(XfrmMsgType.FLUSHPOLICY, f.toBytes())));
    }

    @Provide
    Arbitrary<List<int[]>> mutations() {
        return Combinators.combine(Arbitraries.integers(), Arbitraries.integers().between(0, 255))
                .as((pos, val) -> new int[] {pos, val}).list().ofMaxSize(4);
    }

    @Provide
    Arbitrary<Integer> cuts() {
        return Arbitraries.oneOf(Arbitraries.just(-1), Arbitraries.integers().between(0, 400));
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

    @Property(tries = 300)
    void saMessagesDecodeToTheirVariant(@ForAll("sas") SecurityAssociation sa) {
        assertEquals(new XfrmEvent.SaAdded(sa), XfrmEvent.decode(msg(XfrmMsgType.NEWSA, sa.toBytes())));
        assertEquals(new XfrmEvent.SaUpdated(sa), XfrmEvent.decode(msg(XfrmMsgType.UPDSA, sa.toBytes())));
        XfrmEvent.SaDeleted d = assertInstanceOf(XfrmEvent.SaDeleted.class,
                XfrmEvent.decode(msg(XfrmMsgType.DELSA, deletedSa(sa))));
        assertEquals(sa, d.sa());
        assertEquals(sa.spi(), d.id().spi());
        assertEquals(sa.destination(), d.id().daddr());
    }

    @Provide
    Arbitrary<SecurityAssociation> sas() {
        return SaArbitraries.securityAssociation();
    }

    @Property(tries = 300)
    void policyMessagesDecodeToTheirVariant(@ForAll("policies") SecurityPolicy p) {
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

    @Provide
    Arbitrary<SecurityPolicy> policies() {
        return PolicyArbitraries.securityPolicy();
    }

    @Property(tries = 200)
    void otherNotificationsDecodeToTheirVariant(@ForAll("expires") SaExpire x, @ForAll("acquires") AcquireEvent a,
                                                @ForAll("mappings") MappingEvent m, @ForAll("aevents") ReplayLifetimeState r,
                                                @ForAll("defaults") PolicyDefault d) {
        assertEquals(new XfrmEvent.SaExpired(x), XfrmEvent.decode(msg(XfrmMsgType.EXPIRE, x.toBytes())));
        if (a.addressesInferable()) {
            assertEquals(new XfrmEvent.Acquire(a), XfrmEvent.decode(msg(XfrmMsgType.ACQUIRE, a.toBytes())));
        }
        assertEquals(new XfrmEvent.Mapping(m), XfrmEvent.decode(msg(XfrmMsgType.MAPPING, m.toBytes())));
        assertEquals(new XfrmEvent.ReplayLifetime(r), XfrmEvent.decode(msg(XfrmMsgType.NEWAE, r.toBytes())));
        assertEquals(new XfrmEvent.DefaultPolicyChanged(d), XfrmEvent.decode(msg(XfrmMsgType.GETDEFAULT, d.toBytes())));
    }

    @Provide
    Arbitrary<SaExpire> expires() {
        return SaArbitraries.saExpire();
    }

    @Provide
    Arbitrary<AcquireEvent> acquires() {
        return PolicyArbitraries.acquireEvent();
    }

    @Provide
    Arbitrary<MappingEvent> mappings() {
        return PolicyArbitraries.mappingEvent();
    }

    @Provide
    Arbitrary<ReplayLifetimeState> aevents() {
        return SaArbitraries.replayLifetimeState();
    }

    @Provide
    Arbitrary<PolicyDefault> defaults() {
        return PolicyArbitraries.policyDefault();
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
