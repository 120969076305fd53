package io.cxt.xfrm;

import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.List;

/** Policies for the kernel tests: both families, every selector field, every attribute cxt decodes. */
final class PolicyFixtures {
    private PolicyFixtures() {
    }

    static final int TCP = 6;
    static final int UDP = 17;
    static final int ICMP = 1;
    static final int ICMPV6 = 58;
    /** lo is ifindex 1 in every fresh namespace. */
    static final int LO = 1;

    static InetAddress ip(String s) {
        try {
            return InetAddress.getByName(s);
        } catch (UnknownHostException e) {
            throw new IllegalArgumentException(e);
        }
    }

    static Selector selector(String src, int ps, String dst, int pd, int proto, int sport, int sportMask, int dport,
                             int dportMask, int ifindex, int user) {
        InetAddress s = ip(src);
        return new Selector(ip(dst), s, dport, dportMask, sport, sportMask, AddressFamily.of(s), pd, ps, proto, ifindex,
                user);
    }

    /** IPv4 TCP 80 -> 443 on lo, out, mark, if_id, tunnel template (the main type, no explicit type attribute). */
    static SecurityPolicy v4Tcp() {
        return SecurityPolicy.builder(selector("10.0.0.0", 24, "10.1.0.0", 24, TCP, 80, 0xffff, 443, 0xffff, LO, 0),
                        PolicyInfo.DIR_OUT).priority(100).mark(5, 0xff).ifId(7)
                .template(UserTemplate.tunnel(UserTemplate.PROTO_ESP, ip("192.0.2.1"), ip("192.0.2.2"), 5)).build();
    }

    /** IPv4 ICMP echo (type 8 code 0), fwd, block, a uid and lifetimes and flags. */
    static SecurityPolicy v4IcmpBlock() {
        return SecurityPolicy.builder(selector("10.2.0.0", 16, "10.3.0.0", 16, ICMP, 8, 0xffff, 0, 0xffff, 0, 1000),
                        PolicyInfo.DIR_FWD).priority(10).action(PolicyInfo.ACTION_BLOCK)
                .flags(PolicyInfo.FLAG_LOCALOK).lifetime(new LifetimeConfig(1000, 2000, 10, 20, 600, 1200, 300, 900))
                .build();
    }

    /** IPv4 UDP with a partial port mask, in, sub type, explicit index, optional ("level use") template. */
    static SecurityPolicy v4UdpSub() {
        return SecurityPolicy.builder(selector("10.0.0.1", 32, "10.0.0.2", 32, UDP, 500, 0xfff0, 4500, 0xffff, 0, 0),
                        PolicyInfo.DIR_IN).policyType(PolicyType.SUB).priority(50).index((0x4242 << 3) | PolicyInfo.DIR_IN)
                .template(UserTemplate.tunnel(UserTemplate.PROTO_ESP, ip("192.0.2.2"), ip("192.0.2.1"), 6)
                        .withOptional(true))
                .build();
    }

    /** IPv6 TCP 22 -> 2222 on lo, out, mark with mask, if_id, transport template. */
    static SecurityPolicy v6Tcp() {
        return SecurityPolicy.builder(selector("2001:db8:1::", 64, "2001:db8:2::", 64, TCP, 22, 0xffff, 2222, 0xffff,
                        LO, 0), PolicyInfo.DIR_OUT).priority(300).mark(0x10, 0xf0).ifId(0x42)
                .policyType(PolicyType.MAIN)
                .template(UserTemplate.transport(AddressFamily.INET6, UserTemplate.PROTO_ESP, 11)).build();
    }

    /** IPv6 neighbour solicitation (ICMPv6 135/0), in, sub type, block. */
    static SecurityPolicy v6IcmpSubBlock() {
        return SecurityPolicy.builder(selector("2001:db8:3::1", 128, "2001:db8:4::1", 128, ICMPV6, 135, 0xffff, 0,
                        0xffff, 0, 0), PolicyInfo.DIR_IN).policyType(PolicyType.SUB)
                .action(PolicyInfo.ACTION_BLOCK).build();
    }

    /** IPv6 UDP to port 53, fwd, two tunnel templates (ESP required, IPcomp optional). */
    static SecurityPolicy v6TwoTemplates() {
        return SecurityPolicy.builder(selector("2001:db8:7::", 48, "2001:db8:8::", 48, UDP, 0, 0, 53, 0xffff, 0, 0),
                        PolicyInfo.DIR_FWD).priority(7)
                .template(UserTemplate.tunnel(UserTemplate.PROTO_ESP, ip("2001:db8::a"), ip("2001:db8::b"), 1))
                .template(UserTemplate.tunnel(UserTemplate.PROTO_COMP, ip("2001:db8::a"), ip("2001:db8::b"), 2)
                        .withOptional(true))
                .build();
    }

    /** IPv6 traffic in an IPv4 tunnel. */
    static SecurityPolicy v6InV4() {
        return SecurityPolicy.builder(selector("2001:db8:5::", 64, "2001:db8:6::", 64, 0, 0, 0, 0, 0, 0, 0),
                        PolicyInfo.DIR_OUT).priority(1)
                .template(UserTemplate.tunnel(UserTemplate.PROTO_ESP, ip("198.51.100.1"), ip("198.51.100.2"), 3))
                .build();
    }

    static List<SecurityPolicy> all() {
        return List.of(v4Tcp(), v4IcmpBlock(), v4UdpSub(), v6Tcp(), v6IcmpSubBlock(), v6TwoTemplates(), v6InV4());
    }

    /**
     * What the kernel gives back for a policy cxt added: the same, with its index, the policy type
     * attribute it always adds, and share "any" (copy_to_user_policy reports XFRM_SHARE_ANY whatever
     * was set: the kernel does not keep a policy's share). The kernel also stores a mark's value
     * masked (xfrm_mark_get) and reports no mark when value and mask are both 0. Compare with
     * {@link #withoutUsage}.
     */
    static SecurityPolicy asAdded(SecurityPolicy added, SecurityPolicy fromKernel) {
        Mark m = added.mark();
        Mark kept = m == null || (m.value() & m.mask()) == 0 && m.mask() == 0 ? null
                : new Mark(m.value() & m.mask(), m.mask());
        return added.withPolicyType(added.effectivePolicyType()).withMark(kept)
                .withInfo(added.info().withIndex(fromKernel.index()).withShare(UserTemplate.SHARE_ANY));
    }

    static SecurityPolicy withoutUsage(SecurityPolicy fromKernel) {
        return fromKernel.withInfo(fromKernel.info().withCurrent(LifetimeCurrent.ZERO));
    }
}
