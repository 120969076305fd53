package io.cxt.xfrm;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import java.net.InetAddress;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Function;

import org.junit.jupiter.api.Test;

import io.cxt.nl.MalformedNetlinkException;
import io.cxt.nl.NlAttribute;
import io.cxt.testing.Gen;
import io.cxt.testing.SeededTest;

/** Pure codec properties of the SPD records: round trips, layout, and malformed input. */
class PolicyCodecTest {

    private static ByteBuffer buffer(int len) {
        return ByteBuffer.allocate(len).order(ByteOrder.nativeOrder());
    }

    private static ByteBuffer wrap(byte[] b) {
        return ByteBuffer.wrap(b).order(ByteOrder.nativeOrder());
    }

    // ------------------------------------------------------------------ round trips

    @SeededTest
    void templateRoundTrips(Gen g) {
        UserTemplate t = PolicyGen.template(g);
        ByteBuffer b = buffer(UserTemplate.LENGTH);
        t.encode(b);
        assertEquals(UserTemplate.LENGTH, b.position());
        assertEquals(t, UserTemplate.decode(b.flip()));
    }

    @SeededTest
    void policyInfoRoundTrips(Gen g) {
        PolicyInfo i = PolicyGen.policyInfo(g);
        ByteBuffer b = buffer(PolicyInfo.LENGTH);
        i.encode(b);
        assertEquals(PolicyInfo.LENGTH, b.position());
        assertEquals(i, PolicyInfo.decode(b.flip()));
    }

    @SeededTest
    void policyTypeRoundTrips(Gen g) {
        PolicyType t = PolicyGen.policyType(g);
        ByteBuffer b = buffer(PolicyType.LENGTH);
        t.encode(b);
        assertEquals(PolicyType.LENGTH, b.position());
        assertEquals(t, PolicyType.decode(b.flip()));
    }

    @SeededTest
    void securityPolicyRoundTripsInBothOrders(Gen g) {
        SecurityPolicy p = PolicyGen.securityPolicy(g);
        for (AttributeOrder order : AttributeOrder.values()) {
            byte[] bytes = p.toBytes(order);
            assertEquals(p.encodedLength(), bytes.length);
            SecurityPolicy back = SecurityPolicy.decode(bytes);
            assertEquals(p, back);
            assertArrayEquals(bytes, back.toBytes(order), "re-encoding is byte-exact");
        }
    }

    @SeededTest
    void policyIdRoundTrips(Gen g) {
        PolicyId id = PolicyGen.policyId(g);
        byte[] bytes = id.toBytes();
        assertEquals(id.encodedLength(), bytes.length);
        assertEquals(id, PolicyId.decode(bytes));
    }

    @SeededTest(cases = 300)
    void policyExpireRoundTrips(Gen g) {
        PolicyExpire e = PolicyGen.policyExpire(g);
        for (AttributeOrder order : AttributeOrder.values()) {
            byte[] bytes = e.toBytes(order);
            assertEquals(e, PolicyExpire.decode(bytes));
        }
    }

    @SeededTest
    void userMigrateRoundTrips(Gen g) {
        UserMigrate m = PolicyGen.userMigrate(g);
        ByteBuffer b = buffer(UserMigrate.LENGTH);
        m.encode(b);
        assertEquals(UserMigrate.LENGTH, b.position());
        assertEquals(m, UserMigrate.decode(b.flip()));
    }

    @SeededTest
    void kmAddressRoundTrips(Gen g) {
        KmAddress k = PolicyGen.kmAddress(g);
        ByteBuffer b = buffer(KmAddress.LENGTH);
        k.encode(b);
        assertEquals(KmAddress.LENGTH, b.position());
        assertEquals(k, KmAddress.decode(b.flip()));
    }

