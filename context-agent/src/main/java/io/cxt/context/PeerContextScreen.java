package io.cxt.context;

import java.net.InetAddress;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

import io.cxt.xfrm.AddressText;
import io.cxt.xfrm.PolicyInfo;
import io.cxt.xfrm.SecurityAssociation;
import io.cxt.xfrm.SecurityPolicy;
import io.cxt.xfrm.Selector;

/**
 * What a nAR accepts of a context a peer sent (issue 12 item 4): a peer is authenticated, but what
 * it may make this router install is limited to what concerns the MN the message names. Pure: a
 * received context in, the part that may be installed and the counted reasons for the rest out.
 *
 * <p>Rules, per item:
 * <ul>
 * <li>an SA must run between the sending router's tunnel address and one of the MN's addresses
 *     (the previous care-of address the message names, or the home address in the context), in
 *     either direction ({@link Reason#SA_NOT_THE_MOBILE_NODES});</li>
 * <li>a policy's MN side (destination of an "out" policy, source of "in" and "fwd") must be one of
 *     the MN's addresses with a full-length prefix (its care-of and home addresses, and the single
 *     host an accepted SA of the MN protects, which names the home address when the context does not), or lie inside a prefix the operator allows
 *     ({@link Allowance#mobilePrefixes}); a wider selector (::/0, a /64 of someone else) is refused
 *     ({@link Reason#SELECTOR_BEYOND_THE_MOBILE_NODE});</li>
 * <li>marks, set-marks and if_id select other routing domains on this router: refused unless
 *     allowed ({@link Reason#MARK_OR_IF_ID});</li>
 * <li>hardware offload names a device of the peer: dropped from the item, which is kept
 *     ({@link Reason#OFFLOAD_DROPPED});</li>
 * <li>netlink attributes this version does not know are dropped unless allowed
 *     ({@link Reason#UNKNOWN_ATTRIBUTES_DROPPED}); the item is kept.</li>
 * </ul>
 */
public final class PeerContextScreen {

    /** Why an item was refused or changed. */
    public enum Reason {
        SA_NOT_THE_MOBILE_NODES,
        SELECTOR_BEYOND_THE_MOBILE_NODE,
        MARK_OR_IF_ID,
        OFFLOAD_DROPPED,
        UNKNOWN_ATTRIBUTES_DROPPED
    }

    /**
     * What the operator allows beyond the MN's own addresses.
     *
     * @param mobilePrefixes prefixes a policy's MN side may cover (e.g. the MNs' home prefix), as (address, length)
     * @param marksAndIfIds whether marks, set-marks and if_id from peers are installed
     * @param unknownAttributes whether netlink attributes this version does not know are installed
     */
    public record Allowance(List<Prefix> mobilePrefixes, boolean marksAndIfIds, boolean unknownAttributes) {
        public static final Allowance NONE = new Allowance(List.of(), false, false);

        public Allowance {
            mobilePrefixes = List.copyOf(mobilePrefixes);
        }
    }

    /** An address prefix. */
    public record Prefix(InetAddress address, int length) {
        boolean covers(InetAddress a, int prefixLength) {
            byte[] p = address.getAddress();
            byte[] x = a.getAddress();
            if (p.length != x.length || prefixLength < length) {
                return false;
            }
            for (int bit = 0; bit < length; bit++) {
                int mask = 0x80 >>> (bit & 7);
                if ((p[bit >>> 3] & mask) != (x[bit >>> 3] & mask)) {
                    return false;
                }
            }
            return true;
        }
    }

    /** The installable part and what happened to the rest (counts per reason, one line per refused item). */
    public record Result(MobileNodeContext context, Map<Reason, Integer> counts, List<String> details) {
        public Result {
            counts = Map.copyOf(counts);
            details = List.copyOf(details);
        }

        public boolean refusedAny() {
            return counts.getOrDefault(Reason.SA_NOT_THE_MOBILE_NODES, 0) + counts.getOrDefault(Reason.SELECTOR_BEYOND_THE_MOBILE_NODE, 0)
                    + counts.getOrDefault(Reason.MARK_OR_IF_ID, 0) > 0;
        }
    }

    private PeerContextScreen() {
    }

