package io.cxt.xfrm;

import java.net.InetAddress;
import java.nio.ByteBuffer;
import java.util.Objects;

/**
 * ACQUIRE: the kernel asks the key manager for an SA. {@code struct xfrm_user_acquire} (280 octets):
 * the wanted SA's {@code xfrm_id} (daddr 16, spi 4 network order, proto 1, 3 pad) at 0, saddr at 24,
 * the SA selector (56) at 40, the triggering policy's {@code xfrm_userpolicy_info} (168) at 96, the
 * template's aalgos/ealgos/calgos at 264..272 and the acquire sequence number at 276; then the policy's
 * attributes (templates, the acquire's security context, type, mark, if_id, offload; newer ones such
 * as XFRMA_SA_PCPU land in {@code policy.extraAttributes()}).
 *
 * <p>The structure carries no family for {@code daddr}/{@code saddr} (the SA's may differ from the
 * selector's in a tunnel of another family). They are read as the family of the first policy template
 * with the acquire's protocol, else the selector's; an AF_INET guess is kept only when the other 12
 * octets are zero, otherwise all 16 octets are kept as IPv6, so decoding never loses anything.
 */
public record AcquireEvent(InetAddress daddr, int spi, int proto, InetAddress saddr, Selector selector,
                           SecurityPolicy policy, int aalgos, int ealgos, int calgos, int seq) {

    public static final int LENGTH = 280;

    public AcquireEvent {
        Objects.requireNonNull(daddr, "daddr");
        Objects.requireNonNull(saddr, "saddr");
        Objects.requireNonNull(selector, "selector");
        Objects.requireNonNull(policy, "policy");
        PolicyWire.u8(proto, "proto");
    }

    /** The family {@link #decode} reads the SA addresses with (see the class comment). */
    public static int inferredFamily(int proto, Selector selector, SecurityPolicy policy) {
        for (UserTemplate t : policy.templates()) {
            if (t.proto() == proto) {
                return t.family();
            }
        }
        return selector.family();
    }

    /** Whether {@link #decode} of this event's encoding gives it back (its addresses fit the inferred family). */
    public boolean addressesInferable() {
        int family = inferredFamily(proto, selector, policy);
        return PolicyWire.inferable(daddr, family) && PolicyWire.inferable(saddr, family);
    }

    public static AcquireEvent decode(ByteBuffer in) {
        ByteBuffer b = PolicyWire.nativeOrder(in);
        XfrmStructs.need(b, LENGTH, "xfrm_user_acquire");
        int start = b.position();
        b.position(start + 16);
        int spi = XfrmStructs.getBe32(b);
        int proto = XfrmStructs.getU8(b);
        b.position(start + 40);
        Selector sel = Selector.decode(b);
        PolicyInfo info = PolicyInfo.decode(b);
        int aalgos = b.getInt();
        int ealgos = b.getInt();
        int calgos = b.getInt();
        int seq = b.getInt();
        SecurityPolicy policy = SecurityPolicy.fromParts(info,
                PolicyAttributes.decode(b, PolicyAttributes.POLICY_KINDS));
        int end = b.position();
        int family = inferredFamily(proto, sel, policy);
        b.position(start);
        InetAddress daddr = PolicyWire.readInferredAddress(b, family);
        b.position(start + 24);
        InetAddress saddr = PolicyWire.readInferredAddress(b, family);
        b.position(end);
        return new AcquireEvent(daddr, spi, proto, saddr, sel, policy, aalgos, ealgos, calgos, seq);
    }

    public static AcquireEvent decode(byte[] payload) {
        return decode(ByteBuffer.wrap(payload));
    }

    public int encodedLength() {
        return LENGTH + policy.attributes().encodedLength();
    }

    /** Writes the message in the kernel's attribute order (userspace sends ACQUIRE only to test). */
    public void encode(ByteBuffer b) {
        XfrmStructs.writeAddress(b, daddr);
        XfrmStructs.putBe32(b, spi);
        b.put((byte) proto);
        XfrmStructs.pad(b, 3);
        XfrmStructs.writeAddress(b, saddr);
        selector.encode(b);
        policy.info().encode(b);
        b.putInt(aalgos);
        b.putInt(ealgos);
        b.putInt(calgos);
        b.putInt(seq);
        policy.attributes().encode(b, AttributeOrder.KERNEL);
    }

    public byte[] toBytes() {
        ByteBuffer b = PolicyWire.allocate(encodedLength());
        encode(b);
        return b.array();
    }
}