    @SeededTest
    void migrateRequestRoundTripsInBothLayouts(Gen g) {
        MigrateRequest r = PolicyGen.migrateRequest(g);
        for (AttributeOrder order : AttributeOrder.values()) {
            byte[] bytes = r.toBytes(order);
            assertEquals(r.encodedLength(order), bytes.length);
            MigrateRequest back = MigrateRequest.decode(bytes);
            assertEquals(r, back);
            assertArrayEquals(bytes, back.toBytes(order));
        }
        // the request form carries every entry in one attribute, the kernel's form one each
        long inRequest = NlAttribute.parseAll(wrap(r.toBytes(AttributeOrder.REQUEST)).position(PolicyId.LENGTH))
                .stream().filter(a -> a.type() == XfrmAttrType.MIGRATE).count();
        long inKernel = NlAttribute.parseAll(wrap(r.toBytes(AttributeOrder.KERNEL)).position(PolicyId.LENGTH))
                .stream().filter(a -> a.type() == XfrmAttrType.MIGRATE).count();
        assertEquals(1, inRequest);
        assertEquals(r.migrations().size(), inKernel);
    }

    @SeededTest
    void spdInfoRoundTrips(Gen g) {
        SpdInfo s = PolicyGen.spdInfo(g);
        byte[] bytes = s.toBytes();
        assertEquals(s, SpdInfo.decode(bytes));
        assertArrayEquals(bytes, SpdInfo.decode(bytes).toBytes());
    }

    @SeededTest
    void policyDefaultRoundTrips(Gen g) {
        PolicyDefault d = PolicyGen.policyDefault(g);
        assertEquals(d, PolicyDefault.decode(d.toBytes()));
    }

    @SeededTest
    void policyFlushRoundTrips(Gen g) {
        PolicyFlush f = PolicyGen.policyFlush(g);
        assertEquals(f, PolicyFlush.decode(f.toBytes()));
    }

    @SeededTest
    void acquireRoundTrips(Gen g) {
        AcquireEvent a = PolicyGen.acquireEvent(g);
        byte[] bytes = a.toBytes();
        assertEquals(a.encodedLength(), bytes.length);
        AcquireEvent back = AcquireEvent.decode(bytes);
        assertEquals(a, back);
        assertArrayEquals(bytes, back.toBytes());
    }

    @SeededTest
    void reportRoundTrips(Gen g) {
        ReportEvent r = PolicyGen.reportEvent(g);
        assertEquals(r, ReportEvent.decode(r.toBytes()));
    }

    @SeededTest
    void mappingRoundTrips(Gen g) {
        MappingEvent m = PolicyGen.mappingEvent(g);
        assertEquals(m, MappingEvent.decode(m.toBytes()));
    }

    /** Whatever a decoder accepts, it writes back byte for byte (modulo zeroed padding, which random input lacks). */
    @SeededTest
    void decodedPoliciesReencodeToWhatWasDecoded(Gen g) {
        SecurityPolicy p = PolicyGen.securityPolicy(g);
        List<NlAttribute> more = PolicyGen.extraAttributes(g, PolicyAttributes.POLICY_KINDS);
        // extra attributes appended after the known ones survive in place
        byte[] base = p.toBytes(AttributeOrder.KERNEL);
        ByteBuffer b = buffer(base.length + NlAttribute.encodedLength(more));
        b.put(base);
        more.forEach(a -> a.writeTo(b));
        SecurityPolicy back = SecurityPolicy.decode(b.array());
        assertArrayEquals(b.array(), back.toBytes(AttributeOrder.KERNEL));
        assertEquals(p.extraAttributes().size() + more.size(), back.extraAttributes().size());
    }

    // ------------------------------------------------------------------ malformed input