    /**
     * @param received the context as decoded (pAR-side addresses)
     * @param previousCareOf the MN address the message names
     * @param peerTunnel the sending router's tunnel address
     */
    public static Result screen(MobileNodeContext received, InetAddress previousCareOf, InetAddress peerTunnel,
                                Allowance allowance) {
        InetAddress home = received.mobileNode().homeAddress();
        Set<InetAddress> mn = new java.util.HashSet<>();
        mn.add(previousCareOf);
        if (home != null) {
            mn.add(home);
        }
        Map<Reason, Integer> counts = new EnumMap<>(Reason.class);
        List<String> details = new ArrayList<>();
        List<SecurityAssociation> sas = new ArrayList<>();
        for (SecurityAssociation sa : received.securityAssociations()) {
            InetAddress src = sa.info().saddr();
            InetAddress dst = sa.info().id().daddr();
            boolean ends = (src.equals(peerTunnel) && mn.contains(dst)) || (dst.equals(peerTunnel) && mn.contains(src));
            String what = "SA " + AddressText.of(src) + " -> " + AddressText.of(dst) + " spi 0x"
                    + Integer.toHexString(sa.info().id().spi());
            if (!ends) {
                refuse(counts, details, Reason.SA_NOT_THE_MOBILE_NODES, what);
                MobileNodeContext.wipe(sa);
                continue;
            }
            if (!allowance.marksAndIfIds() && (sa.mark() != null || sa.setMark() != null || sa.ifId() != null)) {
                refuse(counts, details, Reason.MARK_OR_IF_ID, what);
                MobileNodeContext.wipe(sa);
                continue;
            }
            SecurityAssociation kept = sa;
            if (sa.offload() != null) {
                kept = kept.with(b -> b.offload(null));
                counts.merge(Reason.OFFLOAD_DROPPED, 1, Integer::sum);
            }
            if (!allowance.unknownAttributes() && !sa.unknownAttributes().isEmpty()) {
                kept = kept.with(b -> b.unknownAttributes(List.of()));
                counts.merge(Reason.UNKNOWN_ATTRIBUTES_DROPPED, 1, Integer::sum);
            }
            sas.add(kept);
        }
        // The inner address the MN's own (accepted) SAs protect, when they name one host: a context
        // need not carry the home address, and its tunnel SAs' selectors then say which it is.
        Set<InetAddress> careOf = Set.copyOf(mn);
        for (SecurityAssociation sa : sas) {
            Selector sel = sa.info().selector();
            boolean toMn = careOf.contains(sa.info().id().daddr());
            InetAddress side = toMn ? sel.daddr() : sel.saddr();
            int len = toMn ? sel.prefixlenD() : sel.prefixlenS();
            if (side != null && len == side.getAddress().length * 8) {
                mn.add(side);
            }
        }
        List<SecurityPolicy> pols = new ArrayList<>();
        for (SecurityPolicy p : received.policies()) {
            Selector s = p.info().selector();
            boolean out = p.info().direction() == PolicyInfo.DIR_OUT;
            InetAddress side = out ? s.daddr() : s.saddr();
            int len = out ? s.prefixlenD() : s.prefixlenS();
            int full = side.getAddress().length * 8;
            String what = "policy " + PolicyInfo.directionName(p.info().direction()) + " " + AddressText.of(s.saddr()) + "/"
                    + s.prefixlenS() + " -> " + AddressText.of(s.daddr()) + "/" + s.prefixlenD();
            boolean mine = (len == full && mn.contains(side))
                    || allowance.mobilePrefixes().stream().anyMatch(pf -> pf.covers(side, len));
            if (!mine) {
                refuse(counts, details, Reason.SELECTOR_BEYOND_THE_MOBILE_NODE, what);
                continue;
            }
            if (!allowance.marksAndIfIds() && (p.mark() != null || p.ifId() != null)) {
                refuse(counts, details, Reason.MARK_OR_IF_ID, what);
                continue;
            }
            SecurityPolicy kept = p;
            if (p.offload() != null) {
                kept = new SecurityPolicy(kept.info(), kept.templates(), kept.mark(), kept.ifId(), kept.securityContext(),
                        kept.policyType(), null, kept.extraAttributes());
                counts.merge(Reason.OFFLOAD_DROPPED, 1, Integer::sum);
            }
            if (!allowance.unknownAttributes() && !kept.extraAttributes().isEmpty()) {
                kept = new SecurityPolicy(kept.info(), kept.templates(), kept.mark(), kept.ifId(), kept.securityContext(),
                        kept.policyType(), kept.offload(), List.of());
                counts.merge(Reason.UNKNOWN_ATTRIBUTES_DROPPED, 1, Integer::sum);
            }
            pols.add(kept);
        }
        MobileNodeContext screened = new MobileNodeContext(received.mobileNode(), received.sourceRouter(),
                received.targetRouter(), received.newCareOf(), sas, pols, received.spiMappings(), received.ikeContext(),
                received.createdAt(), received.lifetime());
        return new Result(screened, counts, details);
    }

    private static void refuse(Map<Reason, Integer> counts, List<String> details, Reason r, String what) {
        counts.merge(r, 1, Integer::sum);
        if (details.size() < 8) {
            details.add(what + ": " + r.name().toLowerCase(java.util.Locale.ROOT).replace('_', ' '));
        }
    }
}
