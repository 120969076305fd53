package io.cxt.ike;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;

/**
 * The peer's entry in the Peer Authorization Database (RFC 4301 section 4.4.3; paper section 3.1):
 * its identity, how it authenticates, and the secret or certificate that proves it. The
 * authentication protocol is always IKEv2 here.
 *
 * @param identityType  ID type of the peer's IDi/IDr payload
 * @param identity      identification data as in the ID payload (text types as ASCII octets)
 * @param authMethod    authentication method the peer uses
 * @param credential    pre-shared key (for {@link AuthMethod#SHARED_KEY_MIC}) or certificate
 */
public record PadEntry(IdentityType identityType, byte[] identity, AuthMethod authMethod, PeerCredential credential) {

    public PadEntry {
        if (identityType == null || authMethod == null || credential == null) {
            throw new IllegalArgumentException("identity type, auth method and credential are required");
        }
        identity = Octets.copy(identity, "identity");
        if (identity.length == 0) {
            throw new IllegalArgumentException("the peer identity must not be empty");
        }
        if (identityType == IdentityType.ID_IPV4_ADDR && identity.length != 4
                || identityType == IdentityType.ID_IPV6_ADDR && identity.length != 16) {
            throw new IllegalArgumentException(identityType + " identity has " + identity.length + " octets");
        }
        if (authMethod.usesSharedKey() != credential instanceof PeerCredential.PreSharedKey) {
            throw new IllegalArgumentException(authMethod + (authMethod.usesSharedKey()
                    ? " needs a pre-shared key" : " needs a certificate, not a pre-shared key"));
        }
    }

    @Override
    public byte[] identity() {
        return identity.clone();
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof PadEntry p && p.identityType == identityType && Arrays.equals(p.identity, identity)
                && p.authMethod == authMethod && p.credential.equals(credential);
    }

    @Override
    public int hashCode() {
        return (identityType.hashCode() * 31 + Arrays.hashCode(identity)) * 31 + authMethod.hashCode();
    }

    @Override
    public String toString() {
        String id = identityType.isText() ? new String(identity, StandardCharsets.US_ASCII) : Octets.hex(identity);
        return "PadEntry[" + identityType + " " + id + ", " + authMethod + ", " + credential + "]";
    }
}