    private static final Map<String, Function<ByteBuffer, ?>> DECODERS = new LinkedHashMap<>();
    static {
        DECODERS.put("UserTemplate", UserTemplate::decode);
        DECODERS.put("PolicyInfo", PolicyInfo::decode);
        DECODERS.put("PolicyType", PolicyType::decode);
        DECODERS.put("SecurityPolicy", SecurityPolicy::decode);
        DECODERS.put("PolicyId", PolicyId::decode);
        DECODERS.put("PolicyExpire", PolicyExpire::decode);
        DECODERS.put("UserMigrate", UserMigrate::decode);
        DECODERS.put("KmAddress", KmAddress::decode);
        DECODERS.put("MigrateRequest", MigrateRequest::decode);
        DECODERS.put("SpdInfo", SpdInfo::decode);
        DECODERS.put("PolicyDefault", PolicyDefault::decode);
        DECODERS.put("PolicyFlush", PolicyFlush::decode);
        DECODERS.put("AcquireEvent", AcquireEvent::decode);
        DECODERS.put("ReportEvent", ReportEvent::decode);
        DECODERS.put("MappingEvent", MappingEvent::decode);
    }

    private static void onlyMalformed(String name, Function<ByteBuffer, ?> decoder, byte[] input) {
        try {
            decoder.apply(wrap(input));
        } catch (MalformedNetlinkException e) {
            assertSame(MalformedNetlinkException.class, e.getClass());
        } catch (Throwable t) {
            fail(name + " threw " + t + " on " + java.util.HexFormat.of().formatHex(input), t);
        }
    }

    @SeededTest(cases = 2000)
    void randomBytesGiveOnlyMalformed(Gen g) {
        byte[] input = g.bytes(0, 700);
        DECODERS.forEach((name, d) -> onlyMalformed(name, d, input));
    }

    /** Random bytes behind a plausible structure, so the attribute parsers are exercised too. */
    @SeededTest(cases = 500)
    void randomAttributesGiveOnlyMalformed(Gen g) {
        SecurityPolicy p = PolicyGen.securityPolicy(g);
        byte[] tail = g.bytes(0, 200);
        byte[] soup = attributeSoup(g);
        for (int header : new int[] {0, 4, PolicyType.LENGTH, PolicyId.LENGTH, ReportEvent.LENGTH,
                PolicyInfo.LENGTH, PolicyExpire.LENGTH, AcquireEvent.LENGTH}) {
            byte[] struct = Arrays.copyOf(p.toBytes(), header);
            for (byte[] rest : new byte[][] {tail, soup}) {
                byte[] input = Arrays.copyOf(struct, header + rest.length);
                System.arraycopy(rest, 0, input, header, rest.length);
                DECODERS.forEach((name, d) -> onlyMalformed(name, d, input));
            }
        }
    }

    /** Well-formed attribute headers with known types and random lengths and contents. */
    private static byte[] attributeSoup(Gen g) {
        List<NlAttribute> l = g.list(0, 4, () -> {
            int type = g.bool() ? g.between(0, 45)
                    : g.ofInts(XfrmAttrType.TMPL, XfrmAttrType.SEC_CTX, XfrmAttrType.MIGRATE, XfrmAttrType.MARK);
            byte[] value = g.bool() ? g.bytes(0, 90) : new byte[g.ofInts(0, 8, 64, 76, 128, 152)];
            return new NlAttribute(type, value);
        });
        ByteBuffer b = buffer(NlAttribute.encodedLength(l));
        l.forEach(a -> a.writeTo(b));
        return b.array();
    }

    @SeededTest
    void truncatedPoliciesAreMalformed(Gen g) {
        SecurityPolicy p = PolicyGen.securityPolicy(g);
        int cut = g.betweenEdgy(0, 2000);
        byte[] full = p.toBytes();
        int at = cut % full.length;
        byte[] t = Arrays.copyOf(full, at);
        if (at < PolicyInfo.LENGTH) {
            assertThrows(MalformedNetlinkException.class, () -> SecurityPolicy.decode(t));
        } else {
            onlyMalformed("SecurityPolicy", SecurityPolicy::decode, t);
        }
    }

