package io.cxt.xfrm;

import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

import io.cxt.nl.MalformedNetlinkException;
import io.cxt.nl.NlAttribute;

/**
 * MIGRATE: a {@code xfrm_userpolicy_id} naming the policy (selector and direction; the kernel ignores
 * the index) followed by XFRMA_MIGRATE (the endpoint moves), and optionally XFRMA_POLICY_TYPE,
 * XFRMA_KMADDRESS, XFRMA_ENCAP (kept raw here: {@code struct xfrm_encap_tmpl} belongs to the SA codecs),
 * XFRMA_IF_ID and XFRMA_OFFLOAD_DEV. The kernel sends the same message to the MIGRATE group after a
 * migration, with one XFRMA_MIGRATE attribute per entry where a request carries them all in one;
 * {@link #decode} accepts both and {@link AttributeOrder} picks which to write.
 */
public record MigrateRequest(Selector selector, int index, int direction, List<UserMigrate> migrations,
                             PolicyType policyType, KmAddress kmAddress, NlAttribute encap, Integer ifId,
                             OffloadDevice offload, List<NlAttribute> extraAttributes) {

    public MigrateRequest {
        Objects.requireNonNull(selector, "selector");
        PolicyWire.u8(direction, "direction");
        migrations = PolicyWire.listOf(migrations);
        if (migrations.isEmpty()) {
            throw new IllegalArgumentException("a MIGRATE needs at least one XFRMA_MIGRATE entry");
        }
        if (encap != null && encap.type() != XfrmAttrType.ENCAP) {
            throw new IllegalArgumentException("encap must be an XFRMA_ENCAP attribute, not type " + encap.type());
        }
        extraAttributes = PolicyWire.copy(extraAttributes);
    }

    /** Migrates the policy with this selector and direction (main type). */
    public static MigrateRequest of(Selector selector, int direction, List<UserMigrate> migrations) {
        return new MigrateRequest(selector, 0, direction, migrations, null, null, null, null, null, List.of());
    }

    public MigrateRequest withPolicyType(PolicyType t) {
        return new MigrateRequest(selector, index, direction, migrations, t, kmAddress, encap, ifId, offload,
                extraAttributes);
    }

    public MigrateRequest withKmAddress(KmAddress k) {
        return new MigrateRequest(selector, index, direction, migrations, policyType, k, encap, ifId, offload,
                extraAttributes);
    }

    public MigrateRequest withEncap(NlAttribute e) {
        return new MigrateRequest(selector, index, direction, migrations, policyType, kmAddress, e, ifId, offload,
                extraAttributes);
    }

    public MigrateRequest withIfId(Integer i) {
        return new MigrateRequest(selector, index, direction, migrations, policyType, kmAddress, encap, i, offload,
                extraAttributes);
    }

    public MigrateRequest withOffload(OffloadDevice o) {
        return new MigrateRequest(selector, index, direction, migrations, policyType, kmAddress, encap, ifId, o,
                extraAttributes);
    }

    public static MigrateRequest decode(ByteBuffer in) {
        ByteBuffer b = PolicyWire.nativeOrder(in);
        XfrmStructs.need(b, PolicyId.LENGTH, "xfrm_userpolicy_id");
        Selector sel = Selector.decode(b);
        int index = b.getInt();
        int dir = XfrmStructs.getU8(b);
        XfrmStructs.skip(b, 3);
        List<UserMigrate> migrations = new ArrayList<>();
        PolicyType type = null;
        KmAddress km = null;
        NlAttribute encap = null;
        Integer ifId = null;
        OffloadDevice offload = null;
        List<NlAttribute> extra = new ArrayList<>();
        for (NlAttribute a : PolicyWire.readAttributes(b)) {
            ByteBuffer v = a.valueBuffer();
            switch (a.type()) {
                case XfrmAttrType.MIGRATE -> {
                    int n = a.value().length / UserMigrate.LENGTH;
                    MalformedNetlinkException.check(n > 0 && a.value().length % UserMigrate.LENGTH == 0,
                            "XFRMA_MIGRATE of " + a.value().length + " octets is not a list of xfrm_user_migrate");
                    for (int i = 0; i < n; i++) {
                        migrations.add(UserMigrate.decode(v));
                    }
                }
                case XfrmAttrType.POLICY_TYPE -> {
                    PolicyWire.requireFirst(type, "XFRMA_POLICY_TYPE");
                    PolicyWire.requireLength(a, PolicyType.LENGTH, "XFRMA_POLICY_TYPE");
                    type = PolicyType.decode(v);
                }
                case XfrmAttrType.KMADDRESS -> {
                    PolicyWire.requireFirst(km, "XFRMA_KMADDRESS");
                    PolicyWire.requireLength(a, KmAddress.LENGTH, "XFRMA_KMADDRESS");
                    km = KmAddress.decode(v);
                }
                case XfrmAttrType.ENCAP -> {
                    PolicyWire.requireFirst(encap, "XFRMA_ENCAP");
                    encap = a;
                }
                case XfrmAttrType.IF_ID -> {
                    PolicyWire.requireFirst(ifId, "XFRMA_IF_ID");
                    PolicyWire.requireLength(a, 4, "XFRMA_IF_ID");
                    ifId = v.getInt();
                }
                case XfrmAttrType.OFFLOAD_DEV -> {
                    PolicyWire.requireFirst(offload, "XFRMA_OFFLOAD_DEV");
                    PolicyWire.requireLength(a, OffloadDevice.LENGTH, "XFRMA_OFFLOAD_DEV");
                    offload = OffloadDevice.decode(v);
                }
                default -> extra.add(a);
            }
        }
        MalformedNetlinkException.check(!migrations.isEmpty(), "MIGRATE without XFRMA_MIGRATE");
        return new MigrateRequest(sel, index, dir, migrations, type, km, encap, ifId, offload, extra);
    }

    public static MigrateRequest decode(byte[] payload) {
        return decode(ByteBuffer.wrap(payload));
    }

    private List<NlAttribute> attributes(AttributeOrder order) {
        List<NlAttribute> out = new ArrayList<>();
        NlAttribute type = policyType == null ? null
                : PolicyWire.attribute(XfrmAttrType.POLICY_TYPE, PolicyType.LENGTH, policyType::encode);
        NlAttribute km = kmAddress == null ? null
                : PolicyWire.attribute(XfrmAttrType.KMADDRESS, KmAddress.LENGTH, kmAddress::encode);
        if (order == AttributeOrder.KERNEL) {
            // build_migrate: kmaddress, encap, policy type, then one attribute per entry
            addIfPresent(out, km);
            addIfPresent(out, encap);
            addIfPresent(out, type);
            for (UserMigrate m : migrations) {
                out.add(PolicyWire.attribute(XfrmAttrType.MIGRATE, UserMigrate.LENGTH, m::encode));
            }
        } else {
            // the kernel reads only the last XFRMA_MIGRATE of a request: all entries go in one
            out.add(PolicyWire.attribute(XfrmAttrType.MIGRATE, migrations.size() * UserMigrate.LENGTH,
                    b -> migrations.forEach(m -> m.encode(b))));
            addIfPresent(out, type);
            addIfPresent(out, km);
            addIfPresent(out, encap);
        }
        if (ifId != null) {
            out.add(PolicyWire.u32(XfrmAttrType.IF_ID, ifId));
        }
        if (offload != null) {
            out.add(PolicyWire.attribute(XfrmAttrType.OFFLOAD_DEV, OffloadDevice.LENGTH, offload::encode));
        }
        out.addAll(extraAttributes);
        return out;
    }

    private static void addIfPresent(List<NlAttribute> out, NlAttribute a) {
        if (a != null) {
            out.add(a);
        }
    }

    public int encodedLength(AttributeOrder order) {
        return PolicyId.LENGTH + NlAttribute.encodedLength(attributes(order));
    }

    public void encode(ByteBuffer b) {
        encode(b, AttributeOrder.REQUEST);
    }

    public void encode(ByteBuffer b, AttributeOrder order) {
        selector.encode(b);
        b.putInt(index);
        b.put((byte) direction);
        XfrmStructs.pad(b, 3);
        PolicyWire.writeAttributes(b, attributes(order));
    }

    public byte[] toBytes() {
        return toBytes(AttributeOrder.REQUEST);
    }

    public byte[] toBytes(AttributeOrder order) {
        ByteBuffer b = PolicyWire.allocate(encodedLength(order));
        encode(b, order);
        return b.array();
    }
}
