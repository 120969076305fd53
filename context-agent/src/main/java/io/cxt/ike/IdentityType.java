package io.cxt.ike;

/** IKEv2 identification types (RFC 7296 section 3.5). */
public enum IdentityType {
    ID_IPV4_ADDR(1),
    ID_FQDN(2),
    ID_RFC822_ADDR(3),
    ID_IPV6_ADDR(5),
    ID_DER_ASN1_DN(9),
    ID_DER_ASN1_GN(10),
    ID_KEY_ID(11);

    private final int id;

    IdentityType(int id) {
        this.id = id;
    }

    public int id() {
        return id;
    }

    /** Identities held as text (ASCII) rather than as binary. */
    public boolean isText() {
        return this == ID_FQDN || this == ID_RFC822_ADDR;
    }
}