    @SeededTest
    void truncatedFixedStructsAreMalformed(Gen g) {
        UserTemplate t = PolicyGen.template(g);
        UserMigrate m = PolicyGen.userMigrate(g);
        KmAddress k = PolicyGen.kmAddress(g);
        int cut = g.betweenEdgy(0, 39);
        ByteBuffer tb = buffer(UserTemplate.LENGTH);
        t.encode(tb);
        assertThrows(MalformedNetlinkException.class,
                () -> UserTemplate.decode(wrap(Arrays.copyOf(tb.array(), cut))));
        ByteBuffer mb = buffer(UserMigrate.LENGTH);
        m.encode(mb);
        assertThrows(MalformedNetlinkException.class,
                () -> UserMigrate.decode(wrap(Arrays.copyOf(mb.array(), UserMigrate.LENGTH - 1 - cut))));
        ByteBuffer kb = buffer(KmAddress.LENGTH);
        k.encode(kb);
        assertThrows(MalformedNetlinkException.class, () -> KmAddress.decode(wrap(Arrays.copyOf(kb.array(), cut))));
    }

    @SeededTest(cases = 300)
    void truncatedMessagesAreMalformed(Gen g) {
        AcquireEvent a = PolicyGen.acquireEvent(g);
        MigrateRequest r = PolicyGen.migrateRequest(g);
        PolicyExpire e = PolicyGen.policyExpire(g);
        PolicyId id = PolicyGen.policyId(g);
        int cut = g.betweenEdgy(1, 63);
        assertThrows(MalformedNetlinkException.class,
                () -> AcquireEvent.decode(Arrays.copyOf(a.toBytes(), AcquireEvent.LENGTH - cut)));
        assertThrows(MalformedNetlinkException.class,
                () -> MigrateRequest.decode(Arrays.copyOf(r.toBytes(), PolicyId.LENGTH - cut)));
        assertThrows(MalformedNetlinkException.class,
                () -> PolicyExpire.decode(Arrays.copyOf(e.toBytes(AttributeOrder.KERNEL), PolicyExpire.LENGTH - cut)));
        assertThrows(MalformedNetlinkException.class,
                () -> PolicyId.decode(Arrays.copyOf(id.toBytes(), PolicyId.LENGTH - cut)));
        // cutting into the first attribute is malformed too
        byte[] full = r.toBytes();
        assertThrows(MalformedNetlinkException.class,
                () -> MigrateRequest.decode(Arrays.copyOf(full, PolicyId.LENGTH + 4 + (cut % 60))));
    }

    // ------------------------------------------------------------------ strictness and layout

    @Test
    void knownAttributesOfTheWrongLengthOrRepeatedAreMalformed() {
        SecurityPolicy p = SecurityPolicy.builder(Selector.any(AddressFamily.INET), PolicyInfo.DIR_OUT)
                .mark(1, 2).build();
        byte[] good = p.toBytes();
        byte[] shortMark = Arrays.copyOf(good, good.length - 4);
        // fix the attribute length to 8 (4 + 4 octets of value)
        ByteBuffer.wrap(shortMark).order(ByteOrder.nativeOrder()).putShort(PolicyInfo.LENGTH, (short) 8);
        assertThrows(MalformedNetlinkException.class, () -> SecurityPolicy.decode(shortMark));
        byte[] twice = Arrays.copyOf(good, good.length + 12);
        System.arraycopy(good, PolicyInfo.LENGTH, twice, good.length, 12);
        assertThrows(MalformedNetlinkException.class, () -> SecurityPolicy.decode(twice));
        byte[] badTemplates = PolicyWire.attribute(XfrmAttrType.TMPL, 63, b -> b.put(new byte[63])).value();
        ByteBuffer withBad = buffer(PolicyInfo.LENGTH + 4 + 64);
        p.info().encode(withBad);
        new NlAttribute(XfrmAttrType.TMPL, badTemplates).writeTo(withBad);
        assertThrows(MalformedNetlinkException.class, () -> SecurityPolicy.decode(withBad.array()));
    }

