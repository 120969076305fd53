package io.cxt.ike;

import java.util.Arrays;

import io.cxt.xfrm.KeyBytes;

/** What authenticates the peer in its PAD entry: a pre-shared secret or its X.509 certificate. */
public sealed interface PeerCredential {

    /** A pre-shared secret; never prints. */
    record PreSharedKey(KeyBytes key) implements PeerCredential {
        public PreSharedKey {
            if (key == null || key.length() == 0) {
                throw new IllegalArgumentException("a pre-shared key must not be empty");
            }
        }
    }

    /** The peer's X.509 certificate, DER encoded (not parsed here). */
    record Certificate(byte[] der) implements PeerCredential {
        public Certificate {
            der = Octets.copy(der, "certificate");
            if (der.length == 0) {
                throw new IllegalArgumentException("a certificate must not be empty");
            }
        }

        @Override
        public byte[] der() {
            return der.clone();
        }

        @Override
        public boolean equals(Object o) {
            return o instanceof Certificate c && Arrays.equals(c.der, der);
        }

        @Override
        public int hashCode() {
            return Arrays.hashCode(der);
        }

        @Override
        public String toString() {
            return "Certificate[" + der.length + " octets DER]";
        }
    }
}
