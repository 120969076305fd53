package io.cxt.agent.role;

import java.net.InetAddress;
import java.util.Objects;

import io.cxt.xfrm.KeyBytes;

/**
 * A mobile node this router may serve as pAR (one {@code [[mobile-node]]} of the configuration):
 * the key it shares with the MN for the CTAR authorization token (RFC 4067 section 2.5.1).
 *
 * @param careOfAddress the MN's care-of address at this router (its "previous address" in CXTP)
 * @param homeAddress the MN's home address, or null (widens the snapshot's policy match)
 * @param tokenKey the MN-AR token key (HMAC-SHA1); never printed
 */
public record ServedMobileNode(InetAddress careOfAddress, InetAddress homeAddress, KeyBytes tokenKey) {

    public ServedMobileNode {
        Objects.requireNonNull(careOfAddress, "mobile node address");
        Objects.requireNonNull(tokenKey, "token key");
    }
}