    @Test
    void flaggedKnownTypesAreKeptRawNotDropped() {
        NlAttribute nestedMark = new NlAttribute(XfrmAttrType.MARK | io.cxt.nl.Netlink.NLA_F_NESTED, new byte[8]);
        SecurityPolicy p = SecurityPolicy.of(PolicyInfo.of(Selector.any(AddressFamily.INET6), PolicyInfo.DIR_IN))
                .withExtraAttributes(List.of(nestedMark));
        SecurityPolicy back = SecurityPolicy.decode(p.toBytes());
        assertNull(back.mark());
        assertEquals(List.of(nestedMark), back.extraAttributes());
    }

    @Test
    void policyInfoFieldsSitAtTheKernelsOffsets() throws Exception {
        Selector sel = Selector.between(InetAddress.getByName("10.0.0.1"), 32, InetAddress.getByName("10.0.0.2"), 32);
        PolicyInfo i = new PolicyInfo(sel, LifetimeConfig.UNLIMITED, new LifetimeCurrent(1, 2, 3, 4), 0x11223344,
                0x55667788, 2, 1, 3, 4);
        ByteBuffer b = buffer(PolicyInfo.LENGTH);
        i.encode(b);
        assertEquals(-1L, b.getLong(56), "lft.soft_byte_limit");
        assertEquals(1L, b.getLong(120), "curlft.bytes");
        assertEquals(4L, b.getLong(144), "curlft.use_time");
        assertEquals(0x11223344, b.getInt(152));
        assertEquals(0x55667788, b.getInt(156));
        assertEquals(2, b.get(160));
        assertEquals(1, b.get(161));
        assertEquals(3, b.get(162));
        assertEquals(4, b.get(163));
        assertEquals(0, b.getInt(164), "tail padding");
    }

    @Test
    void templateFieldsSitAtTheKernelsOffsets() throws Exception {
        UserTemplate t = new UserTemplate(InetAddress.getByName("192.0.2.2"), 0x01020304, 50, AddressFamily.INET,
                InetAddress.getByName("192.0.2.1"), 7, UserTemplate.MODE_TUNNEL, 2, 1, 0xa, 0xb, 0xc);
        ByteBuffer b = buffer(UserTemplate.LENGTH);
        t.encode(b);
        assertEquals((byte) 192, b.get(0));
        assertEquals(0x01, b.get(16), "spi is network order");
        assertEquals(0x04, b.get(19));
        assertEquals(50, b.get(20));
        assertEquals(AddressFamily.INET, b.getShort(24));
        assertEquals((byte) 192, b.get(28));
        assertEquals(1, b.get(31));
        assertEquals(7, b.getInt(44));
        assertEquals(1, b.get(48));
        assertEquals(2, b.get(49));
        assertEquals(1, b.get(50));
        assertEquals(0xa, b.getInt(52));
        assertEquals(0xb, b.getInt(56));
        assertEquals(0xc, b.getInt(60));
    }

    @Test
    void recordsRejectAddressesOfTheWrongFamily() throws Exception {
        InetAddress v4 = InetAddress.getByName("192.0.2.1");
        InetAddress v6 = InetAddress.getByName("2001:db8::1");
        assertThrows(IllegalArgumentException.class,
                () -> new UserTemplate(v6, 0, 50, AddressFamily.INET, v4, 0, 1, 0, 0, 0, 0, 0));
        assertThrows(IllegalArgumentException.class, () -> new KmAddress(v4, v4, 0, AddressFamily.INET6));
        assertThrows(IllegalArgumentException.class, () -> MigrateRequest.of(Selector.any(2), 1, List.of()));
    }

