package io.cxt.agent.role;

import java.net.InetAddress;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;

import io.cxt.xfrm.AddressText;
import io.cxt.xfrm.PolicyInfo;
import io.cxt.xfrm.SecurityAssociation;
import io.cxt.xfrm.SecurityPolicy;
import io.cxt.xfrm.Selector;
import io.cxt.xfrm.UserTemplate;

/**
 * Fingerprints of the kernel objects a router agent installs, written to its journal beside their ids, so that a
 * restarted agent removes only what is still its own (issue 12 item 5): a policy an operator added by hand with
 * the same selector and direction, or an SA that happens to have the same source, SPI and protocol, has another
 * fingerprint and is left alone.
 *
 * <p>What goes in is what cxt chose and a later activation does not change: for a policy the direction, selector,
 * priority, action and each template's protocol, mode, reqid and this router's side of the tunnel (the MN's side,
 * its care-of address, may differ from the prediction the journal was written with); for an SA its protocol,
 * mode, reqid, family, selector and algorithm names. Never key material. A fingerprint is 16 hex digits of a
 * SHA-256 over a canonical text.
 */
final class KernelOwnership {
    /** The journal's mark for an SPI reservation (a larval SA): it is ours while it is still larval. */
    static final String LARVAL = "larval";

    private static final HexFormat HEX = HexFormat.of();

    private KernelOwnership() {
    }

    static String policy(SecurityPolicy p, InetAddress router) {
        StringBuilder b = new StringBuilder("pol|").append(p.direction()).append('|').append(selector(p.selector()))
                .append('|').append(Integer.toUnsignedString(p.priority())).append('|').append(p.action());
        for (UserTemplate t : p.templates()) {
            InetAddress routerSide = p.direction() == PolicyInfo.DIR_OUT ? t.saddr() : t.daddr();
            b.append("|t:").append(t.proto()).append(',').append(t.mode()).append(',').append(Integer.toUnsignedString(t.reqid()))
                    .append(',').append(router != null && router.equals(routerSide) ? "router" : text(routerSide));
        }
        return digest(b);
    }

    static String sa(SecurityAssociation sa) {
        StringBuilder b = new StringBuilder("sa|").append(sa.proto()).append('|').append(sa.info().mode()).append('|')
                .append(Integer.toUnsignedString(sa.reqid())).append('|').append(sa.family()).append('|')
                .append(selector(sa.info().selector()));
        b.append("|aead:").append(sa.aead() == null ? "" : sa.aead().name());
        b.append("|enc:").append(sa.crypt() == null ? "" : sa.crypt().name());
        b.append("|auth:").append(sa.authTrunc() != null ? sa.authTrunc().name() : sa.auth() == null ? "" : sa.auth().name());
        b.append("|comp:").append(sa.comp() == null ? "" : sa.comp().name());
        return digest(b);
    }

    /** Whether a kernel SA is still a reservation: no algorithm at all (ALLOCSPI's larval state). */
    static boolean isLarval(SecurityAssociation sa) {
        return sa.aead() == null && sa.crypt() == null && sa.auth() == null && sa.authTrunc() == null && sa.comp() == null;
    }

    /** Whether the kernel's SA is the one journaled with this fingerprint (or {@link #LARVAL}). */
    static boolean owns(String fingerprint, SecurityAssociation inKernel) {
        if (LARVAL.equals(fingerprint)) {
            return isLarval(inKernel);
        }
        // an SA journaled to be installed at a reserved key is still our reservation while larval
        return isLarval(inKernel) || fingerprint.equals(sa(inKernel));
    }

    private static String selector(Selector s) {
        return text(s.daddr()) + "/" + s.prefixlenD() + "," + text(s.saddr()) + "/" + s.prefixlenS() + "," + s.proto() + ","
                + s.dport() + "/" + s.dportMask() + "," + s.sport() + "/" + s.sportMask() + "," + s.family() + ","
                + s.ifindex();
    }

    private static String text(InetAddress a) {
        return a == null ? "-" : AddressText.of(a);
    }

    private static String digest(StringBuilder canonical) {
        try {
            byte[] d = MessageDigest.getInstance("SHA-256").digest(canonical.toString().getBytes(StandardCharsets.UTF_8));
            return HEX.formatHex(d, 0, 8);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 missing from the JDK", e);
        }
    }
}
