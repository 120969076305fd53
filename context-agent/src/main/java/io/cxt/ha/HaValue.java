package io.cxt.ha;

import java.net.Inet4Address;
import java.net.Inet6Address;
import java.net.InetAddress;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.Objects;

import io.cxt.xfrm.KeyBytes;

/**
 * A typed HA attribute value, one record per wire encoding of ha_message.c. Records are immutable; arrays
 * are copied in and out. Secrets ({@link Secret}) never print.
 */
public sealed interface HaValue {

    /**
     * An IKE SA's identity as charon keeps it ({@code ike_sa_id_t}): version, both SPIs as on the IKE wire
     * (charon stores them in network order and copies them unconverted), and whether the <em>sending</em>
     * node was the original initiator.
     */
    record IkeSaId(int ikeVersion, long initiatorSpi, long responderSpi, boolean localIsInitiator)
            implements HaValue {
        public IkeSaId {
            if (ikeVersion < 0 || ikeVersion > 255) {
                throw new IllegalArgumentException("IKE version out of range: " + ikeVersion);
            }
        }

        @Override
        public String toString() {
            return String.format("IKEv%d %016x_i %016x_r%s", ikeVersion, initiatorSpi, responderSpi,
                    localIsInitiator ? " (local initiator)" : "");
        }
    }

    /** An identity: IKEv2 ID type and its encoding (at most 255 octets). */
    record Identity(int idType, byte[] encoding) implements HaValue {
        public Identity {
            if (idType < 0 || idType > 255) {
                throw new IllegalArgumentException("ID type out of range: " + idType);
            }
            encoding = encoding.clone();
            if (encoding.length > 255) {
                throw new IllegalArgumentException("identity longer than 255 octets");
            }
        }

        @Override
        public byte[] encoding() {
            return encoding.clone();
        }

        @Override
        public boolean equals(Object o) {
            return o instanceof Identity i && i.idType == idType && Arrays.equals(i.encoding, encoding);
        }

        @Override
        public int hashCode() {
            return idType * 31 + Arrays.hashCode(encoding);
        }

        /** Text for FQDN (2) and RFC 822 (3) identities, hex otherwise. */
        @Override
        public String toString() {
            if ((idType == 2 || idType == 3) && printable(encoding)) {
                return new String(encoding, java.nio.charset.StandardCharsets.US_ASCII);
            }
            if ((idType == 1 && encoding.length == 4) || (idType == 5 && encoding.length == 16)) {
                try {
                    return InetAddress.getByAddress(encoding).getHostAddress();
                } catch (java.net.UnknownHostException e) {
                    throw new AssertionError(e);
                }
            }
            return "id" + idType + ":" + HexFormat.of().formatHex(encoding);
        }

        private static boolean printable(byte[] b) {
            for (byte x : b) {
                if (x < 0x20 || x > 0x7e) {
                    return false;
                }
            }
            return true;
        }
    }

    /** An address and UDP port ({@code host_t}). */
    record Host(InetAddress address, int port) implements HaValue {
        public Host {
            Objects.requireNonNull(address, "address");
            if (port < 0 || port > 65535) {
                throw new IllegalArgumentException("port out of range: " + port);
            }
        }

        public Host withAddress(InetAddress a) {
            return new Host(a, port);
        }

        @Override
        public String toString() {
            return (address instanceof Inet6Address ? "[" + address.getHostAddress() + "]" : address.getHostAddress())
                    + ":" + port;
        }
    }

    /** A NUL-terminated string (a config name); octets kept one to one (ISO 8859-1). */
    record Text(String text) implements HaValue {
        public Text {
            if (text.indexOf('\0') >= 0) {
                throw new IllegalArgumentException("text contains NUL");
            }
            for (int i = 0; i < text.length(); i++) {
                if (text.charAt(i) > 0xff) {
                    throw new IllegalArgumentException("text is not single-octet");
                }
            }
        }

        @Override
        public String toString() {
            return text;
        }
    }

    /** An unsigned number of 1, 2 or 4 octets (range checked by {@link HaAttribute}). */
    record Number(long value) implements HaValue {
        public Number {
            if (value < 0 || value > 0xffff_ffffL) {
                throw new IllegalArgumentException("number out of range: " + value);
            }
        }

        @Override
        public String toString() {
            return Long.toString(value);
        }
    }

    /** Octets that are not secret (nonces, DH public values). */
    record Chunk(byte[] octets) implements HaValue {
        public Chunk {
            octets = octets.clone();
            if (octets.length > 0xffff) {
                throw new IllegalArgumentException("chunk longer than 65535 octets");
            }
        }

        @Override
        public byte[] octets() {
            return octets.clone();
        }

        @Override
        public boolean equals(Object o) {
            return o instanceof Chunk c && Arrays.equals(c.octets, octets);
        }

        @Override
        public int hashCode() {
            return Arrays.hashCode(octets);
        }

        @Override
        public String toString() {
            return octets.length + " octets";
        }
    }

    /** Secret octets: the DH shared secret, an old SK_d, an IKEv1 PSK or IV. Prints as redacted. */
    record Secret(KeyBytes octets) implements HaValue {
        public Secret {
            Objects.requireNonNull(octets, "octets");
            if (octets.length() > 0xffff) {
                throw new IllegalArgumentException("secret longer than 65535 octets");
            }
        }

        @Override
        public String toString() {
            return octets.length() + " octets <redacted>";
        }
    }

    /**
     * A traffic selector ({@code traffic_selector_t}): type 7 (IPv4 range) or 8 (IPv6 range), protocol,
     * port range, whether it is dynamic (charon fills in the SA's own address), and the address range.
     */
    record TrafficSelector(int tsType, int protocol, int fromPort, int toPort, boolean dynamic,
            InetAddress from, InetAddress to) implements HaValue {
        public static final int TS_IPV4_ADDR_RANGE = 7;
        public static final int TS_IPV6_ADDR_RANGE = 8;

        public TrafficSelector {
            Class<?> family = switch (tsType) {
                case TS_IPV4_ADDR_RANGE -> Inet4Address.class;
                case TS_IPV6_ADDR_RANGE -> Inet6Address.class;
                default -> throw new IllegalArgumentException("traffic selector type must be 7 or 8: " + tsType);
            };
            if (!family.isInstance(from) || !family.isInstance(to)) {
                throw new IllegalArgumentException("addresses do not match the selector type");
            }
            if (protocol < 0 || protocol > 255 || fromPort < 0 || fromPort > 65535 || toPort < 0 || toPort > 65535) {
                throw new IllegalArgumentException("protocol or port out of range");
            }
        }

        /** The same selector with a new address range (a dynamic local selector follows the SA's address). */
        public TrafficSelector withRange(InetAddress newFrom, InetAddress newTo) {
            return new TrafficSelector(tsType, protocol, fromPort, toPort, dynamic, newFrom, newTo);
        }

        @Override
        public String toString() {
            String range = from.equals(to) ? from.getHostAddress() : from.getHostAddress() + "-" + to.getHostAddress();
            String ports = fromPort == 0 && toPort == 65535 ? "" : "[" + fromPort + "-" + toPort + "]";
            return range + (protocol == 0 ? "" : "/" + protocol) + ports + (dynamic ? " (dynamic)" : "");
        }
    }
}