    @Test
    void acquireKeepsAllOctetsWhenTheFamilyGuessWouldLoseThem() throws Exception {
        Selector v4sel = Selector.any(AddressFamily.INET);
        SecurityPolicy pol = SecurityPolicy.of(PolicyInfo.of(v4sel, PolicyInfo.DIR_OUT));
        InetAddress v6 = InetAddress.getByName("2001:db8::2");
        AcquireEvent a = new AcquireEvent(v6, 0, 50, InetAddress.getByName("2001:db8::1"), v4sel, pol, 0, 0, 0, 1);
        AcquireEvent back = AcquireEvent.decode(a.toBytes());
        assertEquals(a, back);
        // and an IPv4 tunnel endpoint under an IPv6 selector is read as IPv4 through its template
        Selector v6sel = Selector.any(AddressFamily.INET6);
        SecurityPolicy pol6 = SecurityPolicy.of(PolicyInfo.of(v6sel, PolicyInfo.DIR_OUT)).withTemplates(List.of(
                UserTemplate.tunnel(50, InetAddress.getByName("198.51.100.1"), InetAddress.getByName("198.51.100.2"), 1)));
        AcquireEvent a4 = new AcquireEvent(InetAddress.getByName("198.51.100.2"), 0, 50,
                InetAddress.getByName("198.51.100.1"), v6sel, pol6, 0, 0, 0, 2);
        assertEquals(a4, AcquireEvent.decode(a4.toBytes()));
    }

    @Test
    void requestAndKernelOrdersDifferOnlyInPosition() {
        SecurityPolicy p = SecurityPolicy.builder(Selector.any(AddressFamily.INET), PolicyInfo.DIR_OUT)
                .policyType(PolicyType.SUB).mark(1, 1).ifId(3)
                .template(UserTemplate.transport(AddressFamily.INET, 50, 1)).build();
        byte[] req = p.toBytes(AttributeOrder.REQUEST);
        byte[] ker = p.toBytes(AttributeOrder.KERNEL);
        assertNotEquals(Arrays.toString(req), Arrays.toString(ker));
        List<Integer> reqTypes = NlAttribute.parseAll(wrap(req).position(PolicyInfo.LENGTH)).stream()
                .map(NlAttribute::type).toList();
        List<Integer> kerTypes = NlAttribute.parseAll(wrap(ker).position(PolicyInfo.LENGTH)).stream()
                .map(NlAttribute::type).toList();
        assertEquals(List.of(XfrmAttrType.POLICY_TYPE, XfrmAttrType.TMPL, XfrmAttrType.MARK, XfrmAttrType.IF_ID), reqTypes);
        assertEquals(List.of(XfrmAttrType.TMPL, XfrmAttrType.POLICY_TYPE, XfrmAttrType.MARK, XfrmAttrType.IF_ID), kerTypes);
        assertEquals(SecurityPolicy.decode(req), SecurityPolicy.decode(ker));
    }

    @Test
    void withersChangeOneThing() throws Exception {
        SecurityPolicy p = SecurityPolicy.builder(Selector.any(AddressFamily.INET), PolicyInfo.DIR_OUT).priority(5)
                .template(UserTemplate.tunnel(50, InetAddress.getByName("192.0.2.1"), InetAddress.getByName("192.0.2.2"), 1))
                .build();
        Selector s2 = Selector.between(InetAddress.getByName("10.0.0.1"), 32, InetAddress.getByName("10.0.0.2"), 32);
        SecurityPolicy q = p.withSelector(s2);
        assertEquals(s2, q.selector());
        assertEquals(5, q.priority());
        assertEquals(p.templates(), q.templates());
        SecurityPolicy r = q.withTemplate(0, q.templates().get(0)
                .withAddresses(InetAddress.getByName("2001:db8::1"), InetAddress.getByName("2001:db8::2")));
        assertEquals(AddressFamily.INET6, r.templates().get(0).family());
        assertEquals(r, r.toBuilder().build());
        assertTrue(r.summary().contains("2001:db8"), r.summary());
    }

}
